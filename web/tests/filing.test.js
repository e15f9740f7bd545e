import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import { ElMessageBox } from 'element-plus'
import { setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'
import { clearDivisionCache } from '../src/views/division/divisions.js'
import {
  FILING_STATUSES, statusTagType, statusLabel, canGenerate, isFiled, parentCode, filingRole, filingActions,
  returnProblem, stepLabel, lastReturn, lastMonthCode, chinaDateTime, boardSummary, figureText, differenceRows,
  filesBelow,
} from '../src/views/stats/filing.js'
import { chinaToday } from '../src/views/stats/stats.js'
import { filingPdfUrl, reportPdfUrl } from '../src/api/stats.js'
import { useIsPhone } from '../src/utils/responsive.js'

const isPhone = useIsPhone()

// ---- fixtures, shaped as the server answers (internal/stats/filing.go)

const COUNTY = '341523'
const TOWN = '341523100'
const VILLAGE = '341523100201'
const VILLAGE_B = '341523100202'
const GROUP = '341523100201001'

const TOWN_ME = {
  id: 3, username: 'township', display_name: '乡镇专干', role: 'township', role_name: '乡镇专干',
  division: { code: TOWN, name: '城关镇', level: 4 },
  permissions: ['stats.read', 'stats.file', 'registry.read'],
  must_change_password: false,
}
const VILLAGE_ME = {
  id: 4, username: 'village', display_name: '村专干', role: 'village', role_name: '村计生专干',
  division: { code: VILLAGE, name: '东苑村', level: 5 },
  permissions: ['stats.read', 'stats.file', 'registry.read'],
  must_change_password: false,
}
const VIEWER_ME = { ...TOWN_ME, role: 'viewer', permissions: ['stats.read', 'registry.read'] }
const FILING_COUNTY_ME = { ...COUNTY_ME, permissions: [...COUNTY_ME.permissions, 'stats.file'] }

const BIRTHS = {
  code: 'births', name: '出生人数', group: '出生与婚姻', unit: '人', formula: '期内出生的活产婴儿，按出生时户籍地',
  numerator: { source: 'births', filters: {} }, by: ['sex'],
}
const BIRTH_RATE = {
  code: 'birth_rate', name: '出生率', group: '出生与婚姻', unit: '‰', formula: '出生人数 ÷ 平均人口 × 1000‰',
  numerator: { source: 'births', filters: {} }, denominator: { source: 'population', filters: {}, average: true },
  scale: 1000, decimals: 2,
}
const SNAPSHOT = {
  division: { code: VILLAGE, name: '东苑村', level: 5 },
  period: { code: '2026-10', kind: 'month', from: '2026-10-01', to: '2026-10-31', label: '2026年10月' },
  today: '2026-11-03',
  children: [{ code: GROUP, name: '第一村民小组', level: 6 }],
  rows: [
    {
      ...BIRTHS, num: 12, value: 12,
      parts: [{ by: 'sex', key: 'male', label: '男', value: 7 }, { by: 'sex', key: 'female', label: '女', value: 5 }],
      children: [{ division: GROUP, num: 3, value: 3 }],
    },
    { ...BIRTH_RATE, num: 12, den: 2400, value: 5, children: [{ division: GROUP, num: 3, den: 600, value: 5 }] },
  ],
}

function filing(extra = {}) {
  return {
    id: 7, division: VILLAGE, division_name: '东苑村', period: '2026-10', period_label: '2026年10月', due_on: '2026-11-05',
    status: 'draft', status_name: '已生成', version: 1, generated_at: '2026-11-03T01:30:00Z', generated_by: 'village',
    late: false, report: SNAPSHOT,
    steps: [{ action: 'generate', version: 1, by: 'village', at: '2026-11-03T01:30:00Z' }],
    ...extra,
  }
}
const SUBMITTED = {
  status: 'submitted', status_name: '已上报', version: 3, submitted_at: '2026-11-04T02:00:00Z', submitted_by: 'village',
  steps: [
    { action: 'generate', version: 1, by: 'village', at: '2026-11-03T01:30:00Z' },
    { action: 'review', version: 2, by: 'village', at: '2026-11-03T02:00:00Z' },
    { action: 'submit', version: 3, by: 'village', at: '2026-11-04T02:00:00Z' },
  ],
}

function board(extra = {}) {
  return {
    period: { code: '2026-10', kind: 'month', from: '2026-10-01', to: '2026-10-31', label: '2026年10月' },
    own: { division: TOWN, name: '城关镇', status: '', status_name: '未生成', due_on: '2026-11-05', late: false },
    children: [
      { division: VILLAGE, name: '东苑村', id: 7, status: 'submitted', status_name: '已上报', due_on: '2026-11-05', late: false, submitted_at: '2026-11-04T02:00:00Z' },
      { division: VILLAGE_B, name: '西苑村', status: '', status_name: '未生成', due_on: '2026-11-05', late: true },
      { division: '341523100203', name: '南苑村', id: 9, status: 'accepted', status_name: '已接收', due_on: '2026-11-05', late: true, submitted_at: '2026-11-06T03:00:00Z' },
    ],
    filed: 2,
    ...extra,
  }
}

// ---- helpers

const FilingBoard = () => import('../src/views/stats/FilingBoard.vue')
const FilingDetail = () => import('../src/views/stats/FilingDetail.vue')
const Stub = { template: '<div class="stub" />' }
const routes = [
  { path: '/stats/filings', name: 'stats-filings', component: FilingBoard },
  { path: '/stats/filings/:id(\\d+)', name: 'stats-filing', component: FilingDetail },
  { path: '/stats/report', name: 'stats-report', component: Stub },
  { path: '/stats/records', name: 'stats-records', component: Stub },
]

async function settle() {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 30))
  await flushPromises()
}

async function mountAt(path) {
  const router = testRouter(routes)
  await router.push(path)
  await router.isReady()
  const w = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { w, router }
}

function watchWarnings() {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  return () => warn.mock.calls.filter((c) => String(c[0]).includes('[Vue warn]'))
}

const urls = (api, prefix) => api.mock.calls.map((c) => decodeURIComponent(String(c[0]))).filter((u) => u.startsWith(prefix))
const posts = (api, path) =>
  api.mock.calls.filter((c) => c[1]?.method === 'POST' && String(c[0]) === path).map((c) => JSON.parse(c[1].body))
const noDivisions = () => ({
  [`GET /api/v1/divisions/${TOWN}/children`]: () => [200, { items: [], total: 0 }],
  [`GET /api/v1/divisions/${VILLAGE}/children`]: () => [200, { items: [], total: 0 }],
  [`GET /api/v1/divisions/${COUNTY}/children`]: () => [200, { items: [], total: 0 }],
})

beforeEach(() => clearDivisionCache())
afterEach(() => {
  vi.unstubAllGlobals()
  setMe(null)
  document.body.innerHTML = ''
})

// ---- pure helpers

describe('filing helpers', () => {
  it('names and colours each status', () => {
    expect(Object.keys(FILING_STATUSES)).toEqual(['', 'draft', 'reviewed', 'submitted', 'returned', 'accepted'])
    expect(statusTagType('accepted')).toBe('success')
    expect(statusTagType('returned')).toBe('danger')
    expect(statusTagType('submitted')).toBe('warning')
    expect(statusTagType('')).toBe('info')
    expect(statusTagType(undefined)).toBe('info')
    expect(statusLabel('', '')).toBe('未生成')
    expect(statusLabel('reviewed')).toBe('已审核')
    expect(statusLabel('submitted', '已上报')).toBe('已上报')
    expect(['', 'draft', 'reviewed', 'returned'].every(canGenerate)).toBe(true)
    expect(canGenerate('submitted') || canGenerate('accepted')).toBe(false)
    expect(isFiled('submitted') && isFiled('accepted') && !isFiled('returned')).toBe(true)
  })

  it('finds the parent of a division below county level by its code', () => {
    expect(parentCode(VILLAGE)).toBe(TOWN)
    expect(parentCode(TOWN)).toBe(COUNTY)
    expect(parentCode(GROUP)).toBe(VILLAGE)
    expect(parentCode(COUNTY)).toBe('') // a county's city: ask the server
    expect(parentCode('')).toBe('')
    expect(filesBelow(TOWN)).toBe(true)
    expect(filesBelow(VILLAGE)).toBe(false)
  })

  it('offers review and submit to the filing unit, accept and return to the level above', () => {
    const who = (code) => ({ userCode: code, parent: TOWN, canFile: true })
    const acts = (status, code) => filingActions({ division: VILLAGE, status }, who(code))
    expect(filingRole({ division: VILLAGE }, VILLAGE, TOWN)).toBe('unit')
    expect(filingRole({ division: VILLAGE }, TOWN, TOWN)).toBe('above')
    expect(filingRole({ division: VILLAGE }, COUNTY, TOWN)).toBe('') // two levels up: reads only
    expect(filingRole({ division: VILLAGE }, VILLAGE_B, TOWN)).toBe('')

    expect(acts('draft', VILLAGE)).toEqual(['review', 'regenerate'])
    expect(acts('reviewed', VILLAGE)).toEqual(['submit', 'regenerate'])
    expect(acts('submitted', VILLAGE)).toEqual([])
    expect(acts('returned', VILLAGE)).toEqual(['regenerate'])
    expect(acts('accepted', VILLAGE)).toEqual([])

    expect(acts('draft', TOWN)).toEqual([])
    expect(acts('reviewed', TOWN)).toEqual([])
    expect(acts('submitted', TOWN)).toEqual(['accept', 'return'])
    expect(acts('returned', TOWN)).toEqual([])
    expect(acts('accepted', TOWN)).toEqual([]) // locked

    expect(acts('submitted', COUNTY)).toEqual([])
    expect(filingActions({ division: VILLAGE, status: 'submitted' }, { userCode: TOWN, parent: TOWN, canFile: false })).toEqual([])
  })

  it('requires a return reason of at most 500 characters', () => {
    expect(returnProblem('')).toBe('请填写退回理由')
    expect(returnProblem('   ')).toBe('请填写退回理由')
    expect(returnProblem('出生人数与登记不符')).toBe('')
    expect(returnProblem('字'.repeat(501))).toBe('退回理由不能超过 500 字')
  })

  it('labels steps and keeps the last return', () => {
    expect(stepLabel({ action: 'generate', version: 1 })).toBe('生成')
    expect(stepLabel({ action: 'generate', version: 5 })).toBe('重新生成')
    expect(stepLabel({ action: 'accept', version: 4 })).toBe('接收')
    const f = { steps: [{ action: 'return', remark: '一' }, { action: 'generate' }, { action: 'return', remark: '二' }] }
    expect(lastReturn(f).remark).toBe('二')
    expect(lastReturn({ steps: [] })).toBeNull()
  })

  it('defaults to last month and shows times on China’s clock', () => {
    expect(lastMonthCode('2026-11-23')).toBe('2026-10')
    expect(lastMonthCode('2026-01-02')).toBe('2025-12')
    expect(lastMonthCode('2026-10-31')).toBe('2026-09')
    expect(lastMonthCode()).toMatch(/^\d{4}-\d{2}$/)
    expect(chinaDateTime('2026-11-03T01:30:00Z')).toBe('2026-11-03 09:30')
    expect(chinaDateTime('2026-11-30T17:05:00Z')).toBe('2026-12-01 01:05') // next day in China
    expect(chinaDateTime('')).toBe('')
    expect(chinaDateTime('later')).toBe('later')
  })

  it('counts the children filed', () => {
    expect(boardSummary(board())).toEqual({ filed: 2, total: 3, text: '已上报 2 / 3' })
    expect(boardSummary({ children: [{ status: 'submitted' }, { status: 'draft' }] }).text).toBe('已上报 1 / 2')
    expect(boardSummary(null).text).toBe('已上报 0 / 0')
  })

  it('formats the differences by the snapshot’s indicators', () => {
    expect(figureText(BIRTHS, { num: 12, value: 12 })).toBe('12')
    expect(figureText(BIRTH_RATE, { num: 13, den: 2400, value: 5.42 })).toBe('5.42‰（13 ÷ 2,400）')
    expect(figureText(BIRTHS, null)).toBe('—')
    const rows = differenceRows([
      { indicator: 'births', name: '出生人数', division: '', filed: { num: 12, value: 12 }, now: { num: 13, value: 13 } },
      { indicator: 'birth_rate', name: '出生率', division: GROUP, filed: { num: 3, den: 600, value: 5 }, now: { num: 4, den: 600, value: 6.67 } },
      { indicator: 'births', name: '出生人数', division: '341523100201009', filed: { num: 0, value: 0 }, now: { num: 1, value: 1 } },
    ], SNAPSHOT)
    expect(rows.map((r) => [r.name, r.divisionName, r.filed, r.now])).toEqual([
      ['出生人数', '合计', '12', '13'],
      ['出生率', '第一村民小组', '5.00‰（3 ÷ 600）', '6.67‰（4 ÷ 600）'],
      ['出生人数', '341523100201009', '0', '1'],
    ])
  })

  it('builds the PDF addresses', () => {
    expect(filingPdfUrl(7)).toBe('/api/v1/stats/filings/7/pdf')
    expect(reportPdfUrl({ division: TOWN, period: '2026-Q1' })).toBe(`/api/v1/stats/report/pdf?division=${TOWN}&period=2026-Q1`)
    expect(reportPdfUrl({ period: '2026' })).toBe('/api/v1/stats/report/pdf?period=2026')
  })
})

// ---- the board

describe('FilingBoard', () => {
  it('shows the own line and each child with its status, due date and 逾期, for last month by default', async () => {
    setMe(TOWN_ME)
    const warnings = watchWarnings()
    const api = mockApi({ 'GET /api/v1/stats/board': () => [200, board()], ...noDivisions() })
    const { w } = await mountAt('/stats/filings')
    expect(urls(api, '/api/v1/stats/board')[0]).toBe(`/api/v1/stats/board?period=${lastMonthCode(chinaToday())}`)

    expect(w.find('[data-test="board-title"]').text()).toBe('2026年10月报表上报情况')
    const own = w.find('[data-test="board-own"]')
    expect(own.text()).toContain('城关镇')
    expect(own.find('[data-test="board-own-status"]').text()).toBe('未生成')
    expect(own.text()).toContain('截止 2026-11-05')
    expect(own.find('[data-test="board-generate"]').text()).toBe('生成本期报表')

    expect(w.find('[data-test="board-summary"]').text().replace(/\s+/g, '')).toBe('已上报2/3')
    const rows = w.findAll('[data-test="board-table"] tbody tr')
    expect(rows).toHaveLength(3)
    const cells = (r) => r.findAll('td').map((td) => td.text().replace(/\s+/g, ' ').trim())
    expect(cells(rows[0]).slice(0, 4)).toEqual(['东苑村', '已上报', '2026-11-05', '2026-11-04 10:00'])
    expect(rows[0].find('[data-test="line-status"]').classes()).toContain('el-tag--warning')
    expect(rows[0].find('[data-test="line-late"]').exists()).toBe(false)
    expect(rows[0].find('[data-test="line-open"]').attributes('href')).toBe('/stats/filings/7')
    expect(cells(rows[1]).slice(0, 4)).toEqual(['西苑村', '未生成逾期', '2026-11-05', '—'])
    expect(rows[1].find('[data-test="line-open"]').exists()).toBe(false) // nothing generated yet
    expect(rows[2].find('[data-test="line-late"]').text()).toBe('逾期')
    expect(rows[2].find('[data-test="line-status"]').classes()).toContain('el-tag--success')
    expect(rows.some((r) => r.find('[data-test="line-below"]').exists())).toBe(false) // villages file nothing below
    expect(warnings()).toEqual([])
    w.unmount()
  })

  it('lists the reports waiting for the user to accept, whatever their period', async () => {
    setMe(TOWN_ME)
    mockApi({
      'GET /api/v1/stats/board': () => [200, board()],
      'GET /api/v1/stats/filings/waiting': () => [200, { items: [{ id: 9, division_name: '东苑村', period_label: '2026年9月',
        due_on: '2026-10-05', late: true, status: 'submitted' }], total: 1 }],
      ...noDivisions(),
    })
    const { w } = await mountAt('/stats/filings')
    const panel = w.find('[data-test="board-waiting"]')
    expect(panel.text()).toContain('待我接收（1）')
    expect(panel.text()).toContain('东苑村 2026年9月报表')
    expect(panel.text()).toContain('逾期')
    expect(panel.find('a').attributes('href')).toBe('/stats/filings/9')
    w.unmount()
  })

  it('lists the children as compact cards on a phone, and only those still to file when asked', async () => {
    setMe(TOWN_ME)
    const warnings = watchWarnings()
    isPhone.value = true
    try {
      mockApi({ 'GET /api/v1/stats/board': () => [200, board()], ...noDivisions() })
      const { w } = await mountAt('/stats/filings?period=2026-10')
      expect(w.find('[data-test="board-table"]').exists()).toBe(false)
      const cards = () => w.findAll('[data-test="board-cards"] > li')
      expect(cards().map((c) => c.attributes('data-test'))).toEqual([
        `board-line-${VILLAGE}`, `board-line-${VILLAGE_B}`, 'board-line-341523100203',
      ])
      const first = cards()[0]
      expect(first.find('[data-test="line-open"]').attributes('href')).toBe('/stats/filings/7')
      expect(first.text()).toContain('上报于 2026-11-04 10:00')
      expect(first.find('[data-test="line-status"]').text()).toBe('已上报')
      expect(cards()[1].find('[data-test="line-late"]').text()).toBe('逾期')
      expect(cards()[1].find('[data-test="line-open"]').exists()).toBe(false)
      expect(w.find('.children-head').text()).toContain('截止 2026-11-05')

      await w.find('[data-test="board-pending"] input').setValue(true)
      await settle()
      expect(cards().map((c) => c.attributes('data-test'))).toEqual([`board-line-${VILLAGE_B}`])
      expect(w.find('[data-test="board-summary"]').text().replace(/\s+/g, '')).toBe('已上报2/3')
      expect(warnings()).toEqual([])
      w.unmount()
    } finally {
      isPhone.value = false
    }
  })

  it('keeps the period and division in the URL and opens a township’s own board from the county', async () => {
    setMe(FILING_COUNTY_ME)
    const townLine = { division: TOWN, name: '城关镇', id: 11, status: 'draft', status_name: '已生成', due_on: '2026-11-05', late: false }
    const api = mockApi({
      'GET /api/v1/stats/board': (_, url) => [200, url.includes(`division=${TOWN}`)
        ? board({ own: townLine })
        : board({ own: { division: COUNTY, name: '舒城县', status: '', status_name: '未生成', due_on: '2026-11-05', late: false }, children: [townLine], filed: 0 })],
      ...noDivisions(),
    })
    const { w, router } = await mountAt('/stats/filings?period=2026-10')
    expect(w.find('[data-test="board-generate"]').exists()).toBe(true) // the county's own report
    await w.find('[data-test="line-below"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.query).toEqual({ period: '2026-10', division: TOWN })
    expect(urls(api, '/api/v1/stats/board').at(-1)).toBe(`/api/v1/stats/board?division=${TOWN}&period=2026-10`)
    // Another division's report is not the county's to generate.
    expect(w.find('[data-test="board-own"]').text()).toContain('城关镇')
    expect(w.find('[data-test="board-generate"]').exists()).toBe(false)
    expect(w.find('[data-test="board-own-open"]').attributes('href')).toBe('/stats/filings/11')

    await w.findComponent('[data-test="period-number"]').vm.$emit('update:modelValue', 9)
    await settle()
    expect(router.currentRoute.value.query).toEqual({ period: '2026-09', division: TOWN })
    w.unmount()
  })

  it('generates the own report with POST and opens it', async () => {
    setMe(TOWN_ME)
    const api = mockApi({
      'GET /api/v1/stats/board': () => [200, board()],
      'POST /api/v1/stats/filings': (body) => [200, { ...filing({ id: 12, division: TOWN, division_name: '城关镇' }), period: body.period }],
      ...noDivisions(),
    })
    const { w, router } = await mountAt('/stats/filings?period=2026-10')
    await w.find('[data-test="board-generate"]').trigger('click')
    await settle()
    expect(posts(api, '/api/v1/stats/filings')).toEqual([{ period: '2026-10' }])
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/stats/filings/12'))
    w.unmount()
  })

  it('asks before generating a draft again, and shows the server’s word on a period not ended', async () => {
    setMe(TOWN_ME)
    const confirmBox = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    const api = mockApi({
      'GET /api/v1/stats/board': () => [200, board({
        period: { code: '2026-11', kind: 'month', from: '2026-11-01', to: '2026-11-30', label: '2026年11月' },
        own: { division: TOWN, name: '城关镇', id: 12, status: 'draft', status_name: '已生成', due_on: '2026-12-05', late: false },
      })],
      'POST /api/v1/stats/filings': () => [400, { error: { code: 'invalid', field: 'period', message: '报告期尚未结束（截至 2026-11-30），结束后才能生成报表' } }],
      ...noDivisions(),
    })
    const { w, router } = await mountAt('/stats/filings?period=2026-11')
    expect(w.find('[data-test="board-generate"]').text()).toBe('重新生成本期报表')
    await w.find('[data-test="board-generate"]').trigger('click')
    await settle()
    expect(confirmBox).toHaveBeenCalledTimes(1)
    expect(posts(api, '/api/v1/stats/filings')).toEqual([{ period: '2026-11' }])
    expect(w.find('[data-test="board-generate-error"]').text()).toContain('报告期尚未结束（截至 2026-11-30）')
    expect(router.currentRoute.value.name).toBe('stats-filings')
    w.unmount()
  })

  it('offers no generating to a reader, nor once the report is submitted', async () => {
    setMe(VIEWER_ME)
    mockApi({ 'GET /api/v1/stats/board': () => [200, board()], ...noDivisions() })
    let { w } = await mountAt('/stats/filings?period=2026-10')
    expect(w.find('[data-test="board-own"]').exists()).toBe(true)
    expect(w.find('[data-test="board-generate"]').exists()).toBe(false)
    w.unmount()

    setMe(TOWN_ME)
    mockApi({
      'GET /api/v1/stats/board': () => [200, board({ own: { division: TOWN, name: '城关镇', id: 12, status: 'submitted', status_name: '已上报', due_on: '2026-11-05', late: false, submitted_at: '2026-11-04T02:00:00Z' } })],
      ...noDivisions(),
    })
    ;({ w } = await mountAt('/stats/filings?period=2026-10'))
    expect(w.find('[data-test="board-generate"]').exists()).toBe(false)
    expect(w.find('[data-test="board-own"]').text()).toContain('上报于 2026-11-04 10:00')
    w.unmount()
  })
})

// ---- one filing

describe('FilingDetail', () => {
  let current
  let acts
  let answer409
  let diffItems

  beforeEach(() => {
    current = filing()
    acts = []
    answer409 = false
    diffItems = []
  })

  const NEXT = { review: 'reviewed', submit: 'submitted', return: 'returned', accept: 'accepted' }
  const NAMES = { reviewed: '已审核', submitted: '已上报', returned: '已退回', accepted: '已接收' }
  function install() {
    return mockApi({
      'GET /api/v1/stats/filings/7': () => [200, current],
      'POST /api/v1/stats/filings/7/act': (body) => {
        acts.push(body)
        if (answer409) {
          current = { ...current, ...SUBMITTED, status: 'accepted', status_name: '已接收', version: 4 }
          return [409, { error: { code: 'conflict', message: '报表已被他人处理或重新生成，请刷新后重试' } }]
        }
        const status = NEXT[body.action]
        current = {
          ...current, status, status_name: NAMES[status], version: current.version + 1, remark: body.remark,
          steps: [...current.steps, { action: body.action, version: current.version + 1, remark: body.remark, by: 'x', at: '2026-11-04T02:00:00Z' }],
        }
        return [200, current]
      },
      'POST /api/v1/stats/filings': () => {
        current = { ...current, status: 'draft', status_name: '已生成', version: current.version + 1, generated_at: '2026-11-06T01:00:00Z' }
        return [200, current]
      },
      'GET /api/v1/stats/filings/7/differences': () => [200, { items: diffItems, total: diffItems.length }],
    })
  }
  const button = (w, name) => w.find(`[data-test="filing-${name}"]`)
  const shown = (w) => ['review', 'submit', 'accept', 'return', 'regenerate'].filter((a) => button(w, a).exists())

  it('shows the filing unit its status, steps and snapshot, and review then submit', async () => {
    setMe(VILLAGE_ME)
    const warnings = watchWarnings()
    const api = install()
    const { w } = await mountAt('/stats/filings/7')
    expect(w.find('[data-test="filing-title"]').text()).toBe('东苑村 2026年10月报表')
    expect(w.find('[data-test="filing-status"]').text()).toBe('已生成')
    expect(w.find('[data-test="filing-late"]').exists()).toBe(false)
    const info = w.find('[data-test="filing-info"]').text()
    expect(info).toContain('2026-11-05')
    expect(info).toContain('village · 2026-11-03 09:30')
    expect(info).toContain('第 1 版')
    expect(shown(w)).toEqual(['review', 'regenerate'])
    expect(button(w, 'pdf').attributes('href')).toBe('/api/v1/stats/filings/7/pdf')
    expect(w.findAll('[data-test="filing-step"]').map((s) => s.text().replace(/\s+/g, ' '))).toEqual(['生成 · village · 第 1 版'])

    // The snapshot: read only, no links to today's records.
    const snap = w.find('[data-test="filing-snapshot"]')
    expect(snap.text()).toContain('快照')
    expect(snap.find('[data-test="row-births"] [data-test="total"]').text()).toBe('12')
    expect(snap.find(`[data-test="row-births"] [data-test="child-${GROUP}"]`).text()).toBe('3')
    expect(snap.find('[data-test="row-birth_rate"] [data-test="total"]').text()).toContain('5.00‰')
    expect(snap.find('[data-test="parts-births"]').text()).toContain('男')
    expect(snap.findAll('a')).toHaveLength(0)

    await button(w, 'review').trigger('click')
    await settle()
    expect(acts).toEqual([{ action: 'review', remark: '', version: 1 }])
    expect(w.find('[data-test="filing-status"]').text()).toBe('已审核')
    expect(shown(w)).toEqual(['submit', 'regenerate'])

    await button(w, 'submit').trigger('click')
    await settle()
    expect(acts[1]).toEqual({ action: 'submit', remark: '', version: 2 })
    expect(w.find('[data-test="filing-status"]').text()).toBe('已上报')
    expect(shown(w)).toEqual([])
    expect(w.findAll('[data-test="filing-step"]').map((s) => s.text().split(' ')[0])).toEqual(['上报', '审核', '生成'])
    expect(urls(api, '/api/v1/stats/filings/7/differences')).toHaveLength(1) // compared once per snapshot
    expect(warnings()).toEqual([])
    w.unmount()
  })

  it('offers the level above accept and return, and asks before accepting', async () => {
    setMe(TOWN_ME)
    current = filing({ ...SUBMITTED, late: true })
    const confirmBox = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    install()
    const { w } = await mountAt('/stats/filings/7')
    expect(shown(w)).toEqual(['accept', 'return'])
    expect(w.find('[data-test="filing-late"]').text()).toBe('逾期')
    expect(w.find('[data-test="filing-info"]').text()).toContain('village · 2026-11-04 10:00')
    await button(w, 'accept').trigger('click')
    await settle()
    expect(confirmBox.mock.calls[0][0]).toContain('接收后报表锁定，不能修改')
    expect(acts).toEqual([{ action: 'accept', remark: '', version: 3 }])
    expect(w.find('[data-test="filing-status"]').text()).toBe('已接收')
    expect(shown(w)).toEqual([])
    expect(w.find('[data-test="filing-hint"]').text()).toContain('已锁定')
    w.unmount()
  })

  it('does not accept when the confirmation is cancelled', async () => {
    setMe(TOWN_ME)
    current = filing(SUBMITTED)
    vi.spyOn(ElMessageBox, 'confirm').mockRejectedValue('cancel')
    install()
    const { w } = await mountAt('/stats/filings/7')
    await button(w, 'accept').trigger('click')
    await settle()
    expect(acts).toEqual([])
    w.unmount()
  })

  it('offers the filing unit nothing on a submitted report, and the county two levels up nothing at all', async () => {
    setMe(VILLAGE_ME)
    current = filing(SUBMITTED)
    install()
    let { w } = await mountAt('/stats/filings/7')
    expect(shown(w)).toEqual([])
    expect(w.find('[data-test="filing-hint"]').text()).toContain('等待上一级接收')
    w.unmount()

    setMe(FILING_COUNTY_ME)
    ;({ w } = await mountAt('/stats/filings/7'))
    expect(shown(w)).toEqual([])
    expect(button(w, 'pdf').exists()).toBe(true)
    w.unmount()
  })

  it('does not return without a reason, then sends it with the version', async () => {
    setMe(TOWN_ME)
    current = filing(SUBMITTED)
    install()
    const { w } = await mountAt('/stats/filings/7')
    await button(w, 'return').trigger('click')
    await settle()
    const confirmReturn = () => document.querySelector('[data-test="filing-return-confirm"]')
    const remark = () => document.querySelector('textarea[data-test="filing-remark"]')
    expect(confirmReturn()).not.toBeNull()
    confirmReturn().click()
    await settle()
    expect(acts).toEqual([])
    expect(document.querySelector('[data-test="filing-remark-problem"]').textContent).toContain('请填写退回理由')
    remark().value = '  出生人数与村登记不符，请核实  '
    remark().dispatchEvent(new Event('input'))
    await settle()
    expect(document.querySelector('[data-test="filing-remark-problem"]')).toBeNull()
    confirmReturn().click()
    await settle()
    expect(acts).toEqual([{ action: 'return', remark: '出生人数与村登记不符，请核实', version: 3 }])
    expect(w.find('[data-test="filing-status"]').text()).toBe('已退回')
    expect(w.find('[data-test="filing-steps"]').text()).toContain('理由：出生人数与村登记不符，请核实')
    w.unmount()
  })

  it('shows the return reason to the filing unit, which generates the report again', async () => {
    setMe(VILLAGE_ME)
    current = filing({
      ...SUBMITTED, status: 'returned', status_name: '已退回', version: 4, remark: '出生人数与村登记不符',
      decided_at: '2026-11-05T01:00:00Z', decided_by: 'township',
      steps: [...SUBMITTED.steps, { action: 'return', version: 4, remark: '出生人数与村登记不符', by: 'township', at: '2026-11-05T01:00:00Z' }],
    })
    const confirmBox = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    const api = install()
    const { w } = await mountAt('/stats/filings/7')
    const alert = w.find('[data-test="filing-returned"]')
    expect(alert.text()).toContain('已被退回：出生人数与村登记不符')
    expect(alert.text()).toContain('township 于 2026-11-05 09:00 退回')
    expect(shown(w)).toEqual(['regenerate'])
    await button(w, 'regenerate').trigger('click')
    await settle()
    expect(confirmBox).toHaveBeenCalledTimes(1)
    expect(posts(api, '/api/v1/stats/filings')).toEqual([{ period: '2026-10' }])
    expect(w.find('[data-test="filing-status"]').text()).toBe('已生成')
    expect(w.find('[data-test="filing-last-return"]').text()).toContain('上次退回理由：出生人数与村登记不符')
    expect(shown(w)).toEqual(['review', 'regenerate'])
    // A new snapshot is compared again.
    expect(urls(api, '/api/v1/stats/filings/7/differences')).toHaveLength(2)
    w.unmount()
  })

  it('shows the server’s message and reads the filing again on 409', async () => {
    setMe(TOWN_ME)
    current = filing(SUBMITTED)
    answer409 = true
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    const api = install()
    const { w } = await mountAt('/stats/filings/7')
    const reads = () => urls(api, '/api/v1/stats/filings/7').filter((u) => u === '/api/v1/stats/filings/7').length
    expect(reads()).toBe(1)
    await button(w, 'accept').trigger('click')
    await settle()
    expect(acts).toEqual([{ action: 'accept', remark: '', version: 3 }])
    expect(reads()).toBe(2)
    expect(document.body.textContent).toContain('报表已被他人处理或重新生成，请刷新后重试')
    expect(w.find('[data-test="filing-status"]').text()).toBe('已接收')
    expect(shown(w)).toEqual([])
    w.unmount()
  })

  it('shows the server’s refusal of a wrong person without reading again', async () => {
    setMe(VILLAGE_ME)
    mockApi({
      'GET /api/v1/stats/filings/7': () => [200, current],
      'GET /api/v1/stats/filings/7/differences': () => [200, { items: [], total: 0 }],
      'POST /api/v1/stats/filings/7/act': () => [403, { error: { code: 'forbidden', message: '只有本级专干可以审核和上报本级报表' } }],
    })
    const { w } = await mountAt('/stats/filings/7')
    await button(w, 'review').trigger('click')
    await settle()
    expect(document.body.textContent).toContain('只有本级专干可以审核和上报本级报表')
    expect(w.find('[data-test="filing-status"]').text()).toBe('已生成')
    w.unmount()
  })

  it('says when the snapshot agrees with today’s records', async () => {
    setMe(TOWN_ME)
    current = filing(SUBMITTED)
    install()
    const { w } = await mountAt('/stats/filings/7')
    expect(w.find('[data-test="filing-diff-same"]').text()).toContain('与上报时一致')
    expect(w.find('[data-test="filing-diff-table"]').exists()).toBe(false)
    w.unmount()
  })

  it('lists the figures changed since: 指标, 区划, 上报值, 现值', async () => {
    setMe(TOWN_ME)
    current = filing(SUBMITTED)
    diffItems = [
      { indicator: 'births', name: '出生人数', division: '', filed: { num: 12, value: 12 }, now: { num: 13, value: 13 } },
      { indicator: 'birth_rate', name: '出生率', division: GROUP, filed: { num: 3, den: 600, value: 5 }, now: { num: 4, den: 600, value: 6.67 } },
    ]
    const api = install()
    const { w } = await mountAt('/stats/filings/7')
    const table = w.find('[data-test="filing-diff-table"]')
    expect(table.findAll('thead th').map((th) => th.text())).toEqual(['指标', '区划', '上报值', '现值'])
    const rows = table.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))
    expect(rows).toEqual([
      ['出生人数', '合计', '12', '13'],
      ['出生率', '第一村民小组', '5.00‰（3 ÷ 600）', '6.67‰（4 ÷ 600）'],
    ])
    expect(w.find('[data-test="filing-diff-count"]').text()).toContain('有 2 个数字与上报时不同')
    await w.find('[data-test="filing-diff-reload"]').trigger('click')
    await settle()
    expect(urls(api, '/api/v1/stats/filings/7/differences')).toHaveLength(2)
    w.unmount()
  })

  it('says when the filing is not in the user’s area', async () => {
    setMe(VILLAGE_ME)
    mockApi({ 'GET /api/v1/stats/filings/8': () => [404, { error: { code: 'not_found', message: '报表不存在' } }] })
    const { w } = await mountAt('/stats/filings/8')
    expect(w.find('[data-test="filing-error"]').text()).toContain('找不到该报表')
    expect(w.find('[data-test="filing-error"]').text()).toContain('报表不存在')
    w.unmount()
  })
})

describe('routes', () => {
  it('guards the filing pages by stats.read', async () => {
    const { router } = await import('../src/router.js')
    expect(router.resolve('/stats/filings').meta).toMatchObject({ perm: 'stats.read', title: '报表上报' })
    expect(router.resolve('/stats/filings/7')).toMatchObject({ name: 'stats-filing', meta: { perm: 'stats.read' } })
    expect(router.resolve('/stats/filings/x').name).toBe('not-found')
  })
})
