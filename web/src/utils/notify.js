// Showing errors and confirmations in one consistent way.
import { ElMessage, ElMessageBox } from 'element-plus'
import { appContext } from './appContext.js'

// Message boxes get the app's context, hence its zh-CN locale.
function withContext() {
  if (!ElMessageBox._context) ElMessageBox._context = appContext()
}

/** Shows an error's message (ApiError messages are already in Chinese). */
export function showError(e, fallback = '操作失败，请稍后重试') {
  if (e?.name === 'AbortError') return
  // 401 is handled by the redirect to the login page.
  if (e?.status === 401) return
  ElMessage({ type: 'error', message: e?.message || fallback, grouping: true, showClose: true })
}

export function showSuccess(message) {
  ElMessage({ type: 'success', message, grouping: true })
}

export function showWarning(message) {
  ElMessage({ type: 'warning', message, grouping: true, showClose: true })
}

/** Resolves true when the user confirms. */
export async function confirm(message, title = '请确认', confirmText = '确定') {
  withContext()
  try {
    await ElMessageBox.confirm(message, title, {
      confirmButtonText: confirmText,
      cancelButtonText: '取消',
      type: 'warning',
    })
    return true
  } catch {
    return false
  }
}

/** A message box with one button; resolves when closed. type: success, warning, error, info. */
export async function alert(message, title, type = 'info', confirmText = '确定') {
  withContext()
  try {
    await ElMessageBox.alert(message, title, { type, confirmButtonText: confirmText })
  } catch {
    // closed with the × or Esc
  }
}
