// The Vue app context, for components rendered from code (message boxes):
// kept here so that views need not import main.js.
let context = null

export function setAppContext(c) {
  context = c
}

export function appContext() {
  return context
}
