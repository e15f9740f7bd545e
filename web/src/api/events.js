// Life events, "as of" queries and 人户分离 lists (internal/registry events*.go,
// asof.go, separation.go on the server).
import { api } from './client.js'

/** A person's events, oldest first, corrected and voided ones included. */
export const listEvents = (personId) => api.get(`/api/v1/persons/${personId}/events`)
/** Records an event of a person; with `corrects` it corrects (or with kind "void" voids) one. */
export const recordEvent = (personId, body) => api.post(`/api/v1/persons/${personId}/events`, body)
/** Records a birth; the answer's person_id is the new child. */
export const recordBirth = (body) => api.post('/api/v1/events/birth', body)
/** A person's state at the end of date ("YYYY-MM-DD"; empty: today). */
export const getPersonState = (personId, date) => api.get(`/api/v1/persons/${personId}/state`, { date })
/** An area's registered and resident population on a date. */
export const getPopulation = (query) => api.get('/api/v1/stats/population', query)
/** One page of a 人户分离 list: query.kind is "away" (户在人不在) or "present" (人在户不在). */
export const listSeparated = (query, opts) => api.get('/api/v1/separation', query, opts)
/** The sizes of an area's 人户分离 lists and of each child division's. */
export const getSeparationCounts = (query, opts) => api.get('/api/v1/separation/counts', query, opts)
