// A small fetch client for the jisheng API (/api/v1, same origin).
//
// Every failure becomes an ApiError whose message can be shown to the user as
// it is (Simplified Chinese): the server's own message when it sent one, a
// fixed message for network failures, time-outs and stale versions. A 401
// hands control to the unauthorized handler (the router sends the user to the
// login page, keeping the route they wanted).

export const NETWORK_ERROR_MESSAGE = '网络连接失败，请检查网络后重试'
export const TIMEOUT_MESSAGE = '网络响应超时，请稍后重试'
export const STALE_VERSION_MESSAGE = '该记录已被他人修改，请刷新后重试'
export const SESSION_EXPIRED_MESSAGE = '登录已失效，请重新登录'

const STATUS_MESSAGES = {
  400: '请求有误，请检查填写的内容',
  401: SESSION_EXPIRED_MESSAGE,
  403: '没有权限执行此操作',
  404: '记录不存在或不在您的管辖范围内',
  409: '数据冲突，请刷新后重试',
  413: '提交的内容过大',
  423: '账号已锁定，请稍后再试',
  429: '操作过于频繁，请稍后再试',
  500: '系统内部错误',
  502: '服务暂时不可用，请稍后重试',
  503: '服务暂时不可用，请稍后重试',
  504: '服务响应超时，请稍后重试',
}

const STATUS_CODES = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
  409: 'conflict', 413: 'too_large', 423: 'locked', 503: 'unavailable',
}

export class ApiError extends Error {
  /**
   * @param {object} o
   * @param {number} o.status HTTP status, 0 for network failures
   * @param {string} o.code   API error code (invalid, not_found, …) or network/timeout
   * @param {string} o.message message for the user, Simplified Chinese
   * @param {string} [o.field] JSON field the message is about
   * @param {string} [o.requestId]
   */
  constructor({ status, code, message, field, requestId, serverMessage, stale }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field || ''
    this.requestId = requestId || ''
    this.serverMessage = serverMessage || ''
    /** True when the record was changed by someone else (stale version). */
    this.stale = !!stale
  }

  get network() {
    return this.code === 'network' || this.code === 'timeout'
  }
}

let unauthorizedHandler = defaultUnauthorized
const config = { timeoutMs: 30000, retryDelayMs: 800 }

function defaultUnauthorized() {
  if (typeof window === 'undefined') return
  const here = window.location.pathname + window.location.search + window.location.hash
  if (window.location.pathname === '/login') return
  window.location.assign('/login?redirect=' + encodeURIComponent(here))
}

/** Sets what happens on a 401 (the router installs one that keeps the wanted route). */
export function setUnauthorizedHandler(fn) {
  unauthorizedHandler = fn || defaultUnauthorized
}

/** For tests: shorten time-outs and retry delays. */
export function configureClient(opts) {
  Object.assign(config, opts)
}

/** Builds "path?query", skipping empty values. */
export function buildUrl(path, query) {
  const url = path.startsWith('/') ? path : '/api/v1/' + path
  if (!query) return url
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.append(k, String(v))
  }
  const qs = params.toString()
  return qs ? url + '?' + qs : url
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function fetchOnce(method, url, body, signal) {
  const ctrl = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    ctrl.abort()
  }, config.timeoutMs)
  const onAbort = () => ctrl.abort()
  if (signal) {
    if (signal.aborted) ctrl.abort()
    else signal.addEventListener('abort', onAbort, { once: true })
  }
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  try {
    return await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: ctrl.signal,
    })
  } catch (e) {
    if (signal?.aborted) throw e // the caller cancelled: not an error to show
    if (timedOut) throw new ApiError({ status: 0, code: 'timeout', message: TIMEOUT_MESSAGE })
    throw new ApiError({ status: 0, code: 'network', message: NETWORK_ERROR_MESSAGE })
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

async function readBody(res) {
  if (res.status === 204) return null
  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return undefined // not JSON (e.g. a proxy's HTML error page)
  }
}

function toError(method, res, body) {
  const e = (body && typeof body === 'object' && body.error) || {}
  const status = res.status
  const code = e.code || STATUS_CODES[status] || (status >= 500 ? 'internal' : 'invalid')
  let message = e.message || STATUS_MESSAGES[status] || `请求失败（${status}）`
  // A PUT carries the record's version; 409 means someone saved first. (A 409
  // naming a field is a duplicate value instead, with the server's message.)
  const stale = status === 409 && (method === 'PUT' || method === 'PATCH') && !e.field
  if (stale) message = STALE_VERSION_MESSAGE
  if (code === 'internal' && e.request_id) message = `${message}（请求编号 ${e.request_id}）`
  return new ApiError({
    status,
    code,
    message,
    field: e.field,
    requestId: e.request_id,
    serverMessage: e.message,
    stale,
  })
}

/**
 * Sends one request. GETs are retried once after a network failure, since
 * village networks drop connections; writes never are (they may have landed).
 *
 * @param {string} method
 * @param {string} path "/api/v1/…" or a path relative to /api/v1/
 * @param {object} [opts]
 * @param {object} [opts.query]
 * @param {any} [opts.body]
 * @param {AbortSignal} [opts.signal]
 * @param {boolean} [opts.auth=true] false: a 401 is an ordinary error (login, session probe)
 */
export async function request(method, path, opts = {}) {
  const { query, body, signal, auth = true } = opts
  const url = buildUrl(path, query)
  let res
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetchOnce(method, url, body, signal)
      break
    } catch (e) {
      if (method === 'GET' && attempt === 0 && e instanceof ApiError && e.code === 'network') {
        await sleep(config.retryDelayMs)
        continue
      }
      throw e
    }
  }
  const data = await readBody(res)
  if (res.ok) return data
  const err = toError(method, res, data)
  if (res.status === 401 && auth) {
    err.message = SESSION_EXPIRED_MESSAGE
    unauthorizedHandler(err)
  }
  throw err
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
}

/**
 * Posts a file as the multipart part "file" (the server's name for every
 * upload) and resolves to the Response; a refused upload throws an ApiError
 * with the server's Chinese message (tooLarge when the server answers 413
 * without one).
 */
export async function postFile(path, query, file, tooLarge = '文件过大') {
  const form = new FormData()
  form.append('file', file, file.name)
  let res
  try {
    res = await fetch(buildUrl(path, query), { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' } })
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: NETWORK_ERROR_MESSAGE })
  }
  if (res.ok) return res
  let body = null
  try {
    body = await res.json()
  } catch {
    body = null
  }
  const err = body?.error || {}
  const fallback = res.status === 413 ? tooLarge : '上传失败，请重试'
  throw new ApiError({ status: res.status, code: err.code || 'invalid', message: err.message || fallback, field: err.field })
}
