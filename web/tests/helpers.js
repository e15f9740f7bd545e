// Test helpers: a fetch mock answering by method and path, and a router for
// mounting views.
import { vi } from 'vitest'
import { createRouter, createMemoryHistory } from 'vue-router'

export function jsonResponse(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

/**
 * Installs a fetch mock. routes: { 'POST /api/v1/login': (body, url) => [status, json] }.
 * Unknown routes answer 404. Returns the mock (calls hold [url, init]).
 */
export function mockApi(routes) {
  const fn = vi.fn(async (url, init = {}) => {
    const method = init.method || 'GET'
    const path = String(url).split('?')[0]
    const handler = routes[`${method} ${path}`]
    if (!handler) return jsonResponse(404, { error: { code: 'not_found', message: '记录不存在' } })
    const [status, json] = await handler(init.body ? JSON.parse(init.body) : undefined, String(url))
    return jsonResponse(status, json)
  })
  vi.stubGlobal('fetch', fn)
  return fn
}

const Stub = { template: '<div class="stub">{{ $route.fullPath }}</div>' }

export function testRouter(extra = []) {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'home', component: Stub },
      { path: '/login', name: 'login', component: Stub },
      { path: '/persons', name: 'persons', component: Stub },
      { path: '/persons/:id(\\d+)', name: 'person', component: Stub },
      { path: '/households', name: 'households', component: Stub },
      ...extra,
    ],
  })
}

export const ENUMS = {
  sex: [
    { value: 'male', label: '男' },
    { value: 'female', label: '女' },
  ],
  status: [
    { value: 'alive', label: '健在' },
    { value: 'deceased', label: '死亡' },
  ],
  relation: [{ value: 'head', label: '户主' }],
  hukou_type: [{ value: 'agricultural', label: '农业' }],
  marital_status: [{ value: 'unmarried', label: '未婚' }],
  ethnicity: [{ value: '汉族', label: '汉族' }],
}

export const COUNTY_ME = {
  id: 2,
  username: 'county1',
  display_name: '县管理员',
  role: 'county',
  role_name: '县级管理员',
  division: { code: '341523', name: '舒城县', level: 3 },
  permissions: ['stats.read', 'registry.read', 'registry.write', 'registry.unmask'],
  must_change_password: false,
}
