// Health-service endpoints (internal/health on the server). Every read of a
// case, a person's record or a card is written to the audit journal by the
// server; lists carry no health details.
import { api } from './client.js'

const enc = encodeURIComponent

let catalogPromise = null
/** Programs with their stages, fields and visit rules, and the not-reached reasons; loaded once. */
export function healthCatalog() {
  if (!catalogPromise) {
    catalogPromise = api.get('/api/v1/health/programs').catch((e) => {
      catalogPromise = null
      throw e
    })
  }
  return catalogPromise
}
/** For tests. */
export function clearHealthCatalog() {
  catalogPromise = null
}

export const getWorkList = (query, opts) => api.get('/api/v1/health/worklist', query, opts)
export const recordContact = (visitId, body) => api.post(`/api/v1/health/visits/${visitId}/contacts`, body)
export const rescheduleVisit = (visitId, body) => api.post(`/api/v1/health/visits/${visitId}/reschedule`, body)
/** Hands a visit to an officer; an empty username hands it back to the village. */
export const assignVisit = (visitId, body) => api.post(`/api/v1/health/visits/${visitId}/assign`, body)
/** The officers in the user's area who serve a village. */
export const officersFor = (division) => api.get('/api/v1/health/officers', { division })

export const listCases = (query, opts) => api.get('/api/v1/health/cases', query, opts)
export const openCase = (body) => api.post('/api/v1/health/cases', body)
export const getCase = (id) => api.get(`/api/v1/health/cases/${id}`)
export const recordStep = (id, body) => api.post(`/api/v1/health/cases/${id}/steps`, body)
export const reopenCase = (id, reason) => api.post(`/api/v1/health/cases/${id}/reopen`, { reason })

export const personRecord = (personId) => api.get(`/api/v1/health/persons/${personId}/record`)
export const issueCard = (body) => api.post('/api/v1/health/cards', body)
export const lookupCard = (no) => api.get(`/api/v1/health/cards/${enc(no)}`)
export const revokeCard = (no, reason) => api.post(`/api/v1/health/cards/${enc(no)}/revoke`, { reason })

export const getFigures = (query, opts) => api.get('/api/v1/health/figures', query, opts)
export const setTask = (body) => api.put('/api/v1/health/tasks', body)
