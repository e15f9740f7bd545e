// Enumerations with Chinese labels, loaded once from GET /api/v1/meta/enums
// and shared by every view.
import { reactive } from 'vue'
import { fetchEnums } from '../api/meta.js'

/** kind → [{value, label}] */
export const enums = reactive({})
let loading = null

/** Loads the enumerations once; later calls share the same promise. */
export function loadEnums() {
  if (!loading) {
    loading = fetchEnums()
      .then((data) => {
        setEnums(data)
        return enums
      })
      .catch((e) => {
        loading = null // let the next caller retry
        throw e
      })
  }
  return loading
}

/** Replaces the enumerations (used after loading, and by tests). */
export function setEnums(data) {
  for (const k of Object.keys(enums)) delete enums[k]
  Object.assign(enums, data || {})
}

/** For tests: forget the cache. */
export function resetEnums() {
  loading = null
  setEnums({})
}

/** The options of one kind, [] when not loaded. */
export function enumOptions(kind) {
  return enums[kind] || []
}

/**
 * The Chinese label of a value; the value itself when unknown (so legacy
 * codes still show), '' for an empty value.
 */
export function enumLabel(kind, value) {
  if (value === null || value === undefined || value === '') return ''
  const hit = (enums[kind] || []).find((o) => o.value === value || String(o.value) === String(value))
  return hit ? hit.label : String(value)
}
