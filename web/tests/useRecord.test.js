import { describe, it, expect } from 'vitest'
import { useRecord } from '../src/utils/useRecord.js'

describe('useRecord', () => {
  it('holds the record, clears it on a failed read, and reports loading', async () => {
    let fail = false
    const r = useRecord(async () => {
      if (fail) throw new Error('记录不存在')
      return { id: 1 }
    })
    const pending = r.load()
    expect(r.loading.value).toBe(true)
    await pending
    expect(r.data.value).toEqual({ id: 1 })
    expect(r.error.value).toBe(null)
    fail = true
    await r.load()
    expect(r.data.value).toBe(null)
    expect(r.error.value.message).toBe('记录不存在')
    expect(r.loading.value).toBe(false)
  })
})
