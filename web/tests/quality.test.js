import { describe, it, expect, afterEach, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { mount, flushPromises } from '@vue/test-utils'
import QualityView from '../src/views/quality/QualityView.vue'
import { setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'
import {
  formatPercent, rateTone, recordRoute, recordLabel, activeRules, sortRanking,
} from '../src/views/quality/qualityFormat.js'

describe('data-quality display helpers', () => {
  it('formats percentages with two decimals and a dash for none', () => {
    expect(formatPercent(98.25)).toBe('98.25%')
    expect(formatPercent(100)).toBe('100.00%')
    expect(formatPercent(0)).toBe('0.00%')
    expect(formatPercent(null)).toBe('—')
    expect(formatPercent(undefined)).toBe('—')
  })

  it('gives a tone to a rate at its thresholds', () => {
    expect(rateTone(98)).toBe('success')
    expect(rateTone(97.99)).toBe('warning')
    expect(rateTone(90)).toBe('warning')
    expect(rateTone(89.99)).toBe('danger')
    expect(rateTone(null)).toBe('')
  })

  it('links a finding to its record', () => {
    expect(recordRoute({ entity: 'person', entity_id: 7 })).toEqual({ name: 'person', params: { id: 7 } })
    expect(recordRoute({ entity: 'household', entity_id: 3 })).toEqual({ name: 'household', params: { id: 3 } })
    expect(recordLabel({ entity: 'person', entity_id: 7, person: { name: '王秀英' } })).toBe('王秀英')
    expect(recordLabel({ entity: 'household', entity_id: 3, household: { hh_no: '341523100001-0001' } })).toBe('户 341523100001-0001')
    expect(recordLabel({ entity: 'person', entity_id: 9 })).toBe('人员 #9')
  })

  it('keeps the rule columns that have findings', () => {
    const rules = [{ code: 'id_invalid' }, { code: 'missing_id' }, { code: 'household_no_head' }]
    const rows = [{ findings: { id_invalid: 0, missing_id: 2 } }, { findings: { household_no_head: 1 } }]
    expect(activeRules(rules, rows).map((r) => r.code)).toEqual(['missing_id', 'household_no_head'])
    expect(activeRules(rules, [])).toEqual([])
  })

  it('sorts the ranking by a column, missing values last, the rank breaking ties', () => {
    const items = [
      { rank: 1, code: 'a', id_accuracy: 100, coverage: 90, open_per_100: 5, records: 10 },
      { rank: 2, code: 'b', id_accuracy: 99, coverage: 99, open_per_100: 1, records: 30 },
      { rank: 3, code: 'c', id_accuracy: 99, coverage: 99, open_per_100: 1, records: 20 },
      { rank: 4, code: 'd', id_accuracy: null, coverage: null, open_per_100: null, records: 0 },
    ]
    const codes = (rows) => rows.map((r) => r.code).join('')
    expect(codes(sortRanking([...items].reverse()))).toBe('abcd')
    expect(codes(sortRanking(items, 'coverage'))).toBe('bcad')
    expect(codes(sortRanking(items, 'open_per_100'))).toBe('bcad')
    expect(codes(sortRanking(items, 'records'))).toBe('bcad')
    expect(codes(sortRanking(items, 'id_accuracy'))).toBe('abcd')
    expect(items.map((r) => r.code).join('')).toBe('abcd') // the input is left as it was
  })
})

describe('QualityView', () => {
  afterEach(() => vi.unstubAllGlobals())

  const SUMMARY = {
    division: { code: '341523', name: '舒城县', level: 3, level_name: '县' },
    records: 12, complete: 10, coverage: 83.33, with_id: 11, valid_id: 10, id_accuracy: 90.91, open: 3,
    findings: { id_invalid: 1, missing_id: 1, missing_fields: 1 },
    rules: [
      { code: 'id_invalid', label: '身份证号无效', entity: 'person', hint: '核对' },
      { code: 'missing_id', label: '缺少身份证号', entity: 'person', hint: '补录' },
      { code: 'missing_fields', label: '必填项缺失', entity: 'person', hint: '补录' },
      { code: 'household_no_head', label: '户无户主', entity: 'household', hint: '指定户主' },
    ],
    children: [
      { code: '341523100', name: '城关镇', level: 4, records: 12, coverage: 83.33, id_accuracy: 90.91, open: 3,
        findings: { id_invalid: 1, missing_id: 1, missing_fields: 1, household_no_head: 0 } },
    ],
  }
  const FINDINGS = {
    total: 2,
    items: [
      { rule: 'id_invalid', rule_label: '身份证号无效', entity: 'person', entity_id: 7, division: '341523100001',
        division_name: '城关镇 东苑社区居委会', detail: '校验码错误', found_at: '2026-11-22T08:00:00.000Z',
        person: { name: '甲九', id_number: '341523********1012' } },
      { rule: 'household_no_head', rule_label: '户无户主', entity: 'household', entity_id: 3, division: '341523100001',
        division_name: '城关镇 东苑社区居委会', detail: '户内有 1 名健在成员，但没有健在的户主', found_at: '2026-11-22T08:00:00.000Z',
        household: { hh_no: '341523100001-0001' } },
    ],
  }

  it('shows the figures, the children and the findings linking to their records', async () => {
    setMe(COUNTY_ME)
    const api = mockApi({
      'GET /api/v1/quality/summary': () => [200, SUMMARY],
      'GET /api/v1/quality/findings': () => [200, FINDINGS],
    })
    const router = testRouter([
      { path: '/quality', name: 'quality', component: QualityView },
      { path: '/quality/ranking', name: 'quality-ranking', component: { template: '<div />' } },
      { path: '/households/:id(\\d+)', name: 'household', component: { template: '<div />' } },
    ])
    await router.push('/quality?rule=id_invalid')
    await router.isReady()
    const w = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(w.find('[data-test="quality-coverage"]').text()).toContain('83.33%')
    expect(w.find('[data-test="quality-accuracy"]').text()).toContain('90.91%')
    expect(w.find('[data-test="quality-children"]').text()).toContain('城关镇')
    const table = w.find('[data-test="quality-findings"]')
    expect(table.text()).toContain('甲九')
    expect(table.text()).toContain('校验码错误')
    const links = table.findAll('a').map((a) => a.attributes('href'))
    expect(links).toContain('/persons/7')
    expect(links).toContain('/households/3')
    const url = api.mock.calls.map((c) => String(c[0])).find((u) => u.startsWith('/api/v1/quality/findings'))
    expect(url).toContain('rule=id_invalid')
    expect(w.find('[data-test="quality-recompute"]').exists()).toBe(true) // a county user
    w.unmount()
  })
})
