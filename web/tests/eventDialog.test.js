import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import EventDialog from '../src/views/registry/EventDialog.vue'
import {
  fieldsFor, isRequired, labelFor, validateEvent, eventBody, formFromEvent, emptyEventForm, correctionKinds,
} from '../src/views/registry/eventFields.js'
import { setMe } from '../src/session.js'
import { setEnums, resetEnums } from '../src/utils/enums.js'
import { mockApi, ENUMS, COUNTY_ME } from './helpers.js'

const KINDS = [
  { value: 'birth', label: '出生' }, { value: 'death', label: '死亡' }, { value: 'first_marriage', label: '初婚' },
  { value: 'remarriage', label: '再婚' }, { value: 'divorce', label: '离婚' }, { value: 'widowed', label: '丧偶' },
  { value: 'move_in', label: '迁入' }, { value: 'move_out', label: '迁出' }, { value: 'transfer', label: '县内迁户' },
  { value: 'leave', label: '流出' }, { value: 'arrive', label: '流入' }, { value: 'return', label: '返回' },
  { value: 'adoption', label: '收养' }, { value: 'void', label: '作废' },
]
const MOTHER = { id: 7, name: '王芳', sex: 'female', birth_date: '1990-03-07', household_id: 3, registered_division: '341523100001' }
const form = (patch) => ({ ...emptyEventForm(), ...patch })
// Form items show an error after a short debounce.
const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
  await flushPromises()
}

describe('event field rules', () => {
  it('shows the fields of each kind', () => {
    expect(fieldsFor('leave')).toEqual(['date', 'place'])
    expect(fieldsFor('divorce')).toEqual(['date'])
    expect(fieldsFor('arrive')).toEqual(['date', 'place', 'division'])
    expect(fieldsFor('first_marriage')).toContain('spouse')
    expect(fieldsFor('birth')).toEqual(expect.arrayContaining(['name', 'sex', 'other_parent', 'join_household']))
    expect(fieldsFor('void')).toEqual([])
    expect(fieldsFor('nonsense')).toEqual([])
  })

  it('labels fields by kind', () => {
    expect(labelFor('leave', 'place')).toBe('流出去向')
    expect(labelFor('move_out', 'place')).toBe('迁往地')
    expect(labelFor('arrive', 'division')).toBe('现居住地')
    expect(labelFor('death', 'date')).toBe('死亡日期')
    expect(labelFor('leave', 'date')).toBe('事件日期')
  })

  it('requires by kind; a correction needs a reason and may leave the rest', () => {
    expect(isRequired('leave', 'place')).toBe(true)
    expect(isRequired('death', 'place')).toBe(false)
    expect(isRequired('leave', 'date')).toBe(true)
    expect(isRequired('leave', 'place', true)).toBe(false)
    expect(isRequired('leave', 'note', true)).toBe(true)
    expect(isRequired('leave', 'note', false)).toBe(false)
  })

  it('validates dates, required fields and lengths', () => {
    const today = '2026-11-22'
    const v = (f, o = {}) => validateEvent(form(f), { person: MOTHER, today, ...o })
    expect(v({})).toEqual({ kind: '请选择事件类型' })
    expect(v({ kind: 'leave' })).toEqual({ date: '请选择事件日期', place: '请填写流出去向' })
    expect(v({ kind: 'leave', date: '2026-11-23', place: '广东' })).toEqual({ date: '事件日期不能晚于今天' })
    expect(v({ kind: 'leave', date: '1990-03-06', place: '广东' })).toEqual({ date: '事件日期不能早于出生日期 1990-03-07' })
    expect(v({ kind: 'leave', date: '2020-02-30', place: '广东' })).toEqual({ date: '事件日期不是有效日期' })
    expect(v({ kind: 'first_marriage', date: '2015-01-01' })).toEqual({ spouse: '请选择配偶' })
    expect(v({ kind: 'first_marriage', date: '2015-01-01', spouse_mode: 'name' })).toEqual({ spouse: '请填写配偶姓名' })
    expect(v({ kind: 'adoption', date: '2015-01-01' })).toEqual({ adopters: '请选择养母或养父' })
    expect(v({ kind: 'birth', date: '2024-01-01' })).toEqual({ name: '请输入子女姓名', sex: '请选择子女性别', division: '请选择户籍地' })
    expect(v({ kind: 'death', date: '2024-01-01', cause: '病'.repeat(101) })).toEqual({ cause: '死亡原因不能超过100个字' })
    expect(v({ kind: 'void' }, { correcting: true })).toEqual({ note: '请填写更正或作废的原因' })
    expect(v({ kind: 'leave', place: '' , note: '日期有误' }, { correcting: true })).toEqual({})
  })

  it('builds the body of a birth on the parent’s page', () => {
    const f = form({ kind: 'birth', name: ' 李小 ', sex: 'female', date: '2024-03-03', place: '县医院', division: '341523100001',
      other_parent_id: 9, join_household: true, relation: 'child', cause: 'ignored' })
    expect(eventBody(f, { person: MOTHER })).toEqual({
      path: 'birth',
      body: { kind: 'birth', date: '2024-03-03', name: '李小', sex: 'female', place: '县医院', division: '341523100001',
        mother_id: 7, father_id: 9, household_id: 3, relation: 'child' },
    })
    const father = { ...MOTHER, id: 8, sex: 'male', household_id: null }
    expect(eventBody(f, { person: father }).body).toMatchObject({ father_id: 8, mother_id: 9 })
    expect(eventBody(f, { person: father }).body.household_id).toBeUndefined()
  })

  it('sends only the kind’s fields, and a correction names what it corrects', () => {
    const f = form({ kind: 'leave', date: '2023-01-01', place: '广东', division: '341523100001', spouse_id: 3, note: '' })
    expect(eventBody(f)).toEqual({ path: 'person', body: { kind: 'leave', date: '2023-01-01', place: '广东' } })
    const wed = form({ kind: 'first_marriage', date: '2015-01-01', spouse_mode: 'name', spouse_name: '李四', spouse_id: 3 })
    expect(eventBody(wed).body).toEqual({ kind: 'first_marriage', date: '2015-01-01', spouse_name: '李四' })
    expect(eventBody(form({ kind: 'void', note: '误登' }), { corrects: 12 })).toEqual({
      path: 'person', body: { kind: 'void', corrects: 12, note: '误登' },
    })
    expect(eventBody(form({ kind: 'birth', date: '2024-03-04', sex: 'male', note: '日期' }), { person: MOTHER, corrects: 5 })).toEqual({
      path: 'person', body: { kind: 'birth', date: '2024-03-04', sex: 'male', corrects: 5, note: '日期' },
    })
  })

  it('corrections keep a birth a birth and offer void for the rest', () => {
    expect(correctionKinds('birth', KINDS).map((k) => k.value)).toEqual(['birth'])
    const rest = correctionKinds('leave', KINDS).map((k) => k.value)
    expect(rest).toContain('void')
    expect(rest).not.toContain('birth')
    expect(formFromEvent({ kind: 'first_marriage', date: '2015-01-01', details: { spouse_name: '李四' } })).toMatchObject({
      kind: 'first_marriage', date: '2015-01-01', spouse_mode: 'name', spouse_name: '李四',
    })
  })
})

describe('EventDialog', () => {
  beforeEach(() => {
    setMe(COUNTY_ME)
    setEnums({ ...ENUMS, event_kind: KINDS })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    resetEnums()
    setMe(null)
    document.body.innerHTML = ''
  })

  async function open(props) {
    const w = mount(EventDialog, { props: { modelValue: true, person: MOTHER, ...props }, attachTo: document.body })
    await flushPromises()
    return w
  }
  const shown = (sel) => document.body.querySelector(`[data-test="${sel}"]`) !== null

  it('shows the fields of the chosen kind and puts the server’s error on its field', async () => {
    const calls = mockApi({
      'POST /api/v1/persons/7/events': (body) => {
        if (body.place === '广东') return [400, { error: { code: 'invalid', field: 'kind', message: '已登记流出（浙江），请先登记返回或流入' } }]
        return [201, { id: 1, kind: 'leave' }]
      },
    })
    const w = await open()
    expect(shown('ev-place')).toBe(false)
    w.vm.$.setupState.form.kind = 'leave'
    await flushPromises()
    expect(shown('ev-place')).toBe(true)
    expect(shown('ev-spouse')).toBe(false)
    expect(shown('ev-division')).toBe(false)

    w.vm.$.setupState.form.date = '2023-01-01'
    w.vm.$.setupState.form.place = '广东'
    document.body.querySelector('[data-test="ev-save"]').click()
    await settle()
    expect(calls).toHaveBeenCalledTimes(1)
    expect(JSON.parse(calls.mock.calls[0][1].body)).toEqual({ kind: 'leave', date: '2023-01-01', place: '广东' })
    expect(document.body.textContent).toContain('已登记流出（浙江）')
    expect(w.emitted('saved')).toBeUndefined()

    w.vm.$.setupState.form.place = '浙江'
    document.body.querySelector('[data-test="ev-save"]').click()
    await flushPromises()
    expect(w.emitted('saved')?.[0]?.[0]).toEqual({ id: 1, kind: 'leave' })
  })

  it('checks before sending: nothing is sent while a field is wrong', async () => {
    const calls = mockApi({})
    const w = await open()
    w.vm.$.setupState.form.kind = 'first_marriage'
    await flushPromises()
    expect(shown('ev-spouse')).toBe(true)
    document.body.querySelector('[data-test="ev-save"]').click()
    await settle()
    expect(calls).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('请选择配偶')
    expect(document.body.textContent).toContain('请选择事件日期')
  })

  it('a correction starts from the event and requires a reason', async () => {
    const calls = mockApi({ 'POST /api/v1/persons/7/events': () => [201, { id: 9, kind: 'leave' }] })
    const w = await open({ correcting: { id: 4, person_id: 7, kind: 'leave', kind_label: '流出', date: '2023-01-01', details: { place: '广东' } } })
    expect(document.body.textContent).toContain('更正 2023-01-01 的流出记录')
    expect(w.vm.$.setupState.form.place).toBe('广东')
    document.body.querySelector('[data-test="ev-save"]').click()
    await settle()
    expect(calls).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('请填写更正或作废的原因')
    w.vm.$.setupState.form.note = '去向有误'
    w.vm.$.setupState.form.place = '浙江'
    document.body.querySelector('[data-test="ev-save"]').click()
    await flushPromises()
    expect(JSON.parse(calls.mock.calls[0][1].body)).toEqual({ kind: 'leave', date: '2023-01-01', place: '浙江', corrects: 4, note: '去向有误' })
  })
})
