import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { ElDropdown, ElMessageBox } from 'element-plus'
import ExportButton from '../src/components/ExportButton.vue'
import { exportUrl, fileNameOf } from '../src/components/exportDownload.js'
import { setMe } from '../src/session.js'
import { COUNTY_ME } from './helpers.js'

describe('exportUrl', () => {
  it('keeps the filters, drops paging and empty values, adds the format', () => {
    const url = exportUrl('/api/v1/persons/export', { q: ' 李 ', division: '341523100001', id_number: '', page: 3, size: 50 })
    expect(url).toBe('/api/v1/persons/export?q=%E6%9D%8E&division=341523100001&format=xlsx')
  })

  it('asks for csv and for full numbers', () => {
    expect(exportUrl('/api/v1/audit/export', { user: 'li', from: '2026-01-01', to: undefined }, { format: 'csv' })).toBe(
      '/api/v1/audit/export?user=li&from=2026-01-01&format=csv',
    )
    expect(exportUrl('/api/v1/persons/export', { full: 1, format: 'csv' }, { full: true })).toBe(
      '/api/v1/persons/export?format=xlsx&full=1',
    )
  })
})

describe('fileNameOf', () => {
  it('prefers the UTF-8 name', () => {
    const d = `attachment; filename="341523_20261122.xlsx"; filename*=UTF-8''%E4%BA%BA%E5%91%98_341523_20261122.xlsx`
    expect(fileNameOf(d)).toBe('人员_341523_20261122.xlsx')
    expect(fileNameOf('attachment; filename="a.csv"')).toBe('a.csv')
    expect(fileNameOf(null, 'x')).toBe('x')
  })
})

describe('ExportButton', () => {
  let fetchMock
  beforeEach(() => {
    fetchMock = vi.fn(async () =>
      new Response('csv', {
        status: 200,
        headers: { 'Content-Disposition': `attachment; filename="p.csv"; filename*=UTF-8''%E4%BA%BA%E5%91%98.csv` },
      }),
    )
    vi.stubGlobal('fetch', fetchMock)
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
    setMe(null)
    document.body.innerHTML = ''
  })

  const mountButton = (props) =>
    mount(ExportButton, { props: { path: '/api/v1/persons/export', ...props }, attachTo: document.body })

  it('downloads the list under its current filters', async () => {
    setMe(COUNTY_ME)
    const w = mountButton({ filters: { q: '王', division: '341523100' } })
    w.findComponent(ElDropdown).vm.$emit('command', 'csv')
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/persons/export?q=%E7%8E%8B&division=341523100&format=csv')
    expect(URL.createObjectURL).toHaveBeenCalled()
  })

  it('offers full numbers to a county officer with the permission, after confirming', async () => {
    setMe(COUNTY_ME)
    const confirmSpy = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    const w = mountButton({ filters: { division: '341523' }, fullNumbers: true })
    await flushPromises()
    expect(document.body.querySelector('[data-test="export-full"]')).not.toBeNull()
    w.findComponent(ElDropdown).vm.$emit('command', 'full')
    await flushPromises()
    expect(confirmSpy.mock.calls[0][0]).toContain('审计日志')
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/persons/export?division=341523&format=xlsx&full=1')
  })

  it('downloads nothing when the full export is not confirmed', async () => {
    setMe(COUNTY_ME)
    vi.spyOn(ElMessageBox, 'confirm').mockRejectedValue('cancel')
    const w = mountButton({ fullNumbers: true })
    w.findComponent(ElDropdown).vm.$emit('command', 'full')
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('hides full numbers from other roles and from lists without numbers', async () => {
    setMe({ ...COUNTY_ME, role: 'village', permissions: ['registry.read', 'registry.unmask'] })
    mountButton({ fullNumbers: true })
    await flushPromises()
    expect(document.body.querySelector('[data-test="export-xlsx"]')).not.toBeNull()
    expect(document.body.querySelector('[data-test="export-full"]')).toBeNull()
    document.body.innerHTML = ''
    setMe(COUNTY_ME)
    mountButton({ fullNumbers: false })
    await flushPromises()
    expect(document.body.querySelector('[data-test="export-full"]')).toBeNull()
  })

  it("shows the server's refusal", async () => {
    setMe(COUNTY_ME)
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ error: { code: 'invalid', message: '区划 341522 不在您的管辖范围内', field: 'division' } }), {
        status: 400,
        headers: { 'Content-Type': 'application/json' },
      }),
    )
    const w = mountButton({ filters: { division: '341522' } })
    w.findComponent(ElDropdown).vm.$emit('command', 'xlsx')
    await flushPromises()
    expect(URL.createObjectURL).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('不在您的管辖范围内')
  })
})
