// Appointment endpoints (internal/appointment on the server).
import { api } from './client.js'

const base = '/api/v1/appointments'

export const listSlots = (query, opts) => api.get(`${base}/slots`, query, opts)
export const createSlots = (body) => api.post(`${base}/slots`, body)
export const cancelSlot = (id, body) => api.post(`${base}/slots/${id}/cancel`, body)
/** A slot's bookings of persons in the user's area; every call is written to the audit journal. */
export const slotBookings = (id) => api.get(`${base}/slots/${id}/bookings`)
/** Resolves to the booking; the same request_key again answers the first booking. */
export const bookSlot = (id, body) => api.post(`${base}/slots/${id}/bookings`, body)
export const cancelBooking = (id, body) => api.post(`${base}/bookings/${id}/cancel`, body)
export const markAttended = (id) => api.post(`${base}/bookings/${id}/attend`)
export const markNoShow = (id) => api.post(`${base}/bookings/${id}/no-show`)
