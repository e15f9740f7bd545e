// Cached access to the division tree. Divisions change rarely, and officers
// on weak networks open the same branches again and again, so children and
// single divisions are fetched once per page load.
import { getDivision, listChildren } from '../../api/division.js'
import { showWarning } from '../../utils/notify.js'

const childrenCache = new Map()
const divisionCache = new Map()

function cached(map, key, load) {
  if (!map.has(key)) {
    const p = load().catch((e) => {
      map.delete(key) // retry next time
      throw e
    })
    map.set(key, p)
  }
  return map.get(key)
}

/** Children of a division: [Division]. */
export function childrenOf(code) {
  return cached(childrenCache, code, () => listChildren(code).then((r) => r?.items || []))
}

/** One division with its ancestors. */
export function division(code) {
  return cached(divisionCache, code, () => getDivision(code))
}

// The code length of a division's parent, by the division's code length.
const PARENT_LENGTH = { 15: 12, 12: 9, 9: 6, 6: 4, 4: 2 }

/**
 * Forgets the cached children of a division (after a child was added under
 * it, e.g. a 村民小组 under a village), and its own cached record. In its
 * parent's cached list it is marked as having children, so that pickers
 * opened later offer to go below it.
 */
export function invalidateChildren(code) {
  childrenCache.delete(code)
  divisionCache.delete(code)
  const parent = childrenCache.get(code.slice(0, PARENT_LENGTH[code.length] ?? 0))
  parent
    ?.then((items) => {
      const hit = items.find((d) => d.code === code)
      if (hit) hit.has_children = true
    })
    .catch(() => {})
}

/**
 * Whether a list refused its division filter (outside the user's area, or
 * no such code): a 400 about the field "division" while one was given.
 */
export function divisionRefused(e, code) {
  return !!code && e?.status === 400 && e?.field === 'division'
}

/**
 * An onError handler for lists filtered by ?division=: the pickers only offer
 * divisions inside the user's area, but a link or a bookmark (from another
 * account, say) can carry any code, which the server refuses with 400 on the
 * field "division". The handler says so and lists the whole area instead;
 * it returns whether it handled the error.
 */
export function dropRefusedDivision(route, router) {
  return (e) => {
    const code = typeof route.query.division === 'string' ? route.query.division : ''
    if (!divisionRefused(e, code)) return false
    showWarning(`${e.message}，已改为显示全部区划`)
    const q = { ...route.query }
    delete q.division
    delete q.page
    router.replace({ query: q })
    return true
  }
}

/** For tests. */
export function clearDivisionCache() {
  childrenCache.clear()
  divisionCache.clear()
}

const CODE_LENGTHS = [6, 9, 12, 15]

/**
 * pathFromRoot without a request: the path when the codes alone tell it,
 * else null.
 */
export function derivedPath(code, root) {
  if (!code) return []
  if (!root || code === root.code) return [code]
  if (root.level >= 3 && code.startsWith(root.code)) {
    return CODE_LENGTHS.filter((n) => n >= root.code.length && n <= code.length).map((n) => code.slice(0, n))
  }
  return null
}

/**
 * The codes from root down to code, e.g. root 341523, code 341523100201 →
 * [341523, 341523100, 341523100201]. Codes below county level extend their
 * parent's code, so the path is derived without a request; above that (a
 * city or province user) the server's ancestor list is used.
 *
 * @param {string} code
 * @param {{code: string, level: number}} root the user's division
 * @returns {Promise<string[]>}
 */
export async function pathFromRoot(code, root) {
  const derived = derivedPath(code, root)
  if (derived) return derived
  const d = await division(code)
  const codes = [...(d.ancestors || []).map((a) => a.code), code]
  const i = codes.indexOf(root.code)
  return i >= 0 ? codes.slice(i) : [root.code, ...codes]
}

/**
 * The divisions from root (the user's division) down to d, for a page's
 * breadcrumb; [root, d] when the ancestors cannot be read.
 *
 * @param {{code: string}|null} d the division shown
 * @param {{code: string}|null} root the user's division
 */
export async function breadcrumb(d, root) {
  if (!d || !root || d.code === root.code) return d ? [d] : []
  try {
    const full = await division(d.code)
    const list = [...(full.ancestors || []), d]
    const i = list.findIndex((a) => a.code === root.code)
    return i >= 0 ? list.slice(i) : [root, ...list]
  } catch {
    return [root, d]
  }
}
