// The audit journal (internal/audit on the server); needs audit.read.
import { api } from './client.js'

export const listAudit = (query, opts) => api.get('/api/v1/audit', query, opts)
export const verifyAudit = () => api.get('/api/v1/audit/verify')
