// Session endpoints (internal/auth on the server).
import { api } from './client.js'

export const login = (username, password) =>
  api.post('/api/v1/login', { username, password }, { auth: false })
export const logout = () => api.post('/api/v1/logout', undefined, { auth: false })
/** The signed-in user, or a 401 ApiError (not redirected: the caller decides). */
export const fetchMe = () => api.get('/api/v1/me', undefined, { auth: false })
export const changePassword = (oldPassword, newPassword) =>
  api.post('/api/v1/me/password', { old_password: oldPassword, new_password: newPassword })
