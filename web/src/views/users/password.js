// Generates an initial password that meets the server's rule (8+ characters,
// 3 of 4 classes); easy to read aloud: no 0/O, 1/l/I.
const LOWER = 'abcdefghijkmnpqrstuvwxyz'
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
const DIGITS = '23456789'
const SYMBOLS = '#@%'

function pick(set, rnd) {
  return set[rnd % set.length]
}

export function generatePassword(length = 12) {
  const buf = new Uint32Array(length + 4)
  crypto.getRandomValues(buf)
  const all = LOWER + UPPER + DIGITS + SYMBOLS
  const chars = [pick(LOWER, buf[0]), pick(UPPER, buf[1]), pick(DIGITS, buf[2]), pick(SYMBOLS, buf[3])]
  for (let i = 4; i < length; i++) chars.push(pick(all, buf[i]))
  // Shuffle so the classes are not always in the same places.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = buf[length + (i % 4)] % (i + 1)
    ;[chars[i], chars[j]] = [chars[j], chars[i]]
  }
  return chars.join('')
}
