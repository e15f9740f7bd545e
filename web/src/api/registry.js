// Persons and households (internal/registry on the server).
import { api } from './client.js'

export const listPersons = (query, opts) => api.get('/api/v1/persons', query, opts)
export const getPerson = (id) => api.get(`/api/v1/persons/${id}`)
export const createPerson = (body) => api.post('/api/v1/persons', body)
export const updatePerson = (id, body) => api.put(`/api/v1/persons/${id}`, body)
/** Full ID and phone numbers; every call is written to the audit journal. */
export const getPersonSensitive = (id) => api.get(`/api/v1/persons/${id}/sensitive`)

export const listHouseholds = (query, opts) => api.get('/api/v1/households', query, opts)
export const getHousehold = (id) => api.get(`/api/v1/households/${id}`)
export const createHousehold = (body) => api.post('/api/v1/households', body)
export const updateHousehold = (id, body) => api.put(`/api/v1/households/${id}`, body)
