// Statistics (internal/stats on the server): the overview counts, the
// indicator catalogue, reports with each child division's figures, monthly
// trends for charts, and the records behind any figure.
import { api, buildUrl } from './client.js'

/** Counts for a division (default: the user's own). */
export const fetchOverview = (division) => api.get('/api/v1/stats/overview', { division })

/** Every indicator with its formula: {items: [Indicator], total}. */
export const listIndicators = (opts) => api.get('/api/v1/stats/indicators', undefined, opts)

// indicators may be given as an array of codes or a comma list.
const reportQuery = ({ division, period, indicators } = {}) => ({
  division: division || undefined,
  period,
  indicators: Array.isArray(indicators) ? indicators.join(',') : indicators || undefined,
})

/** A report: {division, period, today, children, rows}. Division defaults to the user's own. */
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
