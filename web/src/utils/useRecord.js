// One record read for a page: the value, whether it is loading, and the
// error of the last read (the page shows the server's Chinese message). A
// failed read clears the value, so a page never shows one record under
// another's error. A new read aborts the one in flight and only the latest
// answer is kept, so quickly changing a filter never shows a stale result.
import { ref } from 'vue'

/**
 * Returns { data, loading, error, load, abort } around fetcher, which gets
 * an AbortSignal and resolves to the record.
 */
export function useRecord(fetcher) {
  const data = ref(null)
  const loading = ref(false)
  const error = ref(null)
  let ctrl = null
  async function load() {
    ctrl?.abort()
    const mine = (ctrl = new AbortController())
    loading.value = true
    error.value = null
    try {
      const value = await fetcher(mine.signal)
      if (mine === ctrl) data.value = value
    } catch (e) {
      if (e?.name === 'AbortError' || mine !== ctrl) return
      error.value = e
      data.value = null
    } finally {
      if (mine === ctrl) loading.value = false
    }
  }
  const abort = () => ctrl?.abort()
  return { data, loading, error, load, abort }
}
