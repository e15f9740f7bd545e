// The signed-in user, shared by the router, the layout and the views.
import { reactive } from 'vue'
import { fetchMe, login as apiLogin, logout as apiLogout } from './api/auth.js'

export const session = reactive({
  /** Me from GET /api/v1/me, null when not signed in */
  me: null,
  /** true once we know whether someone is signed in */
  checked: false,
})

let probing = null

/** Makes sure we know who is signed in; resolves to Me or null. */
export function ensureSession() {
  if (session.checked) return Promise.resolve(session.me)
  if (!probing) {
    probing = fetchMe()
      .then((me) => setMe(me))
      .catch((e) => {
        if (e.status === 401) {
          setMe(null)
          return null
        }
        throw e // network trouble: let the caller show it and retry
      })
      .finally(() => (probing = null))
  }
  return probing
}

export function setMe(me) {
  session.me = me || null
  session.checked = true
  return session.me
}

/** Signs in; resolves to Me. Throws ApiError with the server's message on failure. */
export async function signIn(username, password) {
  const res = await apiLogin(username, password)
  return setMe(res?.user || null)
}

export async function signOut() {
  try {
    await apiLogout()
  } finally {
    setMe(null)
  }
}

/** Reloads Me (after a password change, for example). */
export async function refreshMe() {
  return setMe(await fetchMe())
}

/** Whether the signed-in user holds a permission. */
export function can(perm) {
  return !!session.me?.permissions?.includes(perm)
}

/** Forgets the session locally (after a 401). */
export function clearSession() {
  setMe(null)
}
