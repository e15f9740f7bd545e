// Pure logic of the notices page.

/** The kinds of written notice, as the server names them. */
export const NOTICE_KINDS = [
  { value: 'approval', label: '审批通知' },
  { value: 'rejection', label: '申请结果通知（未通过）' },
  { value: 'payment', label: '发放通知' },
  { value: 'stop', label: '停发通知' },
]

/** What is missing before notices can be issued, or ''. */
export function noticeProblem(form) {
  if (!form.program) return '请选择项目'
  if (form.kind === 'payment' || form.kind === 'stop') {
    if (!form.cycle_id) return '发放和停发通知须选择发放批次'
    return ''
  }
  if (!Number.isInteger(form.year) || form.year < 2004 || form.year > 2100) return '年度应为四位年份'
  return ''
}

/** A verification code as typed or scanned ("abcd ef12-3456") → "ABCDEF123456". */
export const normalizeVerifyCode = (s) => String(s || '').replace(/[\s-]/g, '').toUpperCase()

/** What is wrong with a normalized verification code, or ''. Codes are 12 letters and digits 2–7. */
export function verifyCodeProblem(code) {
  if (!code) return '请输入验证码'
  if (!/^[A-Z2-7]{12}$/.test(code)) return '验证码应为 12 位，由字母和数字 2 至 7 组成'
  return ''
}
