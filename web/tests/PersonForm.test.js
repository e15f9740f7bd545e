import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import PersonForm from '../src/views/registry/PersonForm.vue'
import { setMe } from '../src/session.js'
import { setEnums, resetEnums } from '../src/utils/enums.js'
import { clearDivisionCache } from '../src/views/division/divisions.js'
import { mockApi, testRouter, ENUMS, COUNTY_ME } from './helpers.js'

const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150)) // form items show errors after a short debounce
  await flushPromises()
}

const STORED = {
  id: 5,
  name: '王芳',
  sex: 'female',
  birth_date: '1990-03-07',
  id_number: '341523********1248',
  phone: '139****5678',
  ethnicity: '汉族',
  hukou_type: 'agricultural',
  marital_status: 'unmarried',
  registered_division: '341523100201',
  residence_division: '341523100201',
  household_id: null,
  relation: 'head',
  mother_id: null,
  father_id: null,
  status: 'alive',
  death_date: null,
  version: 3,
  registered_division_name: '城关镇 东苑社区居委会',
}

const DIVISION_ROUTES = {
  'GET /api/v1/divisions/341523/children': () => [200, { items: [{ code: '341523100', name: '城关镇', level: 4, has_children: true }], total: 1 }],
  'GET /api/v1/divisions/341523100/children': () => [200, { items: [{ code: '341523100201', name: '东苑社区居委会', level: 5, has_children: false }], total: 1 }],
}

async function mountForm(path) {
  const router = testRouter()
  router.addRoute({ path: '/persons/new', name: 'person-new', component: PersonForm })
  router.addRoute({ path: '/persons/:id(\\d+)/edit', name: 'person-edit', component: PersonForm })
  await router.push(path)
  await router.isReady()
  const wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

function formItem(wrapper, label) {
  return wrapper.findAll('.el-form-item').find((w) => w.find('.el-form-item__label').text() === label)
}

beforeEach(() => {
  setMe(COUNTY_ME)
  setEnums(ENUMS)
  clearDivisionCache()
})

afterEach(() => {
  vi.unstubAllGlobals()
  resetEnums()
  setMe(null)
  document.body.innerHTML = ''
})

describe('PersonForm (create)', () => {
  it('shows the ID check error with the expected check character', async () => {
    mockApi(DIVISION_ROUTES)
    const { wrapper } = await mountForm('/persons/new')
    const input = wrapper.find('input[data-test="pf-id-number"]')
    await input.setValue('110105194912310021')
    await input.trigger('blur')
    await settle()
    expect(formItem(wrapper, '公民身份号码').find('.el-form-item__error').text()).toBe('校验位错误，最后一位应为 X')
    wrapper.unmount()
  })

  it('refuses a non-existent birth date in the ID number', async () => {
    mockApi(DIVISION_ROUTES)
    const { wrapper } = await mountForm('/persons/new')
    const input = wrapper.find('input[data-test="pf-id-number"]')
    await input.setValue('341523199002301234')
    await input.trigger('blur')
    await settle()
    expect(formItem(wrapper, '公民身份号码').find('.el-form-item__error').text()).toContain('不是有效日期')
    wrapper.unmount()
  })

  it('fills sex and birth date from a valid ID number', async () => {
    mockApi(DIVISION_ROUTES)
    const { wrapper } = await mountForm('/persons/new')
    await wrapper.find('input[data-test="pf-id-number"]').setValue('11010519491231002X')
    await settle()
    const checked = wrapper.find('[data-test="pf-sex"] input:checked')
    expect(checked.exists()).toBe(true)
    expect(checked.element.value).toBe('female')
    expect(formItem(wrapper, '出生日期').find('input').element.value).toBe('1949-12-31')
    expect(wrapper.text()).toContain('号码校验通过')
    wrapper.unmount()
  })

  it('does not send anything while required fields are missing', async () => {
    const api = mockApi(DIVISION_ROUTES)
    const { wrapper } = await mountForm('/persons/new')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(api.mock.calls.filter(([, init]) => init?.method === 'POST')).toHaveLength(0)
    expect(formItem(wrapper, '姓名').find('.el-form-item__error').text()).toBe('请输入姓名')
    expect(formItem(wrapper, '性别').find('.el-form-item__error').text()).toBe('请选择性别，或填写公民身份号码')
    expect(formItem(wrapper, '户籍地').find('.el-form-item__error').text()).toBe('请选择户籍地（村/居）')
    wrapper.unmount()
  })

  it('validates the phone number', async () => {
    mockApi(DIVISION_ROUTES)
    const { wrapper } = await mountForm('/persons/new')
    const input = wrapper.find('input[data-test="pf-phone"]')
    await input.setValue('12345')
    await input.trigger('blur')
    await settle()
    expect(formItem(wrapper, '联系电话').find('.el-form-item__error').text()).toBe('请输入11位手机号码或带区号的固定电话')
    wrapper.unmount()
  })
})

describe('PersonForm (edit)', () => {
  it('keeps the masked numbers, and shows a server field error on that field', async () => {
    let sent
    mockApi({
      ...DIVISION_ROUTES,
      'GET /api/v1/persons/5': () => [200, STORED],
      'PUT /api/v1/persons/5': (body) => {
        sent = body
        return [400, { error: { code: 'invalid', message: '出生日期与户籍记录不符', field: 'birth_date' } }]
      },
    })
    const { wrapper } = await mountForm('/persons/5/edit')
    expect(wrapper.find('input[data-test="pf-id-number"]').element.value).toBe('341523********1248')
    await wrapper.find('input[data-test="pf-name"]').setValue('王芳芳')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(sent).toMatchObject({
      name: '王芳芳',
      id_number: '341523********1248',
      phone: '139****5678',
      version: 3,
      registered_division: '341523100201',
    })
    expect(formItem(wrapper, '出生日期').find('.el-form-item__error').text()).toBe('出生日期与户籍记录不符')
    wrapper.unmount()
  })

  it("on 409 tells the user and keeps the user's input", async () => {
    mockApi({
      ...DIVISION_ROUTES,
      'GET /api/v1/persons/5': () => [200, STORED],
      'PUT /api/v1/persons/5': () => [409, { error: { code: 'conflict', message: 'stale version' } }],
    })
    const { wrapper, router } = await mountForm('/persons/5/edit')
    await wrapper.find('input[data-test="pf-name"]').setValue('王芳芳')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="person-conflict"]').text()).toContain('该记录已被他人修改，请刷新后重试')
    expect(wrapper.find('input[data-test="pf-name"]').element.value).toBe('王芳芳')
    expect(router.currentRoute.value.name).toBe('person-edit')
    wrapper.unmount()
  })
})
