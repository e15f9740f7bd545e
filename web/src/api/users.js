// User accounts (internal/auth on the server); needs users.manage.
import { api } from './client.js'

export const listUsers = (query, opts) => api.get('/api/v1/users', query, opts)
export const createUser = (body) => api.post('/api/v1/users', body)
export const updateUser = (id, body) => api.put(`/api/v1/users/${id}`, body)
export const resetPassword = (id, password) => api.post(`/api/v1/users/${id}/password`, { password })
export const unlockUser = (id) => api.post(`/api/v1/users/${id}/unlock`)
