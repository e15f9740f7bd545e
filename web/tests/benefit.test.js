import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import BenefitHome from '../src/views/benefit/BenefitHome.vue'
import CandidateDetail from '../src/views/benefit/CandidateDetail.vue'
import PublicPosting from '../src/views/benefit/PublicPosting.vue'
import Payroll from '../src/views/benefit/Payroll.vue'
import VerifyNotice from '../src/views/benefit/VerifyNotice.vue'
import { clearProgramCatalog } from '../src/api/benefit.js'
import { setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'
import {
  formatYuan, yuanText, yuanToFen, stageLabel, STAGE_OPTIONS, reasonValues, reasonLine, paramKind, formatParamValue,
  paramValueFromInput, paramFormProblems, settableKeys, periodProblem, periodLabel, attestProblems, attestValueLabel,
  accountProblems, reviewActions, reviewProblem, postingLevelOf, chinaToday, objectionBody, objectionProblems,
  settleProblems, subtypeLabel, scopeLevel, personQuery, applicationBody, applicationProblems, parentOptions, postingEnded,
  isDate, programForChild, payeeOptions, payeeProblems, nameQueryProblem,
} from '../src/views/benefit/benefit.js'

// ---- money

describe('yuan from fen', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [99, '0.99'],
    [100, '1.00'],
    [96000, '960.00'],
    [360000, '3,600.00'],
    [123456789, '1,234,567.89'],
    ['59000', '590.00'],
    [-150, '-1.50'],
    ['-0', '0.00'],
    // Beyond 2^53 a float would round; the digits are kept exactly.
    ['900719925474099317', '9,007,199,254,740,993.17'],
    [10n ** 20n + 1n, '1,000,000,000,000,000,000.01'],
    ['', ''],
    [null, ''],
    ['12.5', ''],
    ['abc', ''],
  ])('formatYuan(%s) = %s', (fen, want) => {
    expect(formatYuan(fen)).toBe(want)
  })

  it('adds the unit', () => {
    expect(yuanText(46000)).toBe('460.00 元')
    expect(yuanText(undefined)).toBe('')
  })

  it.each([
    ['960', '96000'],
    ['960.5', '96050'],
    ['960.05', '96005'],
    ['0.1', '10'],
    ['1,200.00', '120000'],
    [' 590 ', '59000'],
    ['0', '0'],
    ['0.29', '29'], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1.005', null],
    ['-1', null],
    ['', null],
    ['12元', null],
  ])('yuanToFen(%s) = %s', (text, want) => {
    expect(yuanToFen(text)).toBe(want)
  })
})

// ---- labels

describe('labels', () => {
  it('names every stage, terminal ones included, and passes unknown codes through', () => {
    expect(stageLabel('village_check')).toBe('村级核实')
    expect(stageLabel('county_posting')).toBe('县级公示')
    expect(stageLabel('payroll')).toBe('待发放')
    expect(stageLabel('rejected')).toBe('已驳回')
    expect(stageLabel('mystery')).toBe('mystery')
    expect(STAGE_OPTIONS.map((s) => s.value)).toEqual([
      'village_check', 'village_posting', 'township_review', 'county_approval', 'county_posting', 'payroll', 'rejected',
    ])
  })

  it('names 特扶 subtypes, combined ones too, and parameter layers by scope length', () => {
    expect(subtypeLabel('death+complication')).toBe('独生子女死亡、手术并发症')
    expect(subtypeLabel('')).toBe('')
    expect(['', '34', '3415', '341523'].map(scopeLevel)).toEqual(['national', 'province', 'city', 'county'])
  })

  it('knows which programs are about a child', () => {
    expect(programForChild('childcare')).toBe(true)
    expect(programForChild('jiangfu')).toBe(false)
    expect(programForChild('x', [{ code: 'x', subject: 'child' }])).toBe(true)
  })
})

// ---- reasons

describe('reason values', () => {
  it('shows the age against the rule, in a fixed order whatever the map order', () => {
    const r = { code: 'age', label: '年满规定年龄', passed: false, values: { date: '2026-11-22', min_age: '60', age: '59' } }
    expect(reasonValues(r)).toEqual(['年龄 59', '规定 60', '测算日期 2026-11-22'])
    expect(reasonLine(r)).toBe('✗ 年满规定年龄：年龄 59 / 规定 60 / 测算日期 2026-11-22')
  })

  it('translates codes, skips empty values and formats money', () => {
    expect(reasonValues({ values: { hukou_type: 'agricultural', allowed: 'agricultural,resident' } }))
      .toEqual(['户口性质 农业户口', '允许 农业户口、居民户口'])
    expect(reasonValues({ values: { death_date: '' } })).toEqual([])
    expect(reasonValues({ values: { attested: 'yes' } })).toEqual(['核实结果 是'])
    expect(reasonValues({ values: { key: 'annual_amount', value_fen: '96000' } })).toEqual(['参数 年发放标准', '标准 960.00 元'])
    expect(reasonValues({ values: { key: 'death_monthly', value_fen: '' } })).toEqual(['参数 独生子女死亡家庭月标准'])
    // The childcare rule already sends yuan under monthly_fen.
    expect(reasonValues({ values: { year: '2026', months: '5', monthly_fen: '300.00' } }))
      .toEqual(['年度 2026', '可补贴月数 5', '月标准 300.00 元'])
    expect(reasonValues({ values: { age: '-1', until_age: '3' } })).toEqual(['年龄 未知', '规定上限（不含） 3'])
    expect(reasonValues({ values: { state: 'death', novel: 'x' } })).toEqual(['子女状况 死亡', 'novel x'])
    expect(reasonLine({ label: '本人健在', passed: true, values: {} })).toBe('✓ 本人健在')
  })
})

// ---- parameters

describe('parameters', () => {
  it('classifies keys as the server checks them', () => {
    expect(['annual_amount', 'death_monthly', 'topup_annual', 'complication_1_monthly'].map(paramKind)).toEqual(Array(4).fill('amount'))
    expect(['min_age', 'max_age', 'until_child_age', 'min_woman_age'].map(paramKind)).toEqual(Array(4).fill('age'))
    expect(paramKind('objection_days')).toBe('days')
    expect(paramKind('min_birth')).toBe('date')
    expect(paramKind('hukou')).toBe('text')
  })

  it('shows values with units', () => {
    expect(formatParamValue('annual_amount', '96000')).toBe('960.00 元')
    expect(formatParamValue('min_age', '60')).toBe('60 周岁')
    expect(formatParamValue('objection_days', '7')).toBe('7 天')
    expect(formatParamValue('min_birth', '1933-01-01')).toBe('1933-01-01')
    expect(formatParamValue('hukou', 'agricultural')).toBe('农业户口')
    expect(formatParamValue('disability_levels', '1,2,3')).toBe('1、2、3 级')
    expect(formatParamValue('only_daughters', 'yes')).toBe('是')
  })

  it('turns typed yuan into fen and checks other kinds', () => {
    expect(paramValueFromInput('topup_annual', '240')).toEqual({ value: '24000' })
    expect(paramValueFromInput('topup_annual', '2.5元').problem).toContain('金额')
    expect(paramValueFromInput('min_age', '55')).toEqual({ value: '55' })
    expect(paramValueFromInput('min_age', '5.5').problem).toBe('年龄应为不小于 0 的整数')
    expect(paramValueFromInput('objection_days', '0').problem).toBe('天数应为正整数')
    expect(paramValueFromInput('start', '2025-02-30').problem).toContain('有效日期')
    expect(paramValueFromInput('hukou', ' agricultural ')).toEqual({ value: 'agricultural' })
  })

  it('requires program, key, date and basis', () => {
    expect(paramFormProblems({ program: '', key: '', from: '', value: '', basis: '' })).toEqual({
      program: '请选择项目', key: '请选择参数', from: '请填写生效日期', basis: '请填写依据（文件名称、文号）',
    })
    expect(paramFormProblems({ program: 'jiangfu', key: 'topup_annual', from: '2027-01-01', value: '240', basis: '县文件' })).toEqual({})
  })

  it('offers the keys in force plus both top-ups, once each', () => {
    const prog = { values: [{ key: 'annual_amount' }, { key: 'min_age' }, { key: 'topup_annual' }] }
    expect(settableKeys(prog)).toEqual(['annual_amount', 'min_age', 'topup_annual', 'topup_monthly'])
  })
})

// ---- periods, facts, accounts, objections

describe('payment periods', () => {
  it.each([
    ['2026', ''],
    ['2026-Q1', ''],
    ['2026-Q4', ''],
    ['2026-03', ''],
    ['2026-12', ''],
    [' 2026-01 ', ''],
    ['2026-Q5', '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'],
    ['2026-q1', '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'],
    ['2026-13', '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'],
    ['2026-3', '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'],
    ['26', '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'],
    ['', '发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）'],
  ])('periodProblem(%j)', (text, want) => {
    expect(periodProblem(text)).toBe(want)
  })

  it('names a period in words', () => {
    expect(periodLabel('2026')).toBe('2026 年度')
    expect(periodLabel('2026-Q2')).toBe('2026 年第 2 季度')
    expect(periodLabel('2026-03')).toBe('2026 年 3 月')
  })
})

describe('attested facts', () => {
  it('checks each key by its kind and asks for evidence', () => {
    expect(attestProblems({ key: 'policy_compliant', person_id: 5, value: 'yes', evidence: '核实表' })).toEqual({})
    expect(attestProblems({ key: 'policy_compliant', person_id: 5, value: 'maybe', evidence: '' }))
      .toEqual({ value: '请选择', evidence: '请填写核实依据（证件编号、文件号等）' })
    expect(attestProblems({ key: 'complication_level', person_id: 5, value: 'none', evidence: 'x' })).toEqual({})
    expect(attestProblems({ key: 'disability_level', person_id: null, value: '4', evidence: '残疾证' }))
      .toEqual({ person_id: '请选择子女' })
    expect(attestProblems({ key: 'disability_level', person_id: 8, value: '5', evidence: '残疾证' })).toEqual({ value: '请选择' })
    expect(attestProblems({ key: 'only_child_cert_date', person_id: 5, value: '1990-02-30', evidence: 'x' }))
      .toEqual({ value: '请填写发证日期' })
    expect(attestProblems({ key: 'only_child_cert_child', person_id: 5, value: '', evidence: 'x' })).toEqual({ value: '请选择子女' })
    expect(attestProblems({ key: 'nope' })).toEqual({ key: '请选择核实项目' })
  })

  it('shows attested values in words', () => {
    expect(attestValueLabel('complication_level', '2')).toBe('二级')
    expect(attestValueLabel('only_child_cert_child', '8', [{ id: 8, name: '李小明' }])).toBe('李小明')
    expect(attestValueLabel('only_child_cert_date', '1995-05-01')).toBe('1995-05-01')
  })
})

describe('accounts', () => {
  it('takes 8 to 32 digits with spaces or dashes, a bank and a name', () => {
    expect(accountProblems({ bank: '农商银行', account_name: '王芳', account_no: '6228 4800 1234 5678' })).toEqual({})
    expect(accountProblems({ bank: '', account_name: ' ', account_no: '1234-567' })).toEqual({
      account_no: '账号应为 8 到 32 位数字', bank: '请填写开户行（或“社保卡（一卡通）”）', account_name: '请填写户名',
    })
  })
})

describe('objections and postings', () => {
  it('drops the objector when anonymous and sends the entry only when chosen', () => {
    expect(objectionBody({ channel: 'phone', anonymous: true, objector: '张三', content: ' 不符合 ', candidate_id: 4 }))
      .toEqual({ channel: 'phone', anonymous: true, objector: '', content: '不符合', candidate_id: 4 })
    expect(objectionBody({ channel: 'visit', anonymous: false, objector: ' 李四 ', content: 'x', candidate_id: null }))
      .toEqual({ channel: 'visit', anonymous: false, objector: '李四', content: 'x' })
    expect(objectionProblems({ channel: 'fax', content: '' })).toEqual({ channel: '请选择来源', content: '请填写异议内容' })
  })

  it('needs the objection number, an outcome and a resolution to settle', () => {
    expect(settleProblems({ id: '', outcome: '', resolution: '' })).toEqual({
      id: '请填写登记异议时给出的异议编号', outcome: '请选择处理结果', resolution: '请填写处理意见',
    })
    expect(settleProblems({ id: '12', outcome: 'upheld', resolution: '核实属实' })).toEqual({})
  })

  it('lets a posting close only after its last day', () => {
    expect(postingEnded({ ends_on: '2026-11-28' }, '2026-11-28')).toBe(false)
    expect(postingEnded({ ends_on: '2026-11-28' }, '2026-11-29')).toBe(true)
  })

  it('posts at the village or the county, not the township', () => {
    expect(postingLevelOf({ role: 'village', division: { level: 5 } })).toBe('village')
    expect(postingLevelOf({ role: 'county', division: { level: 3 } })).toBe('county')
    expect(postingLevelOf({ role: 'township', division: { level: 4 } })).toBe('')
  })
})

describe('review rules', () => {
  const village = { role: 'village', division: { level: 5 } }
  const township = { role: 'township', division: { level: 4 } }
  it('offers the decider of the stage its actions only', () => {
    expect(reviewActions(village, { stage: 'village_check' })).toEqual(['approve', 'reject', 'recheck'])
    expect(reviewActions(township, { stage: 'township_review' })).toEqual(['approve', 'reject', 'return', 'recheck'])
    expect(reviewActions(village, { stage: 'village_posting' })).toEqual(['return', 'recheck'])
    expect(reviewActions(village, { stage: 'township_review' })).toEqual([])
    expect(reviewActions(township, { stage: 'payroll' })).toEqual([])
  })

  it('requires a reason to reject or return', () => {
    expect(reviewProblem('reject', ' ')).toBe('请填写驳回理由')
    expect(reviewProblem('return', '')).toBe('请填写退回理由')
    expect(reviewProblem('approve', '')).toBe('')
    expect(reviewProblem('reject', 'x'.repeat(501))).toBe('理由不能超过 500 个字')
  })
})

describe('applications and dates', () => {
  it('searches by full ID number or by name prefix', () => {
    expect(personQuery('34152319900307002x')).toEqual({ id_number: '34152319900307002X' })
    expect(personQuery(' 王 ')).toEqual({ q: '王' })
    expect(personQuery('')).toBeNull()
  })

  it('offers a child’s registered parents as applicants', () => {
    expect(parentOptions({ mother_id: 3, mother_name: '王芳', father_id: 4, father_name: '李强' }))
      .toEqual([{ id: 3, label: '王芳（母亲）' }, { id: 4, label: '李强（父亲）' }])
    expect(parentOptions({ mother_id: null })).toEqual([])
  })

  it('sends the applicant only for a child’s program and requires it there', () => {
    const f = { program: 'childcare', year: 2026, person_id: 9, applicant_id: 3, date: '', note: ' 材料齐全 ' }
    expect(applicationBody(f, true)).toEqual({ program: 'childcare', year: 2026, person_id: 9, applicant_id: 3, date: '', note: '材料齐全' })
    expect(applicationBody({ ...f, program: 'jiangfu' }, false)).not.toHaveProperty('applicant_id')
    expect(applicationProblems({ ...f, applicant_id: null }, true)).toEqual({ applicant_id: '请选择申请人（父母一方）' })
    expect(applicationProblems({ program: '', year: 1999, person_id: null }, false))
      .toEqual({ person_id: '请选择人员', program: '请选择项目', year: '年度应为 2004 年以后的四位年份' })
  })

  it('takes today in China and checks dates', () => {
    expect(chinaToday(new Date('2026-11-22T17:00:00Z'))).toBe('2026-11-23')
    expect(chinaToday(new Date('2026-11-22T15:59:00Z'))).toBe('2026-11-22')
    expect(isDate('2024-02-29')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
  })
})

describe('payee and name search', () => {
  const child = { id: 9, person_id: 301, name: '李乐', applicant_id: 201, payee_id: 201, payee_name: '王秀英' }
  const registry = { id: 301, mother_id: 201, mother_name: '王秀英', father_id: 202, father_name: '李军' }

  it('offers the person and, for a child, the registered parents, without the current payee', () => {
    expect(payeeOptions(child, registry, true)).toEqual([
      { id: 301, label: '李乐（本人）' }, { id: 202, label: '李军（父亲）' },
    ])
    expect(payeeOptions({ ...child, payee_id: 301, applicant_id: undefined }, { ...registry, adoptive_father_id: 203 }, true)
      .map((o) => o.label)).toEqual(['王秀英（母亲）', '李军（父亲）', '养父（养父）'])
    // A parent's own program is paid to the parent only; without the registry record only the person is offered.
    expect(payeeOptions(child, registry, false)).toEqual([{ id: 301, label: '李乐（本人）' }])
    expect(payeeOptions({ id: 1, person_id: 5, name: '张三', payee_id: 5 }, null, false)).toEqual([])
    expect(payeeOptions(null)).toEqual([])
  })

  it('needs a new payee and a reason', () => {
    expect(payeeProblems({ payee_id: null, reason: ' ' })).toEqual({ payee_id: '请选择新的领取人', reason: '请填写更换理由' })
    expect(payeeProblems({ payee_id: 202, reason: '父母协商' })).toEqual({})
    expect(payeeProblems({ payee_id: 202, reason: '理'.repeat(501) })).toEqual({ reason: '更换理由不能超过 500 个字' })
  })

  it('takes a name search of at most 20 characters', () => {
    expect(nameQueryProblem(' 李 ')).toBe('')
    expect(nameQueryProblem('')).toBe('')
    expect(nameQueryProblem('李'.repeat(20))).toBe('')
    expect(nameQueryProblem('李'.repeat(21))).toBe('姓名查询条件不能超过 20 个字')
  })
})

// ---- components

async function mountAt(path, name, routePath, component) {
  const stub = { template: '<div />' }
  const router = testRouter([
    { path: '/benefit', name: 'benefit', component: stub },
    { path: '/benefit/candidates/:id(\\d+)', name: 'benefit-candidate', component: stub },
    { path: '/benefit/programs', name: 'benefit-programs', component: stub },
    { path: '/benefit/postings', name: 'benefit-postings', component: stub },
    { path: '/benefit/postings/:id(\\d+)', name: 'benefit-posting', component: stub },
    { path: '/benefit/payroll', name: 'benefit-payroll', component: stub },
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

const VILLAGE_ME = {
  ...COUNTY_ME, username: 'village', role: 'village', role_name: '村级专干',
  division: { code: '341523100201', name: '东苑村', level: 5 },
  permissions: ['registry.read', 'benefit.read', 'benefit.write'],
}
const PROGRAMS = {
  items: [
    { code: 'jiangfu', name: '农村部分计划生育家庭奖励扶助', subject: 'person', basis: '试点方案', local: false, date: '2026-11-22', values: [] },
    { code: 'childcare', name: '育儿补贴', subject: 'child', basis: '实施方案', local: false, date: '2026-11-22', values: [] },
  ],
  total: 2,
}
function candidate(id, extra = {}) {
  return {
    id, program: 'jiangfu', program_name: '农村部分计划生育家庭奖励扶助', year: 2026, person_id: 100 + id, name: `对象${id}`,
    id_number: '341523********0927', village: '东苑村', source: 'sweep', stage: 'village_check', stage_name: '村级核实',
    decision_id: 50 + id, eligible: true, annual_fen: 96000, version: 3, ...extra,
  }
}
const dialogOf = () => document.querySelector('.el-dialog')
const confirmButton = () => document.querySelector('[data-test="review-confirm"]')
const reasonBox = () => document.querySelector('textarea[data-test="review-reason"]')

describe('BenefitHome review queue', () => {
  let queue
  let reviews
  let listCalls
  let answer409

  beforeEach(() => {
    setMe(VILLAGE_ME)
    clearProgramCatalog()
    queue = [candidate(1), candidate(2, { eligible: false, annual_fen: 0, failed: ['年满规定年龄', '1973至2001年间无政策外生育（经村级核实）'] })]
    reviews = []
    listCalls = []
    answer409 = false
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  function install() {
    return mockApi({
      'GET /api/v1/benefit/programs': () => [200, PROGRAMS],
      'GET /api/v1/benefit/candidates': (_, url) => {
        listCalls.push(url)
        return [200, { items: queue, total: queue.length }]
      },
      'POST /api/v1/benefit/candidates/1/review': (body) => {
        reviews.push(body)
        if (answer409) return [409, { error: { code: 'conflict', message: '该对象已被他人处理，请刷新后重试' } }]
        queue = queue.filter((c) => c.id !== 1)
        return [200, { ...candidate(1), stage: body.action === 'approve' ? 'village_posting' : 'rejected', version: 4 }]
      },
    })
  }
  const row = (wrapper, id) => {
    const link = wrapper.findAll('[data-test="candidate-link"]').find((a) => a.text() === `对象${id}`)
    return link.element.closest('tr')
  }
  const button = (wrapper, id, test) => row(wrapper, id).querySelector(`[data-test="${test}"]`)

  it('asks for the caller’s queue and shows eligibility, failed criteria and the amount', async () => {
    install()
    const { wrapper } = await mountAt('/benefit', 'benefit', '/benefit', BenefitHome)
    expect(listCalls[0]).toContain('mine=1')
    const text = wrapper.find('[data-test="candidate-table"]').text()
    expect(text).toContain('对象1')
    expect(text).toContain('341523********0927')
    expect(text).toContain('960.00')
    expect(text).toContain('✗ 年满规定年龄；1973至2001年间无政策外生育（经村级核实）')
    // An ineligible candidate cannot be approved; it can be rejected or rechecked.
    expect(button(wrapper, 2, 'review-approve').disabled).toBe(true)
    expect(button(wrapper, 2, 'review-recheck')).not.toBeNull()
    // The first stage cannot be returned.
    expect(button(wrapper, 1, 'review-return')).toBeNull()
    wrapper.unmount()
  })

  it('approves with the version it read and reloads the queue', async () => {
    install()
    const { wrapper } = await mountAt('/benefit', 'benefit', '/benefit', BenefitHome)
    const before = listCalls.length
    button(wrapper, 1, 'review-approve').click()
    await settle()
    expect(reviews).toEqual([{ action: 'approve', reason: '', version: 3 }])
    expect(listCalls.length).toBe(before + 1)
    expect(wrapper.findAll('[data-test="candidate-link"]').map((a) => a.text())).toEqual(['对象2'])
    wrapper.unmount()
  })

  it('does not reject without a reason, then sends the reason with the version', async () => {
    install()
    const { wrapper } = await mountAt('/benefit', 'benefit', '/benefit', BenefitHome)
    button(wrapper, 1, 'review-reject').click()
    await settle()
    expect(dialogOf()).not.toBeNull()
    confirmButton().click()
    await settle()
    expect(reviews).toHaveLength(0)
    expect(document.querySelector('[data-test="review-problem"]').textContent).toContain('请填写驳回理由')
    reasonBox().value = '已迁出本县'
    reasonBox().dispatchEvent(new Event('input'))
    await settle()
    confirmButton().click()
    await settle()
    expect(reviews).toEqual([{ action: 'reject', reason: '已迁出本县', version: 3 }])
    wrapper.unmount()
  })

  it('shows the server’s message and reloads on 409', async () => {
    install()
    answer409 = true
    const { wrapper } = await mountAt('/benefit', 'benefit', '/benefit', BenefitHome)
    const before = listCalls.length
    button(wrapper, 1, 'review-recheck').click()
    await settle()
    expect(reviews).toEqual([{ action: 'recheck', reason: '', version: 3 }])
    expect(listCalls.length).toBe(before + 1)
    expect(document.body.textContent).toContain('该对象已被他人处理，请刷新后重试')
    wrapper.unmount()
  })

  it('lists every candidate with a stage filter on the 全部对象 tab', async () => {
    install()
    const { wrapper } = await mountAt('/benefit?tab=all&stage=payroll&year=2026', 'benefit', '/benefit', BenefitHome)
    const last = listCalls[listCalls.length - 1]
    expect(last).not.toContain('mine=1')
    expect(last).toContain('stage=payroll')
    expect(last).toContain('year=2026')
    expect(wrapper.find('[data-test="filter-stage"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('searches the candidates by name and keeps the search in the URL', async () => {
    install()
    const { wrapper, router } = await mountAt('/benefit?tab=all&q=对象', 'benefit', '/benefit', BenefitHome)
    expect(decodeURIComponent(listCalls[listCalls.length - 1])).toContain('q=对象')
    expect(wrapper.find('input[data-test="filter-name"]').element.value).toBe('对象')
    await wrapper.find('input[data-test="filter-name"]').setValue(' 对象2 ')
    await wrapper.find('[data-test="name-search"]').trigger('submit')
    await settle()
    expect(router.currentRoute.value.query.q).toBe('对象2')
    const last = decodeURIComponent(listCalls[listCalls.length - 1])
    expect(last).toContain('q=对象2')
    expect(last).not.toContain('mine=1')
    // Clearing the box lists everyone again.
    await wrapper.find('input[data-test="filter-name"]').setValue('')
    await wrapper.find('[data-test="name-search"]').trigger('submit')
    await settle()
    expect(listCalls[listCalls.length - 1]).not.toContain('q=')
    wrapper.unmount()
  })
})

describe('CandidateDetail', () => {
  beforeEach(() => {
    setMe(VILLAGE_ME)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  const CAND = candidate(7, { eligible: false, annual_fen: 0, failed: ['年满规定年龄'] })
  const DECISION = {
    id: 88, program: 'jiangfu', person_id: 107, date: '2026-11-22', eligible: false, monthly_fen: 0, annual_fen: 0,
    reasons: [
      { code: 'age', label: '年满规定年龄', passed: false, values: { age: '59', date: '2026-11-22', min_age: '60' } },
      { code: 'alive', label: '本人健在', passed: true, values: { death_date: '' } },
    ],
    params: [{ key: 'min_age', scope: '', from: '2004-01-01', value: '60' }, { key: 'annual_amount', scope: '341523', from: '2026-01-01', value: '120000' }],
  }

  it('lists the failed criteria, and the full checklist only when 测算 is asked for', async () => {
    const evals = []
    mockApi({
      'GET /api/v1/benefit/candidates/7': () => [200, CAND],
      'GET /api/v1/persons/107': () => [200, { id: 107, name: '对象7', children: [{ id: 201, name: '李小明', birth_date: '1990-01-01' }] }],
      'POST /api/v1/benefit/evaluate': (body) => {
        evals.push(body)
        return [200, DECISION]
      },
    })
    const { wrapper } = await mountAt('/benefit/candidates/7', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
    expect(wrapper.find('[data-test="candidate-failed"]').text()).toContain('✗ 年满规定年龄')
    expect(evals).toHaveLength(0)
    await wrapper.find('[data-test="candidate-evaluate"]').trigger('click')
    await settle()
    expect(evals).toEqual([{ program: 'jiangfu', person_id: 107, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }])
    const reasons = wrapper.findAll('[data-test="decision-reason"]').map((r) =>
      ['.mark', '.label', '.values'].map((c) => (r.find(c).exists() ? r.find(c).text() : '')))
    expect(reasons).toEqual([['✗', '年满规定年龄', '年龄 59 / 规定 60 / 测算日期 2026-11-22'], ['✓', '本人健在', '']])
    const params = wrapper.find('[data-test="decision-params"]').text()
    expect(params).toContain('1,200.00 元')
    expect(params).toContain('县')
    wrapper.unmount()
  })

  it('keeps only the masked account number the server answers', async () => {
    const posts = []
    mockApi({
      'GET /api/v1/benefit/candidates/7': () => [200, CAND],
      'GET /api/v1/persons/107': () => [200, { id: 107, name: '对象7' }],
      'POST /api/v1/benefit/accounts': (body) => {
        posts.push(body)
        return [201, { ...body, account_no: '6228********5678' }]
      },
    })
    const { wrapper } = await mountAt('/benefit/candidates/7', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
    await wrapper.find('input[data-test="account-bank"]').setValue('舒城农商银行')
    await wrapper.find('input[data-test="account-name"]').setValue('对象7')
    await wrapper.find('input[data-test="account-no"]').setValue('6228 4800 1234 5678')
    await wrapper.find('[data-test="account-form"]').trigger('submit')
    await settle()
    expect(posts).toEqual([{ person_id: 107, bank: '舒城农商银行', account_name: '对象7', account_no: '6228480012345678' }])
    expect(wrapper.find('[data-test="account-saved"]').text()).toContain('6228********5678')
    expect(wrapper.find('input[data-test="account-no"]').element.value).toBe('')
    expect(wrapper.text()).not.toContain('6228480012345678')
    wrapper.unmount()
  })

  it('shows the facts on file and the payee’s masked account, read only', async () => {
    const reads = []
    mockApi({
      'GET /api/v1/benefit/candidates/7': () => [200, { ...CAND, payee_id: 107, payee_name: '对象7' }],
      'GET /api/v1/persons/107': () => [200, { id: 107, name: '对象7' }],
      'GET /api/v1/benefit/persons/107/facts': (_, url) => {
        reads.push(url)
        return [200, {
          person_id: 107, name: '对象7',
          facts: [{ id: 3, key: 'policy_compliant', label: '1973至2001年间无政策外生育', value: 'yes', value_label: '是', evidence: '核实表 17', attested_by: 'village', attested_at: '2026-11-20T02:00:00.000Z' }],
          history: [
            { id: 3, key: 'policy_compliant', label: '1973至2001年间无政策外生育', value: 'yes', value_label: '是', evidence: '核实表 17', attested_by: 'village', attested_at: '2026-11-20T02:00:00.000Z' },
            { id: 1, key: 'policy_compliant', label: '1973至2001年间无政策外生育', value: 'no', value_label: '否', evidence: '旧表', attested_by: 'village', attested_at: '2026-10-01T02:00:00.000Z' },
          ],
        }]
      },
      'GET /api/v1/benefit/persons/107/account': () => [200, {
        person_id: 107, bank: '舒城农商银行', account_name: '对象7', account_no: '6228********5678', set_by: 'village', set_at: '2026-11-21T02:00:00.000Z',
      }],
    })
    const { wrapper } = await mountAt('/benefit/candidates/7', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
    expect(reads).toHaveLength(1)
    const panel = wrapper.find('[data-test="onfile"]')
    expect(panel.find('[data-test="onfile-account"]').text()).toContain('舒城农商银行，户名 对象7，账号 6228********5678')
    const facts = () => wrapper.findAll('[data-test="onfile-fact"]').map((f) => f.text())
    expect(facts()).toHaveLength(1)
    expect(facts()[0]).toContain('1973至2001年间无政策外生育：是')
    expect(facts()[0]).toContain('依据 核实表 17')
    await wrapper.find('[data-test="onfile-history"]').trigger('click')
    expect(facts()).toHaveLength(2)
    expect(facts()[1]).toContain('否')
    // A parent's own program paid to the parent: there is no one to change to.
    expect(wrapper.find('[data-test="payee-change"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says when no account is on file', async () => {
    mockApi({
      'GET /api/v1/benefit/candidates/7': () => [200, CAND],
      'GET /api/v1/persons/107': () => [200, { id: 107, name: '对象7' }],
      'GET /api/v1/benefit/persons/107/facts': () => [200, { person_id: 107, name: '对象7', facts: [], history: [] }],
      'GET /api/v1/benefit/persons/107/account': () => [404, { error: { code: 'not_found', message: '该人员尚未登记发放账户' } }],
    })
    const { wrapper } = await mountAt('/benefit/candidates/7', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
    expect(wrapper.find('[data-test="onfile-account"]').text()).toContain('未登记')
    expect(wrapper.find('[data-test="onfile-facts-empty"]').exists()).toBe(true)
    wrapper.unmount()
  })

  describe('更换领取人', () => {
    const BABY = candidate(9, {
      program: 'childcare', program_name: '育儿补贴', person_id: 301, name: '李乐', applicant_id: 201, payee_id: 201,
      payee_name: '王秀英', version: 4,
    })
    let changes
    let accountReads
    let answer409
    function install() {
      changes = []
      accountReads = []
      answer409 = false
      return mockApi({
        'GET /api/v1/benefit/candidates/9': () => [200, BABY],
        'GET /api/v1/persons/301': () => [200, { id: 301, name: '李乐', mother_id: 201, mother_name: '王秀英', father_id: 202, father_name: '李军' }],
        'GET /api/v1/persons/201': () => [200, { id: 201, name: '王秀英' }],
        'GET /api/v1/benefit/persons/301/facts': () => [200, { person_id: 301, name: '李乐', facts: [], history: [] }],
        'GET /api/v1/benefit/persons/201/account': (_, url) => {
          accountReads.push(url)
          return [200, { person_id: 201, bank: '舒城农商银行', account_name: '王秀英', account_no: '6217********2222', set_by: 'village', set_at: '' }]
        },
        'GET /api/v1/benefit/persons/202/account': (_, url) => {
          accountReads.push(url)
          return [404, { error: { code: 'not_found', message: '该人员尚未登记发放账户' } }]
        },
        'POST /api/v1/benefit/candidates/9/payee': (body) => {
          changes.push(body)
          if (answer409) return [409, { error: { code: 'conflict', message: '该对象已被他人处理，请刷新后重试' } }]
          if (body.payee_id === 301) return [400, { error: { code: 'invalid', field: 'payee_id', message: '李乐已死亡，不能作为领取人' } }]
          return [200, {
            ...BABY, applicant_id: 202, payee_id: 202, payee_name: '李军', version: 5, lines_kept: 2,
            warnings: ['已生成的 2 笔发放记录仍按原领取人和原账户发放；自下一个发放批次起发给新领取人', '新领取人尚未登记发放账户'],
          }]
        },
      })
    }
    const dialog = () => [...document.querySelectorAll('.el-dialog')].find((d) => d.textContent.includes('更换领取人'))
    async function choose(label) {
      dialog().querySelector('.el-select__wrapper').dispatchEvent(new MouseEvent('click', { bubbles: true }))
      await flushPromises()
      const item = [...document.querySelectorAll('.el-select-dropdown__item')].find((o) => o.textContent.trim() === label)
      item.click()
      await flushPromises()
    }
    async function typeReason(text) {
      const box = dialog().querySelector('textarea[data-test="payee-reason"]')
      box.value = text
      box.dispatchEvent(new Event('input'))
      await flushPromises()
    }

    it('offers the child and the father, asks for a reason, and sends the version it read', async () => {
      install()
      const { wrapper } = await mountAt('/benefit/candidates/9', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
      expect(wrapper.find('[data-test="payee-name"]').text()).toBe('王秀英')
      expect(wrapper.find('[data-test="onfile-account"]').text()).toContain('6217********2222')
      await wrapper.find('[data-test="payee-change"]').trigger('click')
      await settle()
      dialog().querySelector('.el-select__wrapper').dispatchEvent(new MouseEvent('click', { bubbles: true }))
      await flushPromises()
      const dropdown = [...document.querySelectorAll('.el-select-dropdown')].find((d) => d.textContent.includes('（本人）'))
      const offered = [...dropdown.querySelectorAll('.el-select-dropdown__item')].map((o) => o.textContent.trim())
      expect(offered).toEqual(['李乐（本人）', '李军（父亲）'])
      await choose('李军（父亲）')
      document.querySelector('[data-test="payee-confirm"]').click()
      await settle()
      expect(changes).toHaveLength(0)
      expect(dialog().textContent).toContain('请填写更换理由')
      await typeReason(' 父母协商由父亲领取 ')
      document.querySelector('[data-test="payee-confirm"]').click()
      await settle()
      expect(changes).toEqual([{ payee_id: 202, reason: '父母协商由父亲领取', version: 4 }])
      expect(wrapper.find('[data-test="payee-name"]').text()).toBe('李军')
      expect(wrapper.findAll('[data-test="payee-note"]').map((n) => n.text()).join()).toContain('已生成的 2 笔发放记录')
      // The account shown follows the payee.
      expect(accountReads[accountReads.length - 1]).toContain('/persons/202/account')
      expect(wrapper.find('[data-test="onfile-account"]').text()).toContain('未登记')
      wrapper.unmount()
    })

    it('shows the server’s refusal by the field, and reloads on 409', async () => {
      install()
      const { wrapper } = await mountAt('/benefit/candidates/9', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
      await wrapper.find('[data-test="payee-change"]').trigger('click')
      await settle()
      await choose('李乐（本人）')
      await typeReason('由本人账户领取')
      document.querySelector('[data-test="payee-confirm"]').click()
      await settle()
      expect(dialog().textContent).toContain('李乐已死亡，不能作为领取人')
      answer409 = true
      await choose('李军（父亲）')
      document.querySelector('[data-test="payee-confirm"]').click()
      await settle()
      expect(changes.map((c) => c.payee_id)).toEqual([301, 202])
      expect(document.body.textContent).toContain('该对象已被他人处理，请刷新后重试')
      expect(wrapper.find('[data-test="payee-name"]').text()).toBe('王秀英')
      wrapper.unmount()
    })

    it('is not offered to readers or for a rejected candidate', async () => {
      install()
      setMe({ ...VILLAGE_ME, permissions: ['benefit.read'] })
      let { wrapper } = await mountAt('/benefit/candidates/9', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail)
      expect(wrapper.find('[data-test="onfile"]').exists()).toBe(true)
      expect(wrapper.find('[data-test="payee-change"]').exists()).toBe(false)
      wrapper.unmount()
      setMe(VILLAGE_ME)
      mockApi({ 'GET /api/v1/benefit/candidates/9': () => [200, { ...BABY, stage: 'rejected', stage_name: '已驳回' }] })
      ;({ wrapper } = await mountAt('/benefit/candidates/9', 'benefit-candidate', '/benefit/candidates/:id(\\d+)', CandidateDetail))
      expect(wrapper.find('[data-test="payee-change"]').exists()).toBe(false)
      wrapper.unmount()
    })
  })
})

describe('PublicPosting', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('shows the masked list as a poster without a session', async () => {
    const api = mockApi({
      'GET /api/v1/public/postings/abc234': () => [200, {
        id: 0, program: 'tefu', program_name: '计划生育家庭特别扶助', year: 2026, level: 'village', division: '341523100201',
        place: '东苑村', list_version: 1, starts_on: '2026-11-22', ends_on: '2026-11-28', status: 'open', public_code: '',
        open_objections: 0,
        entries: [
          { seq: 1, name: '张*国', id_number: '341523********0318', village: '东苑村', subtype: 'death', annual_fen: 708000 },
          { seq: 2, name: '李*', id_number: '341523********0927', village: '东苑村', annual_fen: 552000 },
        ],
      }],
    })
    const { wrapper } = await mountAt('/public/postings/abc234', 'public-posting', '/public/postings/:code', PublicPosting)
    expect(wrapper.find('[data-test="public-title"]').text()).toBe('计划生育家庭特别扶助公示')
    expect(wrapper.find('[data-test="public-place"]').text()).toBe('东苑村')
    expect(wrapper.find('[data-test="public-period"]').text()).toBe('2026-11-22 至 2026-11-28')
    const list = wrapper.find('[data-test="public-list"]').text()
    expect(list).toContain('张*国')
    expect(list).toContain('7,080.00')
    expect(list).toContain('独生子女死亡')
    expect(list).toContain('12,600.00')
    expect(wrapper.find('[data-test="public-notice"]').text()).toBe('如有异议，请在公示期内向村（居）委会或乡镇反映。')
    expect(wrapper.find('[data-test="public-print"]').element.closest('.no-print')).not.toBeNull()
    expect(api.mock.calls.map(([url]) => String(url))).toEqual(['/api/v1/public/postings/abc234'])
    wrapper.unmount()
  })

  it('says so when the code is unknown', async () => {
    mockApi({})
    const { wrapper } = await mountAt('/public/postings/nosuch', 'public-posting', '/public/postings/:code', PublicPosting)
    expect(wrapper.find('[data-test="public-error"]').text()).toContain('公示不存在或已撤下')
    wrapper.unmount()
  })
})

describe('Payroll', () => {
  beforeEach(() => setMe({ ...COUNTY_ME, permissions: ['benefit.read', 'benefit.write'] }))
  afterEach(() => {
    vi.unstubAllGlobals()
    setMe(null)
    document.body.innerHTML = ''
  })

  it('checks the period before sending and says when the batch already existed', async () => {
    const posts = []
    mockApi({
      'GET /api/v1/benefit/programs': () => [200, PROGRAMS],
      'POST /api/v1/benefit/cycles': (body) => {
        posts.push(body)
        return [200, {
          id: 5, program: 'jiangfu', period: body.period, from: '2026-01-01', to: '2026-03-31', division: '341523', status: 'generated',
          line_count: 2, total_fen: 48000, created: false, flags: [{ candidate_id: 9, person_id: 19, name: '王五', reason: '缺少发放账户' }],
        }]
      },
    })
    const { wrapper } = await mountAt('/benefit/payroll', 'benefit-payroll', '/benefit/payroll', Payroll)
    const vm = wrapper.findComponent(Payroll)
    await vm.find('input[data-test="payroll-period"]').setValue('2026-Q5')
    await vm.find('form').trigger('submit')
    await settle()
    expect(posts).toHaveLength(0)
    expect(wrapper.text()).toContain('发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）')
    // Pick a program through the component's form, then a valid quarter.
    const select = vm.findComponent({ name: 'ElSelect' })
    select.vm.$emit('update:modelValue', 'jiangfu')
    await vm.find('input[data-test="payroll-period"]').setValue('2026-Q1')
    await vm.find('form').trigger('submit')
    await settle()
    expect(posts).toEqual([{ program: 'jiangfu', period: '2026-Q1' }])
    expect(wrapper.find('[data-test="payroll-created"]').text()).toBe('已有批次（未重复生成）')
    expect(wrapper.find('[data-test="payroll-total"]').text()).toBe('480.00 元')
    expect(wrapper.find('[data-test="payroll-flags"]').text()).toContain('缺少发放账户')
    wrapper.unmount()
  })

  it('lists the cycles with a bank-file link in the chosen layout', async () => {
    mockApi({
      'GET /api/v1/benefit/programs': () => [200, PROGRAMS],
      'GET /api/v1/benefit/cycles': () => [200, { items: [{ id: 7, program: 'jiangfu', period: '2026-11', from: '2026-11-01',
        to: '2026-11-30', division: '341523', status: 'sent', line_count: 3, total_fen: 24000, flags: [] }], total: 1 }],
      'GET /api/v1/benefit/bank-layouts': () => [200, { items: [{ key: 'generic-csv', layout: { name: '示例：通用 CSV' } },
        { key: 'rcc-fixed-gbk', layout: { name: '示例：农信社定长' } }], total: 2 }],
    })
    const { wrapper } = await mountAt('/benefit/payroll', 'benefit-payroll', '/benefit/payroll', Payroll)
    await settle()
    const cycle = wrapper.find('[data-test="cycle"]')
    expect(cycle.text()).toContain('已送银行')
    expect(cycle.text()).toContain('240.00 元')
    const href = cycle.find('[data-test="bank-file"]').attributes('href')
    expect(href).toContain('/api/v1/benefit/cycles/7/bankfile')
    expect(href).toContain('layout=generic-csv')
    wrapper.unmount()
  })

  it('tells other levels that the county generates payrolls', async () => {
    setMe(VILLAGE_ME)
    mockApi({ 'GET /api/v1/benefit/programs': () => [200, PROGRAMS] })
    const { wrapper } = await mountAt('/benefit/payroll', 'benefit-payroll', '/benefit/payroll', Payroll)
    expect(wrapper.find('[data-test="payroll-county-only"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="payroll-run"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('notices page logic', () => {
  it('asks for the program, a cycle for payment and stop notices, and a year otherwise', async () => {
    const { noticeProblem } = await import('../src/views/benefit/notices.js')
    expect(noticeProblem({ kind: 'approval', program: '', year: 2026 })).toBe('请选择项目')
    expect(noticeProblem({ kind: 'approval', program: 'jiangfu', year: 2026 })).toBe('')
    expect(noticeProblem({ kind: 'approval', program: 'jiangfu', year: 26 })).toBe('年度应为四位年份')
    expect(noticeProblem({ kind: 'payment', program: 'jiangfu', year: 2026, cycle_id: null })).toBe('发放和停发通知须选择发放批次')
    expect(noticeProblem({ kind: 'stop', program: 'jiangfu', cycle_id: 3 })).toBe('')
  })
})

describe('verification codes', () => {
  it('normalizes what people type and refuses what cannot be a code', async () => {
    const { normalizeVerifyCode, verifyCodeProblem } = await import('../src/views/benefit/notices.js')
    expect(normalizeVerifyCode(' abcd ef23-4567 ')).toBe('ABCDEF234567')
    expect(verifyCodeProblem('')).toBe('请输入验证码')
    expect(verifyCodeProblem('ABCDEF234567')).toBe('')
    expect(verifyCodeProblem('ABCDEF23456')).toBe('验证码应为 12 位，由字母和数字 2 至 7 组成')
    expect(verifyCodeProblem('ABCDEF123456')).toBe('验证码应为 12 位，由字母和数字 2 至 7 组成')
  })
})

describe('VerifyNotice', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('checks the code from the QR link without a session', async () => {
    const api = mockApi({
      'GET /api/v1/public/notices/ABCDEF234567': () => [200, {
        title: '领取育儿补贴的通知', name: '王*英', program: '育儿补贴', year: 2026, issued_on: '2026-11-22',
        issuer: '春秋村民委员会', amount_fen: 360000,
      }],
    })
    const { wrapper } = await mountAt('/public/notices/ABCDEF234567', 'public-notice', '/public/notices/:code?', VerifyNotice)
    expect(wrapper.find('[data-test="verify-ok"]').text()).toContain('通知真实有效')
    const text = wrapper.text()
    expect(text).toContain('王*英')
    expect(text).toContain('3,600.00 元')
    expect(text).toContain('春秋村民委员会')
    expect(api.mock.calls.map(([url]) => String(url))).toEqual(['/api/v1/public/notices/ABCDEF234567'])
    wrapper.unmount()
  })

  it('says so when no notice has the code, and asks nothing of a malformed one', async () => {
    const api = mockApi({})
    const { wrapper } = await mountAt('/public/notices/ZZZZZZ234567', 'public-notice', '/public/notices/:code?', VerifyNotice)
    expect(wrapper.find('[data-test="verify-error"]').text()).toContain('查无此通知')
    await wrapper.find('input[data-test="verify-code"], [data-test="verify-code"] input').setValue('12')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.text()).toContain('验证码应为 12 位')
    expect(api.mock.calls.length).toBe(1)
    wrapper.unmount()
  })
})
