// Floating-population register, contact records and the inter-county
// exchange file (internal/floating on the server).
import { api, buildUrl, postFile } from './client.js'

export const listFloating = (query, opts) => api.get('/api/v1/floating', query, opts)
export const getFloating = (id) => api.get(`/api/v1/floating/${id}`)
export const createFloating = (body) => api.post('/api/v1/floating', body)
export const updateFloating = (id, body) => api.put(`/api/v1/floating/${id}`, body)
export const endFloating = (id, body) => api.post(`/api/v1/floating/${id}/end`, body)
/** Full ID and phone numbers; every call is written to the audit journal. */
export const getFloatingSensitive = (id) => api.get(`/api/v1/floating/${id}/sensitive`)
export const listContacts = (id) => api.get(`/api/v1/floating/${id}/contacts`)
export const addContact = (id, body) => api.post(`/api/v1/floating/${id}/contacts`, body)

let enumsPromise = null
/** Directions, statuses, contact methods and services with their labels; loaded once. */
export function floatingEnums() {
  if (!enumsPromise) {
    enumsPromise = api.get('/api/v1/floating/enums').catch((e) => {
      enumsPromise = null
      throw e
    })
  }
  return enumsPromise
}

/** The exchange file for another county (a plain link: the browser downloads it with the session cookie). */
export const exchangeExportUrl = (county, format = 'xlsx') =>
  buildUrl('/api/v1/floating/exchange/export', { county, format })

/**
 * Uploads another county's exchange file. dryRun true only checks it;
 * false also applies it. report ('xlsx' or 'csv') asks for the report as a
 * file: the promise then resolves to { blob, fileName } instead of the JSON
 * report.
 */
export async function importExchange({ county, file, dryRun, village, report }) {
  const res = await postFile('/api/v1/floating/exchange/import', { county, dry_run: dryRun ? '1' : '0', village, report }, file,
    '文件超过 20 MB 上限')
  if (!report) return res.json()
  return { blob: await res.blob(), fileName: fileNameOf(res.headers.get('Content-Disposition')) || `核对报告.${report}` }
}

/** The UTF-8 file name of a Content-Disposition header (filename*), else its plain filename. */
export function fileNameOf(disposition) {
  if (!disposition) return ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition)
  return plain ? plain[1] : ''
}
