// Imports of persons, households and life events (internal/importer on the server).
import { api, buildUrl, ApiError, NETWORK_ERROR_MESSAGE } from './client.js'

export const IMPORT_TYPES = [
  { value: 'persons', label: '人员' },
  { value: 'households', label: '家庭户' },
  { value: 'events', label: '人口事件' },
]

export const getImportGuide = (type) => api.get('/api/v1/import/guide', { type })
export const getImportJob = (id) => api.get(`/api/v1/import/jobs/${id}`)

export const templateUrl = (type, format = 'xlsx') => buildUrl('/api/v1/import/template', { type, format })
export const errorReportUrl = (id, format = 'xlsx') => buildUrl(`/api/v1/import/jobs/${id}/errors`, { format })

/**
 * Uploads a file and starts a job. XMLHttpRequest rather than fetch, for the
 * upload's own progress: on a village's weak network the upload is the slow
 * part. onUpload receives the fraction sent (0–1).
 */
export function startImport({ type, file, dryRun }, onUpload) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl('/api/v1/import/jobs', { type, dry_run: dryRun ? '1' : '' }))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onUpload) onUpload(e.loaded / e.total)
    }
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', message: NETWORK_ERROR_MESSAGE }))
    xhr.onload = () => {
      let body = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body)
      reject(uploadError(xhr.status, body))
    }
    const form = new FormData()
    form.append('file', file, file.name)
    xhr.send(form)
  })
}

/** Turns a refused upload into an ApiError with the server's Chinese message. */
export function uploadError(status, body) {
  const err = body?.error || {}
  const fallback = status === 413 ? '文件过大' : '上传失败，请重试'
  return new ApiError({ status, code: err.code || 'invalid', message: err.message || fallback, field: err.field })
}

/** Percent shown by the progress bar: the upload is the first tenth, then the file's bytes read. */
export function jobPercent(phase, uploadFraction, progress) {
  if (phase === 'upload') return Math.round((uploadFraction || 0) * 10)
  if (!progress || !progress.total) return 10
  return Math.min(100, 10 + Math.round((progress.bytes / progress.total) * 90))
}
