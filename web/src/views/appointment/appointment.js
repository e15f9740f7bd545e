// Pure logic of the appointment page (预约服务): labels, validation of a
// slot form before it is sent, the dates of a weekly series, the remaining
// places shown on a card, and the request key that makes a double tap book
// once. The server checks everything again; this only saves a round trip
// and shows the problem beside the field.

export const KIND_OPTIONS = [
  { value: 'station', label: '服务站' },
  { value: 'vehicle', label: '流动服务车' },
  { value: 'home', label: '上门服务' },
]
export const KIND_LABELS = Object.fromEntries(KIND_OPTIONS.map((o) => [o.value, o.label]))

// The usual services; a slot may name another in free text. Every service
// is the person's choice, contraception by informed choice (知情选择).
export const SERVICE_OPTIONS = [
  { value: 'prepreg_check', label: '孕前优生检查' },
  { value: 'screening', label: '两癌筛查' },
  { value: 'contraception', label: '避孕服务（知情选择）' },
  { value: 'postop', label: '术后随访' },
  { value: 'pregnancy', label: '孕期随访' },
  { value: 'other', label: '其他' },
]

export const STATUS_LABELS = { booked: '已预约', attended: '已到场', no_show: '未到场', cancelled: '已取消' }
export const STATUS_TAGS = { booked: 'primary', attended: 'success', no_show: 'warning', cancelled: 'info' }

export const MAX_CAPACITY = 200
export const MAX_WEEKS = 52

/** The label of a service code, or the free text itself. */
export function serviceLabel(service) {
  return SERVICE_OPTIONS.find((o) => o.value === service)?.label || service || ''
}

const pad = (n) => String(n).padStart(2, '0')

/** "9:05" or "09:05" → "09:05"; anything that is not a time of day → null. */
export function normaliseClock(s) {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(String(s ?? ''))
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  if (h > 23 || min > 59) return null
  return `${pad(h)}:${pad(min)}`
}

/**
 * Problems of a slot's times, as { field: message } (empty when fine): both
 * present, valid HH:MM, end after start.
 */
export function timeProblems(start, end) {
  const out = {}
  const s = normaliseClock(start)
  const e = normaliseClock(end)
  if (!start) out.start_time = '请填写开始时间'
  else if (!s) out.start_time = '开始时间格式应为 HH:MM（如 08:30）'
  if (!end) out.end_time = '请填写结束时间'
  else if (!e) out.end_time = '结束时间格式应为 HH:MM（如 11:30）'
  if (s && e && e <= s) out.end_time = `结束时间应晚于开始时间 ${s}`
  return out
}

/** Whether "YYYY-MM-DD" is a real calendar date. */
export function isDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s ?? ''))
  if (!m) return false
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

/** "YYYY-MM-DD" plus n days, in calendar days (no time zone involved). */
export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}

/** Today's date in China (UTC+8), where every slot takes place. */
export function todayInChina(now = new Date()) {
  const t = new Date(now.getTime() + 8 * 3600 * 1000)
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}

/** The dates of a weekly series starting on first: weeks dates in all (at least one). */
export function seriesDates(first, weeks) {
  if (!isDate(first)) return []
  const n = Math.max(1, Math.floor(Number(weeks) || 1))
  return Array.from({ length: n }, (_, i) => addDays(first, 7 * i))
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']

/** "2026-11-24" → "周二". */
export function weekday(date) {
  if (!isDate(date)) return ''
  const [y, m, d] = date.split('-').map(Number)
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]
}

/** A new slot form. A village officer offers home visits only. */
export function emptySlotForm(today, { villageOnly = false, division = '' } = {}) {
  return {
    kind: villageOnly ? 'home' : 'station',
    division,
    place: '',
    date: addDays(today, 1),
    start_time: '09:00',
    end_time: '11:30',
    capacity: 10,
    service: 'prepreg_check',
    note: '',
    repeat: 'once', // once | weekly
    weeks: 4,
  }
}

/** Problems of a slot form, as { field: message }; empty when it may be sent. */
export function slotProblems(form, today) {
  const out = { ...timeProblems(form.start_time, form.end_time) }
  if (!KIND_LABELS[form.kind]) out.kind = '请选择服务方式'
  if (!form.division) out.division = '请选择服务地点所在的区划'
  if (form.kind !== 'home' && !String(form.place || '').trim()) out.place = '请填写服务地点'
  if (!form.date) out.date = '请选择日期'
  else if (!isDate(form.date)) out.date = '日期格式应为 YYYY-MM-DD，且须是真实日期'
  else if (form.date < today) out.date = '日期不能早于今天'
  const cap = Number(form.capacity)
  if (!Number.isInteger(cap) || cap < 1 || cap > MAX_CAPACITY) out.capacity = `名额应为 1 到 ${MAX_CAPACITY} 之间的整数`
  if (!String(form.service || '').trim()) out.service = '请选择或填写服务项目'
  if (form.repeat === 'weekly') {
    const w = Number(form.weeks)
    if (!Number.isInteger(w) || w < 2 || w > MAX_WEEKS) out.repeat_weeks = `每周重复的次数应为 2 到 ${MAX_WEEKS}`
  }
  return out
}

/** The body of POST /appointments/slots for a form. */
export function slotBody(form) {
  return {
    kind: form.kind,
    division: form.division,
    place: String(form.place || '').trim(),
    date: form.date,
    start_time: normaliseClock(form.start_time) || form.start_time,
    end_time: normaliseClock(form.end_time) || form.end_time,
    capacity: Number(form.capacity),
    service: String(form.service || '').trim(),
    note: String(form.note || '').trim(),
    repeat_weeks: form.repeat === 'weekly' ? Number(form.weeks) : 0,
  }
}

/** What a slot card says about its places: 约满 when none is left. */
export function remainingLabel(slot) {
  if (slot.status === 'cancelled') return '已取消'
  if (slot.remaining <= 0) return '约满'
  return `余 ${slot.remaining}/${slot.capacity}`
}

/** The tag colour beside remainingLabel. */
export function remainingTone(slot) {
  if (slot.status === 'cancelled') return 'info'
  if (slot.remaining <= 0) return 'danger'
  if (slot.remaining * 5 <= slot.capacity) return 'warning'
  return 'success'
}

/** Whether a slot takes a booking today. */
export function canBook(slot, today) {
  return slot.status === 'open' && slot.remaining > 0 && slot.date >= today
}

/** Whether attendance can be marked: booked, and the day has come. */
export function canMark(booking, today) {
  return booking.status === 'booked' && booking.date <= today
}

/** "09:00–11:30". */
export function timeRange(slot) {
  return `${slot.start_time}–${slot.end_time}`
}

/** A random request key (UUID where the browser has one). */
export function newRequestKey(random = globalThis.crypto) {
  if (random?.randomUUID) return random.randomUUID()
  const bytes = new Uint8Array(16)
  if (random?.getRandomValues) random.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * One booking attempt, made when the book dialog opens. Its key goes with
 * every submission, so the server answers a repeat (a double tap, a retry
 * after the network dropped the answer) with the first booking; and while
 * one submission is on its way a second tap waits for it instead of
 * sending again.
 */
export function createBookingAttempt(makeKey = newRequestKey) {
  const key = makeKey()
  let pending = null
  return {
    key,
    get busy() {
      return pending !== null
    },
    /** send(key) posts the booking; repeated calls while it runs share its answer. */
    submit(send) {
      if (!pending) {
        pending = Promise.resolve()
          .then(() => send(key))
          .finally(() => {
            pending = null
          })
      }
      return pending
    },
  }
}
