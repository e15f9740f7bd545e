// Pure helpers of the floating-population pages, kept apart from the
// components so they can be tested without mounting anything.

export const DIRECTION_LABELS = { out: '流出', in: '流入' }
export const STATUS_LABELS = { active: '在册', ended: '已结束' }
export const VERDICTS = {
  matched: { label: '一致', type: 'success' },
  new: { label: '新增', type: 'primary' },
  conflicting: { label: '冲突', type: 'danger' },
  invalid: { label: '无效', type: 'info' },
}

/** An empty entry form of a direction. */
export function emptyEntry(direction) {
  return {
    direction,
    person_id: null,
    name: '',
    sex: '',
    birth_date: '',
    id_number: '',
    phone: '',
    place: '',
    other_county: '',
    division: '',
    since: '',
    note: '',
    version: 0,
  }
}

/** The form of an existing entry, for editing. */
export function entryForm(entry) {
  const f = emptyEntry(entry.direction)
  for (const k of Object.keys(f)) {
    if (entry[k] !== undefined && entry[k] !== null) f[k] = entry[k]
  }
  return f
}

/**
 * The request body of an entry form. An "out" entry takes name, sex, birth
 * date, ID number and village from its person in the registry, and the
 * server refuses them if sent; an "in" entry sends its own. Empty strings
 * are sent as they are (the server reads them as "none"); the direction is
 * sent only when creating.
 */
export function entryBody(form, { creating }) {
  const common = {
    person_id: form.person_id || null,
    phone: (form.phone || '').trim(),
    place: (form.place || '').trim(),
    other_county: (form.other_county || '').trim(),
    since: form.since || '',
    note: (form.note || '').trim(),
    version: creating ? 0 : form.version,
  }
  if (creating) common.direction = form.direction
  if (form.direction === 'out') return common
  return {
    ...common,
    name: (form.name || '').trim(),
    sex: form.sex || '',
    birth_date: form.birth_date || '',
    id_number: (form.id_number || '').replace(/\s+/g, ''),
    division: form.division || '',
  }
}

/**
 * Checks the other side's county code as typed: '' when fine (or empty),
 * else the reason. own is the user's county, which the other side cannot be.
 */
export function countyProblem(code, own) {
  const c = (code || '').trim()
  if (!c) return ''
  if (!/^\d{6}$/.test(c) || c === '000000') return '区县代码应为 6 位数字，如 341522'
  if (own && c === own) return '对方区县不能是本县'
  return ''
}

/** The user's county code from their division code, '' above county level. */
export function ownCountyOf(divisionCode) {
  return divisionCode && divisionCode.length >= 6 ? divisionCode.slice(0, 6) : ''
}

/** One line summing up an exchange report. */
export function summaryText(summary, dryRun) {
  if (!summary) return ''
  const parts = [
    `共 ${summary.total} 行`,
    `一致 ${summary.matched}`,
    `新增 ${summary.new}`,
    `冲突 ${summary.conflicting}`,
    `无效 ${summary.invalid}`,
  ]
  let text = parts.join('，')
  if (!dryRun) text += `；已新建登记 ${summary.created} 条，补充 ${summary.updated} 条`
  return text
}

/** Whether applying a checked report would write anything. */
export function canApply(report) {
  return !!report && report.dry_run && report.summary.new + report.summary.matched > 0
}

/** The differences of a report row as one line of text. */
export function differencesText(diffs) {
  return (diffs || []).map((d) => `${d.field}：本县“${d.ours}”，对方“${d.theirs}”`).join('；')
}

/** Label of a value among options [{value, label}], the value itself when unknown. */
export function optionLabel(options, value) {
  return (options || []).find((o) => o.value === value)?.label || value || ''
}
