import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { h } from 'vue'
import { mount, flushPromises } from '@vue/test-utils'
import { RouterView } from 'vue-router'
import AppointmentView from '../src/views/appointment/AppointmentView.vue'
import {
  normaliseClock, timeProblems, isDate, addDays, todayInChina, seriesDates, weekday, emptySlotForm, slotProblems,
  slotBody, remainingLabel, remainingTone, canBook, canMark, serviceLabel, newRequestKey, createBookingAttempt,
} from '../src/views/appointment/appointment.js'
import { setMe } from '../src/session.js'
import { mockApi, testRouter, COUNTY_ME } from './helpers.js'

const TODAY = '2026-11-23' // a Monday

describe('times', () => {
  it.each([
    ['08:30', '08:30'],
    ['8:30', '08:30'],
    [' 23:59 ', '23:59'],
    ['24:00', null],
    ['12:60', null],
    ['12:5', null],
    ['9点', null],
    ['', null],
    [undefined, null],
  ])('normaliseClock(%s) = %s', (s, want) => {
    expect(normaliseClock(s)).toBe(want)
  })

  it('requires both times and an end after the start', () => {
    expect(timeProblems('09:00', '11:30')).toEqual({})
    expect(timeProblems('9:00', '09:15')).toEqual({})
    expect(timeProblems('', '')).toEqual({ start_time: '请填写开始时间', end_time: '请填写结束时间' })
    expect(timeProblems('14:00', '13:00')).toEqual({ end_time: '结束时间应晚于开始时间 14:00' })
    expect(timeProblems('14:00', '14:00')).toEqual({ end_time: '结束时间应晚于开始时间 14:00' })
    expect(timeProblems('25:00', '26:00')).toEqual({
      start_time: '开始时间格式应为 HH:MM（如 08:30）',
      end_time: '结束时间格式应为 HH:MM（如 11:30）',
    })
  })
})

describe('dates', () => {
  it('knows real dates', () => {
    expect(isDate('2028-02-29')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2026-11-31')).toBe(false)
    expect(isDate('2026-1-5')).toBe(false)
  })

  it('adds calendar days across months and years', () => {
    expect(addDays('2026-11-23', 13)).toBe('2026-12-06')
    expect(addDays('2026-12-29', 7)).toBe('2027-01-05')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })

  it('takes today in China, not in the browser’s zone', () => {
    expect(todayInChina(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23') // 00:30 in Beijing
    expect(todayInChina(new Date('2026-11-23T15:59:00Z'))).toBe('2026-11-23')
  })

  it('makes weekly series on the same weekday', () => {
    expect(seriesDates('2026-11-24', 4)).toEqual(['2026-11-24', '2026-12-01', '2026-12-08', '2026-12-15'])
    expect(seriesDates('2026-12-22', 3)).toEqual(['2026-12-22', '2026-12-29', '2027-01-05'])
    expect(seriesDates('2026-11-24', 0)).toEqual(['2026-11-24'])
    expect(seriesDates('2026-11-24', 1)).toEqual(['2026-11-24'])
    expect(seriesDates('not a date', 3)).toEqual([])
    for (const d of seriesDates('2028-02-01', 8)) expect(weekday(d)).toBe('周二')
  })
})

describe('slot form', () => {
  const valid = () => ({ ...emptySlotForm(TODAY), division: '341523100', place: '城关镇计生服务站' })

  it('starts tomorrow, and with home visits for a village officer', () => {
    expect(emptySlotForm(TODAY)).toMatchObject({ kind: 'station', date: '2026-11-24', repeat: 'once' })
    expect(emptySlotForm(TODAY, { villageOnly: true, division: '341523100001' })).toMatchObject({
      kind: 'home', division: '341523100001',
    })
  })

  it.each([
    ['valid', {}, {}],
    ['home needs no place', { kind: 'home', place: '' }, {}],
    ['station needs a place', { place: '  ' }, { place: '请填写服务地点' }],
    ['no division', { division: '' }, { division: '请选择服务地点所在的区划' }],
    ['end before start', { start_time: '14:00', end_time: '13:30' }, { end_time: '结束时间应晚于开始时间 14:00' }],
    ['capacity 0', { capacity: 0 }, { capacity: '名额应为 1 到 200 之间的整数' }],
    ['capacity 2.5', { capacity: 2.5 }, { capacity: '名额应为 1 到 200 之间的整数' }],
    ['yesterday', { date: '2026-11-22' }, { date: '日期不能早于今天' }],
    ['impossible date', { date: '2026-11-31' }, { date: '日期格式应为 YYYY-MM-DD，且须是真实日期' }],
    ['no service', { service: ' ' }, { service: '请选择或填写服务项目' }],
    ['one week is not a series', { repeat: 'weekly', weeks: 1 }, { repeat_weeks: '每周重复的次数应为 2 到 52' }],
    ['53 weeks', { repeat: 'weekly', weeks: 53 }, { repeat_weeks: '每周重复的次数应为 2 到 52' }],
  ])('%s', (_, patch, want) => {
    expect(slotProblems({ ...valid(), ...patch }, TODAY)).toEqual(want)
  })

  it('sends times normalised, texts trimmed and the number of weeks', () => {
    const body = slotBody({ ...valid(), start_time: '9:00', place: ' 城关镇计生服务站 ', service: ' 健康讲座 ', repeat: 'weekly', weeks: 6 })
    expect(body).toEqual({
      kind: 'station', division: '341523100', place: '城关镇计生服务站', date: '2026-11-24', start_time: '09:00',
      end_time: '11:30', capacity: 10, service: '健康讲座', note: '', repeat_weeks: 6,
    })
    expect(slotBody({ ...valid(), weeks: 6 }).repeat_weeks).toBe(0)
  })
})

describe('cards', () => {
  const slot = (patch) => ({ status: 'open', capacity: 10, remaining: 4, date: '2026-11-24', ...patch })

  it.each([
    [{}, '余 4/10', 'success'],
    [{ remaining: 2 }, '余 2/10', 'warning'],
    [{ remaining: 0 }, '约满', 'danger'],
    [{ remaining: 0, capacity: 1 }, '约满', 'danger'],
    [{ status: 'cancelled', remaining: 0 }, '已取消', 'info'],
  ])('remaining of %o', (patch, label, tone) => {
    expect(remainingLabel(slot(patch))).toBe(label)
    expect(remainingTone(slot(patch))).toBe(tone)
  })

  it('books only open slots with places, today or later', () => {
    expect(canBook(slot({}), TODAY)).toBe(true)
    expect(canBook(slot({ date: TODAY }), TODAY)).toBe(true)
    expect(canBook(slot({ date: '2026-11-22' }), TODAY)).toBe(false)
    expect(canBook(slot({ remaining: 0 }), TODAY)).toBe(false)
    expect(canBook(slot({ status: 'cancelled' }), TODAY)).toBe(false)
  })

  it('marks attendance from the slot’s day on, for open bookings only', () => {
    expect(canMark({ status: 'booked', date: TODAY }, TODAY)).toBe(true)
    expect(canMark({ status: 'booked', date: '2026-11-01' }, TODAY)).toBe(true)
    expect(canMark({ status: 'booked', date: '2026-11-24' }, TODAY)).toBe(false)
    expect(canMark({ status: 'attended', date: TODAY }, TODAY)).toBe(false)
  })

  it('labels services by code or free text', () => {
    expect(serviceLabel('screening')).toBe('两癌筛查')
    expect(serviceLabel('健康讲座')).toBe('健康讲座')
    expect(serviceLabel('')).toBe('')
  })
})

describe('booking attempt', () => {
  it('makes request keys the server accepts', () => {
    expect(newRequestKey()).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    expect(newRequestKey({})).toMatch(/^[0-9a-f]{32}$/)
    expect(newRequestKey()).not.toBe(newRequestKey())
  })

  it('sends a double tap once and keeps the key for a retry', async () => {
    let n = 0
    const attempt = createBookingAttempt(() => `key-${++n}-abcdef`)
    let release
    const send = vi.fn(() => new Promise((r) => (release = r)))
    const first = attempt.submit(send)
    const second = attempt.submit(send)
    expect(second).toBe(first)
    expect(attempt.busy).toBe(true)
    await Promise.resolve()
    release({ id: 9 })
    await expect(first).resolves.toEqual({ id: 9 })
    expect(send).toHaveBeenCalledTimes(1)
    expect(attempt.busy).toBe(false)
    // After a failure the same key goes again, so the server can answer with the first booking.
    const retry = vi.fn(async () => ({ id: 9 }))
    await attempt.submit(retry)
    expect(send.mock.calls[0][0]).toBe('key-1-abcdef')
    expect(retry.mock.calls[0][0]).toBe('key-1-abcdef')
    // A new dialog opening is a new attempt with a new key.
    expect(createBookingAttempt(() => `key-${++n}-abcdef`).key).toBe('key-2-abcdef')
  })
})

describe('AppointmentView', () => {
  beforeEach(() => setMe({ ...COUNTY_ME, permissions: [...COUNTY_ME.permissions, 'health.read', 'health.write'] }))
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('shows the slots of the range as cards, a full one as 约满', async () => {
    const today = todayInChina()
    const calls = mockApi({
      'GET /api/v1/appointments/slots': () => [200, {
        total: 2,
        items: [
          { id: 1, kind: 'station', place: '城关镇计生服务站', division_name: '城关镇', date: today, start_time: '09:00',
            end_time: '11:00', capacity: 5, booked: 5, remaining: 0, service_label: '孕前优生检查', status: 'open', can_manage: true, version: 1 },
          { id: 2, kind: 'home', place: '入户服务', division_name: '城关镇 东苑社区居委会', date: addDays(today, 1), start_time: '14:00',
            end_time: '17:00', capacity: 3, booked: 1, remaining: 2, service_label: '术后随访', status: 'open', can_manage: false, version: 1 },
        ],
      }],
    })
    const router = testRouter()
    router.addRoute({ path: '/appointments', name: 'appointments', component: AppointmentView })
    await router.push('/appointments?kind=station')
    const w = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
    await flushPromises()
    const url = new URL(calls.mock.calls[0][0], 'http://x')
    expect(url.searchParams.get('from')).toBe(today)
    expect(url.searchParams.get('to')).toBe(addDays(today, 13))
    expect(url.searchParams.get('kind')).toBe('station')
    const cards = w.findAll('[data-test="slot-card"]')
    expect(cards).toHaveLength(2)
    expect(cards[0].find('[data-test="slot-remaining"]').text()).toBe('约满')
    expect(cards[0].find('[data-test="slot-book"]').attributes('disabled')).toBeDefined()
    expect(cards[0].find('[data-test="slot-cancel"]').exists()).toBe(true)
    expect(cards[1].find('[data-test="slot-remaining"]').text()).toBe('余 2/3')
    expect(cards[1].find('[data-test="slot-book"]').attributes('disabled')).toBeUndefined()
    expect(cards[1].find('[data-test="slot-cancel"]').exists()).toBe(false)
    w.unmount()
  })
})
