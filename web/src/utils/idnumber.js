// Client-side check of the resident ID number (公民身份号码, GB 11643-1999),
// for instant feedback while typing. The server stays the authority.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** The check character for the first 17 digits of an 18-character number. */
export function checkChar(first17) {
  let s = 0
  for (let i = 0; i < 17; i++) s += (first17.charCodeAt(i) - 48) * WEIGHTS[i]
  return CHECK_CHARS[s % 11]
}

/** Whether y-m-d is a real calendar date. */
export function isRealDate(y, m, d) {
  if (m < 1 || m > 12 || d < 1) return false
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return d <= dim
}

function pad(n) {
  return String(n).padStart(2, '0')
}

/** Today as YYYY-MM-DD in the browser's time zone. */
export function todayISO(now = new Date()) {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** Upgrades a 15-digit number: insert "19" after the address code, append the check char. */
export function upgrade15(id15) {
  const first17 = id15.slice(0, 6) + '19' + id15.slice(6)
  return first17 + checkChar(first17)
}

/**
 * Checks an ID number.
 *
 * @param {string} input as typed (spaces ignored, lower-case x accepted)
 * @param {{today?: string}} [opts] today's date YYYY-MM-DD, for tests
 * @returns {{valid: boolean, reason?: string, expected?: string,
 *   normalized?: string, birthDate?: string, sex?: 'male'|'female'}}
 *   normalized is the 18-character form (15-digit numbers upgraded).
 */
export function checkIdNumber(input, opts = {}) {
  const id = String(input ?? '').replace(/\s+/g, '').toUpperCase()
  const today = opts.today || todayISO()
  if (!id) return { valid: false, reason: '请输入公民身份号码' }

  let first17
  let birth
  if (id.length === 18) {
    if (!/^\d{17}[\dX]$/.test(id)) {
      return { valid: false, reason: '公民身份号码前17位应为数字，最后一位为数字或X' }
    }
    first17 = id.slice(0, 17)
    birth = id.slice(6, 14)
  } else if (id.length === 15) {
    if (!/^\d{15}$/.test(id)) return { valid: false, reason: '15位公民身份号码应全部为数字' }
    first17 = id.slice(0, 6) + '19' + id.slice(6)
    birth = '19' + id.slice(6, 12)
  } else {
    return { valid: false, reason: `公民身份号码应为18位或15位，当前为${id.length}位` }
  }

  const y = Number(birth.slice(0, 4))
  const m = Number(birth.slice(4, 6))
  const d = Number(birth.slice(6, 8))
  if (!isRealDate(y, m, d)) {
    return { valid: false, reason: `出生日期 ${birth} 不是有效日期` }
  }
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`
  if (birthDate > today) {
    return { valid: false, reason: `出生日期 ${birthDate} 晚于今天` }
  }

  const expected = checkChar(first17)
  if (id.length === 18 && id[17] !== expected) {
    return { valid: false, reason: `校验位错误，最后一位应为 ${expected}`, expected }
  }
  const seq = Number(first17.slice(14, 17))
  return {
    valid: true,
    normalized: first17 + expected,
    birthDate,
    sex: seq % 2 === 1 ? 'male' : 'female',
  }
}

/**
 * Whether a search text is meant as an ID number rather than a name: names
 * hold no digits, so any run of digits (optionally ending in X) is one.
 */
export function looksLikeIdNumber(text) {
  return /^\d{6,17}[\dXx]?$/.test(String(text ?? '').replace(/\s+/g, ''))
}
