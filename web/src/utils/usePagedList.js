// State shared by the paged lists: page and size kept in the URL (so the back
// button returns to the same page), the latest request wins, older ones are
// cancelled.
import { ref, computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export const PAGE_SIZES = [10, 20, 50, 100]

/**
 * @param {(query: object, opts: {signal: AbortSignal}) => Promise<{items, total}>} fetchPage
 * @param {object} [options]
 * @param {(e: Error) => boolean} [options.onError] returns true when it has
 *   dealt with a failure itself (then no error is shown in the list)
 */
export function usePagedList(fetchPage, options = {}) {
  const route = useRoute()
  const router = useRouter()
  const items = ref([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref('')
  let ctrl = null

  const page = computed(() => Math.max(1, parseInt(route.query.page, 10) || 1))
  const size = computed(() => {
    const s = parseInt(route.query.size, 10)
    return PAGE_SIZES.includes(s) ? s : 20
  })

  async function load(extra = {}) {
    ctrl?.abort()
    ctrl = new AbortController()
    const mine = ctrl
    loading.value = true
    error.value = ''
    try {
      const res = await fetchPage({ page: page.value, size: size.value, ...extra }, { signal: mine.signal })
      if (mine !== ctrl) return
      items.value = res?.items || []
      total.value = res?.total || 0
    } catch (e) {
      if (e?.name === 'AbortError' || mine !== ctrl) return
      items.value = []
      total.value = 0
      if (!options.onError?.(e)) error.value = e.message
    } finally {
      if (mine === ctrl) loading.value = false
    }
  }

  /**
   * Changes URL query values (page resets to 1 unless given). state goes
   * into history.state: kept for the back button, but out of the URL.
   */
  function setQuery(patch, state) {
    const q = { ...route.query, page: undefined, ...patch }
    for (const k of Object.keys(q)) if (q[k] === '' || q[k] === undefined || q[k] === null) delete q[k]
    if (q.page === 1 || q.page === '1') delete q.page
    if (q.size === 20 || q.size === '20') delete q.size
    return router.push(state ? { query: q, state } : { query: q })
  }

  return { items, total, loading, error, page, size, load, setQuery }
}
