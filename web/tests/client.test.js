import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import {
  request, api, ApiError, setUnauthorizedHandler, configureClient, buildUrl,
  NETWORK_ERROR_MESSAGE, STALE_VERSION_MESSAGE, SESSION_EXPIRED_MESSAGE,
} from '../src/api/client.js'

function jsonResponse(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

let fetchMock

beforeEach(() => {
  fetchMock = vi.fn()
  vi.stubGlobal('fetch', fetchMock)
  configureClient({ retryDelayMs: 0, timeoutMs: 1000 })
})

afterEach(() => {
  vi.unstubAllGlobals()
  setUnauthorizedHandler(null)
})

describe('api client', () => {
  it('sends JSON with same-origin credentials and returns the parsed body', async () => {
    fetchMock.mockResolvedValue(jsonResponse(201, { id: 7, name: '张三' }))
    const r = await api.post('/api/v1/persons', { name: '张三' })
    expect(r).toEqual({ id: 7, name: '张三' })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/persons')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(init.body)).toEqual({ name: '张三' })
  })

  it('builds query strings without empty values', () => {
    expect(buildUrl('/api/v1/persons', { q: '张', division: '', page: 2, id_number: undefined })).toBe(
      '/api/v1/persons?q=%E5%BC%A0&page=2',
    )
  })

  it('returns null for 204', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    expect(await api.post('/api/v1/logout')).toBeNull()
  })

  it('on 401 calls the unauthorized handler and throws', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValue(jsonResponse(401, { error: { code: 'unauthorized', message: '请先登录' } }))
    const err = await api.get('/api/v1/persons').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(401)
    expect(err.message).toBe(SESSION_EXPIRED_MESSAGE)
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('by default a 401 sends the browser to /login keeping the wanted route', async () => {
    window.history.replaceState(null, '', '/persons?q=%E5%BC%A0')
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {})
    fetchMock.mockResolvedValue(jsonResponse(401, { error: { code: 'unauthorized', message: '请先登录' } }))
    await api.get('/api/v1/persons').catch(() => {})
    expect(assign).toHaveBeenCalledWith('/login?redirect=' + encodeURIComponent('/persons?q=%E5%BC%A0'))
  })

  it('does not redirect on a 401 from the login call, and keeps the server message', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValue(jsonResponse(401, { error: { code: 'unauthorized', message: '用户名或密码错误' } }))
    const err = await request('POST', '/api/v1/login', { body: {}, auth: false }).catch((e) => e)
    expect(err.message).toBe('用户名或密码错误')
    expect(handler).not.toHaveBeenCalled()
  })

  it('turns a 409 on PUT into the stale-version message', async () => {
    fetchMock.mockResolvedValue(jsonResponse(409, { error: { code: 'conflict', message: 'version mismatch' } }))
    const err = await api.put('/api/v1/persons/3', { version: 1 }).catch((e) => e)
    expect(err.status).toBe(409)
    expect(err.stale).toBe(true)
    expect(err.message).toBe(STALE_VERSION_MESSAGE)
    expect(err.message).toBe('该记录已被他人修改，请刷新后重试')
  })

  it('keeps the server message for a duplicate (409 on POST with a field)', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(409, { error: { code: 'conflict', message: '用户名已存在', field: 'username' } }),
    )
    const err = await api.post('/api/v1/users', {}).catch((e) => e)
    expect(err.stale).toBe(false)
    expect(err.message).toBe('用户名已存在')
    expect(err.field).toBe('username')
  })

  it('carries code, message and field of a validation error', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(400, { error: { code: 'invalid', message: '出生日期不能晚于今天', field: 'birth_date', request_id: 'r1' } }),
    )
    const err = await api.post('/api/v1/persons', {}).catch((e) => e)
    expect(err).toMatchObject({ status: 400, code: 'invalid', message: '出生日期不能晚于今天', field: 'birth_date', requestId: 'r1' })
  })

  it('shows the request id of an internal error', async () => {
    fetchMock.mockResolvedValue(jsonResponse(500, { error: { code: 'internal', message: '系统内部错误', request_id: 'abc123' } }))
    const err = await api.get('/api/v1/me').catch((e) => e)
    expect(err.message).toBe('系统内部错误（请求编号 abc123）')
  })

  it('gives a Chinese message when the error body is not JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html>Bad Gateway</html>', { status: 502 }))
    const err = await api.post('/api/v1/persons', {}).catch((e) => e)
    expect(err.status).toBe(502)
    expect(err.message).toBe('服务暂时不可用，请稍后重试')
  })

  it('turns a network failure into the Chinese network message', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const err = await api.post('/api/v1/persons', {}).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('network')
    expect(err.status).toBe(0)
    expect(err.message).toBe(NETWORK_ERROR_MESSAGE)
    expect(err.message).toBe('网络连接失败，请检查网络后重试')
    expect(fetchMock).toHaveBeenCalledTimes(1) // writes are never retried
  })

  it('retries a GET once after a network failure', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValueOnce(jsonResponse(200, { ok: 1 }))
    expect(await api.get('/api/v1/me')).toEqual({ ok: 1 })
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('reports a time-out', async () => {
    configureClient({ timeoutMs: 10 })
    fetchMock.mockImplementation(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        }),
    )
    const err = await api.post('/api/v1/persons', {}).catch((e) => e)
    expect(err.code).toBe('timeout')
    expect(err.message).toBe('网络响应超时，请稍后重试')
  })
})
