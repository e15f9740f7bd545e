// Turns an audit entry's before/after snapshots into rows of changed fields.

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/**
 * @returns {{key: string, before: any, after: any, kind: 'added'|'removed'|'changed'}[]}
 *   For a creation (no before) every field of after; for a deletion every
 *   field of before; otherwise only the fields that differ. version and
 *   updated_at are left out: they change with every edit.
 */
export function diffRows(before, after) {
  const skip = new Set(['version', 'updated_at'])
  const b = before && typeof before === 'object' ? before : null
  const a = after && typeof after === 'object' ? after : null
  const keys = [...new Set([...Object.keys(b || {}), ...Object.keys(a || {})])].filter((k) => !skip.has(k))
  const rows = []
  for (const key of keys) {
    const bv = b ? b[key] : undefined
    const av = a ? a[key] : undefined
    if (b && a && same(bv, av)) continue
    const kind = !b ? 'added' : !a ? 'removed' : 'changed'
    rows.push({ key, before: bv, after: av, kind })
  }
  return rows
}

/** A compact text for one value. */
export function showValue(v) {
  if (v === null || v === undefined || v === '') return '（空）'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}
