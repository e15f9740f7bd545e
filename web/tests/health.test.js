import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import WorkList from '../src/views/health/WorkList.vue'
import CaseDetail from '../src/views/health/CaseDetail.vue'
import HealthView from '../src/views/health/HealthView.vue'
import { clearHealthCatalog } from '../src/api/health.js'
import { setMe } from '../src/session.js'
import { clearDivisionCache } from '../src/views/division/divisions.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'
import {
  BUCKETS, TIMELINESS_LABELS, nextStages, emptyModel, validateModel, fieldsPayload, errorKey, formatValue, stepRows,
  lateText, contactBody, contactText, notReachedProblem, rescheduleProblem, makeRequestKey, createKeyring, luhnValid,
  cardProblem, normalizeCardNo, personQuery, chinaToday, defaultPeriod, formatPercent, figureTables,
  registrationSheet, takesPartner, isDate,
} from '../src/views/health/health.js'

// A slice of the server's declarations (internal/health/programs.go).
const CLOSED = {
  code: 'closed', name: '结案', closes: true, next: null, fields: [
    { name: 'reason', label: '结案原因', kind: 'choice', required: true, options: [{ code: 'completed', label: '服务完成' }, { code: 'moved', label: '迁出或失访' }] },
    { name: 'note', label: '备注', kind: 'text', required: false },
  ],
}
const PREPREG = {
  code: 'prepreg', name: '孕前优生健康检查', subject: 'couple', stages: [
    { code: 'enrolled', name: '登记（知情同意）', next: ['examined', 'closed'], fields: [{ name: 'partner_name', label: '丈夫姓名', kind: 'text' }, { name: 'note', label: '备注', kind: 'text' }] },
    { code: 'examined', name: '检查', next: ['assessed', 'closed'], fields: [
      { name: 'items', label: '已完成的检查项目', kind: 'choices', required: true, options: [{ code: 'education', label: '优生健康教育' }, { code: 'history', label: '病史询问' }] },
      { name: 'note', label: '备注', kind: 'text' }] },
    { code: 'assessed', name: '风险评估', next: ['counselled', 'closed'], fields: [
      { name: 'risk', label: '风险评估结果', kind: 'choice', required: true, options: [{ code: 'low', label: '低风险' }, { code: 'high', label: '高风险' }] }] },
    { code: 'early_followup', name: '早孕随访', next: ['early_followup', 'outcome_followup', 'closed'], fields: [
      { name: 'pregnant', label: '是否怀孕', kind: 'choice', required: true, options: [{ code: 'yes', label: '是' }, { code: 'no', label: '否' }] },
      { name: 'expected_date', label: '预产期', kind: 'date' }] },
    CLOSED,
  ],
  visits: [{ kind: 'early_pregnancy', name: '早孕随访', done_by: 'early_followup' }],
}
const BIRTH_REG = {
  code: 'birth_reg', name: '生育登记', subject: 'parent', stages: [
    { code: 'registered', name: '已登记', closes: true, fields: [
      { name: 'kind', label: '登记类型', kind: 'choice', required: true, options: [{ code: 'pregnancy', label: '怀孕登记' }, { code: 'birth', label: '出生登记' }] },
      { name: 'expected_date', label: '预产期', kind: 'date' },
      { name: 'birth_date', label: '出生日期', kind: 'date' },
      { name: 'address', label: '现居住地址', kind: 'text' }] },
  ],
  visits: [],
}
const POSTOP = {
  code: 'postop', name: '术后随访', subject: 'person',
  stages: [{ code: 'procedure', name: '手术登记', next: ['closed'], fields: [{ name: 'weight', label: '体重', kind: 'number' }] }, CLOSED],
  visits: [{ kind: 'week1', name: '术后1周随访' }],
}
const REASONS = [{ code: 'away', label: '外出不在家' }, { code: 'no_answer', label: '电话无人接听' }]
const CATALOG = { programs: [BIRTH_REG, PREPREG, POSTOP], not_reached_reasons: REASONS }

describe('labels', () => {
  it('names the buckets in tab order and every timeliness class', () => {
    expect(BUCKETS.map((b) => b.label)).toEqual(['逾期', '今天', '本周', '全部到期'])
    expect(TIMELINESS_LABELS).toEqual({ on_time: '按时', late: '延迟', missed: '未随访', pending: '待随访', lapsed: '不再需要' })
  })

  it.each([
    [{ bucket: 'overdue', days_late: 12 }, '逾期 12 天'],
    [{ bucket: 'overdue', days_late: 0 }, '逾期'],
    [{ bucket: 'today', days_late: 0 }, ''],
    [{ bucket: 'week', days_late: 3 }, ''],
    [null, ''],
  ])('lateText(%o) is %s', (item, want) => {
    expect(lateText(item)).toBe(want)
  })

  it('writes a contact attempt with its reason label and note', () => {
    expect(contactText({ date: '2026-11-02', method: 'not_reached', reason: 'away', note: '下周回' }, REASONS))
      .toBe('2026-11-02 未联系上（外出不在家）：下周回')
    expect(contactText({ date: '2026-11-03', method: 'phone' }, REASONS)).toBe('2026-11-03 电话随访')
  })

  it('knows which programs take a partner', () => {
    expect(takesPartner(PREPREG)).toBe(true)
    expect(takesPartner(BIRTH_REG)).toBe(true)
    expect(takesPartner(POSTOP)).toBe(false)
    expect(takesPartner(null)).toBe(false)
  })
})

describe('next stages', () => {
  it('offers the current stage’s next stages with 结案 last', () => {
    expect(nextStages(PREPREG, { stage: 'early_followup', status: 'open' }).map((s) => s.code))
      .toEqual(['early_followup', 'closed']) // outcome_followup is not in this slice of the declaration
    expect(nextStages(PREPREG, { stage: 'enrolled', status: 'open' }).map((s) => s.name)).toEqual(['检查', '结案'])
  })

  it('always offers 结案 while open, even from a stage with no next', () => {
    expect(nextStages(POSTOP, { stage: 'procedure', status: 'open' }).map((s) => s.code)).toEqual(['closed'])
  })

  it('offers nothing for a closed case or a program without a closing stage', () => {
    expect(nextStages(PREPREG, { stage: 'examined', status: 'closed' })).toEqual([])
    expect(nextStages(BIRTH_REG, { stage: 'registered', status: 'open' })).toEqual([])
    expect(nextStages(null, { stage: 'x', status: 'open' })).toEqual([])
  })
})

describe('generic stage forms', () => {
  const fields = [
    { name: 'kind', label: '登记类型', kind: 'choice', required: true, options: [{ code: 'pregnancy', label: '怀孕登记' }] },
    { name: 'items', label: '检查项目', kind: 'choices', required: true, options: [{ code: 'tct', label: 'TCT' }, { code: 'hpv', label: 'HPV' }] },
    { name: 'expected_date', label: '预产期', kind: 'date' },
    { name: 'birth_date', label: '出生日期', kind: 'date' },
    { name: 'weight', label: '体重', kind: 'number' },
    { name: 'note', label: '备注', kind: 'text' },
  ]
  const today = '2026-11-23'

  it('builds an empty model by kind', () => {
    expect(emptyModel(fields)).toEqual({ kind: '', items: [], expected_date: '', birth_date: '', weight: null, note: '' })
    expect(emptyModel(undefined)).toEqual({})
  })

  it('names every missing required value the way the server does', () => {
    expect(validateModel(fields, emptyModel(fields), today)).toEqual({
      kind: '请填写“登记类型”',
      items: '请至少选择一项“检查项目”',
    })
  })

  it.each([
    ['birth_date', '2026-11-24', '“出生日期”不能晚于今天'],
    ['birth_date', '2026-02-30', '“出生日期”应为有效日期（如 2026-03-01）'],
    ['expected_date', '2027-05-01', undefined],
    ['weight', -1, '“体重”应为不小于 0 的数字'],
    ['weight', 0, undefined],
    ['kind', 'approval', '请选择“登记类型”'],
    ['note', 'x'.repeat(501), '“备注”不能超过 500 个字'],
  ])('checks %s = %s', (name, value, want) => {
    const m = { ...emptyModel(fields), kind: 'pregnancy', items: ['tct'], [name]: value }
    expect(validateModel(fields, m, today)[name]).toBe(want)
  })

  it('sends declared values only: trimmed, without empties, choices once each', () => {
    const m = { kind: 'pregnancy', items: ['tct', 'hpv', 'tct'], expected_date: '', birth_date: '2026-01-02', weight: 0, note: '  好 ', stray: 'x' }
    expect(fieldsPayload(fields, m)).toEqual({ kind: 'pregnancy', items: ['tct', 'hpv'], birth_date: '2026-01-02', weight: 0, note: '好' })
  })

  it('maps a server error field to the model key', () => {
    expect(errorKey('fields.kind')).toBe('kind')
    expect(errorKey('person_id')).toBe('person_id')
    expect(errorKey(undefined)).toBe('')
  })

  it('formats values with option labels', () => {
    expect(formatValue(fields[0], 'pregnancy')).toBe('怀孕登记')
    expect(formatValue(fields[1], ['tct', 'hpv', 'xx'])).toBe('TCT、HPV、xx')
    expect(formatValue(fields[4], 3.5)).toBe('3.5')
    expect(formatValue(fields[5], '')).toBe('—')
  })

  it('reads a step in declaration order, keeping values the declaration does not know', () => {
    const step = { stage: 'assessed', fields: { extra: '旧数据', risk: 'high' } }
    expect(stepRows(PREPREG, step)).toEqual([
      { name: 'risk', label: '风险评估结果', value: '高风险' },
      { name: 'extra', label: 'extra', value: '旧数据' },
    ])
    expect(stepRows(PREPREG, { stage: 'reopened', fields: { reason: '补录' } })).toEqual([{ name: 'reason', label: '原因', value: '补录' }])
  })

  it('accepts real dates only', () => {
    expect(isDate('2024-02-29')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2026-1-2')).toBe(false)
  })
})

describe('visit outcomes', () => {
  it('sends the reason only when not reached, and the note when given', () => {
    expect(contactBody('phone', { reason: 'away', note: ' ' }, 'k1')).toEqual({ method: 'phone', request_key: 'k1' })
    expect(contactBody('not_reached', { reason: 'away', note: ' 外出 ' }, 'k2'))
      .toEqual({ method: 'not_reached', request_key: 'k2', reason: 'away', note: '外出' })
  })

  it('checks the not-reached sheet and the reschedule form', () => {
    expect(notReachedProblem({ reason: '' })).toBe('请选择未联系上的原因')
    expect(notReachedProblem({ reason: 'away', note: '' })).toBe('')
    expect(rescheduleProblem({ date: '', reason: 'x' }, '2026-11-23')).toBe('请选择新的随访日期')
    expect(rescheduleProblem({ date: '2026-11-22', reason: 'x' }, '2026-11-23')).toBe('新的随访日期不能早于今天')
    expect(rescheduleProblem({ date: '2026-11-23', reason: ' ' }, '2026-11-23')).toBe('请说明调整随访日期的原因')
    expect(rescheduleProblem({ date: '2026-11-30', reason: '外出' }, '2026-11-23')).toBe('')
  })
})

describe('request keys', () => {
  it('uses crypto.randomUUID when there is one, else random hex in UUID shape', () => {
    expect(makeRequestKey({ randomUUID: () => 'uuid-1' })).toBe('uuid-1')
    const a = makeRequestKey(null)
    const b = makeRequestKey({ randomUUID: () => { throw new Error('insecure context') } })
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(b).toMatch(/^[0-9a-f]{8}-/)
    expect(a).not.toBe(b)
    expect(a.length).toBeLessThanOrEqual(64)
  })

  it('repeats a key for the same purpose until it is done', () => {
    let n = 0
    const keys = createKeyring(() => `k${++n}`)
    expect(keys.get('7:phone')).toBe('k1')
    expect(keys.get('7:phone')).toBe('k1') // a retry after a failure
    expect(keys.get('7:home')).toBe('k2')
    keys.done('7:phone')
    expect(keys.get('7:phone')).toBe('k3')
  })
})

describe('service card numbers', () => {
  // 3415230000000014: county 341523, sequence 000000001, check digit 4.
  it.each([
    ['3415230000000014', true],
    ['3415230000000015', false],
    ['3415230000000041', false], // two neighbours swapped
    ['79927398713', true],
    ['123456789', false], // too short
    ['123456789012345678903', false], // too long
    ['34152300000000l4', false],
    ['', false],
  ])('luhnValid(%s) is %s', (no, want) => {
    expect(luhnValid(no)).toBe(want)
  })

  it('explains what is wrong with a typed number', () => {
    expect(cardProblem('')).toBe('请输入或扫描服务卡号')
    expect(cardProblem('3415 2300 0000 0014')).toBe('')
    expect(cardProblem('34152300a0000017')).toBe('卡号只含数字')
    expect(cardProblem('12345')).toBe('卡号应为 10 到 20 位数字')
    expect(cardProblem('3415230000000015')).toBe('卡号校验位不符，请核对卡面号码')
    expect(normalizeCardNo(' 3415-2300 0000 0014 ')).toBe('3415230000000014')
  })
})

describe('persons, dates and figures', () => {
  it('searches an ID number by id_number and anything else as a name prefix', () => {
    expect(personQuery('34152319900803470x')).toEqual({ id_number: '34152319900803470X' })
    expect(personQuery(' 张 ')).toEqual({ q: '张' })
    expect(personQuery('  ')).toBe(null)
  })

  it('takes today in China and defaults the figures to this year', () => {
    expect(chinaToday(new Date('2026-11-22T20:05:00Z'))).toBe('2026-11-23')
    expect(chinaToday(new Date('2026-11-22T15:59:00Z'))).toBe('2026-11-22')
    expect(defaultPeriod('2026-11-23')).toEqual({ from: '2026-01-01', to: '2026-12-31' })
  })

  it('lays out the figure tables with percentages and dashes', () => {
    expect(formatPercent(85.2)).toBe('85.20%')
    expect(formatPercent(null)).toBe('—')
    const t = figureTables({
      prepreg: { year: 2026, task: null, examined: 3, planning: 4, completion: null, coverage: 75 },
      follow_ups: { due: 10, on_time: 6, late: 1, missed: 1, pending: 2, lapsed: 0, on_time_rate: 75 },
      screening: { examined: 8, results: 4, positive: 1, further_exams: 1, diagnosed: 1, need_treatment: 1, treated: 0, closed: 3, positive_rate: 12.5, treatment_rate: 0, closure_rate: 75 },
      procedures: [{ type: 'iud_insertion', name: '放置宫内节育器', count: 4 }],
    })
    expect(t.prePreg[0]).toEqual({ label: '2026年度任务数', value: '未设置' })
    expect(t.prePreg.at(-1)).toEqual({ label: '目标人群覆盖率', value: '75.00%' })
    expect(t.followUps.at(-1)).toEqual({ label: '随访及时率', value: '75.00%' })
    expect(t.screening.map((r) => r.value)).toEqual(['8', '4', '1', '1', '1', '1', '0', '3', '12.50%', '0.00%', '75.00%'])
    expect(t.procedures).toEqual([{ label: '放置宫内节育器', value: '4' }])
    expect(figureTables(null)).toBe(null)
  })
})

describe('registration sheet', () => {
  const detail = {
    id: 5, program: 'birth_reg', name: '刘雨涵', id_number: '341523********0927', partner_name: '', village: '东苑社区居委会',
    reg_no: 'SY341523-2026-000017', opened_on: '2026-11-20', created_by: 'village',
    steps: [{ stage: 'registered', date: '2026-11-20', recorded_by: 'village', fields: { kind: 'pregnancy', expected_date: '2027-05-01', partner_name: '朱安', address: '8 栋' } }],
  }

  it('takes the registration step’s values', () => {
    expect(registrationSheet(detail, { county: '舒城县', township: '城关镇' })).toMatchObject({
      regNo: 'SY341523-2026-000017', date: '2026-11-20', kindLabel: '怀孕登记', name: '刘雨涵', idNumber: '341523********0927',
      partner: '朱安', dateLabel: '预产期', dateValue: '2027-05-01', address: '8 栋', issuer: '舒城县 城关镇 东苑社区居委会',
      recordedBy: 'village',
    })
  })

  it('shows the birth date of a birth registration and a registered partner first', () => {
    const d = { ...detail, partner_name: '朱平', steps: [{ stage: 'registered', date: '2026-11-21', fields: { kind: 'birth', birth_date: '2026-11-01' } }] }
    expect(registrationSheet(d)).toMatchObject({ kindLabel: '出生登记', dateLabel: '出生日期', dateValue: '2026-11-01', partner: '朱平', issuer: '东苑社区居委会' })
    expect(registrationSheet({ ...d, place: '舒城县 城关镇 东苑社区居委会' }).issuer).toBe('舒城县 城关镇 东苑社区居委会')
  })
})

// ---- components

async function mountAt(path, name, routePath, component) {
  const router = testRouter([
    { path: '/health/cases/:id(\\d+)', name: 'health-case', component: { template: '<div />' } },
    { path: '/health/cases/:id(\\d+)/print', name: 'health-print', component: { template: '<div />' } },
    { path: '/health/card', name: 'health-card', component: { template: '<div />' } },
  ])
  if (router.hasRoute(name)) router.removeRoute(name)
  router.addRoute({ path: routePath, name, component })
  await router.push(path)
  await router.isReady()
  const wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, router }
}

// Element Plus shows a form item's error 100 ms after it is set.
async function settle() {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 120))
  await flushPromises()
}

const HEALTH_ME = { ...COUNTY_ME, permissions: [...COUNTY_ME.permissions, 'health.read', 'health.write'] }

function workItem(id, extra = {}) {
  return {
    visit_id: id, case_id: 100 + id, program: 'postop', program_name: '术后随访', kind: 'week1', kind_name: '术后1周随访',
    person_id: 200 + id, name: `人员${id}`, id_number: '341523********0927', phone: '158****3561', village: '东苑社区居委会',
    due_on: '2026-11-01', planned_on: '2026-11-01', bucket: 'overdue', days_late: 22, attempts: 0, version: 1, ...extra,
  }
}

describe('WorkList', () => {
  let items
  let posts
  let failNext

  beforeEach(() => {
    setMe(HEALTH_ME)
    clearHealthCatalog()
    clearDivisionCache()
    items = [workItem(1), workItem(2), workItem(3, { by_step: 'result', program: 'screening', program_name: '妇女病及两癌筛查', kind_name: '结果追踪' })]
    posts = []
    failNext = false
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  function install() {
    const api = mockApi({
      'GET /api/v1/health/programs': () => [200, CATALOG],
      'GET /api/v1/health/worklist': () => [200, {
        items, total: items.length, today: '2026-11-23',
        counts: { overdue: items.length, today: 0, week: 0, due: items.length },
      }],
      'POST /api/v1/health/visits/1/contacts': (body) => {
        posts.push(body)
        if (body.method === 'not_reached') {
          return [200, { id: 1, status: 'open', version: 1, contacts: [{ id: 9, method: 'not_reached', reason: body.reason }] }]
        }
        items = items.filter((x) => x.visit_id !== 1)
        return [200, { id: 1, status: 'done', version: 2, contacts: [{ id: 9, method: body.method }] }]
      },
    })
    // A network failure for the next POST, once.
    const real = api.getMockImplementation()
    api.mockImplementation(async (url, init = {}) => {
      if (failNext && init.method === 'POST') {
        failNext = false
        posts.push(JSON.parse(init.body))
        throw new TypeError('Failed to fetch')
      }
      return real(url, init)
    })
    return api
  }

  const card = (wrapper, id) => wrapper.find(`[data-test="work-item"][data-visit="${id}"]`)
  const count = (wrapper, b) => wrapper.find(`[data-test="bucket-count-${b}"]`).text()

  it('shows items with masked numbers, lateness and 去登记 for due steps', async () => {
    install()
    const { wrapper } = await mountAt('/worklist', 'worklist', '/worklist', WorkList)
    expect(wrapper.findAll('[data-test="work-item"]')).toHaveLength(3)
    const first = card(wrapper, 1)
    expect(first.text()).toContain('术后随访 · 术后1周随访')
    expect(first.text()).toContain('341523********0927')
    expect(first.text()).toContain('158****3561')
    expect(first.find('[data-test="work-late"]').text()).toBe('逾期 22 天')
    expect(first.find('[data-test="visit-phone"]').exists()).toBe(true)
    const step = card(wrapper, 3)
    expect(step.find('[data-test="visit-phone"]').exists()).toBe(false)
    expect(step.find('[data-test="visit-step"]').text()).toBe('去登记')
    expect(count(wrapper, 'overdue')).toBe('3')
    wrapper.unmount()
  })

  it('records a phone visit with one tap, removes the item and refreshes the counts', async () => {
    install()
    const { wrapper } = await mountAt('/worklist?bucket=overdue', 'worklist', '/worklist', WorkList)
    const btn = card(wrapper, 1).find('[data-test="visit-phone"]')
    await btn.trigger('click')
    await btn.trigger('click') // a double tap while sending is ignored
    await settle()
    expect(posts).toHaveLength(1)
    expect(posts[0].method).toBe('phone')
    expect(posts[0].request_key).toMatch(/\S{8,}/)
    expect(card(wrapper, 1).exists()).toBe(false)
    expect(wrapper.findAll('[data-test="work-item"]')).toHaveLength(2)
    expect(count(wrapper, 'overdue')).toBe('2')
    expect(document.body.textContent).toContain('已登记电话随访')
    wrapper.unmount()
  })

  it('repeats the same request key when a tap is retried after a network failure', async () => {
    install()
    const { wrapper } = await mountAt('/worklist', 'worklist', '/worklist', WorkList)
    failNext = true
    await card(wrapper, 1).find('[data-test="visit-home"]').trigger('click')
    await settle()
    expect(card(wrapper, 1).exists()).toBe(true) // still there after the failure
    expect(card(wrapper, 1).find('[data-test="visit-home"]').attributes('disabled')).toBeUndefined()
    await card(wrapper, 1).find('[data-test="visit-home"]').trigger('click')
    await settle()
    expect(posts).toHaveLength(2)
    expect(posts[1].request_key).toBe(posts[0].request_key)
    expect(card(wrapper, 1).exists()).toBe(false)
    wrapper.unmount()
  })

  it('asks for a reason when not reached and keeps the visit with one attempt more', async () => {
    install()
    const { wrapper } = await mountAt('/worklist', 'worklist', '/worklist', WorkList)
    await card(wrapper, 1).find('[data-test="visit-not-reached"]').trigger('click')
    await settle()
    const save = document.querySelector('[data-test="not-reached-save"]')
    save.click()
    await settle()
    expect(posts).toHaveLength(0)
    expect(document.body.textContent).toContain('请选择未联系上的原因')
    const radios = [...document.querySelectorAll('[data-test="not-reached-reason"] input[type="radio"]')]
    expect(radios).toHaveLength(2)
    radios[0].click()
    await settle()
    save.click()
    await settle()
    expect(posts).toEqual([{ method: 'not_reached', reason: 'away', request_key: expect.any(String) }])
    expect(card(wrapper, 1).exists()).toBe(true)
    expect(card(wrapper, 1).text()).toContain('已尝试 1 次')
    wrapper.unmount()
  })

  it("lists the officers of the visit's village and saves the choice with the version it read", async () => {
    items = [workItem(1, { division: '341523100001', assigned_to: 'villagea', version: 4 })]
    const api = install()
    const assigned = []
    const real = api.getMockImplementation()
    api.mockImplementation(async (url, init = {}) => {
      if (String(url).includes('/api/v1/health/officers')) {
        return new Response(JSON.stringify({ items: [{ username: 'villagea', display_name: '东苑专干', role: 'village', role_name: '村计生专干' }], total: 1 }),
          { status: 200, headers: { 'Content-Type': 'application/json' } })
      }
      if (String(url).includes('/assign')) {
        assigned.push(JSON.parse(init.body))
        return new Response(JSON.stringify({ id: 1, assigned_to: '', version: 5 }), { status: 200, headers: { 'Content-Type': 'application/json' } })
      }
      return real(url, init)
    })
    const { wrapper } = await mountAt('/worklist', 'worklist', '/worklist', WorkList)
    const btn = card(wrapper, 1).find('[data-test="visit-assign"]')
    expect(btn.text()).toBe('负责人 villagea')
    await btn.trigger('click')
    await settle()
    const officersCall = api.mock.calls.map((c) => String(c[0])).find((u) => u.includes('/api/v1/health/officers'))
    expect(officersCall).toContain('division=341523100001')
    expect(document.querySelector('[data-test="assign-dialog"]').textContent).toContain('东苑社区居委会')
    document.querySelector('[data-test="assign-save"]').click()
    await settle()
    expect(assigned).toEqual([{ username: 'villagea', version: 4 }])
    wrapper.unmount()
  })
})

describe('CaseDetail', () => {
  beforeEach(() => {
    setMe(HEALTH_ME)
    clearHealthCatalog()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  const CASE = {
    id: 7, program: 'prepreg', program_name: '孕前优生健康检查', person_id: 9, name: '刘雨涵', id_number: '341523********0927',
    division: '341523100001', village: '东苑社区居委会', stage: 'enrolled', stage_name: '登记（知情同意）', status: 'open',
    opened_on: '2026-03-01', version: 1, created_by: 'village',
    steps: [{ id: 1, stage: 'enrolled', stage_name: '登记（知情同意）', date: '2026-03-01', fields: { partner_name: '朱安' }, recorded_by: 'village', created_at: '2026-03-01T02:00:00Z' }],
    visits: [{ id: 3, kind: 'early_pregnancy', kind_name: '早孕随访', due_on: '2026-06-01', planned_on: '2026-06-01', status: 'open', timeliness: 'missed', contacts: [{ id: 1, date: '2026-06-02', method: 'not_reached', reason: 'away' }] }],
  }

  it('renders the steps with labels and records the next stage from the declaration', async () => {
    const bodies = []
    mockApi({
      'GET /api/v1/health/programs': () => [200, CATALOG],
      'GET /api/v1/health/cases/7': () => [200, CASE],
      'POST /api/v1/health/cases/7/steps': (body) => {
        bodies.push(body)
        return [200, { ...CASE, stage: 'examined', stage_name: '检查' }]
      },
    })
    const { wrapper } = await mountAt('/health/cases/7', 'health-case', '/health/cases/:id(\\d+)', CaseDetail)
    expect(wrapper.find('[data-test="case-steps"]').text()).toContain('丈夫姓名')
    expect(wrapper.find('[data-test="case-steps"]').text()).toContain('朱安')
    expect(wrapper.find('[data-test="case-visits"]').text()).toContain('未随访')
    expect(wrapper.find('[data-test="case-visits"]').text()).toContain('未联系上（外出不在家）')
    const stages = wrapper.findAll('[data-test="step-stage"] .el-radio-button').map((b) => b.text())
    expect(stages).toEqual(['检查', '结案'])
    // 检查 asks for its required check-box field.
    await wrapper.find('form.step-form').trigger('submit')
    await settle()
    expect(bodies).toHaveLength(0)
    expect(wrapper.find('[data-test="field-items"]').text()).toContain('请至少选择一项“已完成的检查项目”')
    await wrapper.find('[data-test="field-items"] input[type="checkbox"]').setValue(true)
    await wrapper.find('form.step-form').trigger('submit')
    await settle()
    expect(bodies).toEqual([{ stage: 'examined', date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), fields: { items: ['education'] }, request_key: expect.any(String) }])
    expect(wrapper.find('[data-test="case-stage"]').text()).toBe('检查')
    wrapper.unmount()
  })

  it('offers 重新打开 instead of the form when the case is closed', async () => {
    mockApi({
      'GET /api/v1/health/programs': () => [200, CATALOG],
      'GET /api/v1/health/cases/7': () => [200, { ...CASE, status: 'closed', stage: 'closed', stage_name: '结案', closed_on: '2026-07-01' }],
    })
    const { wrapper } = await mountAt('/health/cases/7', 'health-case', '/health/cases/:id(\\d+)', CaseDetail)
    expect(wrapper.find('[data-test="step-form"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="case-reopen"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows the server’s message when the case is not in the user’s area', async () => {
    mockApi({
      'GET /api/v1/health/programs': () => [200, CATALOG],
      'GET /api/v1/health/cases/7': () => [404, { error: { code: 'not_found', message: '服务个案不存在' } }],
    })
    const { wrapper } = await mountAt('/health/cases/7', 'health-case', '/health/cases/:id(\\d+)', CaseDetail)
    expect(wrapper.text()).toContain('找不到该个案')
    expect(wrapper.text()).toContain('服务个案不存在')
    wrapper.unmount()
  })
})

describe('HealthView', () => {
  beforeEach(() => {
    clearHealthCatalog()
    clearDivisionCache()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  const LIST = {
    items: [{ id: 7, program: 'prepreg', program_name: '孕前优生健康检查', person_id: 9, name: '刘雨涵', id_number: '341523********0927', village: '东苑社区居委会', stage: 'examined', stage_name: '检查', status: 'open', opened_on: '2026-03-01', next_due: '2026-06-01', version: 1 }],
    total: 1,
  }

  it('lists cases without health details and leaves 全部 out of the status filter', async () => {
    setMe({ ...HEALTH_ME, permissions: HEALTH_ME.permissions.filter((p) => p !== 'stats.read') })
    const api = mockApi({
      'GET /api/v1/health/programs': () => [200, CATALOG],
      'GET /api/v1/health/cases': () => [200, LIST],
    })
    const { wrapper } = await mountAt('/health?status=all', 'health', '/health', HealthView)
    const url = api.mock.calls.map(([u]) => String(u)).find((u) => u.startsWith('/api/v1/health/cases'))
    expect(url).not.toContain('status=')
    expect(wrapper.find('[data-test="case-table"]').text()).toContain('孕前优生健康检查')
    expect(wrapper.find('[data-test="case-table"]').text()).toContain('341523********0927')
    expect(wrapper.find('[data-test="health-tabs"]').exists()).toBe(false) // no stats.read: no 统计
    expect(wrapper.find('[data-test="health-card-link"]').attributes('href')).toBe('/health/card')
    wrapper.unmount()
  })

  it('shows the figures tab to users with stats.read, for this year by default', async () => {
    setMe(HEALTH_ME)
    const api = mockApi({
      'GET /api/v1/health/programs': () => [200, CATALOG],
      'GET /api/v1/health/cases': () => [200, LIST],
      'GET /api/v1/health/figures': () => [200, {
        from: '2026-01-01', to: '2026-12-31',
        prepreg: { year: 2026, task: 10, examined: 5, planning: 8, completion: 50, coverage: 62.5 },
        follow_ups: { due: 4, on_time: 3, late: 1, missed: 0, pending: 0, lapsed: 0, on_time_rate: 75 },
        screening: {}, procedures: [],
      }],
    })
    const { wrapper } = await mountAt('/health?tab=stats', 'health', '/health', HealthView)
    expect(wrapper.find('[data-test="health-tabs"]').text()).toContain('统计')
    const url = api.mock.calls.map(([u]) => String(u)).find((u) => u.startsWith('/api/v1/health/figures'))
    const year = chinaToday().slice(0, 4)
    expect(url).toContain(`from=${year}-01-01`)
    expect(url).toContain(`to=${year}-12-31`)
    expect(wrapper.find('[data-test="figures-prepreg"]').text()).toContain('50.00%')
    expect(wrapper.find('[data-test="figures-followups"]').text()).toContain('75.00%')
    wrapper.unmount()
  })
})
