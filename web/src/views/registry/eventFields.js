// Which fields the 登记事件 dialog shows for each kind of life event, their
// labels, what is required, and the request body built from the form. Kept
// apart from the dialog so the rules are tested without mounting it; the
// server checks the same rules again (internal/registry/events.go).
import { dateProblem } from '../../utils/validators.js'

/**
 * kind → fields shown, in order. Field keys are the API's (details) names,
 * except `spouse` (a registered spouse or a name) and `adopters`.
 */
export const FIELDS_BY_KIND = {
  birth: ['name', 'sex', 'date', 'place', 'other_parent', 'division', 'residence_division', 'join_household'],
  death: ['date', 'place', 'cause'],
  first_marriage: ['date', 'spouse', 'place'],
  remarriage: ['date', 'spouse', 'place'],
  divorce: ['date'],
  widowed: ['date'],
  move_in: ['date', 'place', 'division', 'residence_division'],
  move_out: ['date', 'place'],
  transfer: ['date', 'division', 'residence_division'],
  leave: ['date', 'place'],
  arrive: ['date', 'place', 'division'],
  return: ['date', 'division'],
  adoption: ['date', 'adopters'],
  void: [],
}

const REQUIRED_BY_KIND = {
  birth: ['name', 'sex', 'date', 'division'],
  first_marriage: ['spouse'],
  remarriage: ['spouse'],
  move_in: ['division'],
  transfer: ['division'],
  move_out: ['place'],
  leave: ['place'],
  arrive: ['division'],
  adoption: ['adopters'],
}

const PLACE_LABELS = {
  birth: '出生地点',
  death: '死亡地点',
  first_marriage: '登记地点',
  remarriage: '登记地点',
  move_in: '迁出地（从何处迁来）',
  move_out: '迁往地',
  leave: '流出去向',
  arrive: '来自何处',
}

const DIVISION_LABELS = {
  birth: '户籍地',
  move_in: '迁入后的户籍地',
  transfer: '迁往的户籍地',
  arrive: '现居住地',
  return: '返回后的居住地',
}

const DATE_LABELS = { birth: '出生日期', death: '死亡日期', void: '' }

/** The fields shown for kind ([] for an unknown kind). */
export function fieldsFor(kind) {
  return FIELDS_BY_KIND[kind] || []
}

/** Whether field is required for kind. Corrections may leave fields empty (kept from the original). */
export function isRequired(kind, field, correcting = false) {
  if (field === 'note') return correcting
  if (correcting) return field === 'sex' && kind === 'birth'
  if (field === 'date') return kind !== 'void'
  return (REQUIRED_BY_KIND[kind] || []).includes(field)
}

/** The label of a field for kind. */
export function labelFor(kind, field) {
  switch (field) {
    case 'date':
      return DATE_LABELS[kind] ?? '事件日期'
    case 'place':
      return PLACE_LABELS[kind] || '地点'
    case 'division':
      return DIVISION_LABELS[kind] || '区划'
    case 'residence_division':
      return '现居住地（与户籍地不同时填写）'
    case 'cause':
      return '死亡原因'
    case 'spouse':
      return '配偶'
    case 'adopters':
      return '收养人'
    case 'name':
      return '子女姓名'
    case 'sex':
      return '子女性别'
    case 'other_parent':
      return '另一方父母'
    case 'join_household':
      return '加入本户'
    case 'note':
      return '备注'
  }
  return field
}

/** The kinds a correction of an event of kind oldKind may take: a birth stays a birth. */
export function correctionKinds(oldKind, allKinds) {
  if (oldKind === 'birth') return allKinds.filter((k) => k.value === 'birth')
  return allKinds.filter((k) => k.value !== 'birth')
}

/** The kinds offered for a new event on a person (birth: a child of theirs). */
export function newEventKinds(allKinds) {
  return allKinds.filter((k) => k.value !== 'void')
}

/** An empty form. */
export function emptyEventForm() {
  return {
    kind: '',
    date: '',
    name: '',
    sex: '',
    place: '',
    cause: '',
    spouse_mode: 'registered', // or 'name'
    spouse_id: null,
    spouse_name: '',
    other_parent_id: null,
    mother_id: null,
    father_id: null,
    division: '',
    residence_division: '',
    join_household: true,
    relation: 'child',
    note: '',
  }
}

/** The form of a correction, filled from the event it corrects. */
export function formFromEvent(ev) {
  const d = ev.details || {}
  return {
    ...emptyEventForm(),
    kind: ev.kind,
    date: ev.date || '',
    name: d.name || '',
    sex: d.sex || '',
    place: d.place || '',
    cause: d.cause || '',
    spouse_mode: d.spouse_id ? 'registered' : d.spouse_name ? 'name' : 'registered',
    spouse_id: d.spouse_id ?? null,
    spouse_name: d.spouse_name || '',
    mother_id: d.mother_id ?? null,
    father_id: d.father_id ?? null,
    division: d.division || '',
    residence_division: d.residence_division || '',
  }
}

const blank = (v) => v === null || v === undefined || String(v).trim() === ''

/**
 * Client-side checks: field → message. person is {sex, birth_date}; today
 * is "YYYY-MM-DD".
 */
export function validateEvent(form, { person = {}, correcting = false, today } = {}) {
  const errors = {}
  const kind = form.kind
  if (!kind) {
    errors.kind = '请选择事件类型'
    return errors
  }
  const fields = fieldsFor(kind)
  const need = (f) => fields.includes(f) && isRequired(kind, f, correcting)
  if (fields.includes('date') && !blank(form.date)) {
    const p = dateProblem(form.date, today)
    if (p) errors.date = labelFor(kind, 'date') + p
    else if (kind !== 'birth' && person.birth_date && form.date < person.birth_date) {
      errors.date = `事件日期不能早于出生日期 ${person.birth_date}`
    }
  } else if (need('date')) {
    errors.date = `请选择${labelFor(kind, 'date')}`
  }
  if (need('name') && blank(form.name)) errors.name = '请输入子女姓名'
  if (need('sex') && blank(form.sex)) errors.sex = '请选择子女性别'
  if (need('division') && blank(form.division)) errors.division = `请选择${labelFor(kind, 'division')}`
  if (need('place') && blank(form.place)) errors.place = `请填写${labelFor(kind, 'place')}`
  if (need('spouse')) {
    if (form.spouse_mode === 'name' ? blank(form.spouse_name) : blank(form.spouse_id)) {
      errors.spouse = form.spouse_mode === 'name' ? '请填写配偶姓名' : '请选择配偶'
    }
  }
  if (need('adopters') && blank(form.mother_id) && blank(form.father_id)) errors.adopters = '请选择养母或养父'
  if (correcting && blank(form.note)) errors.note = '请填写更正或作废的原因'
  for (const [f, max] of [['place', 100], ['cause', 100], ['note', 200]]) {
    if ([...String(form[f] || '')].length > max) errors[f] = `${labelFor(kind, f)}不能超过${max}个字`
  }
  return errors
}

const text = (v) => (blank(v) ? undefined : String(v).trim())

/**
 * The request body for the form. person is the person whose page the dialog
 * is on: a birth is their child (as mother or father, by their sex).
 * Returns {path: 'person' | 'birth', body}.
 */
export function eventBody(form, { person = {}, corrects = null } = {}) {
  const kind = form.kind
  const fields = fieldsFor(kind)
  const has = (f) => fields.includes(f)
  const body = { kind, note: text(form.note) }
  if (has('date')) body.date = text(form.date)
  if (corrects) body.corrects = corrects
  if (has('place')) body.place = text(form.place)
  if (has('cause')) body.cause = text(form.cause)
  if (has('division')) body.division = text(form.division)
  if (has('residence_division')) body.residence_division = text(form.residence_division)
  if (has('spouse')) {
    if (form.spouse_mode === 'name') body.spouse_name = text(form.spouse_name)
    else body.spouse_id = form.spouse_id ?? undefined
  }
  if (has('adopters')) {
    body.mother_id = form.mother_id ?? undefined
    body.father_id = form.father_id ?? undefined
  }
  if (kind === 'birth') {
    body.sex = text(form.sex)
    if (!corrects) {
      body.name = text(form.name)
      const own = person.sex === 'female' ? 'mother_id' : 'father_id'
      const other = own === 'mother_id' ? 'father_id' : 'mother_id'
      body[own] = person.id
      if (form.other_parent_id) body[other] = form.other_parent_id
      if (form.join_household && person.household_id) {
        body.household_id = person.household_id
        body.relation = text(form.relation) || 'child'
      }
      return { path: 'birth', body: dropEmpty(body) }
    }
  }
  return { path: 'person', body: dropEmpty(body) }
}

function dropEmpty(o) {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null || o[k] === '') delete o[k]
  return o
}
