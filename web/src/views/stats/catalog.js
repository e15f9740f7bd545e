// The indicator catalogue (GET /stats/indicators), fetched once per page
// load: the records page names its figure from it, the dashboard offers it.
import { listIndicators } from '../../api/stats.js'

let loading = null

/** Resolves to [Indicator] in report order. */
export function indicatorCatalog() {
  if (!loading) {
    loading = listIndicators()
      .then((r) => r?.items || [])
      .catch((e) => {
        loading = null // retry next time
        throw e
      })
  }
  return loading
}

/** For tests. */
export function clearCatalog() {
  loading = null
}
