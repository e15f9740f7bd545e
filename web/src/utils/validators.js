// Form validation rules shared by the forms (Element Plus / async-validator
// style validators: (rule, value, callback)).
import { checkIdNumber, todayISO } from './idnumber.js'

/** Mobile (11 digits starting with 1) or landline (area code 0xx(x), optional extension). */
export function isPhone(v) {
  const s = String(v ?? '').replace(/\s+/g, '')
  return /^1[3-9]\d{9}$/.test(s) || /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/.test(s)
}

export const isISODate = (v) => /^\d{4}-\d{2}-\d{2}$/.test(String(v ?? ''))

/** '' for a real date in YYYY-MM-DD form not in the future, else the problem. */
export function dateProblem(v, today = todayISO()) {
  if (!isISODate(v)) return '格式应为 YYYY-MM-DD'
  const [y, m, d] = v.split('-').map(Number)
  const dt = new Date(Date.UTC(y, m - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) {
    return '不是有效日期'
  }
  if (v > today) return '不能晚于今天'
  return ''
}

/** Password rule of the server: at least 8 characters, 3 of 4 character classes. */
export function passwordProblem(pw) {
  const s = String(pw ?? '')
  if (s.length < 8) return '密码至少8位'
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(s)).length
  if (classes < 3) return '密码须包含小写字母、大写字母、数字、符号中的至少3种'
  return ''
}

export const PASSWORD_HINT = '至少8位，包含小写字母、大写字母、数字、符号中的至少3种'

/** Validator factories for el-form rules. */
export const rules = {
  required: (message, trigger = 'blur') => ({ required: true, message, trigger }),
  phone: () => ({
    trigger: 'blur',
    validator: (_r, v, cb) => (v && !isPhone(v) ? cb(new Error('请输入11位手机号码或带区号的固定电话')) : cb()),
  }),
  date: (label = '日期') => ({
    trigger: 'change',
    validator: (_r, v, cb) => {
      if (!v) return cb()
      const p = dateProblem(v)
      return p ? cb(new Error(label + p)) : cb()
    },
  }),
  /** skip(v) true: value is kept as it is (e.g. the masked stored number). */
  idNumber: (skip = () => false) => ({
    trigger: 'blur',
    validator: (_r, v, cb) => {
      if (!v || skip(v)) return cb()
      const r = checkIdNumber(v)
      return r.valid ? cb() : cb(new Error(r.reason))
    },
  }),
  password: () => ({
    trigger: 'blur',
    validator: (_r, v, cb) => {
      const p = passwordProblem(v)
      return p ? cb(new Error(p)) : cb()
    },
  }),
}
