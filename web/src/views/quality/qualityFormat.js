// Display helpers of the data-quality pages, kept apart from the views so
// that they can be tested on their own.

/** 98.25 → "98.25%"; null (nothing to divide by) → "—". */
export function formatPercent(v) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—'
  return `${Number(v).toFixed(2)}%`
}

/**
 * A tone for a rate, for tags and colours: 'success' from 98%, 'warning'
 * from 90%, 'danger' below; '' when there is no rate.
 */
export function rateTone(v) {
  if (v === null || v === undefined) return ''
  if (v >= 98) return 'success'
  if (v >= 90) return 'warning'
  return 'danger'
}

/** The route of the record a finding is about. */
export function recordRoute(f) {
  if (f.entity === 'household') return { name: 'household', params: { id: f.entity_id } }
  return { name: 'person', params: { id: f.entity_id } }
}

/** What names the record of a finding in the list: the person's name or the household number. */
export function recordLabel(f) {
  if (f.entity === 'household') return f.household?.hh_no ? `户 ${f.household.hh_no}` : `户 #${f.entity_id}`
  return f.person?.name || `人员 #${f.entity_id}`
}

/**
 * The rules worth a column in a table of divisions: those with open
 * findings somewhere in rows, in the server's order.
 */
export function activeRules(rules, rows) {
  return (rules || []).filter((r) => (rows || []).some((row) => (row.findings?.[r.code] || 0) > 0))
}

const missing = (v) => v === null || v === undefined

// Comparators that put missing values (no records, no ID numbers) last.
const ascending = (a, b) => (missing(a) ? (missing(b) ? 0 : 1) : missing(b) ? -1 : a - b)
const descending = (a, b) => (missing(a) ? (missing(b) ? 0 : 1) : missing(b) ? -1 : b - a)

/**
 * Orders ranking rows by a column chosen in the table, the server's rank
 * (its documented score) breaking ties. key: 'rank' (the server's order);
 * 'id_accuracy', 'coverage', 'records' (higher first); 'open_per_100'
 * (fewer problems first).
 */
export function sortRanking(items, key = 'rank') {
  const rows = [...(items || [])]
  if (!key || key === 'rank') return rows.sort((a, b) => a.rank - b.rank)
  const by = key === 'open_per_100' ? ascending : descending
  return rows.sort((a, b) => by(a[key], b[key]) || a.rank - b.rank)
}
