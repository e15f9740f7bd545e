import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import { ElSelect } from 'element-plus'
import SupplyView from '../src/views/supply/SupplyView.vue'
import DispenseDialog from '../src/views/supply/DispenseDialog.vue'
import SitePicker from '../src/views/supply/SitePicker.vue'
import { setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'
import {
  isDate, todayInChina, daysBetween, expiryStatus, expiryText, lowStockKeys, stockRowClass, signedQty, moveWhere,
  newRequestKey, qtyProblem, dateProblem, receiptErrors, transferErrors, stocktakeErrors, dispenseErrors,
  operationBody, countLines, defaultMethod, logSummary, canApplyLog, isCountyStaff,
} from '../src/views/supply/supply.js'

const today = '2026-11-22'

describe('expiry', () => {
  it.each([
    ['2026-11-21', 90, 'expired', '已过期 1 天'],
    ['2026-11-22', 90, 'near', '今天到期'],
    ['2027-02-20', 90, 'near', '90 天后到期'],
    ['2027-02-21', 90, 'ok', '有效'],
    ['2026-12-01', 5, 'ok', '有效'],
    ['2026-11-01', 90, 'expired', '已过期 21 天'],
  ])('%s with %d days', (expiry, near, status, text) => {
    expect(expiryStatus(expiry, today, near)).toBe(status)
    expect(expiryText(expiry, today, near)).toBe(text)
  })

  it('says nothing about a date it cannot read', () => {
    expect(expiryStatus('2026-02-30', today)).toBe('')
    expect(expiryText(undefined, today)).toBe('')
  })

  it('counts days across a month and a leap day', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2)
    expect(daysBetween('2026-11-22', '2026-11-01')).toBe(-21)
  })

  it('takes today in China, not in the browser zone', () => {
    expect(todayInChina(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23')
    expect(todayInChina(new Date('2026-11-22T15:59:59Z'))).toBe('2026-11-22')
  })

  it('knows real dates', () => {
    expect(isDate('2028-02-29')).toBe(true)
    expect(isDate('2027-02-29')).toBe(false)
    expect(isDate('2026-1-1')).toBe(false)
  })
})

describe('stock rows', () => {
  const alerts = { low_stock: [{ site_id: 3, item_id: 1 }] }
  const keys = lowStockKeys(alerts)

  it.each([
    [{ site_id: 3, item_id: 1, expiry_status: 'expired' }, 'row-expired'],
    [{ site_id: 3, item_id: 1, expiry_status: 'near' }, 'row-near'],
    [{ site_id: 3, item_id: 1, expiry_status: 'ok' }, 'row-low'],
    [{ site_id: 3, item_id: 2, expiry_status: 'ok' }, ''],
    [{ site_id: 4, item_id: 1, expiry_status: 'ok' }, ''],
  ])('%o is %s', (row, cls) => {
    expect(stockRowClass(row, keys)).toBe(cls)
  })

  it('has no low keys without alerts', () => {
    expect(lowStockKeys(null).size).toBe(0)
  })
})

describe('ledger display', () => {
  it('signs quantities', () => {
    expect(signedQty(30)).toBe('+30')
    expect(signedQty(-12)).toBe('−12')
    expect(signedQty(0)).toBe('0')
  })

  it('shows where a transfer and its reversal went', () => {
    expect(moveWhere({ site_name: '服务站', to_site_name: '药具室', qty: -5 })).toBe('服务站 → 药具室')
    expect(moveWhere({ site_name: '服务站', to_site_name: '药具室', qty: 5 })).toBe('药具室 → 服务站')
    expect(moveWhere({ site_name: '药具室', to_site_name: '', qty: -1 })).toBe('药具室')
  })
})

describe('request keys', () => {
  it('are new each time and fit the server rule', () => {
    const a = newRequestKey()
    const b = newRequestKey()
    expect(a).not.toBe(b)
    for (const k of [a, b]) expect(k).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
  })

  it('are the same for the same random source', () => {
    const fixed = () => 0.5
    expect(newRequestKey(fixed, () => 1000)).toBe(newRequestKey(fixed, () => 1000))
  })
})

describe('field checks', () => {
  it.each([
    [5, 1, ''], ['7', 1, ''], [0, 1, '数量应为 1 到 1000000 之间的整数'], [0, 0, ''], [2.5, 1, '请填写整数数量'],
    ['', 1, '请填写整数数量'], [null, 1, '请填写整数数量'], [1000001, 1, '数量应为 1 到 1000000 之间的整数'],
  ])('qtyProblem(%o, %d)', (v, min, want) => {
    expect(qtyProblem(v, min)).toBe(want)
  })

  it('checks dates', () => {
    expect(dateProblem('', today)).toBe('')
    expect(dateProblem('2026-11-23', today, '发放日期')).toBe('发放日期不能晚于今天')
    expect(dateProblem('2026/11/01', today)).toBe('日期格式应为 YYYY-MM-DD')
  })
})

describe('receipt form', () => {
  const line = { item_id: 1, batch_no: 'C1', expiry: '2027-06-30', qty: 10 }

  it('accepts a complete receipt', () => {
    expect(receiptErrors({ site_id: 1, supplier: '市卫健委', lines: [line] }, today)).toEqual({})
  })

  it('names every field at fault with the server field names', () => {
    const errors = receiptErrors({ site_id: null, supplier: ' ', moved_on: '2026-11-01',
      lines: [{ ...line, expiry: '2026-10-01', qty: 0 }, { item_id: null, batch_no: '', expiry: '', qty: 1 }] }, today)
    expect(Object.keys(errors).sort()).toEqual(['lines[0].expiry', 'lines[0].qty', 'lines[1].batch_no',
      'lines[1].expiry', 'lines[1].item_id', 'site_id', 'supplier'])
    expect(errors['lines[0].expiry']).toContain('过期药具不能入库')
  })

  it('needs a line', () => {
    expect(receiptErrors({ site_id: 1, supplier: 'x', lines: [] }, today).lines).toBe('请至少填写一种药具')
  })
})

describe('transfer and stock-take forms', () => {
  it('refuses a transfer to the same site and allows no batch (FEFO)', () => {
    const errors = transferErrors({ from_site_id: 2, to_site_id: 2, lines: [{ item_id: 1, batch_no: '', qty: 3 }] }, today)
    expect(errors).toEqual({ to_site_id: '调出和调入库点不能相同' })
  })

  it('wants a reason only when the count differs from the books', () => {
    const lines = countLines([{ item_id: 1, item_name: '避孕套', unit: '只', batch_no: 'C1', expiry: '2027-06-30', qty: 20 }])
    expect(lines[0]).toMatchObject({ book: 20, counted: 20, known: true })
    expect(stocktakeErrors({ site_id: 1, lines }, today)).toEqual({})
    lines[0].counted = 17
    expect(stocktakeErrors({ site_id: 1, lines }, today)).toEqual({ reason: '实盘与账面不符，请填写差异原因' })
    expect(stocktakeErrors({ site_id: 1, reason: '受潮损坏', lines }, today)).toEqual({})
  })

  it('catches one batch counted twice and a negative count', () => {
    const errors = stocktakeErrors({ site_id: 1, reason: 'x', lines: [
      { item_id: 1, batch_no: 'C1', counted: 1, book: 0 }, { item_id: 1, batch_no: 'C1', counted: -1, book: 0 }] }, today)
    expect(errors['lines[1].batch_no']).toBe('与第 1 项是同一批号')
    expect(errors['lines[1].counted']).toBe('数量应为 0 到 1000000 之间的整数')
  })

  it('builds bodies the server accepts', () => {
    const receipt = operationBody('receipt', { site_id: 1, supplier: ' 市 ', note: '', moved_on: '',
      lines: [{ item_id: 1, batch_no: ' C1 ', expiry: '2027-06-30', qty: '10', item_name: 'x' }] }, 'k-1')
    expect(receipt).toEqual({ site_id: 1, supplier: '市', note: '', moved_on: '', request_key: 'k-1',
      lines: [{ item_id: 1, batch_no: 'C1', expiry: '2027-06-30', qty: 10 }] })
    const count = operationBody('stocktake', { site_id: 1, reason: '损坏', lines: [{ item_id: 1, batch_no: 'C1', book: 20, counted: 17 }] }, 'k-2')
    expect(count.lines).toEqual([{ item_id: 1, batch_no: 'C1', expiry: '', counted: 17 }])
    expect(count.reason).toBe('损坏')
  })
})

describe('dispensing form', () => {
  const items = [{ id: 1, method: 'condom' }, { id: 2, method: 'oral' }]
  const ok = { site_id: 1, person_id: 9, item_id: 2, method: 'oral', qty: 1 }

  it('preselects the method an item serves', () => {
    expect(defaultMethod(items, 2)).toBe('oral')
    expect(defaultMethod(items, 3)).toBe('')
  })

  it('asks for the person, the item and the method chosen', () => {
    expect(dispenseErrors(ok, today)).toEqual({})
    expect(dispenseErrors({ ...ok, person_id: null, method: 'none', qty: 0 }, today)).toEqual({
      person_id: '请选择领取人', method: '请选择领取人知情选择的避孕方法', qty: '数量应为 1 到 1000000 之间的整数' })
    expect(dispenseErrors({ ...ok, moved_on: '2026-12-01' }, today)).toEqual({ moved_on: '发放日期不能晚于今天' })
  })
})

describe('machine logs', () => {
  const rep = { dry_run: true, applied: false, total: 3, new: 2, duplicate: 1, invalid: 0, qty: 5 }

  it('sums up a report', () => {
    expect(logSummary(rep)).toBe('共 3 行：新增 2 行（5 件），已导入过 1 行，有误 0 行')
    expect(logSummary({ ...rep, invalid: 1 })).toContain('请修改有误的行后重新预检')
    expect(logSummary({ ...rep, dry_run: false, applied: true })).toContain('；已导入')
  })

  it('applies only a clean dry run with something new', () => {
    expect(canApplyLog(rep)).toBe(true)
    expect(canApplyLog({ ...rep, invalid: 1 })).toBe(false)
    expect(canApplyLog({ ...rep, new: 0 })).toBe(false)
    expect(canApplyLog({ ...rep, dry_run: false })).toBe(false)
    expect(canApplyLog(null)).toBe(false)
  })
})

describe('catalogue editors', () => {
  it('are county staff', () => {
    expect(isCountyStaff({ division: { level: 3 } })).toBe(true)
    expect(isCountyStaff({ division: { level: 4 } })).toBe(false)
    expect(isCountyStaff(null)).toBe(false)
  })
})

describe('SupplyView and the dispensing dialog', () => {
  const ITEMS = [{ id: 1, code: 'BYT01', name: '避孕套（男用）', method: 'condom', method_label: '避孕套', spec: '中号', unit: '只', low_stock: 200, active: true, version: 1 }]
  const ENUMS_SUPPLY = { methods: [{ value: 'condom', label: '避孕套' }, { value: 'oral', label: '口服避孕药' }, { value: 'none', label: '未避孕/停用' }],
    site_kinds: [], move_kinds: [], sources: [], expiry_kinds: [] }
  const STOCK = [
    { id: 1, site_id: 3, site_name: '东苑社区药具室', site_kind: 'room', item_id: 1, item_name: '避孕套（男用）', unit: '只', batch_no: 'NEAR', expiry: '2026-12-15', qty: 30, expiry_status: 'near', days_left: 23 },
    { id: 2, site_id: 4, site_name: '城关镇服务站', site_kind: 'station', item_id: 1, item_name: '避孕套（男用）', unit: '只', batch_no: 'FINE', expiry: '2028-01-01', qty: 500, expiry_status: 'ok', days_left: 405 },
  ]
  let posted

  beforeEach(() => {
    posted = []
    setMe({ ...COUNTY_ME, permissions: [...COUNTY_ME.permissions, 'supply.manage', 'health.read', 'health.write'] })
    mockApi({
      'GET /api/v1/supply/items': () => [200, { items: ITEMS, total: 1 }],
      'GET /api/v1/supply/enums': () => [200, ENUMS_SUPPLY],
      'GET /api/v1/supply/stock': () => [200, { items: STOCK, total: 2 }],
      'GET /api/v1/supply/alerts': () => [200, { today: '2026-11-22', near_days: 90, expiring: [STOCK[0]],
        low_stock: [{ site_id: 3, site_name: '东苑社区药具室', item_id: 1, item_name: '避孕套（男用）', unit: '只', qty: 30, threshold: 200 }] }],
      'GET /api/v1/supply/sites': () => [200, { items: [], total: 0 }],
      'POST /api/v1/supply/dispense': (body) => {
        posted.push(body)
        return [posted.length === 1 ? 201 : 200, { moves: [{ id: 9, batch_no: 'NEAR', qty: -2 }], replayed: posted.length > 1, method: body.method, method_label: '避孕套' }]
      },
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  it('highlights near-expiry batches and shows the alerts', async () => {
    const router = testRouter([{ path: '/supply', name: 'supply', component: SupplyView }])
    await router.push('/supply')
    await router.isReady()
    const wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    const rows = wrapper.findAll('[data-test="stock-table"] .el-table__body tr')
    expect(rows.length).toBe(2)
    expect(rows[0].classes()).toContain('row-near')
    expect(rows[1].classes()).not.toContain('row-near')
    expect(rows[0].text()).toContain('23 天后到期')
    const alerts = wrapper.find('[data-test="stock-alerts"]').text()
    expect(alerts).toContain('低库存 1 处')
    expect(alerts).toContain('近效期 1 批')
    expect(alerts).toContain('东苑社区药具室：避孕套（男用） 可用 30只，低于预警线 200只')
    wrapper.unmount()
  })

  it('sends one request key per opening, the same on a second tap', async () => {
    const person = { id: 7, name: '王秀英', birth_date: '1990-03-07' }
    const wrapper = mount(DispenseDialog, { props: { modelValue: true, items: ITEMS, enums: ENUMS_SUPPLY, person }, attachTo: document.body })
    await flushPromises()
    wrapper.findComponent(SitePicker).vm.$emit('update:modelValue', 3)
    const itemSelect = wrapper.findAllComponents(ElSelect).find((c) => c.attributes('data-test') === 'dispense-item')
    itemSelect.vm.$emit('update:modelValue', 1)
    await flushPromises()
    const save = () => document.querySelector('[data-test="dispense-save"]').click()
    save()
    await flushPromises()
    save()
    await flushPromises()
    expect(posted.length).toBe(2)
    expect(posted[0]).toMatchObject({ site_id: 3, person_id: 7, item_id: 1, method: 'condom', qty: 1 })
    expect(posted[1].request_key).toBe(posted[0].request_key)
    await wrapper.setProps({ modelValue: false })
    await wrapper.setProps({ modelValue: true })
    wrapper.findComponent(SitePicker).vm.$emit('update:modelValue', 3)
    itemSelect.vm.$emit('update:modelValue', 1)
    await flushPromises()
    save()
    await flushPromises()
    expect(posted.length).toBe(3)
    expect(posted[2].request_key).not.toBe(posted[0].request_key)
    wrapper.unmount()
  })
})
