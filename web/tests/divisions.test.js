import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import { ElCascader } from 'element-plus'
import GroupDialog from '../src/views/division/GroupDialog.vue'
import DivisionPanel from '../src/views/division/DivisionPanel.vue'
import PersonList from '../src/views/registry/PersonList.vue'
import { setMe } from '../src/session.js'
import { setEnums, resetEnums } from '../src/utils/enums.js'
import { clearDivisionCache, childrenOf } from '../src/views/division/divisions.js'
import DivisionPicker from '../src/views/division/DivisionPicker.vue'
import { mockApi, testRouter, ENUMS, COUNTY_ME } from './helpers.js'

const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150)) // form items show errors after a short debounce
  await flushPromises()
}

const MANAGER_ME = { ...COUNTY_ME, permissions: [...COUNTY_ME.permissions, 'division.manage'] }
const LEVELS = {
  division_level: [
    { value: 3, label: '县' },
    { value: 4, label: '乡镇/街道' },
    { value: 5, label: '村/居' },
    { value: 6, label: '村民小组' },
  ],
}

const VILLAGE = { code: '341523100201', name: '东苑社区居委会' }
const GROUP_1 = { code: '341523100201001', name: '第一村民组', level: 6, level_name: '村民小组', parent_code: VILLAGE.code, has_children: false }
const GROUP_2 = { code: '341523100201002', name: '第二村民组', level: 6, level_name: '村民小组', parent_code: VILLAGE.code, has_children: false }

/** A village with its groups, answered the way the server does. */
function villageRoutes(groups) {
  const count = { [GROUP_1.code]: [12, 4], [GROUP_2.code]: [7, 2] }
  return {
    'GET /api/v1/stats/overview': (_b, url) => {
      expect(new URL(url, 'http://x').searchParams.get('division')).toBe(VILLAGE.code)
      return [
        200,
        {
          division: { code: VILLAGE.code, name: VILLAGE.name, level: 5 },
          persons: 19,
          households: 6,
          male: 10,
          female: 9,
          deceased: 1,
          living_away: 3,
          children: groups().map((g) => ({
            code: g.code,
            name: g.name,
            level: 6,
            persons: count[g.code]?.[0] ?? 0,
            households: count[g.code]?.[1] ?? 0,
          })),
        },
      ]
    },
    [`GET /api/v1/divisions/${VILLAGE.code}`]: () => [
      200,
      {
        ...VILLAGE,
        level: 5,
        level_name: '村(居)委会',
        parent_code: '341523100',
        has_children: true,
        ancestors: [
          { code: '341523', name: '舒城县', level: 3 },
          { code: '341523100', name: '城关镇', level: 4 },
        ],
      },
    ],
    [`GET /api/v1/divisions/${VILLAGE.code}/children`]: () => [200, { items: groups(), total: groups().length }],
  }
}

function formItem(root, label) {
  return [...root.querySelectorAll('.el-form-item')].find((el) => el.querySelector('.el-form-item__label')?.textContent.trim() === label)
}

beforeEach(() => {
  setMe(MANAGER_ME)
  setEnums({ ...ENUMS, ...LEVELS })
  clearDivisionCache()
})

afterEach(() => {
  vi.unstubAllGlobals()
  resetEnums()
  setMe(null)
  document.body.innerHTML = ''
})

function mountDialog() {
  const wrapper = mount(GroupDialog, {
    props: {
      modelValue: true,
      village: VILLAGE,
      'onUpdate:modelValue': (v) => wrapper.setProps({ modelValue: v }),
    },
    attachTo: document.body,
  })
  return wrapper
}

const posts = (api) => api.mock.calls.filter(([, init]) => init?.method === 'POST')

describe('GroupDialog (新增村民小组)', () => {
  it('requires a name and sends nothing without one', async () => {
    const api = mockApi({})
    const wrapper = mountDialog()
    await settle()
    document.querySelector('input[data-test="group-name"]').value = '   '
    document.querySelector('input[data-test="group-name"]').dispatchEvent(new Event('input'))
    document.querySelector('[data-test="group-save"]').click()
    await settle()
    expect(formItem(document.body, '村民小组名称').querySelector('.el-form-item__error').textContent.trim()).toBe('请输入村民小组名称')
    expect(posts(api)).toHaveLength(0)
    expect(wrapper.emitted('saved')).toBeUndefined()
    wrapper.unmount()
  })

  it("shows the server's error about the name on the name field and stays open", async () => {
    const message = '东苑社区居委会已有名为“第一村民组”的村民小组'
    mockApi({
      [`POST /api/v1/divisions/${VILLAGE.code}/groups`]: () => [409, { error: { code: 'conflict', message, field: 'name' } }],
    })
    const wrapper = mountDialog()
    await settle()
    const input = document.querySelector('input[data-test="group-name"]')
    input.value = '第一村民组'
    input.dispatchEvent(new Event('input'))
    document.querySelector('[data-test="group-save"]').click()
    await settle()
    expect(formItem(document.body, '村民小组名称').querySelector('.el-form-item__error').textContent.trim()).toBe(message)
    expect(document.querySelector('.el-alert')).toBeNull() // on the field, not above the form
    expect(wrapper.emitted('saved')).toBeUndefined()
    expect(wrapper.props('modelValue')).toBe(true)
    wrapper.unmount()
  })

  it('posts the trimmed name to the village and hands back the new group', async () => {
    const created = { ...GROUP_1, valid_from: '2026-11-22' }
    const api = mockApi({
      [`POST /api/v1/divisions/${VILLAGE.code}/groups`]: () => [201, created],
    })
    const wrapper = mountDialog()
    await settle()
    const input = document.querySelector('input[data-test="group-name"]')
    input.value = '  第一村民组 '
    input.dispatchEvent(new Event('input'))
    document.querySelector('[data-test="group-save"]').click()
    await settle()
    const sent = posts(api)
    expect(sent).toHaveLength(1)
    expect(sent[0][0]).toBe(`/api/v1/divisions/${VILLAGE.code}/groups`)
    expect(JSON.parse(sent[0][1].body)).toEqual({ name: '第一村民组' })
    expect(wrapper.emitted('saved')[0][0]).toEqual(created)
    expect(wrapper.props('modelValue')).toBe(false)
    wrapper.unmount()
  })
})

describe('DivisionPanel (区划管理)', () => {
  it('shows a village with its counts and its 村民小组', async () => {
    mockApi(villageRoutes(() => [GROUP_1, GROUP_2]))
    const wrapper = mount(DivisionPanel, { props: { code: VILLAGE.code }, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="division-name"]').text()).toBe('东苑社区居委会')
    expect(wrapper.find('[data-test="division-level"]').text()).toBe('村(居)委会')
    expect(wrapper.find('[data-test="division-code"]').text()).toBe(VILLAGE.code)
    expect(wrapper.find('[data-test="division-info"]').text()).toContain('舒城县 / 城关镇')
    const stat = (k) => wrapper.find(`[data-test="division-stat-${k}"] .stat-value`).text()
    expect(stat('persons')).toBe('19人')
    expect(stat('households')).toBe('6户')
    expect(stat('male')).toBe('10人')
    expect(stat('female')).toBe('9人')
    expect(stat('deceased')).toBe('1人')
    expect(stat('living_away')).toBe('3人')

    expect(wrapper.find('#children-title').text()).toBe('村民小组')
    const rows = wrapper.findAll('[data-test="division-children"] .el-table__body tr')
    expect(rows).toHaveLength(2)
    const cells = (tr) => tr.findAll('td').map((td) => td.text())
    expect(cells(rows[0])).toEqual(['第一村民组', GROUP_1.code, '村民小组', '12', '4'])
    expect(cells(rows[1])).toEqual(['第二村民组', GROUP_2.code, '村民小组', '7', '2'])
    expect(wrapper.find('[data-test="group-add"]').text()).toBe('新增村民小组')
    wrapper.unmount()
  })

  it('says so when a village has no groups yet', async () => {
    mockApi(villageRoutes(() => []))
    const wrapper = mount(DivisionPanel, { props: { code: VILLAGE.code }, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="division-children-empty"]').text()).toContain('尚未设立村民小组')
    expect(wrapper.find('[data-test="group-add"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('adds a group: lists it afterwards, with a fresh children list', async () => {
    const groups = [GROUP_1]
    const api = mockApi({
      ...villageRoutes(() => groups),
      [`POST /api/v1/divisions/${VILLAGE.code}/groups`]: (body) => {
        groups.push({ ...GROUP_2, name: body.name })
        return [201, groups[1]]
      },
    })
    const wrapper = mount(DivisionPanel, { props: { code: VILLAGE.code }, attachTo: document.body })
    await settle()
    expect(wrapper.findAll('[data-test="division-children"] .el-table__body tr')).toHaveLength(1)
    await wrapper.find('[data-test="group-add"]').trigger('click')
    await settle()
    const input = document.querySelector('input[data-test="group-name"]')
    input.value = '第二村民组'
    input.dispatchEvent(new Event('input'))
    document.querySelector('[data-test="group-save"]').click()
    await settle()
    expect(wrapper.emitted('group-added')[0]).toEqual([VILLAGE.code, groups[1]])
    const rows = wrapper.findAll('[data-test="division-children"] .el-table__body tr')
    expect(rows.map((r) => r.find('td').text())).toEqual(['第一村民组', '第二村民组'])
    // The cached children of the village were dropped, so they were read again.
    const childCalls = api.mock.calls.filter(([url]) => url === `/api/v1/divisions/${VILLAGE.code}/children`)
    expect(childCalls).toHaveLength(2)
    wrapper.unmount()
  })

  it('offers no 新增村民小组 above village level', async () => {
    mockApi({
      'GET /api/v1/stats/overview': () => [
        200,
        {
          division: { code: '341523100', name: '城关镇', level: 4 },
          persons: 19, households: 6, male: 10, female: 9, deceased: 1, living_away: 3,
          children: [{ code: VILLAGE.code, name: VILLAGE.name, level: 5, persons: 19, households: 6 }],
        },
      ],
      'GET /api/v1/divisions/341523100': () => [200, { code: '341523100', name: '城关镇', level: 4, level_name: '镇', ancestors: [] }],
      'GET /api/v1/divisions/341523100/children': () => [200, { items: [{ ...VILLAGE, level: 5, level_name: '村(居)委会' }], total: 1 }],
    })
    const wrapper = mount(DivisionPanel, { props: { code: '341523100' }, attachTo: document.body })
    await settle()
    expect(wrapper.find('#children-title').text()).toBe('下级区划')
    expect(wrapper.find('[data-test="group-add"]').exists()).toBe(false)
    const row = wrapper.find('[data-test="division-children"] .el-table__body tr')
    expect(row.findAll('td').map((td) => td.text())).toEqual([VILLAGE.name, VILLAGE.code, '村(居)委会', '19', '6'])
    await row.find('[data-test="division-child-name"]').trigger('click')
    expect(wrapper.emitted('select')[0]).toEqual([VILLAGE.code])
    wrapper.unmount()
  })
})

describe('PersonList division filter', () => {
  it('drops a division the server refuses as outside the area, and says why', async () => {
    const asked = []
    mockApi({
      'GET /api/v1/divisions/341523/children': () => [200, { items: [], total: 0 }],
      'GET /api/v1/persons': (_b, url) => {
        const division = new URL(url, 'http://x').searchParams.get('division')
        asked.push(division)
        return division
          ? [400, { error: { code: 'invalid', message: `区划 ${division} 不在您的管辖范围内`, field: 'division' } }]
          : [200, { items: [], total: 0 }]
      },
    })
    const router = testRouter()
    router.removeRoute('persons')
    router.addRoute({ path: '/persons', name: 'persons', component: PersonList })
    await router.push('/persons?division=341524100')
    await router.isReady()
    const wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
    await settle()
    expect(router.currentRoute.value.query.division).toBeUndefined()
    expect(asked).toEqual(['341524100', null])
    expect(document.body.textContent).toContain('区划 341524100 不在您的管辖范围内，已改为显示全部区划')
    expect(wrapper.find('.el-alert--error').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('DivisionPicker', () => {
  it('keeps its value when created after the divisions were cached', async () => {
    mockApi({
      'GET /api/v1/divisions/341523/children': () => [200, { items: [{ code: '341523100', name: '城关镇', level: 4, has_children: true }], total: 1 }],
      'GET /api/v1/divisions/341523100/children': () => [200, { items: [{ ...VILLAGE, level: 5, has_children: true }], total: 1 }],
      [`GET /api/v1/divisions/${VILLAGE.code}/children`]: () => [200, { items: [GROUP_1], total: 1 }],
    })
    // Another view has already opened these branches (the back button case).
    await childrenOf('341523')
    await childrenOf('341523100')
    const wrapper = mount(DivisionPicker, {
      props: { modelValue: VILLAGE.code, anyLevel: true, hideRoot: true, leafLevel: 6 },
      attachTo: document.body,
    })
    // The cascader starts with the path, not empty: a lazy cascader whose
    // value arrives while its (cached) first column loads resets itself to
    // empty and reports that as the user's choice (seen in Chromium).
    expect(wrapper.findComponent(ElCascader).props('modelValue')).toEqual(['341523100', VILLAGE.code])
    await settle()
    expect(wrapper.emitted('update:modelValue')).toBeUndefined()
    expect(wrapper.find('input').element.value).toBe('城关镇 / 东苑社区居委会')
    wrapper.unmount()
  })
})
