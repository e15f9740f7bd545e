// Phone layout detection, shared by every view (one media-query listener).
import { ref } from 'vue'

export const PHONE_QUERY = '(max-width: 767px)'
const mql = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(PHONE_QUERY) : null
const isPhone = ref(mql ? mql.matches : false)
if (mql) {
  const update = (e) => (isPhone.value = e.matches)
  if (mql.addEventListener) mql.addEventListener('change', update)
  else if (mql.addListener) mql.addListener(update)
}

/** A ref that is true on phone-sized screens (below 768 px). */
export function useIsPhone() {
  return isPhone
}
