// Display helpers. Dates from the API are "YYYY-MM-DD" (calendar dates, no
// time zone) or RFC 3339 timestamps (shown in the browser's local time).

const pad = (n) => String(n).padStart(2, '0')

/** "2026-11-22T08:00:00.000Z" → "2026-11-22 16:00:00" (local time). */
export function formatDateTime(value) {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** A calendar date as sent by the API, '' when empty. */
export function formatDate(value) {
  if (!value) return ''
  return String(value).slice(0, 10)
}

/** Age in full years on a date (default today), from "YYYY-MM-DD". */
export function ageOn(birthDate, on = new Date()) {
  if (!birthDate) return null
  const [y, m, d] = String(birthDate).split('-').map(Number)
  if (!y) return null
  let age = on.getFullYear() - y
  const md = (on.getMonth() + 1) * 100 + on.getDate()
  if (md < m * 100 + d) age--
  return age
}

/** "12345" → "12,345". */
export function formatCount(n) {
  if (n === null || n === undefined) return '—'
  return Number(n).toLocaleString('zh-CN')
}

/** Shows '—' for an empty value. */
export function orDash(v) {
  return v === null || v === undefined || v === '' ? '—' : v
}
