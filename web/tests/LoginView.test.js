import { describe, it, expect, afterEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { vi } from 'vitest'
import LoginView from '../src/views/auth/LoginView.vue'
import { session, setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'

async function mountLogin(path = '/login') {
  const router = testRouter([])
  router.addRoute({ path: '/login', name: 'login', component: LoginView })
  await router.push(path)
  await router.isReady()
  const wrapper = mount(LoginView, { global: { plugins: [router] }, attachTo: document.body })
  return { wrapper, router }
}

async function fill(wrapper, username, password) {
  await wrapper.find('[data-test="login-username"]').setValue(username)
  await wrapper.find('[data-test="login-password"]').setValue(password)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
  await flushPromises()
}

afterEach(() => {
  vi.unstubAllGlobals()
  setMe(null)
  document.body.innerHTML = ''
})

describe('LoginView', () => {
  it("shows the server's message for wrong credentials and clears the password", async () => {
    const api = mockApi({
      'POST /api/v1/login': () => [401, { error: { code: 'unauthorized', message: '用户名或密码错误' } }],
    })
    const { wrapper, router } = await mountLogin()
    await fill(wrapper, 'county1', 'wrong')
    expect(api).toHaveBeenCalledTimes(1)
    expect(JSON.parse(api.mock.calls[0][1].body)).toEqual({ username: 'county1', password: 'wrong' })
    expect(wrapper.find('[data-test="login-error"]').text()).toContain('用户名或密码错误')
    expect(wrapper.find('[data-test="login-password"]').element.value).toBe('')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('shows the lock message with its time', async () => {
    mockApi({
      'POST /api/v1/login': () => [423, { error: { code: 'locked', message: '账号已锁定，请于 2026-11-22 16:30 后再试' } }],
    })
    const { wrapper } = await mountLogin()
    await fill(wrapper, 'county1', 'x')
    expect(wrapper.find('[data-test="login-error"]').text()).toContain('账号已锁定，请于 2026-11-22 16:30 后再试')
  })

  it('requires both fields before calling the server', async () => {
    const api = mockApi({})
    const { wrapper } = await mountLogin()
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api).not.toHaveBeenCalled()
    await new Promise((r) => setTimeout(r, 150)) // form items show errors after a short debounce
    expect(wrapper.text()).toContain('请输入用户名')
    expect(wrapper.text()).toContain('请输入密码')
  })

  it('goes to the wanted page after signing in', async () => {
    mockApi({ 'POST /api/v1/login': () => [200, { user: COUNTY_ME }] })
    const { wrapper, router } = await mountLogin('/login?redirect=%2Fpersons%3Fq%3D%E5%BC%A0')
    await fill(wrapper, 'county1', 'Good#Pass1')
    expect(session.me.username).toBe('county1')
    expect(router.currentRoute.value.fullPath).toBe('/persons?q=%E5%BC%A0')
  })

  it('ignores a redirect to another site', async () => {
    mockApi({ 'POST /api/v1/login': () => [200, { user: COUNTY_ME }] })
    const { wrapper, router } = await mountLogin('/login?redirect=%2F%2Fevil.example%2F')
    await fill(wrapper, 'county1', 'Good#Pass1')
    expect(router.currentRoute.value.fullPath).toBe('/')
  })

  it('forces a password change first when the server asks for it', async () => {
    mockApi({ 'POST /api/v1/login': () => [200, { user: { ...COUNTY_ME, must_change_password: true } }] })
    const { wrapper, router } = await mountLogin('/login?redirect=%2Fpersons')
    await fill(wrapper, 'county1', 'Init#Pass1')
    expect(router.currentRoute.value.name).toBe('login')
    // The dialog is loaded on demand.
    await vi.waitFor(() => expect(document.body.textContent).toContain('请修改初始密码'))
    expect(document.body.textContent).toContain('退出登录')
    wrapper.unmount()
  })
})
