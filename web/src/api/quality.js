// Data quality (internal/quality on the server): findings, figures per
// division, the ranking, and the county's full recompute.
import { api } from './client.js'

export const listFindings = (query, opts) => api.get('/api/v1/quality/findings', query, opts)
export const getQualitySummary = (division, opts) => api.get('/api/v1/quality/summary', { division }, opts)
export const getQualityRanking = (query, opts) => api.get('/api/v1/quality/ranking', query, opts)
/** Runs a full recompute of the user's area (county roles); answers when done. */
export const recomputeQuality = () => api.post('/api/v1/quality/recompute')
/** The running recompute's progress, and the last result the user may see. */
export const getRecomputeStatus = (opts) => api.get('/api/v1/quality/recompute', undefined, opts)
