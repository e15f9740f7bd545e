// ECharts options of 统计分析 (StatsDashboard.vue), built by pure functions
// from the API's answers so that they can be tested without drawing.
import { formatValue, formatNumber } from './stats.js'

/** The indicators of the monthly trend chart. */
export const TREND_CODES = ['births', 'deaths']

const COLORS = ['#1f5fa8', '#d9534f', '#3a9d5d', '#e6a23c', '#8e5ea2', '#5bc0de']

/** "2026-03" → "3月"; with the year: "2026年3月". */
export function monthLabel(period, withYear = false) {
  const code = String(period?.code || '')
  const m = Number(code.slice(5, 7))
  if (!m) return String(period?.label || '')
  return withYear ? `${code.slice(0, 4)}年${m}月` : `${m}月`
}

/**
 * The monthly trend line chart: one line per indicator of a GET
 * /stats/trend answer. Months not begun by today have no point (they are
 * not zero, they are not yet known).
 *
 * opts: {names: {code: name}, today: 'YYYY-MM-DD', compact: phone layout, title}
 */
export function trendOption(trend, opts = {}) {
  const { names = {}, today = '', compact = false, title = '' } = opts
  const months = trend?.months || []
  const codes = []
  for (const m of months) for (const f of m.figures || []) if (!codes.includes(f.code)) codes.push(f.code)
  const future = (m) => !!m.future || (!!today && m.period?.from > today)
  const spansYears = months.length > 1 && months[0].period?.code?.slice(0, 4) !== months[months.length - 1].period?.code?.slice(0, 4)
  return {
    color: COLORS,
    title: title ? { text: title, left: 0, top: 0, textStyle: { fontSize: compact ? 14 : 15, fontWeight: 600 } } : undefined,
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : formatNumber(v, 0)) },
    legend: { top: title ? 28 : 0, left: compact ? 0 : 'center', itemWidth: 18, data: codes.map((c) => names[c] || c) },
    grid: { left: 8, right: compact ? 12 : 24, top: title ? 64 : 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      // A statistical year runs over two calendar years: name the year where one begins.
      data: months.map((m, i) => monthLabel(m.period, spansYears && (i === 0 || m.period.code.endsWith('-01')))),
      axisLabel: { interval: compact && months.length > 6 ? 1 : 0, fontSize: compact ? 11 : 12 },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: compact ? 11 : 12 } },
    series: codes.map((code) => ({
      name: names[code] || code,
      type: 'line',
      symbolSize: compact ? 5 : 7,
      connectNulls: false,
      data: months.map((m) => {
        if (future(m)) return null
        const f = (m.figures || []).find((x) => x.code === code)
        return f && f.value !== null && f.value !== undefined ? f.value : null
      }),
    })),
  }
}

const missing = (v) => v === null || v === undefined

/**
 * The child divisions of a report ranked by one indicator's value,
 * highest first, those without a value (denominator 0) last and unranked:
 * [{rank, code, name, value, num, den, display}]. Equal values share a rank
 * (1, 2, 2, 4); among them, and among those without a value, the report's
 * order stands.
 */
export function rankChildren(report, row) {
  const names = new Map((report?.children || []).map((c, i) => [c.code, { name: c.name, order: i }]))
  const list = (row?.children || []).map((f, i) => ({
    code: f.division,
    name: names.get(f.division)?.name || f.division,
    order: names.get(f.division)?.order ?? 1000 + i,
    value: missing(f.value) ? null : Number(f.value),
    num: f.num,
    den: f.den,
    display: formatValue(row, f.value),
  }))
  list.sort((a, b) => {
    if (missing(a.value) !== missing(b.value)) return missing(a.value) ? 1 : -1
    if (!missing(a.value) && a.value !== b.value) return b.value - a.value
    return a.order - b.order
  })
  let rank = 0
  return list.map((r, i) => {
    if (!missing(r.value) && (i === 0 || r.value !== list[i - 1].value)) rank = i + 1
    return { rank: missing(r.value) ? null : rank, code: r.code, name: r.name, value: r.value, num: r.num, den: r.den, display: r.display }
  })
}

/** The height in pixels of the bar chart of n divisions (one bar each, horizontal). */
export function barChartHeight(n) {
  return Math.max(200, n * 28 + 60)
}

/**
 * The bar chart comparing the child divisions on one indicator: a
 * horizontal bar per division (names stay readable at 375 px), in ranking
 * order, each data item carrying its division code for the click.
 *
 * opts: {compact: phone layout, title}
 */
export function childBarOption(report, row, opts = {}) {
  const { compact = false, title = '' } = opts
  const ranked = rankChildren(report, row)
  const fmt = (v) => formatValue(row, v)
  return {
    color: [COLORS[0]],
    title: title ? { text: title, left: 0, top: 0, textStyle: { fontSize: compact ? 14 : 15, fontWeight: 600 } } : undefined,
    tooltip: {
      trigger: 'item',
      formatter: (p) => `${p.name}<br/>${row?.name || ''}：${fmt(p.value)}`,
    },
    grid: { left: 8, right: compact ? 56 : 72, top: title ? 36 : 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: row?.denominator ? 0 : 1, axisLabel: { fontSize: compact ? 10 : 12, hideOverlap: true } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: ranked.map((r) => r.name),
      axisLabel: { width: compact ? 84 : 150, overflow: 'truncate', fontSize: compact ? 11 : 12 },
      axisTick: { show: false },
    },
    series: [
      {
        name: row?.name || '',
        type: 'bar',
        barMaxWidth: 18,
        cursor: 'pointer',
        label: { show: true, position: 'right', fontSize: compact ? 10 : 12, formatter: (p) => fmt(p.value) },
        data: ranked.map((r) => ({ value: r.value, code: r.code, name: r.name })),
      },
    ],
  }
}

/** The division code of a clicked chart item (a bar), or ''. */
export function clickedCode(params) {
  return params?.data?.code || ''
}
