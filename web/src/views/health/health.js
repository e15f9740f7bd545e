// Pure helpers of the health-service pages: labels, the generic stage forms
// built from the program declarations (GET /api/v1/health/programs), card
// numbers and request keys. Nothing here touches the DOM or the network, so
// it is tested without mounting anything (web/tests/health.test.js).

/** Work-list buckets in the order the tabs show them. */
export const BUCKETS = [
  { code: 'overdue', label: '逾期' },
  { code: 'today', label: '今天' },
  { code: 'week', label: '本周' },
  { code: 'due', label: '全部到期' },
]
export const DEFAULT_BUCKET = 'due'

/** What an empty bucket says. */
export const EMPTY_BUCKET_TEXT = {
  overdue: '没有逾期的随访',
  today: '今天暂无待随访',
  week: '本周暂无待随访',
  due: '暂无待随访',
}

export const TIMELINESS_LABELS = {
  on_time: '按时',
  late: '延迟',
  missed: '未随访',
  pending: '待随访',
  lapsed: '不再需要',
}
export const TIMELINESS_TONES = { on_time: 'success', late: 'warning', missed: 'danger', pending: 'primary', lapsed: 'info' }

export const VISIT_STATUS_LABELS = { open: '待完成', done: '已完成', lapsed: '不再需要' }
export const METHOD_LABELS = { home: '入户随访', phone: '电话随访', not_reached: '未联系上' }
export const CASE_STATUS_LABELS = { open: '进行中', closed: '已结案' }
export const CARD_STATUS_LABELS = { active: '有效', revoked: '已注销' }
export const SEX_LABELS = { male: '男', female: '女' }

/** The program of a code in a catalog (GET /health/programs), or null. */
export function programOf(catalog, code) {
  return catalog?.programs?.find((p) => p.code === code) || null
}

/** The stage of a code in a program, or null. */
export function stageOf(program, code) {
  return program?.stages?.find((s) => s.code === code) || null
}

/** Whether a program records a partner (couples and parents). */
export function takesPartner(program) {
  return program?.subject === 'couple' || program?.subject === 'parent'
}

/** The label of a program's subject, for the person picker. */
export function subjectHint(program) {
  switch (program?.subject) {
    case 'woman':
      return '服务对象为女性'
    case 'couple':
      return '服务对象为妻子（或本人），可同时选择丈夫'
    case 'parent':
      return '服务对象为父亲或母亲，可同时选择配偶'
    default:
      return ''
  }
}

/**
 * The stages a case may record next: the current stage's next stages, and
 * 结案 whenever the case is open and the program has a closing stage (the
 * server allows closing from anywhere). Closed cases record nothing.
 */
export function nextStages(program, caseInfo) {
  if (!program || !caseInfo || caseInfo.status !== 'open') return []
  const current = stageOf(program, caseInfo.stage)
  const codes = [...(current?.next || [])]
  if (stageOf(program, 'closed') && !codes.includes('closed')) codes.push('closed')
  // 结案 goes last, after the stages that carry the service on.
  codes.sort((a, b) => (a === 'closed') - (b === 'closed'))
  return codes.map((c) => stageOf(program, c)).filter(Boolean)
}

// Dates that may lie in the future: expectations, not events (the server's
// futureDateFields in internal/health/validate.go).
export const FUTURE_DATE_FIELDS = ['expected_date']

/** Whether a date field accepts dates after today. */
export const allowsFuture = (field) => FUTURE_DATE_FIELDS.includes(field?.name)

/** The empty value of a field of a kind. */
function emptyValue(kind) {
  if (kind === 'choices') return []
  if (kind === 'number') return null
  return ''
}

/** An empty form model of a stage's fields: {name: value}. */
export function emptyModel(fields) {
  const m = {}
  for (const f of fields || []) m[f.name] = emptyValue(f.kind)
  return m
}

function isBlank(v) {
  if (v === null || v === undefined) return true
  if (Array.isArray(v)) return v.length === 0
  return typeof v === 'string' && v.trim() === ''
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/

/** Whether s is a real calendar date "YYYY-MM-DD". */
export function isDate(s) {
  if (typeof s !== 'string' || !DATE_RE.test(s)) return false
  const d = new Date(s + 'T00:00:00Z')
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/**
 * Checks a form model against the stage's fields as the server will:
 * required values present, dates real and (except expectations) not after
 * today, numbers not negative. Returns {name: message}; empty when fine.
 */
export function validateModel(fields, model, today) {
  const errors = {}
  for (const f of fields || []) {
    const v = model?.[f.name]
    if (isBlank(v)) {
      if (f.required) errors[f.name] = f.kind === 'choices' ? `请至少选择一项“${f.label}”` : `请填写“${f.label}”`
      continue
    }
    if (f.kind === 'date') {
      if (!isDate(v)) errors[f.name] = `“${f.label}”应为有效日期（如 2026-03-01）`
      else if (today && !allowsFuture(f) && v > today) errors[f.name] = `“${f.label}”不能晚于今天`
    } else if (f.kind === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) errors[f.name] = `“${f.label}”应为不小于 0 的数字`
    } else if (f.kind === 'choice') {
      if (!(f.options || []).some((o) => o.code === v)) errors[f.name] = `请选择“${f.label}”`
    } else if (f.kind === 'text' && String(v).trim().length > 500) {
      errors[f.name] = `“${f.label}”不能超过 500 个字`
    }
  }
  return errors
}

/** The "fields" of a request: declared fields only, text trimmed, empty ones left out. */
export function fieldsPayload(fields, model) {
  const out = {}
  for (const f of fields || []) {
    const v = model?.[f.name]
    if (isBlank(v)) continue
    if (f.kind === 'choices') out[f.name] = [...new Set(v)]
    else if (f.kind === 'number') out[f.name] = Number(v)
    else out[f.name] = String(v).trim()
  }
  return out
}

/** The model key a server error names: "fields.kind" → "kind"; other fields as they are. */
export function errorKey(field) {
  if (!field) return ''
  return field.startsWith('fields.') ? field.slice(7) : field
}

/** The label of an option code of a field, the code itself when unknown. */
export function optionLabel(field, code) {
  const o = field?.options?.find((x) => x.code === code)
  return o ? o.label : String(code)
}

/** A field's value as text for reading: codes as their labels, lists joined with 、. */
export function formatValue(field, value) {
  if (isBlank(value)) return '—'
  switch (field?.kind) {
    case 'choice':
      return optionLabel(field, value)
    case 'choices':
      return (Array.isArray(value) ? value : [value]).map((c) => optionLabel(field, c)).join('、')
    case 'number':
      return String(value)
    default:
      return Array.isArray(value) ? value.join('、') : String(value)
  }
}

// Fields of steps no stage declares: a reopening keeps its reason.
const EXTRA_FIELD_LABELS = { reason: '原因', note: '备注' }

/**
 * The rows of a recorded step for reading: [{name, label, value}] in the
 * order the stage declares its fields, then any value the declaration does
 * not know (older records), labelled by its name.
 */
export function stepRows(program, step) {
  const fields = stageOf(program, step?.stage)?.fields || []
  const values = step?.fields || {}
  const rows = []
  for (const f of fields) {
    if (isBlank(values[f.name])) continue
    rows.push({ name: f.name, label: f.label, value: formatValue(f, values[f.name]) })
  }
  for (const [name, v] of Object.entries(values)) {
    if (fields.some((f) => f.name === name) || isBlank(v)) continue
    rows.push({ name, label: EXTRA_FIELD_LABELS[name] || name, value: formatValue(null, v) })
  }
  return rows
}

/** "逾期 N 天" for an overdue work item, '' otherwise. */
export function lateText(item) {
  if (item?.bucket !== 'overdue') return ''
  return item.days_late > 0 ? `逾期 ${item.days_late} 天` : '逾期'
}

/** The reason label of a not-reached contact. */
export function reasonLabel(reasons, code) {
  return reasons?.find((r) => r.code === code)?.label || code || ''
}

/** One contact attempt as a line: "2026-11-02 未联系上（外出不在家）". */
export function contactText(contact, reasons) {
  if (!contact) return ''
  let s = `${contact.date} ${METHOD_LABELS[contact.method] || contact.method}`
  if (contact.reason) s += `（${reasonLabel(reasons, contact.reason)}）`
  if (contact.note) s += `：${contact.note}`
  return s
}

/**
 * The request body of a visit outcome. Date is left to the server (today
 * in China); the reason only goes with "not reached".
 */
export function contactBody(method, { reason = '', note = '' } = {}, requestKey) {
  const body = { method, request_key: requestKey }
  if (method === 'not_reached') body.reason = reason
  const n = (note || '').trim()
  if (n) body.note = n
  return body
}

/** The problem of a not-reached sheet as filled, '' when it can be sent. */
export function notReachedProblem({ reason, note } = {}) {
  if (!reason) return '请选择未联系上的原因'
  if ((note || '').trim().length > 500) return '备注不能超过 500 个字'
  return ''
}

/** The problem of a reschedule as filled, '' when it can be sent. */
export function rescheduleProblem({ date, reason } = {}, today) {
  if (!isDate(date)) return '请选择新的随访日期'
  if (today && date < today) return '新的随访日期不能早于今天'
  if (!(reason || '').trim()) return '请说明调整随访日期的原因'
  return ''
}

// ---- request keys

function randomHex(n) {
  let s = ''
  while (s.length < n) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')
  return s.slice(0, n)
}

/**
 * A fresh request key for one submission (retries reuse it, so a retried
 * or double-tapped write lands once). crypto.randomUUID where the browser
 * has it (secure contexts only), else random hex in the same shape.
 */
export function makeRequestKey(cryptoImpl = globalThis.crypto) {
  if (cryptoImpl && typeof cryptoImpl.randomUUID === 'function') {
    try {
      return cryptoImpl.randomUUID()
    } catch {
      // not a secure context: fall through
    }
  }
  const h = randomHex(32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/**
 * Keys by purpose ("visit 7, phone"): the same key until done() is called
 * after a success, so a press after a failed or unanswered request repeats
 * the same submission instead of making a second one.
 */
export function createKeyring(make = makeRequestKey) {
  const keys = new Map()
  return {
    get(purpose) {
      if (!keys.has(purpose)) keys.set(purpose, make())
      return keys.get(purpose)
    },
    done(purpose) {
      keys.delete(purpose)
    },
    has: (purpose) => keys.has(purpose),
  }
}

// ---- service cards

/** A card number as typed or scanned, without spaces and dashes. */
export function normalizeCardNo(s) {
  return String(s ?? '').replace(/[\s-]+/g, '')
}

/** Whether a card number is 10 to 20 digits ending in its Luhn check digit. */
export function luhnValid(no) {
  if (typeof no !== 'string' || !/^\d{10,20}$/.test(no)) return false
  let sum = 0
  for (let i = no.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = no.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** The problem of a card number as typed, '' when valid. */
export function cardProblem(raw) {
  const no = normalizeCardNo(raw)
  if (!no) return '请输入或扫描服务卡号'
  if (!/^\d+$/.test(no)) return '卡号只含数字'
  if (no.length < 10 || no.length > 20) return '卡号应为 10 到 20 位数字'
  if (!luhnValid(no)) return '卡号校验位不符，请核对卡面号码'
  return ''
}

// ---- persons and dates

/** Whether a search text is an ID number (15 or 18 characters) rather than a name. */
export function looksLikeIdNumber(text) {
  return /^(\d{15}|\d{17}[\dXx])$/.test(String(text || '').trim())
}

/** The person-search query of a text: id_number for an ID, else a name prefix. */
export function personQuery(text) {
  const t = String(text || '').trim()
  if (!t) return null
  return looksLikeIdNumber(t) ? { id_number: t.toUpperCase() } : { q: t }
}

/** A person as one line of a picker: name · sex · birth date · masked ID · village. */
export function personLabel(p) {
  if (!p) return ''
  return [p.name, SEX_LABELS[p.sex], p.birth_date, p.id_number, p.residence_division_name].filter(Boolean).join(' · ')
}

/** The calendar date in China at a moment (the server's "today"). */
export function chinaToday(now = new Date()) {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10)
}

/** The default period of the figures: this calendar year. */
export function defaultPeriod(today = chinaToday()) {
  const y = today.slice(0, 4)
  return { from: `${y}-01-01`, to: `${y}-12-31` }
}

// ---- figures

/** A percentage from the API (already × 100, two decimals) as text. */
export function formatPercent(v) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—'
  return `${Number(v).toFixed(2)}%`
}

/** The figure tables: {prePreg, followUps, screening, procedures} as [{label, value}] rows. */
export function figureTables(f) {
  if (!f) return null
  const p = f.prepreg || {}
  const v = f.follow_ups || {}
  const s = f.screening || {}
  return {
    prePreg: [
      { label: `${p.year ?? ''}年度任务数`, value: p.task === null || p.task === undefined ? '未设置' : String(p.task) },
      { label: '已检查（对）', value: String(p.examined ?? 0) },
      { label: '计划怀孕登记（对）', value: String(p.planning ?? 0) },
      { label: '任务完成率', value: formatPercent(p.completion) },
      { label: '目标人群覆盖率', value: formatPercent(p.coverage) },
    ],
    followUps: [
      { label: '应随访', value: String(v.due ?? 0) },
      { label: '按时随访', value: String(v.on_time ?? 0) },
      { label: '延迟随访', value: String(v.late ?? 0) },
      { label: '未随访', value: String(v.missed ?? 0) },
      { label: '待随访（未到期限）', value: String(v.pending ?? 0) },
      { label: '不再需要', value: String(v.lapsed ?? 0) },
      { label: '随访及时率', value: formatPercent(v.on_time_rate) },
    ],
    screening: [
      { label: '已检查', value: String(s.examined ?? 0) },
      { label: '已出结果', value: String(s.results ?? 0) },
      { label: '阳性或可疑', value: String(s.positive ?? 0) },
      { label: '进一步检查', value: String(s.further_exams ?? 0) },
      { label: '已诊断', value: String(s.diagnosed ?? 0) },
      { label: '需治疗', value: String(s.need_treatment ?? 0) },
      { label: '已治疗', value: String(s.treated ?? 0) },
      { label: '已结案', value: String(s.closed ?? 0) },
      { label: '阳性率', value: formatPercent(s.positive_rate) },
      { label: '治疗率', value: formatPercent(s.treatment_rate) },
      { label: '结案率', value: formatPercent(s.closure_rate) },
    ],
    procedures: (f.procedures || []).map((x) => ({ label: x.name, value: String(x.count ?? 0) })),
  }
}

// ---- birth registration record

export const BIRTH_REG = 'birth_reg'

/**
 * What the printed 生育登记服务单 shows, from a case with its steps and the
 * names of the divisions above its village (may be empty when the user's
 * area does not reach them).
 */
export function registrationSheet(detail, { county = '', township = '' } = {}) {
  if (!detail) return null
  const steps = (detail.steps || []).filter((s) => s.stage === 'registered')
  const step = steps[steps.length - 1] || {}
  const f = step.fields || {}
  const kind = f.kind === 'birth' ? 'birth' : f.kind === 'pregnancy' ? 'pregnancy' : ''
  return {
    regNo: detail.reg_no || '',
    date: step.date || detail.opened_on || '',
    kind,
    kindLabel: kind === 'birth' ? '出生登记' : kind === 'pregnancy' ? '怀孕登记' : '',
    name: detail.name || '',
    idNumber: detail.id_number || '',
    partner: detail.partner_name || f.partner_name || '',
    dateLabel: kind === 'birth' ? '出生日期' : '预产期',
    dateValue: (kind === 'birth' ? f.birth_date : f.expected_date) || '',
    address: f.address || '',
    village: detail.village || '',
    township,
    county,
    // The server names the village with its county and township (place).
    issuer: detail.place || [county, township, detail.village].filter(Boolean).join(' '),
    recordedBy: step.recorded_by || detail.created_by || '',
  }
}
