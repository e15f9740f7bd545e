import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { configureClient } from '../src/api/client.js'
import { loadEnums, enumLabel, enumOptions, resetEnums, setEnums } from '../src/utils/enums.js'

const ENUMS = {
  sex: [
    { value: 'male', label: '男' },
    { value: 'female', label: '女' },
  ],
  relation: [
    { value: 'head', label: '户主' },
    { value: 'child', label: '子女' },
  ],
  division_level: [
    { value: 4, label: '乡镇/街道' },
    { value: 5, label: '村/居' },
  ],
}

let fetchMock
beforeEach(() => {
  configureClient({ retryDelayMs: 0 })
  resetEnums()
  fetchMock = vi.fn(async () => new Response(JSON.stringify(ENUMS), { status: 200 }))
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => vi.unstubAllGlobals())

describe('enums', () => {
  it('loads once and shares the result', async () => {
    await Promise.all([loadEnums(), loadEnums()])
    await loadEnums()
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/meta/enums')
  })

  it('looks up labels', async () => {
    await loadEnums()
    expect(enumLabel('sex', 'female')).toBe('女')
    expect(enumLabel('relation', 'head')).toBe('户主')
    expect(enumLabel('division_level', 5)).toBe('村/居')
    expect(enumLabel('division_level', '4')).toBe('乡镇/街道')
    expect(enumOptions('sex').map((o) => o.label)).toEqual(['男', '女'])
  })

  it('shows unknown values as they are and empty values as empty', () => {
    setEnums(ENUMS)
    expect(enumLabel('relation', 'legacy_code')).toBe('legacy_code')
    expect(enumLabel('nope', 'x')).toBe('x')
    expect(enumLabel('sex', null)).toBe('')
    expect(enumLabel('sex', '')).toBe('')
    expect(enumOptions('nope')).toEqual([])
  })

  it('retries after a failed load', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch')).mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(loadEnums()).rejects.toThrow('网络连接失败')
    await loadEnums()
    expect(enumLabel('sex', 'male')).toBe('男')
  })
})
