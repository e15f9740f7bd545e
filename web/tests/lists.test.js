import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import HouseholdList from '../src/views/registry/HouseholdList.vue'
import AuditLog from '../src/views/audit/AuditLog.vue'
import { setMe } from '../src/session.js'
import { setEnums, resetEnums } from '../src/utils/enums.js'
import { clearDivisionCache } from '../src/views/division/divisions.js'
import { mockApi, testRouter, ENUMS, COUNTY_ME } from './helpers.js'

const AUDIT_ENTITY = [
  { value: 'person', label: '人员' },
  { value: 'household', label: '户' },
  { value: 'user', label: '用户' },
  { value: 'division', label: '区划' },
  { value: 'system', label: '系统' },
]

async function mountAt(path, name, component) {
  const router = testRouter()
  if (router.hasRoute(name)) router.removeRoute(name)
  router.addRoute({ path: path.split('?')[0], name, component })
  router.addRoute({ path: '/households/:id(\\d+)', name: 'household', component: { template: '<div />' } })
  await router.push(path)
  await router.isReady()
  const wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  await new Promise((r) => setTimeout(r, 50))
  await flushPromises()
  return { wrapper, router }
}

beforeEach(() => {
  setMe({ ...COUNTY_ME, permissions: [...COUNTY_ME.permissions, 'audit.read'] })
  setEnums({ ...ENUMS, audit_entity: AUDIT_ENTITY })
  clearDivisionCache()
})
afterEach(() => {
  vi.unstubAllGlobals()
  resetEnums()
  setMe(null)
  document.body.innerHTML = ''
})

describe('HouseholdList', () => {
  it('shows the head and the number of living members', async () => {
    mockApi({
      'GET /api/v1/households': () => [
        200,
        {
          items: [
            { id: 1, hh_no: '341523100201-0001', division: '341523100201', division_name: '城关镇 东苑社区居委会', address: '1号', version: 1, head: '张建国', member_count: 4 },
            { id: 2, hh_no: '341523100201-0002', division: '341523100201', division_name: '城关镇 东苑社区居委会', address: '2号', version: 1, head: '', member_count: 0 },
          ],
          total: 2,
        },
      ],
    })
    const { wrapper } = await mountAt('/households', 'households', HouseholdList)
    const head = wrapper.findAll('.el-table__header th').map((th) => th.text())
    expect(head.slice(0, 3)).toEqual(['户号', '户主', '人数'])
    const rows = wrapper.findAll('.el-table__body tr').map((tr) => tr.findAll('td').map((td) => td.text()))
    expect(rows[0].slice(0, 3)).toEqual(['341523100201-0001', '张建国', '4'])
    expect(rows[1].slice(0, 3)).toEqual(['341523100201-0002', '—', '0'])
    wrapper.unmount()
  })
})

describe('AuditLog', () => {
  it('offers the record kinds from the enumerations and shows their labels', async () => {
    mockApi({
      'GET /api/v1/audit': () => [
        200,
        {
          items: [
            { seq: 2, at: '2026-11-22T08:00:00.000Z', username: 'county', role: 'county', action: 'division.group_add', action_name: '新增村民小组', entity: 'division', entity_id: '341523100201001', before: null, after: null, remark: '', ip: '127.0.0.1' },
            { seq: 1, at: '2026-11-22T07:00:00.000Z', username: 'admin', role: 'sysadmin', action: 'system.backup', action_name: '备份', entity: 'system', entity_id: '', before: null, after: null, remark: '', ip: '' },
          ],
          total: 2,
        },
      ],
    })
    const { wrapper } = await mountAt('/audit', 'audit', AuditLog)
    const rows = wrapper.findAll('[data-test="audit-table"] .el-table__body tr').map((tr) => tr.findAll('td')[4].text())
    expect(rows).toEqual(['区划 341523100201001', '系统'])
    await wrapper.find('.filters .el-select__wrapper').trigger('click')
    await flushPromises()
    const dropdown = [...document.querySelectorAll('.el-select-dropdown')].find((d) => d.textContent.includes('人员'))
    const options = [...dropdown.querySelectorAll('.el-select-dropdown__item')].map((o) => o.textContent.trim())
    expect(options).toEqual(['人员', '户', '用户', '区划', '系统'])
    wrapper.unmount()
  })
})
