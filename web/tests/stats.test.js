import { describe, it, expect, afterEach, beforeEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import { setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'
import {
  buildPeriod, parsePeriod, periodError, periodNumbers, defaultPeriodCode, yearOptions, chinaToday, PERIOD_HELP,
  formatNumber, formatValue, unitLabel, formatPart, groupRows, partGroups, byLabel,
  figureCell, recordsQuery, childFigure, termLabel, totalIsFigure, partLabel, sexLabel,
} from '../src/views/stats/stats.js'
import {
  trendOption, childBarOption, rankChildren, barChartHeight, clickedCode, monthLabel, TREND_CODES,
} from '../src/views/stats/charts.js'
import { clearCatalog } from '../src/views/stats/catalog.js'
import { clearDivisionCache } from '../src/views/division/divisions.js'
import { forgetReport } from '../src/views/stats/StatsReport.vue'

// ECharts draws on a canvas, which happy-dom has not: the chart module is
// replaced by a recorder of what the page asked it to draw.
const charts = vi.hoisted(() => ({ list: [] }))
vi.mock('../src/views/stats/echarts.js', () => ({
  echarts: {
    init: (el) => {
      const chart = {
        el,
        options: [],
        handlers: {},
        setOption(o) {
          this.options.push(o)
        },
        on(name, fn) {
          this.handlers[name] = fn
        },
        resize: vi.fn(),
        dispose: vi.fn(),
      }
      charts.list.push(chart)
      return chart
    },
  },
}))

// ---- fixtures, shaped as the server answers

const BIRTHS = {
  code: 'births', name: '出生人数', group: '出生与婚姻', unit: '人', formula: '期内出生的活产婴儿，按出生时户籍地',
  numerator: { source: 'births', filters: {} }, by: ['sex', 'code'],
}
const SEX_RATIO = {
  code: 'sex_ratio_at_birth', name: '出生人口性别比', group: '出生与婚姻', unit: '', formula: '出生男婴数 ÷ 出生女婴数 × 100（女婴=100）',
  numerator: { source: 'births', filters: { sex: 'male' } }, denominator: { source: 'births', filters: { sex: 'female' } },
  scale: 100, decimals: 1,
}
const BIRTH_RATE = {
  code: 'birth_rate', name: '出生率', group: '出生与婚姻', unit: '‰', formula: '出生人数 ÷ 平均人口 × 1000‰',
  numerator: { source: 'births', filters: {} }, denominator: { source: 'population', filters: {}, average: true },
  scale: 1000, decimals: 2,
}
const GROWTH = {
  code: 'natural_growth_rate', name: '人口自然增长率', group: '出生与婚姻', unit: '‰', formula: '（出生人数 − 死亡人数）÷ 平均人口 × 1000‰',
  numerator: { source: 'births', filters: {}, minus: { source: 'deaths', filters: {} } },
  denominator: { source: 'population', filters: {}, average: true }, scale: 1000, decimals: 2,
}
const PREPREG = {
  code: 'prepreg_completion', name: '孕前优生任务完成率', group: '孕产与优生', unit: '%', formula: '检查夫妇 ÷ 年度任务数 × 100%',
  numerator: { source: 'prepreg_examined', filters: {} }, denominator: { source: '', filters: {}, task: 'prepreg' },
  scale: 100, decimals: 2,
}
const AMOUNT = {
  code: 'benefit_amount', name: '待遇发放金额', group: '奖励扶助', unit: '元', formula: '发放成功的金额合计',
  numerator: { source: 'benefit_paid', filters: {}, sum: true }, by: ['code'],
}
const POPULATION = {
  code: 'population', name: '户籍人口（期末）', group: '人口', unit: '人', formula: '期末在册且存活的户籍人口',
  numerator: { source: 'population', filters: {} }, by: ['age'],
}

const TOWN_A = '341523100'
const TOWN_B = '341523101'
const REPORT = {
  division: { code: '341523', name: '舒城县', level: 3 },
  period: { code: '2026', kind: 'year', from: '2026-01-01', to: '2026-12-31', label: '2026年' },
  today: '2026-11-23',
  children: [
    { code: TOWN_A, name: '城关镇', level: 4 },
    { code: TOWN_B, name: '晓天镇', level: 4 },
  ],
  rows: [
    {
      ...BIRTHS, num: 1313, value: 1313,
      parts: [
        { by: 'sex', key: 'male', label: '男', value: 700 },
        { by: 'sex', key: 'female', label: '女', value: 613 },
        { by: 'code', key: '1', label: '一孩', value: 600 },
        { by: 'code', key: '', label: '孩次不详（母亲不在册）', value: 0 },
      ],
      children: [{ division: TOWN_A, num: 1000, value: 1000 }, { division: TOWN_B, num: 313, value: 313 }],
    },
    {
      ...SEX_RATIO, num: 7, den: 6, value: 116.7,
      children: [{ division: TOWN_A, num: 1, den: 0, value: null }, { division: TOWN_B, num: 6, den: 6, value: 100 }],
    },
    {
      ...BIRTH_RATE, num: 13, den: 2971, value: 4.38,
      children: [{ division: TOWN_A, num: 1, den: 405, value: 2.47 }, { division: TOWN_B, num: 12, den: 2566, value: 4.68 }],
    },
    {
      ...PREPREG, num: 12, value: null,
      children: [{ division: TOWN_A, num: 1, value: null }, { division: TOWN_B, num: 11, den: 20, value: 55 }],
    },
  ],
}

beforeEach(() => {
  charts.list.length = 0
  clearCatalog()
  clearDivisionCache()
  forgetReport()
})
afterEach(() => vi.unstubAllGlobals())

// ---- periods

describe('period codes', () => {
  it('builds each kind of period', () => {
    expect(buildPeriod({ kind: 'year', year: 2026 })).toEqual({ code: '2026' })
    expect(buildPeriod({ kind: 'quarter', year: 2026, n: 1 })).toEqual({ code: '2026-Q1' })
    expect(buildPeriod({ kind: 'month', year: '2026', n: 3 })).toEqual({ code: '2026-03' })
    expect(buildPeriod({ kind: 'month', year: 2026, n: 12 })).toEqual({ code: '2026-12' })
    expect(buildPeriod({ kind: 'half', year: 2026, n: 2 })).toEqual({ code: '2026-H2' })
    expect(buildPeriod({ kind: 'stat_year', year: 2026, n: 5 })).toEqual({ code: '2026-SY' })
  })

  it('says in Chinese what is missing or wrong', () => {
    expect(buildPeriod({ year: 2026 })).toEqual({ error: '请选择期间类型' })
    expect(buildPeriod({ kind: 'year' })).toEqual({ error: '请选择年度' })
    expect(buildPeriod({ kind: 'year', year: 1899 }).error).toBe('年度应为 1900 至 2200 之间的四位数')
    expect(buildPeriod({ kind: 'year', year: 2026.5 }).error).toBe('年度应为 1900 至 2200 之间的四位数')
    expect(buildPeriod({ kind: 'quarter', year: 2026 }).error).toBe('请选择季度（第一至第四季度）')
    expect(buildPeriod({ kind: 'quarter', year: 2026, n: 5 }).error).toBe('请选择季度（第一至第四季度）')
    expect(buildPeriod({ kind: 'month', year: 2026, n: 0 }).error).toBe('请选择月份（1 至 12 月）')
    expect(buildPeriod({ kind: 'half', year: 2026, n: 3 }).error).toBe('请选择上半年或下半年')
  })

  it('reads codes as the server does, with its labels and dates', () => {
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', year: 2026, from: '2026-01-01', to: '2026-12-31', label: '2026年' })
    expect(parsePeriod('2026-Q1')).toMatchObject({ kind: 'quarter', n: 1, from: '2026-01-01', to: '2026-03-31', label: '2026年第一季度' })
    expect(parsePeriod('2026-Q4')).toMatchObject({ from: '2026-10-01', to: '2026-12-31', label: '2026年第四季度' })
    expect(parsePeriod('2026-H1')).toMatchObject({ kind: 'half', from: '2026-01-01', to: '2026-06-30', label: '2026年上半年' })
    expect(parsePeriod('2026-H2')).toMatchObject({ from: '2026-07-01', to: '2026-12-31', label: '2026年下半年' })
    expect(parsePeriod('2024-02')).toMatchObject({ kind: 'month', n: 2, from: '2024-02-01', to: '2024-02-29', label: '2024年2月' })
    expect(parsePeriod('2026-02').to).toBe('2026-02-28')
    expect(parsePeriod(' 2026-q2 ')).toMatchObject({ code: '2026-Q2', kind: 'quarter' })
  })

  it('reads the statistical year as 1 October of the year before to 30 September', () => {
    expect(parsePeriod('2026-SY')).toEqual({
      code: '2026-SY', kind: 'stat_year', year: 2026, n: null, from: '2025-10-01', to: '2026-09-30',
      label: '2026统计年度（2025年10月1日至2026年9月30日）',
    })
    expect(parsePeriod('2026-sy').code).toBe('2026-SY')
    expect(buildPeriod({ kind: 'stat_year', year: parsePeriod('2026-SY').year }).code).toBe('2026-SY')
  })

  it('refuses invalid codes with a Chinese message', () => {
    expect(periodError('')).toBe('请选择统计期间')
    expect(periodError('2026-13')).toBe('月份应为 01 至 12')
    expect(periodError('2026-00')).toBe('月份应为 01 至 12')
    expect(periodError('2026-Q5')).toBe(PERIOD_HELP)
    expect(periodError('2026-H3')).toBe(PERIOD_HELP)
    expect(periodError('26')).toBe(PERIOD_HELP)
    expect(periodError('2026-3')).toBe(PERIOD_HELP)
    expect(periodError('abcd')).toBe(PERIOD_HELP)
    expect(periodError('1800')).toBe('年度应为 1900 至 2200 之间的四位数')
    expect(periodError('2026-SY')).toBe('')
  })

  it('offers numbers, years and a default', () => {
    expect(periodNumbers('quarter').map((o) => o.label)).toEqual(['第一季度', '第二季度', '第三季度', '第四季度'])
    expect(periodNumbers('month')).toHaveLength(12)
    expect(periodNumbers('half').map((o) => o.label)).toEqual(['上半年', '下半年'])
    expect(periodNumbers('year')).toEqual([])
    expect(defaultPeriodCode('2026-11-23')).toBe('2026')
    const years = yearOptions('2026-11-23', [1990])
    expect(years[0]).toBe(2027)
    expect(years).toContain(2011)
    expect(years[years.length - 1]).toBe(1990)
    // China is 8 hours ahead: 16:30 UTC on 31 December is already the new year there.
    expect(chinaToday(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01')
  })
})

// ---- figures

describe('figure formatting', () => {
  it('groups thousands and keeps decimals', () => {
    expect(formatNumber(1234567)).toBe('1,234,567')
    expect(formatNumber(1234.5, 2)).toBe('1,234.50')
    expect(formatNumber(-1234, 0)).toBe('-1,234')
    expect(formatNumber(-0.001, 2)).toBe('0.00')
    expect(formatNumber(null)).toBe('—')
  })

  it('formats counts, money and ratios by the indicator', () => {
    expect(formatValue(BIRTHS, 12345)).toBe('12,345')
    expect(formatValue(AMOUNT, 123456.5)).toBe('123,456.50')
    expect(formatValue(BIRTH_RATE, 4.38)).toBe('4.38‰')
    expect(formatValue(BIRTH_RATE, 0)).toBe('0.00‰')
    expect(formatValue(GROWTH, -6.04)).toBe('-6.04‰')
    expect(formatValue(PREPREG, 98.5)).toBe('98.50%')
    expect(formatValue(SEX_RATIO, 116.7)).toBe('116.7')
    expect(formatValue(SEX_RATIO, null)).toBe('—')
    expect(formatValue(BIRTHS, undefined)).toBe('—')
    expect(unitLabel(BIRTHS)).toBe('人')
    expect(unitLabel(AMOUNT)).toBe('元')
    expect(unitLabel(BIRTH_RATE)).toBe('')
    expect(unitLabel(SEX_RATIO)).toBe('')
  })

  it('shows breakdown parts, money in yuan from fen', () => {
    expect(formatPart(BIRTHS, { value: 1200 })).toBe('1,200')
    expect(formatPart(AMOUNT, { value: 1234550 })).toBe('12,345.50')
    const groups = partGroups(REPORT.rows[0])
    expect(groups.map((g) => g.label)).toEqual(['按性别', '按孩次'])
    expect(groups[0].parts.map((p) => p.label)).toEqual(['男', '女'])
    expect(byLabel(POPULATION, 'age')).toBe('按年龄')
    const ages = Array.from({ length: 19 }, (_, i) => ({ by: 'age', key: String(i), label: `${i}`, value: 1 }))
    expect(partGroups({ ...POPULATION, parts: ages })[0].long).toBe(true)
  })

  it('groups rows in the report order', () => {
    const g = groupRows([{ code: 'a', group: '人口' }, { code: 'b', group: '出生与婚姻' }, { code: 'c', group: '人口' }])
    expect(g.map((x) => [x.group, x.rows.map((r) => r.code).join('')])).toEqual([['人口', 'ac'], ['出生与婚姻', 'b']])
  })
})

describe('drill-down links', () => {
  const ctx = { division: '341523', period: '2026' }

  it('links a count to its records', () => {
    const c = figureCell(BIRTHS, { num: 1313, value: 1313 }, ctx)
    expect(c.value).toBe('1,313')
    expect(c.link).toEqual({ indicator: 'births', period: '2026', division: '341523' })
    expect(c.num).toBeNull()
    expect(c.den).toBeNull()
  })

  it('links a ratio\'s numerator and its denominator', () => {
    const c = figureCell(SEX_RATIO, { num: 7, den: 6, value: 116.7 }, ctx)
    expect(c.value).toBe('116.7')
    expect(c.link).toBeNull()
    expect(c.num).toEqual({ text: '7', link: { indicator: 'sex_ratio_at_birth', period: '2026', division: '341523' } })
    expect(c.den.link).toEqual({ indicator: 'sex_ratio_at_birth', period: '2026', division: '341523', term: 'den' })
  })

  it('gives an average population two lists, 期初 and 期末, and the average no link', () => {
    const c = figureCell(BIRTH_RATE, { num: 13, den: 2971, value: 4.38 }, ctx)
    expect(c.den).toMatchObject({ text: '2,971', link: null })
    expect(c.extra.map((e) => [e.label, e.link.term, e.link.at])).toEqual([['期初', 'den', 'start'], ['期末', 'den', 'end']])
  })

  it('does not link a task denominator, which has no records', () => {
    const c = figureCell(PREPREG, { num: 12, value: null }, ctx)
    expect(c.value).toBe('—')
    expect(c.num.link).toEqual({ indicator: 'prepreg_completion', period: '2026', division: '341523' })
    expect(c.den).toMatchObject({ text: '—', link: null, title: '未下达年度任务数' })
    expect(c.extra).toEqual([])
  })

  it('links the two sides of births minus deaths instead of the difference', () => {
    const c = figureCell(GROWTH, { num: 4, den: 2971, value: 1.35 }, ctx)
    expect(c.num).toEqual({ text: '4', link: null })
    expect(c.extra.map((e) => [e.label, e.link.term || 'num', e.link.at || ''])).toEqual([
      ['出生', 'num', ''], ['死亡', 'minus', ''], ['期初', 'den', 'start'], ['期末', 'den', 'end'],
    ])
  })

  it('links nothing for a user who may not see persons', () => {
    const c = figureCell(BIRTH_RATE, { num: 13, den: 2971, value: 4.38 }, { ...ctx, records: false })
    expect(c.link).toBeNull()
    expect(c.num.link).toBeNull()
    expect(c.extra).toEqual([])
  })

  it('carries a breakdown part, an empty key included', () => {
    expect(recordsQuery(BIRTHS, ctx, { by: 'code', key: '', part: '孩次不详' })).toEqual({
      indicator: 'births', period: '2026', division: '341523', by: 'code', key: '', part: '孩次不详',
    })
    expect(childFigure(REPORT.rows[0], TOWN_B)).toEqual({ division: TOWN_B, num: 313, value: 313 })
    expect(childFigure(REPORT.rows[0], 'x')).toBeNull()
  })

  it('names the list the records page shows', () => {
    expect(termLabel(BIRTHS)).toEqual({ term: '', note: '' })
    expect(termLabel(SEX_RATIO, 'num').term).toBe('分子')
    expect(termLabel(SEX_RATIO, 'den').term).toBe('分母')
    expect(termLabel(BIRTH_RATE, 'den', 'start').term).toBe('期初')
    expect(termLabel(BIRTH_RATE, 'den', 'end').term).toBe('期末')
    expect(termLabel(GROWTH, 'num').term).toBe('被减项（出生）')
    expect(termLabel(GROWTH, 'minus').term).toBe('减项（死亡）')
    expect(totalIsFigure(BIRTHS)).toBe(true)
    expect(totalIsFigure(SEX_RATIO, 'den')).toBe(true)
    expect(totalIsFigure(BIRTH_RATE, 'den')).toBe(false)
    expect(totalIsFigure(GROWTH, 'num')).toBe(false)
    expect(partLabel('sex', 'female')).toBe('女')
    expect(partLabel('urban', '1')).toBe('城镇')
    expect(partLabel('age', '3')).toBe('15-19岁')
    expect(partLabel('age', '17')).toBe('85岁及以上')
    expect(partLabel('age', '-1')).toBe('年龄不详')
    expect(partLabel('code', '2', '', [{ label: '二孩' }])).toBe('二孩')
    expect(partLabel('code', '2', '二孩（链接）')).toBe('二孩（链接）')
    expect(partLabel('', '')).toBe('')
    expect(sexLabel('male')).toBe('男')
  })
})

// ---- charts

const TREND = {
  division: { code: '341523', name: '舒城县', level: 3 },
  period: { code: '2026', kind: 'year', from: '2026-01-01', to: '2026-12-31', label: '2026年' },
  months: Array.from({ length: 12 }, (_, i) => {
    const m = String(i + 1).padStart(2, '0')
    return {
      period: { code: `2026-${m}`, kind: 'month', from: `2026-${m}-01`, to: `2026-${m}-28`, label: `2026年${i + 1}月` },
      // figures in report order: births before deaths
      figures: [{ code: 'births', num: i, value: i }, { code: 'deaths', num: 1, value: 1 }],
    }
  }),
}

describe('chart options', () => {
  it('draws births and deaths by month, months still to come left blank', () => {
    const o = trendOption(TREND, { names: { births: '出生人数', deaths: '死亡人数' }, today: '2026-11-23' })
    expect(TREND_CODES).toEqual(['births', 'deaths'])
    expect(o.xAxis.data).toEqual(['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'])
    expect(o.series.map((s) => [s.name, s.type])).toEqual([['出生人数', 'line'], ['死亡人数', 'line']])
    expect(o.series[0].data.slice(9)).toEqual([9, 10, null])
    expect(o.legend.data).toEqual(['出生人数', '死亡人数'])
    expect(o.tooltip.trigger).toBe('axis')
    expect(trendOption(TREND).series[1].data[11]).toBe(1) // no date given: every month drawn
    expect(trendOption(null).series).toEqual([])
  })

  it('names the year where a statistical year crosses into the next', () => {
    const months = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02'].map((code) => ({
      period: { code, from: `${code}-01` }, figures: [{ code: 'births', value: 1 }],
    }))
    expect(trendOption({ months }).xAxis.data).toEqual(['2025年10月', '11月', '12月', '2026年1月', '2月'])
    expect(monthLabel({ code: '2026-03' })).toBe('3月')
  })

  it('ranks the children, ties sharing a rank, those without a value last', () => {
    const report = {
      children: [
        { code: 'a', name: '甲镇' }, { code: 'b', name: '乙镇' }, { code: 'c', name: '丙镇' }, { code: 'd', name: '丁镇' },
      ],
    }
    const row = {
      ...BIRTH_RATE,
      children: [
        { division: 'a', num: 0, den: 0, value: null },
        { division: 'b', num: 1, den: 100, value: 5 },
        { division: 'c', num: 3, den: 100, value: 7.5 },
        { division: 'd', num: 1, den: 100, value: 5 },
      ],
    }
    const r = rankChildren(report, row)
    expect(r.map((x) => [x.rank, x.name, x.display])).toEqual([
      [1, '丙镇', '7.50‰'], [2, '乙镇', '5.00‰'], [2, '丁镇', '5.00‰'], [null, '甲镇', '—'],
    ])
  })

  it('compares the children as horizontal bars carrying their codes', () => {
    const o = childBarOption(REPORT, REPORT.rows[0], { compact: true })
    expect(o.yAxis.type).toBe('category')
    expect(o.yAxis.inverse).toBe(true)
    expect(o.yAxis.data).toEqual(['城关镇', '晓天镇'])
    expect(o.series[0].type).toBe('bar')
    expect(o.series[0].data).toEqual([
      { value: 1000, code: TOWN_A, name: '城关镇' },
      { value: 313, code: TOWN_B, name: '晓天镇' },
    ])
    expect(o.series[0].label.formatter({ value: 1000 })).toBe('1,000')
    expect(o.yAxis.axisLabel.width).toBeLessThan(100) // names fit beside the bars at 375 px
    expect(clickedCode({ data: { code: TOWN_B } })).toBe(TOWN_B)
    expect(clickedCode({})).toBe('')
    expect(barChartHeight(2)).toBe(200)
    expect(barChartHeight(22)).toBe(22 * 28 + 60)
  })
})

// ---- pages

async function mountAt(path, routes) {
  const router = testRouter(routes)
  await router.push(path)
  await router.isReady()
  const w = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  await new Promise((r) => setTimeout(r, 30))
  await flushPromises()
  return { w, router }
}

const StatsReport = () => import('../src/views/stats/StatsReport.vue')
const StatsRecords = () => import('../src/views/stats/StatsRecords.vue')
const StatsDashboard = () => import('../src/views/stats/StatsDashboard.vue')
const Stub = { template: '<div class="stub" />' }
const statsRoutes = [
  { path: '/stats/report', name: 'stats-report', component: StatsReport },
  { path: '/stats/records', name: 'stats-records', component: StatsRecords },
  { path: '/stats/dashboard', name: 'stats-dashboard', component: StatsDashboard },
  { path: '/quality', name: 'quality', component: Stub },
]

function watchWarnings() {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  return () => warn.mock.calls.filter((c) => String(c[0]).includes('[Vue warn]'))
}

const hrefs = (w, sel) => w.findAll(sel).map((a) => decodeURIComponent(a.attributes('href') || ''))

describe('StatsReport', () => {
  it('shows the rows by group, a column per child and every number linking to its records', async () => {
    setMe(COUNTY_ME)
    const warnings = watchWarnings()
    const api = mockApi({ 'GET /api/v1/stats/report': () => [200, REPORT] })
    const { w } = await mountAt('/stats/report?period=2026', statsRoutes)

    const url = api.mock.calls.map((c) => String(c[0])).find((u) => u.startsWith('/api/v1/stats/report'))
    expect(url).toContain('period=2026')
    expect(url).toContain('division=341523')
    expect(w.find('[data-test="report-title"]').text()).toBe('舒城县 2026年统计报表')

    const table = w.find('[data-test="report-table"]')
    expect(table.find('[data-test="group-出生与婚姻"]').text()).toContain('城关镇')
    expect(table.find('[data-test="group-出生与婚姻"]').text()).toContain('晓天镇')
    expect(table.find('[data-test="group-孕产与优生"]').exists()).toBe(true)

    const births = w.find('[data-test="row-births"]')
    expect(births.text()).toContain('出生人数')
    expect(births.text()).toContain('期内出生的活产婴儿') // the formula
    expect(births.find('[data-test="total"] [data-test="fig-value"]').text()).toBe('1,313')
    expect(hrefs(births, '[data-test="total"] a')).toEqual(['/stats/records?indicator=births&period=2026&division=341523'])
    expect(hrefs(births, `[data-test="child-${TOWN_A}"] a`)).toEqual([`/stats/records?indicator=births&period=2026&division=${TOWN_A}`])
    expect(births.find(`[data-test="child-${TOWN_B}"]`).text()).toBe('313')

    const parts = w.find('[data-test="parts-births"]')
    expect(parts.text()).toContain('按性别')
    expect(parts.text()).toContain('男')
    expect(parts.text()).toContain('700')
    const partLinks = hrefs(parts, 'a')
    expect(partLinks).toContain('/stats/records?indicator=births&period=2026&division=341523&by=sex&key=male&part=男')
    expect(partLinks).toContain('/stats/records?indicator=births&period=2026&division=341523&by=code&key=&part=孩次不详（母亲不在册）')

    const ratio = w.find('[data-test="row-sex_ratio_at_birth"]')
    expect(ratio.find('[data-test="total"]').text()).toContain('116.7')
    expect(hrefs(ratio, '[data-test="total"] [data-test="fig-den"]')).toEqual([
      '/stats/records?indicator=sex_ratio_at_birth&period=2026&division=341523&term=den',
    ])
    expect(ratio.find(`[data-test="child-${TOWN_A}"] [data-test="fig-value"]`).text()).toBe('—')

    const rate = w.find('[data-test="row-birth_rate"]')
    expect(rate.find('[data-test="total"] [data-test="fig-value"]').text()).toBe('4.38‰')
    expect(hrefs(rate, '[data-test="total"] [data-test="fig-start"]')).toEqual([
      '/stats/records?indicator=birth_rate&period=2026&division=341523&term=den&at=start',
    ])
    expect(hrefs(rate, '[data-test="total"] [data-test="fig-end"]')).toEqual([
      '/stats/records?indicator=birth_rate&period=2026&division=341523&term=den&at=end',
    ])
    expect(rate.find('[data-test="total"] [data-test="fig-den"]').element.tagName).toBe('SPAN')

    const task = w.find('[data-test="row-prepreg_completion"]')
    expect(task.find('[data-test="total"] [data-test="fig-den"]').element.tagName).toBe('SPAN')
    expect(hrefs(task, '[data-test="total"] a')).toEqual(['/stats/records?indicator=prepreg_completion&period=2026&division=341523'])
    expect(task.find(`[data-test="child-${TOWN_B}"]`).text()).toContain('55.00%')

    expect(w.find('[data-test="report-xlsx"]').attributes('href')).toBe('/api/v1/stats/report/xlsx?period=2026')
    expect(w.find('[data-test="report-pdf"]').attributes('href')).toBe('/api/v1/stats/report/pdf?period=2026')
    expect(warnings()).toEqual([])
    w.unmount()
  })

  it('lists every village when asked (按村), each under its township', async () => {
    setMe(COUNTY_ME)
    const V1 = '341523100001'
    const V2 = '341523101200'
    const byVillage = {
      ...REPORT,
      by: 'village',
      children: [
        { code: V1, name: '东苑社区居委会', level: 5, parent: TOWN_A, parent_name: '城关镇' },
        { code: V2, name: '龙潭村委会', level: 5, parent: TOWN_B, parent_name: '晓天镇' },
      ],
      rows: REPORT.rows.map((r) => ({ ...r, children: [{ division: V1, num: 1, value: 1 }, { division: V2, num: 2, value: 2 }] })),
    }
    const api = mockApi({ 'GET /api/v1/stats/report': (_, url) => [200, url.includes('by=village') ? byVillage : REPORT] })
    const { w, router } = await mountAt('/stats/report?period=2026', statsRoutes)
    await w.findComponent('[data-test="report-by"]').vm.$emit('update:modelValue', 'village')
    await flushPromises()
    await new Promise((r) => setTimeout(r, 30))
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ period: '2026', by: 'village' })
    const urls = api.mock.calls.map((c) => String(c[0])).filter((u) => u.startsWith('/api/v1/stats/report'))
    expect(urls[urls.length - 1]).toContain('by=village')
    const head = w.find('[data-test="group-出生与婚姻"]').text()
    expect(head).toContain('城关镇')
    expect(head).toContain('东苑社区居委会')
    const births = w.find('[data-test="row-births"]')
    expect(births.find(`[data-test="child-${V2}"]`).text()).toBe('2')
    expect(hrefs(births, `[data-test="child-${V1}"] a`)).toEqual([`/stats/records?indicator=births&period=2026&division=${V1}`])
    // A village's heading opens the village's own report.
    expect(hrefs(w, '.child-head')[0]).toBe(`/stats/report?period=2026&division=${V1}`)
    expect(w.find('[data-test="report-xlsx"]').attributes('href')).toBe('/api/v1/stats/report/xlsx?period=2026&by=village')
    w.unmount()
  })

  it('leaves the numbers unlinked for a user who may not see persons', async () => {
    setMe({ ...COUNTY_ME, permissions: ['stats.read'] })
    mockApi({ 'GET /api/v1/stats/report': () => [200, REPORT] })
    const { w } = await mountAt('/stats/report?period=2026', statsRoutes)
    expect(w.find('[data-test="row-births"] [data-test="fig-value"]').text()).toBe('1,313')
    expect(w.findAll('[data-test="report-table"] td a')).toHaveLength(0)
    w.unmount()
  })

  it('shows the report just read again without reading it again (back from its records)', async () => {
    setMe(COUNTY_ME)
    const api = mockApi({ 'GET /api/v1/stats/report': () => [200, REPORT] })
    const reads = () => api.mock.calls.filter((c) => String(c[0]).startsWith('/api/v1/stats/report')).length
    const first = await mountAt('/stats/report?period=2026', statsRoutes)
    first.w.unmount()
    const again = await mountAt('/stats/report?period=2026', statsRoutes)
    expect(again.w.find('[data-test="row-births"] [data-test="fig-value"]').text()).toBe('1,313')
    expect(reads()).toBe(1)
    again.w.unmount()
    const other = await mountAt('/stats/report?period=2025', statsRoutes)
    expect(reads()).toBe(2)
    other.w.unmount()
  })

  it('says what is wrong with a period from the URL and asks nothing of the server', async () => {
    setMe(COUNTY_ME)
    const api = mockApi({ 'GET /api/v1/stats/report': () => [200, REPORT] })
    const { w } = await mountAt('/stats/report?period=2026-13', statsRoutes)
    expect(w.find('[data-test="report-period-error"]').text()).toContain('月份应为 01 至 12')
    expect(api.mock.calls.some((c) => String(c[0]).startsWith('/api/v1/stats/report'))).toBe(false)
    w.unmount()
  })

  it('keeps the division and period in the URL', async () => {
    setMe(COUNTY_ME)
    mockApi({ 'GET /api/v1/stats/report': () => [200, { ...REPORT, division: { code: TOWN_A, name: '城关镇', level: 4 }, children: [] }] })
    const { w, router } = await mountAt(`/stats/report?division=${TOWN_A}&period=2026-Q1`, statsRoutes)
    expect(w.find('[data-test="report-xlsx"]').attributes('href')).toBe(`/api/v1/stats/report/xlsx?division=${TOWN_A}&period=2026-Q1`)
    expect(w.find('[data-test="report-pdf"]').attributes('href')).toBe(`/api/v1/stats/report/pdf?division=${TOWN_A}&period=2026-Q1`)
    // A township's children are its villages already: no 按村 choice.
    expect(w.find('[data-test="report-by"]').exists()).toBe(false)
    const kind = w.findComponent('[data-test="period-kind"]')
    expect(kind.props('modelValue')).toBe('quarter')
    await w.findComponent('[data-test="period-number"]').vm.$emit('update:modelValue', 3)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ division: TOWN_A, period: '2026-Q3' })
    w.unmount()
  })
})

const RECORDS = {
  indicator: 'births', source: 'births', term: 'num', total: 2, amount_fen: 0,
  items: [
    { id: 4, person_id: 40, name: '朱安', id_number: '341523********3612', sex: 'male', birth_date: '2026-04-25', date: '2026-04-25', code: '2', label: '二孩', village: '城关镇 东苑社区居委会' },
    { id: 5, person_id: 50, name: '黄语汐', id_number: '341523********2643', sex: 'female', birth_date: '2026-01-08', date: '2026-01-08', code: '1', label: '一孩', village: '城关镇 东苑社区居委会' },
  ],
}

describe('StatsRecords', () => {
  it('says which figure the list is and that its length is that figure', async () => {
    setMe(COUNTY_ME)
    const warnings = watchWarnings()
    const api = mockApi({
      'GET /api/v1/stats/records': () => [200, RECORDS],
      'GET /api/v1/stats/indicators': () => [200, { items: [BIRTHS, BIRTH_RATE], total: 2 }],
      [`GET /api/v1/divisions/${TOWN_A}`]: () => [200, { code: TOWN_A, name: '城关镇', level: 4 }],
    })
    const { w } = await mountAt(`/stats/records?indicator=births&period=2026-Q1&division=${TOWN_A}&by=sex&key=male&part=男`, statsRoutes)
    const url = api.mock.calls.map((c) => String(c[0])).find((u) => u.startsWith('/api/v1/stats/records'))
    expect(url).toContain('indicator=births')
    expect(url).toContain('by=sex')
    expect(url).toContain('key=male')
    expect(url).toContain('size=50')
    expect(url).not.toContain('term=')

    expect(w.find('[data-test="records-indicator"]').text()).toBe('出生人数')
    expect(w.find('[data-test="records-part"]').text()).toBe('男')
    expect(w.find('[data-test="records-where"]').text()).toContain('2026年第一季度')
    expect(w.find('[data-test="records-where"]').text()).toContain('城关镇')
    expect(w.find('[data-test="records-total"]').text().replace(/\s+/g, '')).toBe('共2条，与报表数字一致')
    const table = w.find('[data-test="records-table"]')
    expect(table.text()).toContain('朱安')
    expect(table.text()).toContain('341523********3612')
    expect(table.text()).toContain('二孩')
    expect(hrefs(table, '[data-test="records-name"]')).toEqual(['/persons/40', '/persons/50'])
    expect(w.find('[data-test="records-pager"]').exists()).toBe(false)
    expect(warnings()).toEqual([])
    w.unmount()
  })

  it('names the start-of-period list of an average population', async () => {
    setMe(COUNTY_ME)
    mockApi({
      'GET /api/v1/stats/records': () => [200, { ...RECORDS, indicator: 'birth_rate', source: 'population', term: 'den', date: '2025-12-31', total: 2969 }],
      'GET /api/v1/stats/indicators': () => [200, { items: [BIRTHS, BIRTH_RATE], total: 2 }],
    })
    const { w } = await mountAt('/stats/records?indicator=birth_rate&term=den&at=start&period=2026&division=341523', statsRoutes)
    expect(w.find('[data-test="records-term"]').text()).toBe('期初')
    expect(w.find('[data-test="records-where"]').text()).toContain('舒城县')
    expect(w.find('[data-test="records-where"]').text()).toContain('统计时点 2025-12-31')
    expect(w.find('[data-test="records-count"]').text()).toBe('2,969')
    expect(w.find('[data-test="records-total"]').text()).not.toContain('与报表数字一致')
    expect(w.find('[data-test="records-note"]').text()).toContain('期初')
    expect(w.find('[data-test="records-pager"]').exists()).toBe(true) // 2,969 > 50
    w.unmount()
  })

  it('shows the server\'s refusal', async () => {
    setMe(COUNTY_ME)
    mockApi({
      'GET /api/v1/stats/records': () => [400, { error: { code: 'invalid', field: 'term', message: '任务数是下达的数字，没有对应的记录' } }],
      'GET /api/v1/stats/indicators': () => [200, { items: [PREPREG], total: 1 }],
    })
    const { w } = await mountAt('/stats/records?indicator=prepreg_completion&term=den&period=2026', statsRoutes)
    expect(w.find('[data-test="records-error"]').text()).toContain('任务数是下达的数字')
    w.unmount()
  })
})

describe('StatsDashboard', () => {
  it('draws the trend and the comparison, ranks the children and opens a child\'s report', async () => {
    setMe(COUNTY_ME)
    const warnings = watchWarnings()
    const api = mockApi({
      'GET /api/v1/stats/trend': () => [200, TREND],
      'GET /api/v1/stats/report': () => [200, { ...REPORT, rows: [REPORT.rows[0]] }],
      'GET /api/v1/stats/indicators': () => [200, { items: [BIRTHS, BIRTH_RATE], total: 2 }],
    })
    const { w, router } = await mountAt('/stats/dashboard?year=2026', statsRoutes)
    const urls = api.mock.calls.map((c) => decodeURIComponent(String(c[0])))
    expect(urls.find((u) => u.startsWith('/api/v1/stats/trend'))).toContain('indicators=births,deaths')
    expect(urls.find((u) => u.startsWith('/api/v1/stats/report'))).toContain('indicators=births')

    expect(charts.list).toHaveLength(2)
    const [line, bars] = charts.list
    expect(line.options.at(-1).series.map((s) => s.name)).toEqual(['出生人数', '死亡人数'])
    expect(bars.options.at(-1).yAxis.data).toEqual(['城关镇', '晓天镇'])

    const ranking = w.find('[data-test="dash-ranking"]')
    const rows = ranking.findAll('tbody tr')
    expect(rows.map((r) => r.findAll('td').map((td) => td.text().trim()))).toEqual([['1', '城关镇', '1,000'], ['2', '晓天镇', '313']])

    bars.handlers.click({ data: { code: TOWN_B } })
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('stats-report')
    expect(router.currentRoute.value.query).toEqual({ division: TOWN_B, period: '2026' })
    await flushPromises()
    expect(line.dispose).toHaveBeenCalled() // the dashboard was left: charts let go
    expect(warnings()).toEqual([])
    w.unmount()
  })
})

describe('routes', () => {
  it('guards the statistics pages by permission', async () => {
    const { router } = await import('../src/router.js')
    expect(router.resolve('/stats/report').meta).toMatchObject({ perm: 'stats.read', title: '统计报表' })
    expect(router.resolve('/stats/dashboard').meta).toMatchObject({ perm: 'stats.read', title: '统计分析' })
    // The records behind a figure are persons.
    expect(router.resolve('/stats/records').meta).toMatchObject({ perm: 'registry.read' })
  })
})

describe('mergeQuery', () => {
  it('applies a change and leaves out defaults and empty values', async () => {
    const { mergeQuery } = await import('../src/views/stats/stats.js')
    expect(mergeQuery({ period: '2026', division: '341523100' }, { division: '341523' }, { division: '341523' })).toEqual({ period: '2026' })
    expect(mergeQuery({ period: '2026' }, { group: '' })).toEqual({ period: '2026' })
    expect(mergeQuery({}, { indicator: 'births', year: '2025' }, { indicator: 'births' })).toEqual({ year: '2025' })
  })
})
