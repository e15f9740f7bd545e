import { describe, it, expect } from 'vitest'
import { checkIdNumber, checkChar, upgrade15, looksLikeIdNumber } from '../src/utils/idnumber.js'

const today = '2026-11-22'

describe('checkIdNumber (GB 11643-1999)', () => {
  it('accepts the standard examples, including a birth year 1880', () => {
    const a = checkIdNumber('11010519491231002X', { today })
    expect(a).toMatchObject({ valid: true, birthDate: '1949-12-31', sex: 'female', normalized: '11010519491231002X' })
    const b = checkIdNumber('440524188001010014', { today })
    expect(b).toMatchObject({ valid: true, birthDate: '1880-01-01', sex: 'male' })
  })

  it('accepts a lower-case x and spaces', () => {
    expect(checkIdNumber(' 110105 19491231 002x', { today })).toMatchObject({
      valid: true,
      normalized: '11010519491231002X',
    })
  })

  it('refuses a wrong check character and names the expected one', () => {
    const r = checkIdNumber('110105194912310021', { today })
    expect(r.valid).toBe(false)
    expect(r.expected).toBe('X')
    expect(r.reason).toBe('校验位错误，最后一位应为 X')
    const r2 = checkIdNumber('440524188001010015', { today })
    expect(r2).toMatchObject({ valid: false, expected: '4' })
  })

  it('refuses a date that does not exist (1990-02-30)', () => {
    const first17 = '34152319900230123'
    const r = checkIdNumber(first17 + checkChar(first17), { today })
    expect(r.valid).toBe(false)
    expect(r.reason).toContain('19900230')
    expect(r.reason).toContain('不是有效日期')
  })

  it('refuses 29 February in a non-leap year but accepts it in a leap year', () => {
    const bad = '34152319000229123' // 1900 is not a leap year
    expect(checkIdNumber(bad + checkChar(bad), { today }).valid).toBe(false)
    const good = '34152320000229123'
    expect(checkIdNumber(good + checkChar(good), { today }).valid).toBe(true)
  })

  it('refuses a birth date after today', () => {
    const first17 = '34152320270101123'
    const r = checkIdNumber(first17 + checkChar(first17), { today })
    expect(r.valid).toBe(false)
    expect(r.reason).toContain('晚于今天')
  })

  it('accepts a 15-digit number and upgrades it', () => {
    const r = checkIdNumber('110105491231002', { today })
    expect(r).toMatchObject({ valid: true, normalized: '11010519491231002X', birthDate: '1949-12-31', sex: 'female' })
    expect(upgrade15('110105491231002')).toBe('11010519491231002X')
  })

  it('refuses a 15-digit number with an impossible date', () => {
    expect(checkIdNumber('110105491331002', { today }).valid).toBe(false)
  })

  it('refuses wrong lengths and characters with a reason', () => {
    expect(checkIdNumber('', { today })).toMatchObject({ valid: false, reason: '请输入公民身份号码' })
    expect(checkIdNumber('1101051949123100', { today }).reason).toContain('当前为16位')
    expect(checkIdNumber('1101051949123100X2', { today }).reason).toContain('前17位应为数字')
    expect(checkIdNumber('11010549123100X', { today }).valid).toBe(false)
  })

  it('derives sex from the sequence number (odd = male)', () => {
    const m = '34152319900307123'
    const f = '34152319900307124'
    expect(checkIdNumber(m + checkChar(m), { today }).sex).toBe('male')
    expect(checkIdNumber(f + checkChar(f), { today }).sex).toBe('female')
  })
})

describe('looksLikeIdNumber', () => {
  it('tells ID numbers from names', () => {
    expect(looksLikeIdNumber('11010519491231002X')).toBe(true)
    expect(looksLikeIdNumber('110105491231002')).toBe(true)
    expect(looksLikeIdNumber('张三')).toBe(false)
    expect(looksLikeIdNumber('张')).toBe(false)
    expect(looksLikeIdNumber('')).toBe(false)
  })
})
