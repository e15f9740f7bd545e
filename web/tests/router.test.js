import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { guard } from '../src/router.js'
import { setMe, session } from '../src/session.js'
import { mockApi, COUNTY_ME } from './helpers.js'

const route = (name, fullPath, meta = {}, query = {}) => ({ name, fullPath, meta, query })

beforeEach(() => {
  session.me = null
  session.checked = false
})
afterEach(() => vi.unstubAllGlobals())

describe('route guard', () => {
  it('sends a visitor who is not signed in to the login page, keeping the route', async () => {
    mockApi({ 'GET /api/v1/me': () => [401, { error: { code: 'unauthorized', message: '请先登录' } }] })
    const r = await guard(route('persons', '/persons?q=张', { perm: 'registry.read' }))
    expect(r).toEqual({ name: 'login', query: { redirect: '/persons?q=张' } })
  })

  it('lets a user with the permission through', async () => {
    mockApi({ 'GET /api/v1/me': () => [200, COUNTY_ME] })
    expect(await guard(route('persons', '/persons', { perm: 'registry.read' }))).toBe(true)
  })

  it('shows 403 for a route needing a permission the user lacks', async () => {
    setMe({ ...COUNTY_ME, permissions: ['stats.read'] })
    const r = await guard(route('users', '/users', { perm: 'users.manage' }))
    expect(r).toEqual({ name: 'forbidden', query: { from: '/users' } })
  })

  it('shows the error page when the session cannot be checked (no network)', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const { configureClient } = await import('../src/api/client.js')
    configureClient({ retryDelayMs: 0 })
    const r = await guard(route('home', '/', {}))
    expect(r).toMatchObject({ name: 'error', query: { to: '/', msg: '网络连接失败，请检查网络后重试' } })
  })

  it('takes a signed-in user away from the login page to the wanted route', async () => {
    setMe(COUNTY_ME)
    expect(await guard(route('login', '/login', { public: true }, { redirect: '/audit' }))).toBe('/audit')
  })
})
