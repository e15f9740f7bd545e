// Pure helpers of the benefit pages (待遇发放): money in fen shown as yuan,
// stage and program labels, the values a decision's reasons used, payment
// periods, the facts officers attest and the parameter values a county
// sets. Kept apart from the components so they can be tested without
// mounting anything. The checks mirror internal/benefit so a form names the
// problem before the server has to.

// ---- money

const groupThousands = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/**
 * Fen (an integer, or its decimal string) as yuan with two decimals and
 * thousands separators: 96000 → "960.00", 123456789 → "1,234,567.89".
 * Integer arithmetic on the digits, so no floating-point error; '' for
 * anything that is not a whole number of fen.
 */
export function formatYuan(fen) {
  if (fen === null || fen === undefined || fen === '') return ''
  const s = typeof fen === 'bigint' ? fen.toString() : String(fen).trim()
  if (!/^-?\d+$/.test(s)) return ''
  const neg = s.startsWith('-')
  const digits = s.replace(/^-/, '').replace(/^0+(?=\d)/, '').padStart(3, '0')
  const out = `${groupThousands(digits.slice(0, -2))}.${digits.slice(-2)}`
  return neg && /[1-9]/.test(digits) ? '-' + out : out
}

/** formatYuan with the unit: "960.00 元". */
export const yuanText = (fen) => {
  const y = formatYuan(fen)
  return y ? `${y} 元` : ''
}

/**
 * Yuan as typed ("960", "960.5", "1,200.00") → fen as a decimal string
 * ("96000", "96050", "120000"); null when it is not a non-negative amount
 * with at most two decimals. Parsed as text, never as a float.
 */
export function yuanToFen(text) {
  const t = String(text ?? '').trim().replace(/[,，\s]/g, '')
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(t)
  if (!m) return null
  const fen = (m[1] + (m[2] || '').padEnd(2, '0')).replace(/^0+(?=\d)/, '')
  return fen
}

// ---- stages, programs and other labels

/** The review stages in order (internal/benefit flow.go Stages), with who decides each. */
export const STAGES = [
  { code: 'village_check', name: '村级核实', role: 'village', level: 5 },
  { code: 'village_posting', name: '村级公示', role: 'village', level: 5, posting: true },
  { code: 'township_review', name: '乡镇审核', role: 'township', level: 4 },
  { code: 'county_approval', name: '县级审批', role: 'county', level: 3 },
  { code: 'county_posting', name: '县级公示', role: 'county', level: 3, posting: true },
]
export const TERMINAL_STAGES = { payroll: '待发放', rejected: '已驳回' }

/** Every stage a candidate can be at, for the stage filter. */
export const STAGE_OPTIONS = [
  ...STAGES.map((s) => ({ value: s.code, label: s.name })),
  ...Object.entries(TERMINAL_STAGES).map(([value, label]) => ({ value, label })),
]

/** The Chinese name of a stage code; the code itself when unknown. */
export function stageLabel(code) {
  if (!code) return ''
  return STAGES.find((s) => s.code === code)?.name || TERMINAL_STAGES[code] || code
}

/** An Element Plus tag type for a stage. */
export function stageTagType(code) {
  if (code === 'payroll') return 'success'
  if (code === 'rejected') return 'info'
  return STAGES.find((s) => s.code === code)?.posting ? 'warning' : 'primary'
}

/** Program names as the server has them (used until GET /benefit/programs answers). */
export const PROGRAM_NAMES = {
  jiangfu: '农村部分计划生育家庭奖励扶助',
  tefu: '计划生育家庭特别扶助',
  only_child: '独生子女父母奖励',
  childcare: '育儿补贴',
  local_girls: '关爱女孩助学（县级项目示例）',
}

export const programLabel = (code, programs = []) =>
  programs.find((p) => p.code === code)?.name || PROGRAM_NAMES[code] || code || ''

/** Whether a program's decisions are about a child paid to a parent who applies (育儿补贴). */
export const programForChild = (code, programs = []) =>
  (programs.find((p) => p.code === code)?.subject || (code === 'childcare' ? 'child' : 'person')) === 'child'

export const LEVEL_LABELS = { national: '国家', province: '省', city: '市', county: '县' }
export const levelLabel = (level) => LEVEL_LABELS[level] || level || ''
/** The layer of a parameter scope, as params.go Level: "" national, 2 digits province, 4 city, else county. */
export const scopeLevel = (scope) => ({ 0: 'national', 2: 'province', 4: 'city' })[String(scope || '').length] || 'county'

export const SOURCE_LABELS = { sweep: '年度摸底', application: '申请' }
export const POSTING_LEVELS = { village: '村级公示', county: '县级公示' }
export const POSTING_STATUS = {
  open: { label: '公示中', type: 'warning' },
  closed: { label: '已结束', type: 'success' },
  superseded: { label: '已被新版本取代', type: 'info' },
}
export const CHANNELS = [
  { value: 'visit', label: '来访' },
  { value: 'phone', label: '电话' },
  { value: 'letter', label: '信件' },
  { value: 'online', label: '网上' },
  { value: 'other', label: '其他' },
]
export const OUTCOMES = [
  { value: 'dismissed', label: '异议不成立' },
  { value: 'upheld', label: '异议成立（该对象退回核实，名单须重新公示）' },
]

const SUBTYPE_PARTS = { death: '独生子女死亡', disability: '独生子女伤残', complication: '手术并发症' }
/** 特扶's kind: "death+complication" → "独生子女死亡、手术并发症". */
export function subtypeLabel(subtype) {
  if (!subtype) return ''
  return subtype.split('+').map((s) => SUBTYPE_PARTS[s] || s).join('、')
}

// ---- who acts

/** The review stage a user decides at, by role and division level; null for none. */
export function stageOf(code) {
  return STAGES.find((s) => s.code === code) || null
}

/**
 * Whether the signed-in user decides the candidate's current stage (the
 * server checks again): the stage's role at the stage's division level.
 */
export function actsAt(me, stageCode) {
  const st = stageOf(stageCode)
  if (!me || !st) return false
  return me.role === st.role && Number(me.division?.level) === st.level
}

/**
 * The review buttons a user gets for a candidate: approve (not at a
 * posting, which ends by itself), reject, return (not from the first
 * stage) and recheck.
 */
export function reviewActions(me, candidate) {
  if (!candidate || !actsAt(me, candidate.stage)) return []
  const st = stageOf(candidate.stage)
  const first = STAGES[0].code === st.code
  return [...(st.posting ? [] : ['approve', 'reject']), ...(first ? [] : ['return']), 'recheck']
}

export const ACTION_LABELS = { approve: '通过', reject: '驳回', return: '退回', recheck: '重新测算' }

/** The problem of a review before it is sent, '' when none: reject and return need a reason. */
export function reviewProblem(action, reason) {
  const r = String(reason || '').trim()
  if ((action === 'reject' || action === 'return') && !r) return `请填写${ACTION_LABELS[action]}理由`
  if ([...r].length > 500) return '理由不能超过 500 个字'
  return ''
}

/** The posting level a user publishes at (a village officer their village, county staff the county). */
export function postingLevelOf(me) {
  if (me?.role === 'village' && Number(me.division?.level) === 5) return 'village'
  if (me?.role === 'county' && Number(me.division?.level) === 3) return 'county'
  return ''
}

// ---- reasons of a decision

const YES_NO = { yes: '是', no: '否' }
const HUKOU = { agricultural: '农业户口', non_agricultural: '非农业户口', resident: '居民户口' }
const SEX = { male: '男', female: '女' }
const CHILD_STATE = { death: '死亡', disability: '伤残' }

// How each value a rule records is shown: label and formatter. Order here
// is the order shown (the server sends a map, so its order is lost).
const REASON_VALUES = [
  ['age', '年龄', (v) => (v === '-1' ? '未知' : v)],
  ['min_age', '规定', null],
  ['max_age', '上限（不含）', null],
  ['until_age', '规定上限（不含）', null],
  ['birth_date', '出生日期', null],
  ['min_birth', '规定不早于', null],
  ['date', '测算日期', null],
  ['start', '实施日期', null],
  ['hukou_type', '户口性质', (v) => HUKOU[v] || v],
  ['allowed', '允许', (v) => v.split(',').map((x) => HUKOU[x] || x).join('、')],
  ['sex', '性别', (v) => SEX[v] || v],
  ['required', '规定', (v) => SEX[v] || v],
  ['death_date', '死亡日期', null],
  ['attested', '核实结果', (v) => YES_NO[v] || v],
  ['children_ever', '曾生育（收养）子女', null],
  ['children_living', '现存子女', null],
  ['daughters_living', '其中女儿', null],
  ['sons_living', '存活儿子', null],
  ['who', '女方', null],
  ['state', '子女状况', (v) => CHILD_STATE[v] || v],
  ['level', '并发症等级', (v) => `${v} 级`],
  ['issued', '发证日期', null],
  ['child', '子女', null],
  ['county', '户籍县', null],
  ['parents', '父母人数', null],
  ['year', '年度', null],
  ['months', '可补贴月数', null],
  // The server sends this one already in yuan ("300.00"), despite its name.
  ['monthly_fen', '月标准', (v) => (v.includes('.') ? `${v} 元` : yuanText(v))],
  ['key', '参数', (v) => paramLabel(v)],
  ['value_fen', '标准', (v) => yuanText(v) || '未设置'],
]

/**
 * The values a reason used, in a fixed order, as "label value" strings:
 * {age: "59", min_age: "60"} → ["年龄 59", "规定 60"]. Empty values are left
 * out (an empty death date means alive); unknown keys come last, as sent.
 */
export function reasonValues(reason) {
  const vals = reason?.values || {}
  const out = []
  const seen = new Set()
  for (const [key, label, fmt] of REASON_VALUES) {
    seen.add(key)
    const v = vals[key]
    if (v === undefined || v === null || v === '') continue
    out.push(`${label} ${fmt ? fmt(String(v)) : v}`)
  }
  for (const [k, v] of Object.entries(vals)) {
    if (!seen.has(k) && v !== '' && v !== null && v !== undefined) out.push(`${k} ${v}`)
  }
  return out
}

/** A reason as one line: "✓ 年满规定年龄：年龄 59 / 规定 60". */
export function reasonLine(reason) {
  const vals = reasonValues(reason)
  return `${reason.passed ? '✓' : '✗'} ${reason.label}${vals.length ? '：' + vals.join(' / ') : ''}`
}

// ---- parameters

const PARAM_LABELS = {
  min_birth: '出生日期不早于',
  min_age: '最低年龄',
  max_age: '年龄上限（不含）',
  hukou: '户口性质',
  annual_amount: '年发放标准',
  monthly_amount: '月发放标准',
  min_woman_age: '女方最低年龄',
  disability_levels: '伤残等级范围',
  death_monthly: '独生子女死亡家庭月标准',
  disability_monthly: '独生子女伤残家庭月标准',
  complication_1_monthly: '并发症一级月标准',
  complication_2_monthly: '并发症二级月标准',
  complication_3_monthly: '并发症三级月标准',
  until_child_age: '发放至子女年龄（不含）',
  until_age: '发放至年龄（不含）',
  start: '实施日期',
  sex: '性别',
  only_daughters: '仅限纯女户',
  objection_days: '公示天数',
  topup_annual: '年加发',
  topup_monthly: '月加发',
}

export const paramLabel = (key) => PARAM_LABELS[key] || key

/** The shape of a parameter's value, as the server checks it (params.go checkValue). */
export function paramKind(key) {
  const k = String(key || '')
  if (k === 'objection_days') return 'days'
  if (k.includes('amount') || k.endsWith('_monthly') || k.startsWith('topup_')) return 'amount'
  if (k.endsWith('_age') || k === 'min_age' || k === 'max_age') return 'age'
  if (k === 'min_birth' || k === 'start') return 'date'
  return 'text'
}

/** A parameter value with its unit: fen → 元, ages → 周岁, codes → words. */
export function formatParamValue(key, value) {
  const v = String(value ?? '')
  switch (paramKind(key)) {
    case 'amount':
      return yuanText(v) || v
    case 'age':
      return `${v} 周岁`
    case 'days':
      return `${v} 天`
    case 'date':
      return v
  }
  if (key === 'hukou') return v.split(',').map((x) => HUKOU[x] || x).join('、')
  if (key === 'sex') return SEX[v] || v
  if (key === 'only_daughters') return YES_NO[v] || v
  if (key === 'disability_levels') return v.split(',').join('、') + ' 级'
  return v
}

/** The keys a county can set for a program: those the table shows, plus the top-ups. */
export function settableKeys(program) {
  const keys = []
  for (const v of program?.values || []) if (!keys.includes(v.key)) keys.push(v.key)
  for (const k of ['topup_annual', 'topup_monthly']) if (!keys.includes(k)) keys.push(k)
  return keys
}

export const isDate = (v) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v || ''))
  if (!m) return false
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

/**
 * The value to send for a parameter as typed (amounts typed in yuan become
 * fen), or the problem with it: { value } or { problem }.
 */
export function paramValueFromInput(key, text) {
  const t = String(text ?? '').trim()
  switch (paramKind(key)) {
    case 'amount': {
      const fen = yuanToFen(t)
      if (fen === null) return { problem: '金额应为不小于 0 的数，最多两位小数（单位：元）' }
      if (fen.length > 9) return { problem: '金额过大' }
      return { value: fen }
    }
    case 'age':
    case 'days':
      if (!/^\d{1,3}$/.test(t)) return { problem: paramKind(key) === 'age' ? '年龄应为不小于 0 的整数' : '天数应为正整数' }
      if (paramKind(key) === 'days' && Number(t) < 1) return { problem: '天数应为正整数' }
      return { value: String(Number(t)) }
    case 'date':
      return isDate(t) ? { value: t } : { problem: '应为有效日期（如 1933-01-01）' }
  }
  if (!t) return { problem: '请填写参数值' }
  if ([...t].length > 100) return { problem: '参数值不能超过 100 个字' }
  return { value: t }
}

/** The problems of a county parameter form, by field; {} when it can be sent. */
export function paramFormProblems(f) {
  const p = {}
  if (!f.program) p.program = '请选择项目'
  if (!f.key) p.key = '请选择参数'
  if (!isDate(f.from)) p.from = '请填写生效日期'
  const v = paramValueFromInput(f.key, f.value)
  if (f.key && v.problem) p.value = v.problem
  const basis = String(f.basis || '').trim()
  if (!basis) p.basis = '请填写依据（文件名称、文号）'
  else if ([...basis].length > 200) p.basis = '依据不能超过 200 个字'
  return p
}

// ---- payment periods

/** The problem of a payment period as typed, '' when valid (payroll.go ParsePeriod). */
export function periodProblem(text) {
  const t = String(text ?? '').trim()
  if (/^\d{4}$/.test(t) || /^\d{4}-Q[1-4]$/.test(t) || /^\d{4}-(0[1-9]|1[0-2])$/.test(t)) return ''
  return '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'
}

/** A period in words: "2026" → "2026 年度", "2026-Q1" → "2026 年第 1 季度", "2026-03" → "2026 年 3 月". */
export function periodLabel(text) {
  const t = String(text ?? '').trim()
  if (periodProblem(t)) return t
  if (t.length === 4) return `${t} 年度`
  if (t[5] === 'Q') return `${t.slice(0, 4)} 年第 ${t[6]} 季度`
  return `${t.slice(0, 4)} 年 ${Number(t.slice(5))} 月`
}

// ---- attested facts

/**
 * The facts an officer attests (facts.go attestKeys), with how each is
 * entered. on says whose fact it is: the candidate, or one of their
 * children (a disability certificate is the child's).
 */
export const ATTEST_SPECS = [
  {
    key: 'policy_compliant', label: '1973至2001年间无政策外生育', kind: 'choice', on: 'self',
    options: [{ value: 'yes', label: '是（无政策外生育）' }, { value: 'no', label: '否' }],
  },
  {
    key: 'complication_level', label: '计划生育手术并发症等级', kind: 'choice', on: 'self',
    options: [{ value: '1', label: '一级' }, { value: '2', label: '二级' }, { value: '3', label: '三级' }, { value: 'none', label: '无' }],
  },
  {
    key: 'disability_level', label: '残疾证等级（子女）', kind: 'choice', on: 'child',
    options: [
      { value: '1', label: '一级' }, { value: '2', label: '二级' }, { value: '3', label: '三级' }, { value: '4', label: '四级' },
      { value: 'none', label: '无' },
    ],
  },
  { key: 'only_child_cert_date', label: '独生子女父母光荣证发证日期', kind: 'date', on: 'self' },
  { key: 'only_child_cert_child', label: '光荣证所载子女', kind: 'child', on: 'self' },
]

export const attestSpec = (key) => ATTEST_SPECS.find((s) => s.key === key) || null

/** The problems of an attestation, by field; {} when it can be sent. */
export function attestProblems(f) {
  const p = {}
  const spec = attestSpec(f.key)
  if (!spec) {
    p.key = '请选择核实项目'
    return p
  }
  if (!f.person_id) p.person_id = spec.on === 'child' ? '请选择子女' : '缺少人员'
  const v = String(f.value ?? '').trim()
  if (spec.kind === 'choice' && !spec.options.some((o) => o.value === v)) p.value = '请选择'
  if (spec.kind === 'date' && !isDate(v)) p.value = '请填写发证日期'
  if (spec.kind === 'child' && !/^\d+$/.test(v)) p.value = '请选择子女'
  const ev = String(f.evidence || '').trim()
  if (!ev) p.evidence = '请填写核实依据（证件编号、文件号等）'
  else if ([...ev].length > 200) p.evidence = '核实依据不能超过 200 个字'
  return p
}

/** An attested value in words. */
export function attestValueLabel(key, value, children = []) {
  const spec = attestSpec(key)
  if (spec?.kind === 'choice') return spec.options.find((o) => o.value === value)?.label || value
  if (spec?.kind === 'child') return children.find((c) => String(c.id) === String(value))?.name || `人员编号 ${value}`
  return value
}

// ---- accounts

/** An account number without the spaces and dashes people type. */
export const normalizeAccount = (no) => String(no || '').replace(/[\s-]/g, '')

/** The problems of an account form, by field (payroll.go SetAccount). */
export function accountProblems(f) {
  const p = {}
  const no = normalizeAccount(f.account_no)
  if (!/^\d{8,32}$/.test(no)) p.account_no = '账号应为 8 到 32 位数字'
  if (!String(f.bank || '').trim()) p.bank = '请填写开户行（或“社保卡（一卡通）”）'
  if (!String(f.account_name || '').trim()) p.account_name = '请填写户名'
  return p
}

// ---- dates and links

const pad = (n) => String(n).padStart(2, '0')

/** The calendar date in China (UTC+8) at a moment, as the server's "today". */
export function chinaToday(now = new Date()) {
  const t = new Date(now.getTime() + 8 * 3600 * 1000)
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}

export const chinaYear = (now = new Date()) => Number(chinaToday(now).slice(0, 4))

/** The years offered in filters: next year down to 2004, when the first program began. */
export function yearOptions(now = new Date()) {
  const out = []
  for (let y = chinaYear(now) + 1; y >= 2004; y--) out.push(y)
  return out
}

/** The path of a posting's public page (no login). */
export const publicPostingPath = (code) => `/public/postings/${encodeURIComponent(code)}`

/** "2026-11-22 至 2026-11-28". */
export const periodText = (from, to) => (from || to ? `${from || ''} 至 ${to || ''}` : '')

/** Whether a posting's objection window has passed (it may then be closed). */
// The server says whether the window is over by its own date (ended); the
// browser's date is only a fallback, since a phone's clock may be wrong.
export const postingEnded = (posting, today = chinaToday()) =>
  typeof posting?.ended === 'boolean' ? posting.ended : !!posting?.ends_on && today > posting.ends_on

/** The body of an objection: no objector when anonymous, no candidate when about the whole list. */
export function objectionBody(f) {
  return {
    channel: f.channel,
    anonymous: !!f.anonymous,
    objector: f.anonymous ? '' : String(f.objector || '').trim(),
    content: String(f.content || '').trim(),
    ...(f.candidate_id ? { candidate_id: Number(f.candidate_id) } : {}),
  }
}

/** The problems of an objection form, by field. */
export function objectionProblems(f) {
  const p = {}
  if (!CHANNELS.some((c) => c.value === f.channel)) p.channel = '请选择来源'
  const content = String(f.content || '').trim()
  if (!content) p.content = '请填写异议内容'
  else if ([...content].length > 1000) p.content = '异议内容不能超过 1000 个字'
  if (!f.anonymous && [...String(f.objector || '').trim()].length > 100) p.objector = '反映人不能超过 100 个字'
  return p
}

/** The problems of settling an objection, by field. */
export function settleProblems(f) {
  const p = {}
  if (!/^\d+$/.test(String(f.id ?? '').trim()) || Number(f.id) < 1) p.id = '请填写登记异议时给出的异议编号'
  if (!OUTCOMES.some((o) => o.value === f.outcome)) p.outcome = '请选择处理结果'
  const r = String(f.resolution || '').trim()
  if (!r) p.resolution = '请填写处理意见'
  else if ([...r].length > 1000) p.resolution = '处理意见不能超过 1000 个字'
  return p
}

/** A 4-digit year as a number, or null. */
export function yearOf(v) {
  const n = Number(v)
  return Number.isInteger(n) && n >= 2004 && n <= 2100 ? n : null
}

// ---- persons

/** The person-search query of a text: id_number for a full ID number, else a name prefix; null for nothing. */
export function personQuery(text) {
  const t = String(text || '').trim()
  if (!t) return null
  return /^(\d{15}|\d{17}[\dXx])$/.test(t) ? { id_number: t.toUpperCase() } : { q: t }
}

/** A person as one line of a picker: name · sex · birth date · masked ID · village. */
export function personLabel(p) {
  if (!p) return ''
  return [p.name, SEX[p.sex], p.birth_date, p.id_number, p.registered_division_name || p.residence_division_name]
    .filter(Boolean)
    .join(' · ')
}

/** A child's registered parents as applicant options (育儿补贴 is applied for by a parent). */
export function parentOptions(person) {
  const out = []
  if (person?.mother_id) out.push({ id: person.mother_id, label: `${person.mother_name || '母亲'}（母亲）` })
  if (person?.father_id) out.push({ id: person.father_id, label: `${person.father_name || '父亲'}（父亲）` })
  return out
}

/** The body of an application from its form; applicant only for a child's program. */
export function applicationBody(f, forChild) {
  return {
    program: f.program,
    year: Number(f.year),
    person_id: f.person_id,
    ...(forChild && f.applicant_id ? { applicant_id: f.applicant_id } : {}),
    date: f.date || '',
    note: String(f.note || '').trim(),
  }
}

/** The problems of an application form, by field. */
export function applicationProblems(f, forChild) {
  const p = {}
  if (!f.person_id) p.person_id = forChild ? '请选择婴幼儿' : '请选择人员'
  if (!f.program) p.program = '请选择项目'
  if (!yearOf(f.year)) p.year = '年度应为 2004 年以后的四位年份'
  if (forChild && !f.applicant_id) p.applicant_id = '请选择申请人（父母一方）'
  if (f.date && !isDate(f.date)) p.date = '日期无效'
  if ([...String(f.note || '').trim()].length > 500) p.note = '备注不能超过 500 个字'
  return p
}

// ---- payee and name search

/**
 * Whom a candidate may be paid to (payee.go): the person themself and, for a
 * child's program, the parents the registry links to the child (person is
 * the child's registry record). The current payee is left out.
 */
export function payeeOptions(candidate, person, forChild) {
  if (!candidate) return []
  const out = [{ id: candidate.person_id, label: `${candidate.name}（本人）` }]
  if (forChild && person) {
    const links = [
      ['mother_id', 'mother_name', '母亲'], ['father_id', 'father_name', '父亲'],
      ['adoptive_mother_id', 'adoptive_mother_name', '养母'], ['adoptive_father_id', 'adoptive_father_name', '养父'],
    ]
    for (const [id, name, role] of links) {
      if (person[id] && !out.some((o) => o.id === person[id])) out.push({ id: person[id], label: `${person[name] || role}（${role}）` })
    }
  }
  const current = candidate.payee_id || candidate.applicant_id || candidate.person_id
  return out.filter((o) => o.id !== current)
}

/** The problems of a payee change, by field; {} when it can be sent. */
export function payeeProblems(f) {
  const p = {}
  if (!f.payee_id) p.payee_id = '请选择新的领取人'
  const r = String(f.reason || '').trim()
  if (!r) p.reason = '请填写更换理由'
  else if ([...r].length > 500) p.reason = '更换理由不能超过 500 个字'
  return p
}

/** The longest name search the server takes (candidates.go maxQuery). */
export const MAX_NAME_QUERY = 20

/** Why a name search cannot be sent, or ''. */
export function nameQueryProblem(text) {
  return [...String(text || '').trim()].length > MAX_NAME_QUERY ? `姓名查询条件不能超过 ${MAX_NAME_QUERY} 个字` : ''
}
