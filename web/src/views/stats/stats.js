// Helpers of the statistics pages, kept apart from the views so that they
// can be tested on their own: period codes as the server reads them
// (internal/period), figures formatted for the report, and the drill-down
// links from a figure to the records behind it (GET /stats/records).

// ---- periods

/** Kinds of period, in the order the picker offers them. */
export const PERIOD_KINDS = [
  { value: 'year', label: '年' },
  { value: 'quarter', label: '季度' },
  { value: 'month', label: '月' },
  { value: 'half', label: '半年' },
  { value: 'stat_year', label: '统计年度' },
]

export const MIN_YEAR = 1900
export const MAX_YEAR = 2200

/** The server's own explanation of period codes (internal/period.Help). */
export const PERIOD_HELP =
  '期间应为月份（2026-03）、季度（2026-Q1）、半年（2026-H1）、年度（2026）或统计年度（2026-SY，即上年10月1日至当年9月30日）'

const QUARTER_NAMES = ['一', '二', '三', '四']
const HALF_NAMES = ['上', '下']

/** The numbers a kind of period is picked by: quarters, months or halves ([] for years). */
export function periodNumbers(kind) {
  if (kind === 'quarter') return QUARTER_NAMES.map((q, i) => ({ value: i + 1, label: `第${q}季度` }))
  if (kind === 'month') return Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: `${i + 1}月` }))
  if (kind === 'half') return HALF_NAMES.map((h, i) => ({ value: i + 1, label: `${h}半年` }))
  return []
}

const NUMBER_RANGE = { quarter: 4, month: 12, half: 2 }
const NUMBER_MISSING = {
  quarter: '请选择季度（第一至第四季度）',
  month: '请选择月份（1 至 12 月）',
  half: '请选择上半年或下半年',
}

function yearError(year) {
  if (year === '' || year === null || year === undefined) return '请选择年度'
  const y = Number(year)
  if (!Number.isInteger(y) || y < MIN_YEAR || y > MAX_YEAR) return `年度应为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的四位数`
  return ''
}

/**
 * The code of a period picked in parts: {kind, year, n} → {code} or
 * {error} (a Chinese message). 2026 year → "2026", quarter 1 → "2026-Q1",
 * month 3 → "2026-03", half 1 → "2026-H1", statistical year → "2026-SY"
 * (2025-10-01 to 2026-09-30: named by the year it ends in).
 */
export function buildPeriod({ kind, year, n } = {}) {
  if (!PERIOD_KINDS.some((k) => k.value === kind)) return { error: '请选择期间类型' }
  const ye = yearError(year)
  if (ye) return { error: ye }
  const y = String(Number(year))
  if (kind === 'year') return { code: y }
  if (kind === 'stat_year') return { code: `${y}-SY` }
  const num = Number(n)
  if (n === '' || n === null || n === undefined || !Number.isInteger(num) || num < 1 || num > NUMBER_RANGE[kind]) {
    return { error: NUMBER_MISSING[kind] }
  }
  if (kind === 'quarter') return { code: `${y}-Q${num}` }
  if (kind === 'half') return { code: `${y}-H${num}` }
  return { code: `${y}-${String(num).padStart(2, '0')}` }
}

const pad = (n) => String(n).padStart(2, '0')
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate() // m is 1-based

function span(code, kind, year, n, first, last, label) {
  return { code, kind, year, n, from: `${year}-${pad(first)}-01`, to: `${year}-${pad(last)}-${pad(lastDay(year, last))}`, label }
}

/**
 * Reads a period code as the server does: {code, kind, year, n, from, to,
 * label} (the label is the server's too), or {error} with a Chinese message.
 */
export function parsePeriod(input) {
  const code = String(input ?? '').trim().toUpperCase()
  if (!code) return { error: '请选择统计期间' }
  const m = /^(\d{4})(?:-(SY|Q[1-4]|H[12]|\d{2}))?$/.exec(code)
  if (!m) return { error: PERIOD_HELP }
  const year = Number(m[1])
  if (year < MIN_YEAR || year > MAX_YEAR) return { error: `年度应为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的四位数` }
  const rest = m[2]
  if (!rest) return span(code, 'year', year, null, 1, 12, `${year}年`)
  if (rest === 'SY') {
    return {
      code, kind: 'stat_year', year, n: null, from: `${year - 1}-10-01`, to: `${year}-09-30`,
      label: `${year}统计年度（${year - 1}年10月1日至${year}年9月30日）`,
    }
  }
  if (rest[0] === 'Q') {
    const q = Number(rest[1])
    return span(code, 'quarter', year, q, 3 * q - 2, 3 * q, `${year}年第${QUARTER_NAMES[q - 1]}季度`)
  }
  if (rest[0] === 'H') {
    const h = Number(rest[1])
    return span(code, 'half', year, h, 6 * h - 5, 6 * h, `${year}年${HALF_NAMES[h - 1]}半年`)
  }
  const month = Number(rest)
  if (month < 1 || month > 12) return { error: '月份应为 01 至 12' }
  return span(code, 'month', year, month, month, month, `${year}年${month}月`)
}

/** '' when a period code is valid, else the Chinese message saying why not. */
export function periodError(code) {
  return parsePeriod(code).error || ''
}

/** A refused report request said plainly: a division outside the user's area gets the hint to choose one inside it. */
export function refusalText(error) {
  if (!error) return ''
  if (error.field === 'division') return `${error.message}。请选择本辖区内的区划。`
  return error.message
}

/** Today in China (UTC+8) as YYYY-MM-DD: the date the server counts by. */
export function chinaToday(now = new Date()) {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10)
}

/** The default period of a report: this calendar year. */
export function defaultPeriodCode(today = chinaToday()) {
  return today.slice(0, 4)
}

/** Years offered by the pickers: next year back to 15 years ago, and any year given. */
export function yearOptions(today = chinaToday(), extra = []) {
  const y = Number(today.slice(0, 4))
  const years = new Set(Array.from({ length: 17 }, (_, i) => y + 1 - i))
  for (const e of extra) if (Number.isInteger(Number(e)) && !yearError(e)) years.add(Number(e))
  return [...years].sort((a, b) => b - a)
}

// ---- figures

const GROUP_RE = /\B(?=(\d{3})+(?!\d))/g

/** 1234567.5 with 2 decimals → "1,234,567.50"; null → "—". */
export function formatNumber(n, decimals = 0) {
  if (n === null || n === undefined || n === '' || Number.isNaN(Number(n))) return '—'
  const fixed = Math.abs(Number(n)).toFixed(decimals)
  const [int, frac] = fixed.split('.')
  const sign = Number(n) < 0 && Number(fixed) !== 0 ? '-' : ''
  return sign + int.replace(GROUP_RE, ',') + (frac ? '.' + frac : '')
}

/** Whether an indicator is a ratio (it has a denominator). */
export const isRatio = (ind) => !!ind?.denominator
/** Whether an indicator is a sum of money (num in fen, value in yuan). */
export const isAmount = (ind) => ind?.unit === '元'

/**
 * A figure's value as the report shows it: counts as integers with
 * thousands separators, money in yuan with two decimals, ratios with the
 * indicator's decimals and its unit (%, ‰; none for a plain ratio such as
 * the sex ratio); "—" when there is none (denominator 0, task not set).
 */
export function formatValue(ind, value) {
  if (value === null || value === undefined) return '—'
  if (isAmount(ind)) return formatNumber(value, 2)
  if (isRatio(ind)) {
    const unit = ind.unit === '%' || ind.unit === '‰' ? ind.unit : ''
    return formatNumber(value, ind.decimals || 0) + unit
  }
  return formatNumber(Math.round(Number(value)), 0)
}

/** The unit shown beside an indicator's name: "人", "元"; none for rates (the value carries it). */
export function unitLabel(ind) {
  if (isRatio(ind)) return ind.unit === '%' || ind.unit === '‰' || !ind.unit ? '' : ind.unit
  return ind?.unit || ''
}

/** Rows grouped by their group, in the report's order: [{group, rows}]. */
export function groupRows(rows) {
  const out = []
  const byName = new Map()
  for (const r of rows || []) {
    let g = byName.get(r.group)
    if (!g) {
      g = { group: r.group || '其他', rows: [] }
      byName.set(r.group, g)
      out.push(g)
    }
    g.rows.push(r)
  }
  return out
}

// ---- breakdowns

const BY_LABELS = { sex: '按性别', age: '按年龄', urban: '按城乡', code: '按类别' }
const CODE_LABELS = {
  births: '按孩次',
  marriages: '按婚姻类型',
  contraceptive_users: '按避孕方法',
  procedures: '按手术类型',
  follow_ups: '按随访情况',
  benefit_paid: '按项目',
}

/** The heading of a breakdown dimension: "按性别", "按孩次" (births), … */
export function byLabel(ind, by) {
  if (by === 'code') return CODE_LABELS[ind?.numerator?.source] || BY_LABELS.code
  return BY_LABELS[by] || by
}

/**
 * A breakdown part's value for display. Parts are counts of the
 * numerator's rows, or (for money) its sum in fen, shown in yuan.
 */
export function formatPart(ind, part) {
  if (isAmount(ind)) return formatNumber(Number(part.value) / 100, 2)
  return formatNumber(part.value, 0)
}

/**
 * The parts of a row by dimension, in the row's order:
 * [{by, label, parts}]; age groups (19 of them) are `long`, for the view
 * to fold.
 */
export function partGroups(row) {
  const out = []
  for (const by of row?.by || []) {
    const parts = (row.parts || []).filter((p) => p.by === by)
    if (parts.length) out.push({ by, label: byLabel(row, by), parts, long: parts.length > 8 })
  }
  return out
}

// ---- drill-down links

const SOURCE_LABELS = { births: '出生', deaths: '死亡', population: '户籍人口' }
/** A short name of a term's source, for the links of births minus deaths. */
export const sourceLabel = (source) => SOURCE_LABELS[source] || source

/**
 * Whether a term has records behind it: a task (孕前优生's annual task)
 * has none, and neither has an average population as one figure (it has
 * two lists, at the start and at the end).
 */
export const listable = (term) => !!term && !term.task && !term.average

/**
 * The query of the records page for one figure. ctx: {division, period};
 * opts: {term, at, by, key, part}.
 */
export function recordsQuery(ind, ctx, opts = {}) {
  const q = { indicator: ind.code, period: ctx.period, division: ctx.division }
  if (opts.term && opts.term !== 'num') q.term = opts.term
  if (opts.at) q.at = opts.at
  if (opts.by) {
    q.by = opts.by
    q.key = opts.key ?? ''
    if (opts.part) q.part = opts.part
  }
  for (const k of Object.keys(q)) if (q[k] === undefined || q[k] === null) delete q[k]
  return q
}

/**
 * What a cell of the report shows for one figure (the area's total or a
 * child's) and where each number leads:
 *
 *   value  the figure, formatted
 *   link   records query of the value itself (counts and sums), or null
 *   num    for ratios: {text, link} of the numerator
 *   den    for ratios: {text, link, title} of the denominator (no link for
 *          a task, which has no records, nor for an average population)
 *   extra  further links: 期初/期末 of an average population; the two
 *          lists of a difference (出生 − 死亡)
 *
 * ctx: {division, period, records} — records false (no registry.read):
 * no links at all.
 */
export function figureCell(ind, fig, ctx) {
  const canLink = ctx.records !== false
  const q = (opts) => (canLink ? recordsQuery(ind, ctx, opts) : null)
  const minus = !!ind.numerator?.minus
  const cell = { value: formatValue(ind, fig?.value), link: null, num: null, den: null, extra: [] }
  if (!isRatio(ind)) {
    if (!minus) cell.link = q({ term: 'num' })
  } else {
    cell.num = { text: formatNumber(fig?.num, 0), link: minus ? null : q({ term: 'num' }) }
    const den = ind.denominator
    if (den.task) {
      const set = fig?.den !== undefined && fig?.den !== null
      cell.den = { text: set ? formatNumber(fig.den, 0) : '—', link: null, title: set ? '年度任务数（下达的数字，没有名单）' : '未下达年度任务数' }
    } else if (den.average) {
      cell.den = { text: formatNumber(fig?.den, 0), link: null, title: '平均人口 =（期初 + 期末）÷ 2' }
      if (canLink) {
        cell.extra.push({ key: 'start', label: '期初', link: q({ term: 'den', at: 'start' }) })
        cell.extra.push({ key: 'end', label: '期末', link: q({ term: 'den', at: 'end' }) })
      }
    } else {
      cell.den = { text: formatNumber(fig?.den, 0), link: q({ term: 'den' }), title: '' }
    }
  }
  if (minus && canLink) {
    cell.extra.unshift(
      { key: 'plus', label: sourceLabel(ind.numerator.source), link: q({ term: 'num' }) },
      { key: 'minus', label: sourceLabel(ind.numerator.minus.source), link: q({ term: 'minus' }) },
    )
  }
  return cell
}

/** The figure of a child division in a row, by code (null when absent). */
// A report by village has hundreds of children per row: each row's are
// indexed once rather than searched for every cell.
const childIndex = new WeakMap()
export function childFigure(row, code) {
  if (!row?.children) return null
  let byCode = childIndex.get(row)
  if (!byCode) {
    byCode = new Map(row.children.map((c) => [c.division, c]))
    childIndex.set(row, byCode)
  }
  return byCode.get(code) || null
}

// ---- the records page

const SEX = { male: '男', female: '女' }
export const sexLabel = (v) => SEX[v] || v || ''

const AGE_BANDS = 18
function ageBandLabel(key) {
  const b = Number(key)
  if (b < 0) return '年龄不详'
  if (b === AGE_BANDS - 1) return `${5 * b}岁及以上`
  return `${5 * b}-${5 * b + 4}岁`
}

/**
 * The label of a breakdown part from its by and key, for the records
 * page's heading: the label passed with the link when there is one,
 * else what the key says (codes need the items' label).
 */
export function partLabel(by, key, hint = '', items = []) {
  if (hint) return hint
  if (!by) return ''
  if (by === 'sex') return sexLabel(key)
  if (by === 'urban') return key === '1' ? '城镇' : key === '0' ? '农村' : key
  if (by === 'age') return ageBandLabel(key)
  return items[0]?.label || key || '不详'
}

/**
 * Which list the records page shows, in words: {term, note}.
 * term: 分子 / 分母 / 期初 / 期末 / 被减项 / 减项 ('' for a plain count);
 * note: what the list's total is, when it is not the figure itself.
 */
export function termLabel(ind, term = 'num', at = '') {
  if (!ind) return { term: term === 'den' ? '分母' : term === 'minus' ? '减项' : '', note: '' }
  const minus = ind.numerator?.minus
  if (term === 'minus') return { term: `减项（${sourceLabel(minus?.source)}）`, note: '' }
  if (term === 'den') {
    if (ind.denominator?.average) {
      return {
        term: at === 'start' ? '期初' : '期末',
        note: '平均人口 =（期初 + 期末）÷ 2：本名单是' + (at === 'start' ? '期初（期间开始前一日）' : '期末') + '的人数',
      }
    }
    return { term: '分母', note: '' }
  }
  if (minus) return { term: `被减项（${sourceLabel(ind.numerator.source)}）`, note: '' }
  return { term: isRatio(ind) ? '分子' : '', note: '' }
}

/** Whether the list's total is a figure printed in the report (so the page can say they agree). */
export function totalIsFigure(ind, term = 'num') {
  if (!ind) return true
  if (term === 'den' && ind.denominator?.average) return false
  if (term !== 'den' && ind.numerator?.minus) return false
  return true
}

/**
 * The URL query after a change: patch applied, values equal to their
 * default (the user's own division) and empty values left out, so links
 * stay short and shareable.
 */
export function mergeQuery(query, patch, defaults = {}) {
  const q = { ...query, ...patch }
  for (const [k, v] of Object.entries(defaults)) if (q[k] === v) delete q[k]
  for (const k of Object.keys(q)) if (q[k] === '' || q[k] === undefined || q[k] === null) delete q[k]
  return q
}
