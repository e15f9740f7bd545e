// Cached access to the division tree. Divisions change rarely, and officers
// on weak networks open the same branches again and again, so children and
// single divisions are fetched once per page load.
import { getDivision, listChildren } from '../../api/division.js'

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

/** For tests. */
export function clearDivisionCache() {
  childrenCache.clear()
  divisionCache.clear()
}

const CODE_LENGTHS = [6, 9, 12, 15]

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
  if (!code) return []
  if (!root || code === root.code) return [code]
  if (root.level >= 3 && code.startsWith(root.code)) {
    return CODE_LENGTHS.filter((n) => n >= root.code.length && n <= code.length).map((n) => code.slice(0, n))
  }
  const d = await division(code)
  const codes = [...(d.ancestors || []).map((a) => a.code), code]
  const i = codes.indexOf(root.code)
  return i >= 0 ? codes.slice(i) : [root.code, ...codes]
}
