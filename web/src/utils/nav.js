// Navigation helpers.

/** Goes back when there is an in-app page to go back to, else to the fallback route. */
export function goBack(router, fallback) {
  if (window.history.state?.back) router.back()
  else router.push(fallback)
}

/** Only same-app paths are accepted as a redirect target (no open redirect). */
export function safeRedirect(target) {
  if (typeof target !== 'string') return null
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return null
  if (target.startsWith('/login')) return null
  return target
}
