import { describe, it, expect } from 'vitest'
import { isPhone, dateProblem, passwordProblem } from '../src/utils/validators.js'
import { diffRows, showValue } from '../src/views/audit/auditDiff.js'
import { safeRedirect } from '../src/utils/nav.js'
import { ageOn, formatDateTime } from '../src/utils/format.js'

describe('phone numbers', () => {
  it('accepts 11-digit mobiles and landlines with an area code', () => {
    for (const ok of ['13912345678', '19912345678', '0551-12345678', '055112345678', '010-1234567', '0564-2345678-123']) {
      expect(isPhone(ok), ok).toBe(true)
    }
  })
  it('refuses others', () => {
    for (const bad of ['1391234567', '12912345678', '139123456789', '12345678', '0551-123', 'abc']) {
      expect(isPhone(bad), bad).toBe(false)
    }
  })
})

describe('dates', () => {
  const today = '2026-11-22'
  it('accepts a real past date', () => {
    expect(dateProblem('2026-11-22', today)).toBe('')
    expect(dateProblem('1880-01-01', today)).toBe('')
  })
  it('refuses bad forms, impossible dates and the future', () => {
    expect(dateProblem('2026/11/22', today)).toBe('格式应为 YYYY-MM-DD')
    expect(dateProblem('1990-02-30', today)).toBe('不是有效日期')
    expect(dateProblem('2026-11-23', today)).toBe('不能晚于今天')
  })
})

describe('password rule', () => {
  it('needs 8 characters and 3 of 4 classes', () => {
    expect(passwordProblem('Ab1!')).toBe('密码至少8位')
    expect(passwordProblem('abcdefgh1')).toContain('至少3种')
    expect(passwordProblem('abcdefG1')).toBe('')
    expect(passwordProblem('abcdef#1')).toBe('')
  })
})

describe('audit diff', () => {
  it('lists only changed fields of an update, without version and updated_at', () => {
    const rows = diffRows(
      { name: '张三', phone: null, version: 1, updated_at: 'a', sex: 'male' },
      { name: '张三丰', phone: '139****5678', version: 2, updated_at: 'b', sex: 'male' },
    )
    expect(rows).toEqual([
      { key: 'name', before: '张三', after: '张三丰', kind: 'changed' },
      { key: 'phone', before: null, after: '139****5678', kind: 'changed' },
    ])
  })
  it('lists every field of a creation', () => {
    expect(diffRows(null, { name: '李四', sex: 'female' }).map((r) => [r.key, r.kind])).toEqual([
      ['name', 'added'],
      ['sex', 'added'],
    ])
  })
  it('shows empty values readably', () => {
    expect(showValue(null)).toBe('（空）')
    expect(showValue({ a: 1 })).toBe('{"a":1}')
  })
})

describe('redirect targets', () => {
  it('accepts only paths inside the app', () => {
    expect(safeRedirect('/persons?q=张')).toBe('/persons?q=张')
    expect(safeRedirect('//evil.example/')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('https://evil.example/')).toBeNull()
    expect(safeRedirect('/login?redirect=/x')).toBeNull()
    expect(safeRedirect(undefined)).toBeNull()
  })
})

describe('format', () => {
  it('computes the age in full years', () => {
    const on = new Date(2026, 10, 22)
    expect(ageOn('1990-11-22', on)).toBe(36)
    expect(ageOn('1990-11-23', on)).toBe(35)
    expect(ageOn('', on)).toBeNull()
  })
  it('shows timestamps in local time', () => {
    const s = formatDateTime('2026-11-22T08:00:00.000Z')
    expect(s).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    const d = new Date('2026-11-22T08:00:00.000Z')
    expect(s.slice(11, 13)).toBe(String(d.getHours()).padStart(2, '0'))
  })
})
