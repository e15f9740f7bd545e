// Pure helpers of the supply pages (药具管理): expiry labels, stock row
// highlighting, request keys and form checks, kept apart from the
// components so they can be tested without mounting anything. The server
// checks everything again; these checks only spare a round trip.

export const NEAR_DAYS = 90

export const EXPIRY = {
  ok: { label: '有效', type: 'success' },
  near: { label: '近效期', type: 'warning' },
  expired: { label: '已过期', type: 'danger' },
}

export const SITE_KINDS = { station: '服务站', room: '村级药具室', machine: '自助发放机' }

export const MOVE_KINDS = {
  receipt: { label: '入库', type: 'success' },
  transfer: { label: '调拨', type: 'primary' },
  stocktake: { label: '盘点调整', type: 'warning' },
  dispense: { label: '发放到人', type: 'info' },
  reversal: { label: '冲正', type: 'danger' },
}

export const LOG_VERDICTS = {
  new: { label: '新增', type: 'success' },
  duplicate: { label: '已导入', type: 'info' },
  invalid: { label: '有误', type: 'danger' },
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86400000

/** Whether s is a real calendar date written YYYY-MM-DD. */
export function isDate(s) {
  if (!DATE_RE.test(s || '')) return false
  const d = new Date(s + 'T00:00:00Z')
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/** Today's date in China (UTC+8), whatever the browser's zone. */
export function todayInChina(now = new Date()) {
  return new Date(now.getTime() + 8 * 3600000).toISOString().slice(0, 10)
}

/** Days from date a to date b (negative when b is earlier). */
export function daysBetween(a, b) {
  return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / DAY_MS)
}

/**
 * Expiry status of a batch on today, as the server computes it: usable
 * through its expiry date, near expiry within nearDays.
 */
export function expiryStatus(expiry, today, nearDays = NEAR_DAYS) {
  if (!isDate(expiry) || !isDate(today)) return ''
  const left = daysBetween(today, expiry)
  if (left < 0) return 'expired'
  if (left <= nearDays) return 'near'
  return 'ok'
}

/** A short text for a batch's expiry: "已过期 21 天", "23 天后到期", "今天到期", "有效". */
export function expiryText(expiry, today, nearDays = NEAR_DAYS) {
  const status = expiryStatus(expiry, today, nearDays)
  if (!status) return ''
  const left = daysBetween(today, expiry)
  if (status === 'expired') return `已过期 ${-left} 天`
  if (left === 0) return '今天到期'
  if (status === 'near') return `${left} 天后到期`
  return '有效'
}

/** Key of a site and item, for looking up low-stock alerts. */
export const siteItemKey = (siteId, itemId) => `${siteId}:${itemId}`

/** The set of site:item keys an alerts answer reports as low. */
export function lowStockKeys(alerts) {
  return new Set((alerts?.low_stock || []).map((l) => siteItemKey(l.site_id, l.item_id)))
}

/**
 * The CSS class of a stock row: expiry comes first (an expired batch must
 * be taken out whatever the quantity), then low stock of the item at the site.
 */
export function stockRowClass(row, lowKeys) {
  if (row.expiry_status === 'expired') return 'row-expired'
  if (row.expiry_status === 'near') return 'row-near'
  if (lowKeys?.has(siteItemKey(row.site_id, row.item_id))) return 'row-low'
  return ''
}

/** "+30" or "−12" for a ledger quantity; "0" for an unchanged count. */
export function signedQty(q) {
  const n = Number(q) || 0
  if (n > 0) return `+${n}`
  if (n < 0) return `−${-n}`
  return '0'
}

/** Where a move went: "东苑社区药具室 → 龙潭村药具室" for a transfer, the site otherwise. */
export function moveWhere(m) {
  if (!m) return ''
  if (!m.to_site_name) return m.site_name || ''
  // A reversal of a transfer went the other way.
  return m.qty < 0 ? `${m.site_name} → ${m.to_site_name}` : `${m.to_site_name} → ${m.site_name}`
}

/**
 * A new request key: one per dialog opening, so that a double tap or a
 * retry after a dropped connection is answered with the first result
 * instead of moving stock twice. Letters, digits and '-' only (the server's rule).
 */
export function newRequestKey(random = Math.random, now = Date.now) {
  let r = ''
  while (r.length < 16) r += Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0')
  return `k-${now().toString(36)}-${r.slice(0, 16)}`
}

/** '' when v is a whole number in [min, 1000000], else why not. */
export function qtyProblem(v, min = 1) {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n)) return '请填写整数数量'
  if (n < min || n > 1000000) return min === 0 ? '数量应为 0 到 1000000 之间的整数' : '数量应为 1 到 1000000 之间的整数'
  return ''
}

/** '' when a date field is empty (meaning today) or a real date not after today. */
export function dateProblem(v, today, label = '日期') {
  if (!v) return ''
  if (!isDate(v)) return `${label}格式应为 YYYY-MM-DD`
  if (today && v > today) return `${label}不能晚于今天`
  return ''
}

/** Puts problem into errors under key when there is one. */
function note(errors, key, problem) {
  if (problem) errors[key] = problem
}

/** Checks the lines of a receipt, transfer or stock-take; keys are the server's field names. */
function lineErrors(errors, lines, kind, movedOn) {
  if (!lines?.length) {
    errors.lines = '请至少填写一种药具'
    return
  }
  const seen = new Map()
  lines.forEach((l, i) => {
    const at = (name) => `lines[${i}].${name}`
    if (!l.item_id) errors[at('item_id')] = '请选择药具'
    const batch = (l.batch_no || '').trim()
    if (kind !== 'transfer' && !batch) errors[at('batch_no')] = '请填写批号'
    if (kind === 'receipt') {
      if (!isDate(l.expiry)) errors[at('expiry')] = '请填写有效期（YYYY-MM-DD）'
      else if (movedOn && l.expiry < movedOn) errors[at('expiry')] = '有效期早于入库日期：过期药具不能入库'
    }
    if (kind === 'stocktake') {
      note(errors, at('counted'), qtyProblem(l.counted, 0))
      const key = `${l.item_id}|${batch}`
      if (l.item_id && batch && seen.has(key)) errors[at('batch_no')] = `与第 ${seen.get(key) + 1} 项是同一批号`
      seen.set(key, i)
    } else {
      note(errors, at('qty'), qtyProblem(l.qty))
    }
  })
}

/** Problems of a receipt form, by field; empty when it may be sent. */
export function receiptErrors(form, today) {
  const errors = {}
  if (!form.site_id) errors.site_id = '请选择入库库点'
  if (!(form.supplier || '').trim()) errors.supplier = '请填写来源（上级配发单位或供应商）'
  note(errors, 'moved_on', dateProblem(form.moved_on, today))
  lineErrors(errors, form.lines, 'receipt', form.moved_on || today)
  return errors
}

/** Problems of a transfer form, by field. */
export function transferErrors(form, today) {
  const errors = {}
  if (!form.from_site_id) errors.from_site_id = '请选择调出库点'
  if (!form.to_site_id) errors.to_site_id = '请选择调入库点'
  else if (form.to_site_id === form.from_site_id) errors.to_site_id = '调出和调入库点不能相同'
  note(errors, 'moved_on', dateProblem(form.moved_on, today))
  lineErrors(errors, form.lines, 'transfer')
  return errors
}

/** Problems of a stock-take form: a difference from the books needs a reason. */
export function stocktakeErrors(form, today) {
  const errors = {}
  if (!form.site_id) errors.site_id = '请选择盘点库点'
  note(errors, 'moved_on', dateProblem(form.moved_on, today))
  lineErrors(errors, form.lines, 'stocktake')
  const differs = (form.lines || []).some((l) => Number(l.counted) !== Number(l.book ?? 0))
  if (differs && !(form.reason || '').trim()) errors.reason = '实盘与账面不符，请填写差异原因'
  return errors
}

/** Problems of a dispensing form. */
export function dispenseErrors(form, today) {
  const errors = {}
  if (!form.site_id) errors.site_id = '请选择发放库点'
  if (!form.person_id) errors.person_id = '请选择领取人'
  if (!form.item_id) errors.item_id = '请选择药具'
  if (!form.method || form.method === 'none') errors.method = '请选择领取人知情选择的避孕方法'
  note(errors, 'qty', qtyProblem(form.qty))
  note(errors, 'moved_on', dateProblem(form.moved_on, today, '发放日期'))
  return errors
}

/** Request body of a form: text trimmed, quantities as numbers, UI-only fields dropped. */
export function operationBody(kind, form, requestKey) {
  const trim = (s) => (s || '').trim()
  const lines = (form.lines || []).map((l) => {
    if (kind === 'receipt') return { item_id: l.item_id, batch_no: trim(l.batch_no), expiry: l.expiry, qty: Number(l.qty) }
    if (kind === 'transfer') return { item_id: l.item_id, batch_no: trim(l.batch_no), qty: Number(l.qty) }
    return { item_id: l.item_id, batch_no: trim(l.batch_no), expiry: l.expiry || '', counted: Number(l.counted) }
  })
  const common = { moved_on: form.moved_on || '', lines, request_key: requestKey }
  if (kind === 'receipt') return { ...common, site_id: form.site_id, supplier: trim(form.supplier), note: trim(form.note) }
  if (kind === 'transfer') return { ...common, from_site_id: form.from_site_id, to_site_id: form.to_site_id, note: trim(form.note) }
  return { ...common, site_id: form.site_id, reason: trim(form.reason) }
}

/** Stock-take lines from a site's stock rows: each batch with its book quantity, counted = book to start. */
export function countLines(stockRows) {
  return (stockRows || []).map((r) => ({
    item_id: r.item_id, item_name: r.item_name, unit: r.unit, batch_no: r.batch_no, expiry: r.expiry,
    book: r.qty, counted: r.qty, known: true,
  }))
}

/** The method preselected for an item: the one it serves. */
export function defaultMethod(items, itemId) {
  return (items || []).find((i) => i.id === itemId)?.method || ''
}

/** One line summing up a machine-log report. */
export function logSummary(rep) {
  if (!rep) return ''
  const head = `共 ${rep.total} 行：新增 ${rep.new} 行（${rep.qty} 件），已导入过 ${rep.duplicate} 行，有误 ${rep.invalid} 行`
  if (rep.applied) return head + '；已导入'
  return head + (rep.invalid ? '；请修改有误的行后重新预检' : '')
}

/** Whether a checked log may be applied: a dry run without bad rows and with something new. */
export function canApplyLog(rep) {
  return !!rep && rep.dry_run && rep.invalid === 0 && rep.new > 0
}

/** Label of a value among options [{value, label}], the value itself when unknown. */
export function optionLabel(options, value) {
  return (options || []).find((o) => o.value === value)?.label || value || ''
}

/** Whether the signed-in user works at county level (the catalogue is theirs to edit). */
export function isCountyStaff(me) {
  const level = me?.division?.level
  return typeof level === 'number' && level <= 3
}
