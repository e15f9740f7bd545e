// One record read for a detail page: the value, whether it is loading, and
// the error of the last read (the page shows the server's Chinese message).
// A failed read clears the value, so a page never shows one record under
// another's error.
import { ref } from 'vue'

/** Returns { data, loading, error, load } around fetcher, which resolves to the record. */
export function useRecord(fetcher) {
  const data = ref(null)
  const loading = ref(false)
  const error = ref(null)
  async function load() {
    loading.value = true
    error.value = null
    try {
      data.value = await fetcher()
    } catch (e) {
      error.value = e
      data.value = null
    } finally {
      loading.value = false
    }
  }
  return { data, loading, error, load }
}
