import { describe, it, expect } from 'vitest'
import { jobPercent, uploadError, templateUrl, errorReportUrl } from '../src/api/importer.js'

describe('import progress', () => {
  it.each([
    ['upload', 0, null, 0],
    ['upload', 0.5, null, 5],
    ['upload', 1, null, 10],
    ['running', 1, null, 10],
    ['running', 1, { bytes: 0, total: 0 }, 10],
    ['running', 1, { bytes: 50, total: 100 }, 55],
    ['running', 1, { bytes: 100, total: 100 }, 100],
    ['running', 1, { bytes: 150, total: 100 }, 100],
  ])('%s %f %o → %i%%', (phase, fraction, progress, want) => {
    expect(jobPercent(phase, fraction, progress)).toBe(want)
  })
})

describe('upload errors', () => {
  it('keeps the server message and field', () => {
    const e = uploadError(400, { error: { code: 'invalid', field: 'file', message: '文件为空' } })
    expect(e.message).toBe('文件为空')
    expect(e.field).toBe('file')
    expect(e.status).toBe(400)
  })
  it('words a refused size without a body', () => {
    expect(uploadError(413, null).message).toBe('文件过大')
  })
})

describe('download addresses', () => {
  it('names the type and format', () => {
    expect(templateUrl('persons', 'csv')).toBe('/api/v1/import/template?type=persons&format=csv')
    expect(errorReportUrl('ab12')).toBe('/api/v1/import/jobs/ab12/errors?format=xlsx')
  })
})
