// Helpers of the pages of period reports filed upward (报表上报), kept apart
// from the views so that they can be tested on their own: statuses and their
// tags, who may do what to a filing, the default period, times in China and
// the rows of the comparison with today's records. The server
// (internal/stats/filing.go) is the authority on every action; these only
// decide which buttons to offer.
import { formatNumber, formatValue, isRatio, chinaToday } from './stats.js'

// ---- statuses

/** Filing statuses as officers read them, with the colour of their tag. '' is a report not generated. */
export const FILING_STATUSES = {
  '': { label: '未生成', type: 'info' },
  draft: { label: '已生成', type: 'info' },
  reviewed: { label: '已审核', type: 'primary' },
  submitted: { label: '已上报', type: 'warning' },
  returned: { label: '已退回', type: 'danger' },
  accepted: { label: '已接收', type: 'success' },
}

/** The tag type (Element Plus) of a status. */
export const statusTagType = (status) => FILING_STATUSES[status || '']?.type || 'info'

/** The name of a status: the server's status_name when given, else ours. */
export const statusLabel = (status, name = '') => name || FILING_STATUSES[status || '']?.label || status || ''

/** Statuses a report can be generated (again) from: none yet, not submitted, or returned. */
export const GENERATE_FROM = ['', 'draft', 'reviewed', 'returned']
export const canGenerate = (status) => GENERATE_FROM.includes(status || '')

/** Whether a report has gone up: submitted or accepted (what 已上报 N / M counts). */
export const isFiled = (status) => status === 'submitted' || status === 'accepted'

/** Whether a filing's snapshot is what was submitted (submitted, returned or accepted), not yet a draft. */
export const wasSubmitted = (status) => status === 'submitted' || status === 'returned' || status === 'accepted'

// ---- actions

/** Button and step labels. */
export const ACTION_LABELS = {
  generate: '生成',
  regenerate: '重新生成',
  review: '审核',
  submit: '上报',
  return: '退回',
  accept: '接收',
}

// The parent of a division below county level is its code's prefix
// (341523100201 → 341523100 → 341523); above that the codes say nothing
// certain (a county's city), so the server's division record is needed.
const PARENT_LENGTH = { 15: 12, 12: 9, 9: 6 }

/** The parent division's code as the code tells it, '' when it does not. */
export function parentCode(code) {
  const s = String(code || '')
  const n = PARENT_LENGTH[s.length]
  return n && /^\d+$/.test(s) ? s.slice(0, n) : ''
}

/**
 * The user's part in a filing: 'unit' (the filing unit: the user's division
 * is the report's), 'above' (the level directly above: the user's division is
 * the report division's parent) or ''.
 */
export function filingRole(filing, userCode, parent = '') {
  if (!filing?.division || !userCode) return ''
  if (userCode === filing.division) return 'unit'
  if (parent && userCode === parent) return 'above'
  return ''
}

/**
 * The actions a user may take on a filing, in the order of the buttons:
 * the filing unit reviews a draft and submits a reviewed report, and
 * generates it again while it is not submitted (or was returned); the level
 * above accepts or returns a submitted one. An accepted report is locked.
 *
 * @param {object} filing {division, status}
 * @param {object} who {userCode, parent, canFile} — canFile: holds stats.file
 */
export function filingActions(filing, { userCode = '', parent = '', canFile = false } = {}) {
  if (!canFile || !filing) return []
  const role = filingRole(filing, userCode, parent)
  const s = filing.status
  if (role === 'unit') {
    if (s === 'draft') return ['review', 'regenerate']
    if (s === 'reviewed') return ['submit', 'regenerate']
    if (s === 'returned') return ['regenerate']
  }
  if (role === 'above' && s === 'submitted') return ['accept', 'return']
  return []
}

export const REMARK_MAX = 500

/** What is wrong with a return reason: '' when it will do. */
export function returnProblem(remark) {
  const r = String(remark ?? '').trim()
  if (!r) return '请填写退回理由'
  if ([...r].length > REMARK_MAX) return `退回理由不能超过 ${REMARK_MAX} 字`
  return ''
}

/** A step's label: a later 生成 is 重新生成. */
export function stepLabel(step) {
  if (step?.action === 'generate' && step.version > 1) return ACTION_LABELS.regenerate
  return ACTION_LABELS[step?.action] || step?.action || ''
}

const STEP_TYPES = { generate: 'info', review: 'primary', submit: 'warning', return: 'danger', accept: 'success' }
/** The colour of a step in the timeline. */
export const stepType = (step) => STEP_TYPES[step?.action] || 'info'

/** The last return of a filing (its reason stays visible after the report is generated again), or null. */
export function lastReturn(filing) {
  const steps = (filing?.steps || []).filter((s) => s.action === 'return')
  return steps.length ? steps[steps.length - 1] : null
}

// ---- periods and times

/** The default period of the filings pages: last month, as "YYYY-MM" (China's calendar). */
export function lastMonthCode(today = chinaToday()) {
  let y = Number(today.slice(0, 4))
  let m = Number(today.slice(5, 7)) - 1
  if (m < 1) {
    m = 12
    y--
  }
  return `${y}-${String(m).padStart(2, '0')}`
}

const pad = (n) => String(n).padStart(2, '0')

/**
 * A stored instant (UTC, RFC 3339) as China's clock reads it,
 * "2026-12-05 09:30", whatever the browser's time zone; '' when empty.
 */
export function chinaDateTime(value) {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  const t = new Date(d.getTime() + 8 * 3600 * 1000)
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`
}

// ---- the board

/** "已上报 N / M": children submitted or accepted of all children. */
export function boardSummary(board) {
  const total = board?.children?.length || 0
  const filed = board?.filed ?? (board?.children || []).filter((c) => isFiled(c.status)).length
  return { filed, total, text: `已上报 ${filed} / ${total}` }
}

/** Whether a board line's division has divisions below it that file (a township's villages): by its code. */
export const filesBelow = (code) => String(code || '').length < 12

// ---- differences

/** A figure as the comparison shows it: the value, and for a ratio its numerator ÷ denominator. */
export function figureText(ind, fig) {
  if (!fig) return '—'
  const value = formatValue(ind, fig.value)
  if (!isRatio(ind)) return value
  const den = fig.den === null || fig.den === undefined ? '—' : formatNumber(fig.den, 0)
  return `${value}（${formatNumber(fig.num, 0)} ÷ ${den}）`
}

/**
 * The rows of the comparison table: each changed figure with the names of
 * its indicator and division (the report's own total is 合计) and both
 * figures formatted by the indicator of the snapshot.
 */
export function differenceRows(items, report) {
  const rows = new Map((report?.rows || []).map((r) => [r.code, r]))
  const names = new Map((report?.children || []).map((c) => [c.code, c.name]))
  return (items || []).map((d, i) => {
    const ind = rows.get(d.indicator) || { code: d.indicator }
    return {
      key: `${d.indicator}|${d.division}|${i}`,
      indicator: d.indicator,
      name: d.name || ind.name || d.indicator,
      division: d.division,
      divisionName: d.division ? names.get(d.division) || d.division : '合计',
      filed: figureText(ind, d.filed),
      now: figureText(ind, d.now),
    }
  })
}
