// Contraceptive supply (internal/supply on the server). Stock operations
// carry a request_key so that a retried submission answers the first one.
import { api, buildUrl, postFile } from './client.js'

const base = '/api/v1/supply'

let enumsPromise = null
/** Methods, site kinds, move kinds and their labels; loaded once. */
export function supplyEnums() {
  if (!enumsPromise) {
    enumsPromise = api.get(`${base}/enums`).catch((e) => {
      enumsPromise = null
      throw e
    })
  }
  return enumsPromise
}

export const listItems = (query) => api.get(`${base}/items`, query)
export const createItem = (body) => api.post(`${base}/items`, body)
export const updateItem = (id, body) => api.put(`${base}/items/${id}`, body)

export const listSites = (query, opts) => api.get(`${base}/sites`, query, opts)
export const createSite = (body) => api.post(`${base}/sites`, body)
export const updateSite = (id, body) => api.put(`${base}/sites/${id}`, body)

export const listStock = (query, opts) => api.get(`${base}/stock`, query, opts)
export const listMoves = (query, opts) => api.get(`${base}/moves`, query, opts)
export const getAlerts = (query, opts) => api.get(`${base}/alerts`, query, opts)

export const postReceipt = (body) => api.post(`${base}/receipts`, body)
export const postTransfer = (body) => api.post(`${base}/transfers`, body)
export const postStocktake = (body) => api.post(`${base}/stocktakes`, body)
export const postDispense = (body) => api.post(`${base}/dispense`, body)
export const reverseMove = (id, body) => api.post(`${base}/moves/${id}/reverse`, body)

/** A person's method register and dispensings; every call is written to the audit journal. */
export const getPersonMethods = (id) => api.get(`${base}/persons/${id}/methods`)
export const recordMethod = (id, body) => api.post(`${base}/persons/${id}/methods`, body)

export const methodFigures = (query) => api.get(`${base}/figures/methods`, query)
export const dispensedFigures = (query) => api.get(`${base}/figures/dispensed`, query)

/** The machine-log template (a plain link: the browser downloads it with the session cookie). */
export const logTemplateUrl = (format = 'xlsx') => buildUrl(`${base}/machine-logs/template`, { format })

/** Uploads a dispensing-machine log; dryRun true only checks it. Resolves to the report. */
export async function importMachineLog(file, dryRun) {
  const res = await postFile(`${base}/machine-logs/import`, { dry_run: dryRun ? '1' : '0' }, file, '文件超过 10 MB 上限')
  return res.json()
}
