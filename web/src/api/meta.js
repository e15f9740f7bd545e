import { api } from './client.js'

/** Enumerations with Chinese labels; no login needed. */
export const fetchEnums = () => api.get('/api/v1/meta/enums', undefined, { auth: false })
