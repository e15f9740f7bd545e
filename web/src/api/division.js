// Administrative divisions (internal/division on the server).
import { api } from './client.js'

export const getDivision = (code) => api.get(`/api/v1/divisions/${encodeURIComponent(code)}`)
export const listChildren = (code) =>
  api.get(`/api/v1/divisions/${encodeURIComponent(code)}/children`)
export const addGroup = (villageCode, name) =>
  api.post(`/api/v1/divisions/${encodeURIComponent(villageCode)}/groups`, { name })

/** Division levels: 3 county, 4 township, 5 village, 6 group. */
export const LEVEL_VILLAGE = 5
export const LEVEL_GROUP = 6
