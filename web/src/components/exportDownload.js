// Downloading a list export (GET /api/v1/<list>/export): the URL under the
// list's current filters, and the download itself.
//
// The file is fetched rather than opened as a link so that a refusal (403
// for full numbers, 400 for a bad filter) shows the server's message on the
// page instead of downloading an error document. The server builds the whole
// file before answering, so the wait can be long: no time-out here.
import { api, buildUrl, ApiError, SESSION_EXPIRED_MESSAGE, NETWORK_ERROR_MESSAGE } from '../api/client.js'

/** Query keys of a list that an export does not take (paging) or sets itself. */
const NOT_FILTERS = new Set(['page', 'size', 'format', 'full'])

/**
 * The export URL of a list: its filters (empty ones dropped), the format,
 * and full=1 for unmasked ID and phone numbers.
 *
 * @param {string} path e.g. /api/v1/persons/export
 * @param {object} filters the list's current filters
 * @param {{format?: 'xlsx'|'csv', full?: boolean}} [opts]
 */
export function exportUrl(path, filters, { format = 'xlsx', full = false } = {}) {
  const query = {}
  for (const [k, v] of Object.entries(filters || {})) {
    if (!NOT_FILTERS.has(k)) query[k] = typeof v === 'string' ? v.trim() : v
  }
  query.format = format
  if (full) query.full = 1
  return buildUrl(path, query)
}

/** The file name a Content-Disposition header gives, preferring the UTF-8 filename*. */
export function fileNameOf(disposition, fallback = 'export') {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // a malformed escape: fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(disposition)
  return plain?.[1] || fallback
}

async function errorOf(res) {
  let body
  try {
    body = await res.json()
  } catch {
    body = null
  }
  const e = body?.error || {}
  if (res.status === 401) {
    // Let the API client's handler send the user to the login page.
    api.get('/api/v1/me').catch(() => {})
    return new ApiError({ status: 401, code: 'unauthorized', message: SESSION_EXPIRED_MESSAGE })
  }
  return new ApiError({
    status: res.status,
    code: e.code || 'internal',
    message: e.message || `导出失败（${res.status}）`,
    field: e.field,
    requestId: e.request_id,
  })
}

/**
 * Fetches url and saves the answer as a file under the name the server
 * gives. Resolves to that name; rejects with an ApiError whose message can
 * be shown as it is.
 */
export async function downloadExport(url) {
  let res
  try {
    res = await fetch(url, { credentials: 'same-origin', headers: { Accept: '*/*' } })
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: NETWORK_ERROR_MESSAGE })
  }
  if (!res.ok) throw await errorOf(res)
  const blob = await res.blob()
  const name = fileNameOf(res.headers.get('Content-Disposition'))
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
  return name
}
