import { api } from './client.js'

/** Counts for a division (default: the user's own). */
export const fetchOverview = (division) => api.get('/api/v1/stats/overview', { division })
