import { describe, it, expect } from 'vitest'
import {
  entryBody, entryForm, emptyEntry, countyProblem, ownCountyOf, summaryText, canApply, differencesText,
} from '../src/views/floating/floating.js'
import { fileNameOf } from '../src/api/floating.js'

describe('entryBody', () => {
  const form = {
    ...emptyEntry('out'),
    person_id: 7,
    name: '张伟',
    id_number: '341523199205060318',
    division: '341523100001',
    phone: ' 13912345678 ',
    place: '霍邱县城关镇 ',
    other_county: '341522',
    since: '2024-03-01',
  }

  it('sends an "out" entry without the fields the registry owns', () => {
    const body = entryBody(form, { creating: true })
    expect(body).toEqual({
      direction: 'out', person_id: 7, phone: '13912345678', place: '霍邱县城关镇', other_county: '341522',
      since: '2024-03-01', note: '', version: 0,
    })
  })

  it('sends an "in" entry with its own identity, ID spaces removed, and no direction when editing', () => {
    const f = { ...form, direction: 'in', person_id: null, sex: 'female', birth_date: '1995-08-09',
      id_number: '341522 19950809 042X', version: 3 }
    const body = entryBody(f, { creating: false })
    expect(body.direction).toBeUndefined()
    expect(body).toMatchObject({ name: '张伟', id_number: '34152219950809042X', division: '341523100001',
      person_id: null, version: 3 })
  })

  it('round-trips an entry read from the server', () => {
    const entry = { id: 5, direction: 'in', name: '陈静', sex: 'female', birth_date: '1995-08-09',
      id_number: '341522********042X', phone: '137****2222', place: '霍邱县', other_county: '341522',
      division: '341523100001', since: '2025-02-01', note: null, version: 2, status: 'active' }
    const body = entryBody(entryForm(entry), { creating: false })
    expect(body).toMatchObject({ id_number: '341522********042X', phone: '137****2222', note: '', version: 2 })
  })
})

describe('county codes', () => {
  it.each([
    ['', '341523', ''],
    ['341522', '341523', ''],
    ['341523', '341523', '对方区县不能是本县'],
    ['34152', '341523', '区县代码应为 6 位数字，如 341522'],
    ['34152a', '', '区县代码应为 6 位数字，如 341522'],
    ['000000', '', '区县代码应为 6 位数字，如 341522'],
  ])('countyProblem(%s, %s)', (code, own, want) => {
    expect(countyProblem(code, own)).toBe(want)
  })

  it('finds the own county of a division code', () => {
    expect(ownCountyOf('341523100001')).toBe('341523')
    expect(ownCountyOf('341523')).toBe('341523')
    expect(ownCountyOf('3415')).toBe('')
    expect(ownCountyOf(undefined)).toBe('')
  })
})

describe('exchange report', () => {
  const summary = { total: 4, matched: 1, new: 2, conflicting: 1, invalid: 0, created: 2, updated: 1 }

  it('sums up a check and an application', () => {
    expect(summaryText(summary, true)).toBe('共 4 行，一致 1，新增 2，冲突 1，无效 0')
    expect(summaryText(summary, false)).toBe('共 4 行，一致 1，新增 2，冲突 1，无效 0；已新建登记 2 条，补充 1 条')
  })

  it('offers to apply only a dry run with something to write', () => {
    expect(canApply({ dry_run: true, summary })).toBe(true)
    expect(canApply({ dry_run: false, summary })).toBe(false)
    expect(canApply({ dry_run: true, summary: { ...summary, matched: 0, new: 0 } })).toBe(false)
    expect(canApply(null)).toBe(false)
  })

  it('writes the differences of a row', () => {
    expect(differencesText([{ field: '姓名', ours: '王刚', theirs: '王强' }, { field: '出生日期', ours: '1985-01-01', theirs: '1985-01-02' }]))
      .toBe('姓名：本县“王刚”，对方“王强”；出生日期：本县“1985-01-01”，对方“1985-01-02”')
    expect(differencesText(undefined)).toBe('')
  })

  it('reads the file name of a download', () => {
    expect(fileNameOf(`attachment; filename="____.csv"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.csv`)).toBe('报告.csv')
    expect(fileNameOf('attachment; filename="report.xlsx"')).toBe('report.xlsx')
    expect(fileNameOf(null)).toBe('')
  })
})
