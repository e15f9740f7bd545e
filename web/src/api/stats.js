// Statistics (internal/stats on the server): the overview counts, the
// indicator catalogue, reports with each child division's figures, monthly
// trends for charts, the records behind any figure, and the period reports
// each level files upward (上报) with their status board.
import { api, buildUrl } from './client.js'

/** Counts for a division (default: the user's own). */
export const fetchOverview = (division) => api.get('/api/v1/stats/overview', { division })

/** Every indicator with its formula: {items: [Indicator], total}. */
export const listIndicators = (opts) => api.get('/api/v1/stats/indicators', undefined, opts)

// indicators may be given as an array of codes or a comma list.
// by: 'village' lists every village of the area (全县分村) as its children.
const reportQuery = ({ division, period, indicators, by } = {}) => ({
  division: division || undefined,
  period,
  indicators: Array.isArray(indicators) ? indicators.join(',') : indicators || undefined,
  by: by || undefined,
})

/** A report: {division, period, today, by?, children, rows}. Division defaults to the user's own. */
export const getReport = (query, opts) => api.get('/api/v1/stats/report', reportQuery(query), opts)

/** The address of the report as .xlsx: a plain link, the session cookie goes with it. */
export const reportXlsxUrl = (query) => buildUrl('/api/v1/stats/report/xlsx', reportQuery(query))

/** Each month's figures of 1–6 indicators: {division, period, months: [{period, figures}]}. */
export const getTrend = (query, opts) => api.get('/api/v1/stats/trend', reportQuery(query), opts)

/**
 * The records behind one figure: {indicator, source, term, date?, total,
 * amount_fen, items}. query: indicator, term (num|den|minus), division,
 * period, by, key, at (start|end), page, size.
 */
export const listStatsRecords = (query, opts) => api.get('/api/v1/stats/records', query, opts)

/** The address of the report as a PDF for printing: a plain link, like the .xlsx. */
export const reportPdfUrl = (query) => buildUrl('/api/v1/stats/report/pdf', reportQuery(query))

// ---- period reports filed upward (上报)

/**
 * Who has filed a period: {period, own: BoardLine, children: [BoardLine],
 * filed}. division defaults to the user's own.
 */
export const getFilingBoard = ({ division, period } = {}, opts) =>
  api.get('/api/v1/stats/board', { division: division || undefined, period }, opts)

/** Generates (or generates again) the caller's own division's report for an ended period: a Filing. */
export const generateFiling = (period) => api.post('/api/v1/stats/filings', { period })

/** A filing with its snapshot report and its steps. */
export const getFiling = (id, opts) => api.get(`/api/v1/stats/filings/${encodeURIComponent(id)}`, undefined, opts)

/**
 * Moves a filing on: review or submit (the filing unit), return (with a
 * remark) or accept (the level above), at the version read. Answers the Filing.
 */
export const actOnFiling = (id, { action, remark = '', version }) =>
  api.post(`/api/v1/stats/filings/${encodeURIComponent(id)}/act`, { action, remark, version })

/** The figures that changed since the snapshot: {items: [{indicator, name, division, filed, now}], total}. */
export const getFilingDifferences = (id, opts) =>
  api.get(`/api/v1/stats/filings/${encodeURIComponent(id)}/differences`, undefined, opts)

/** The address of a filing's snapshot as a PDF: a plain link. */
export const filingPdfUrl = (id) => `/api/v1/stats/filings/${encodeURIComponent(id)}/pdf`

/** Reports the divisions directly below the user have submitted and the user has yet to return or accept. */
export const getWaitingFilings = (opts) => api.get('/api/v1/stats/filings/waiting', undefined, opts)
