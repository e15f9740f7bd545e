#!/usr/bin/env node
// Browser test of benefits: takes one family's 育儿补贴 from candidate to
// paid through the pages officers use, driving Debian's Chromium.
//
//   JISHENG_BIN   the jisheng binary (required)
//   JISHENG_DB    a database built by `jisheng demo` (required; it is changed)
//   CHROMIUM      the browser (default: `command -v chromium`)
//
// The two objection windows (公示期, 7 days each) cannot pass in a test, so
// the demo database is served three times: today, 8 days ahead and 16 days
// ahead (`serve --days-ahead`, refused on anything but a demo database).
//
//   day 0   village: the application (through the API), the payment
//           account, 通过 at the village check, 发布公示
//   day 8   village: 公示期满; township: 通过; county: 通过, 发布公示
//   day 16  county: 公示期满; 生成发放批次; the bank file; the bank's
//           return file → 成功 1 笔; the payment notice and its code;
//           its PDF read by pdftotext, its QR scanned by zbarimg and opened
import { chromium } from 'playwright-core'
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const OUT = path.join(here, 'out')
const BIN = process.env.JISHENG_BIN
const DB = process.env.JISHENG_DB
const PASSWORD = process.env.JISHENG_PASSWORD || 'Jisheng@2026'
const TIMEOUT = Number(process.env.JISHENG_E2E_TIMEOUT_MS || 20000)
const PHONE = { width: 375, height: 740 }

class Failure extends Error {}
const fail = (msg) => {
  throw new Failure(msg)
}
const step = (name) => console.log(`• ${name}`)

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || '/usr/bin/chromium'
  } catch {
    return '/usr/bin/chromium'
  }
}

/**
 * Reads a PDF as a person would: its text through poppler's pdftotext, and
 * the QR code of its first page through pdftoppm and zbar's zbarimg.
 */
function readPdf(bytes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'jisheng-pdf-'))
  try {
    const file = path.join(dir, 'notices.pdf')
    writeFileSync(file, bytes)
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    execFileSync('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', '-png', '-singlefile', file, path.join(dir, 'page')], { stdio: ['ignore', 'pipe', 'pipe'] })
    const qr = execFileSync('zbarimg', ['--quiet', '--raw', path.join(dir, 'page.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
    return { text, qr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Serves the demo database daysAhead days ahead; resolves to { url, stop }. */
function serve(daysAhead) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--db', DB, '--addr', '127.0.0.1:0', '--days-ahead', String(daysAhead)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let errText = ''
    const timer = setTimeout(() => reject(new Failure(`server did not start: ${errText}`)), 15000)
    child.stdout.on('data', (b) => {
      out += b
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ url: m[0], stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) })
      }
    })
    child.stderr.on('data', (b) => (errText += b))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Failure(`server exited (${code}): ${errText}`))
    })
  })
}

async function signedIn(browser, base, user) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  context.setDefaultTimeout(TIMEOUT)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.log(`  page error: ${e.message}`))
  await page.goto(base + '/login')
  await page.fill('input[data-test="login-username"]', user)
  await page.fill('input[data-test="login-password"]', PASSWORD)
  await page.click('[data-test="login-submit"]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  return { page, close: () => context.close() }
}

/** Calls the API from the signed-in page (same origin, its session cookie). */
async function call(page, method, url, body) {
  const res = await page.evaluate(
    async ([method, url, body]) => {
      const r = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      })
      return { status: r.status, body: await r.json().catch(() => null) }
    },
    [method, url, body],
  )
  if (res.status >= 400) fail(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `benefit-${name}.png`), fullPage: true }).catch(() => {})
}

/** Approves the only candidate in the user's review queue. */
async function approveInQueue(page, base, who) {
  step(`${who}: 通过 in the review queue`)
  await page.goto(base + '/benefit')
  await page.click('[data-test="candidate-card"] [data-test="review-approve"]')
  await page.waitForSelector('[data-test="candidate-card"]', { state: 'detached' }).catch(() => fail(`${who}: the candidate stayed in the queue`))
}

/** Publishes the user's level's posting of 育儿补贴; resolves to its id. */
async function publish(page, base, who) {
  step(`${who}: 发布公示`)
  await page.goto(base + '/benefit/postings')
  await page.click('[data-test="posting-open"]')
  await page.click('[data-test="posting-program"]')
  await page.click('.el-select-dropdown__item:visible:has-text("育儿补贴")')
  await page.click('[data-test="posting-publish"]')
  await page.waitForSelector('[data-test="entry-row"]')
  return Number(/\/benefit\/postings\/(\d+)/.exec(page.url())?.[1] || fail('no posting page'))
}

async function closePosting(page, base, id, who) {
  step(`${who}: 公示期满，进入下一环节`)
  await page.goto(`${base}/benefit/postings/${id}`)
  await page.waitForSelector('[data-test="posting-close"]:not([disabled])').catch(() => fail(`${who}: the posting cannot be closed`))
  await page.click('[data-test="posting-close"]')
  await page.click('.el-message-box__btns button:has-text("进入下一环节")') // the confirmation
  await page.waitForSelector('[data-test="posting-close"]', { state: 'detached' }).catch(() => fail(`${who}: the posting stayed open`))
}

async function main() {
  if (!BIN || !DB) fail('JISHENG_BIN and JISHENG_DB are required')
  mkdirSync(OUT, { recursive: true })
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  let server = null
  try {
    // ---- day 0
    server = await serve(0)
    let base = server.url
    const village = await signedIn(browser, base, 'village')
    step('village: find a child under 3 with a registered mother, and apply for 育儿补贴')
    const me = await call(village.page, 'GET', '/api/v1/me')
    const persons = await call(village.page, 'GET', `/api/v1/persons?division=${me.division.code}&size=100`)
    const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)
    const year = Number(today.slice(0, 4))
    const threeAgo = `${year - 3}${today.slice(4)}`
    let child = persons.items.find((p) => p.birth_date > threeAgo && p.mother_id)
    for (let page = 2; !child && page <= 20; page++) {
      const more = await call(village.page, 'GET', `/api/v1/persons?division=${me.division.code}&size=100&page=${page}`)
      if (!more.items.length) break
      child = more.items.find((p) => p.birth_date > threeAgo && p.mother_id)
    }
    if (!child) fail('the demo village has no child under 3 with a mother')
    const cand = await call(village.page, 'POST', '/api/v1/benefit/candidates', {
      program: 'childcare', year, person_id: child.id, applicant_id: child.mother_id,
    })
    if (!cand.eligible) fail(`the child is not eligible: ${cand.failed}`)

    step('village: 发放账户 for the mother, on the candidate page')
    await village.page.goto(`${base}/benefit/candidates/${cand.id}`)
    await village.page.fill('input[data-test="account-bank"]', '舒城农商银行')
    await village.page.fill('input[data-test="account-name"]', '测试户名')
    await village.page.fill('input[data-test="account-no"]', '6228480012345678')
    await village.page.click('[data-test="account-save"]')
    await village.page.waitForSelector('[data-test="account-saved"]')
    if ((await village.page.content()).includes('6228480012345678')) fail('the full account number is shown after saving')

    await approveInQueue(village.page, base, 'village')
    const villagePosting = await publish(village.page, base, 'village')
    await shot(village.page, '1-village-posting')
    await village.close()
    await server.stop()

    // ---- day 8
    server = await serve(8)
    base = server.url
    const v8 = await signedIn(browser, base, 'village')
    await closePosting(v8.page, base, villagePosting, 'village')
    await v8.close()
    const town = await signedIn(browser, base, 'township')
    await approveInQueue(town.page, base, 'township')
    await town.close()
    const county = await signedIn(browser, base, 'county')
    await approveInQueue(county.page, base, 'county')
    const countyPosting = await publish(county.page, base, 'county')
    await county.close()
    await server.stop()

    // ---- day 16
    server = await serve(16)
    base = server.url
    const c16 = await signedIn(browser, base, 'county')
    const page = c16.page
    await closePosting(page, base, countyPosting, 'county')
    const after = await call(page, 'GET', `/api/v1/benefit/candidates/${cand.id}`)
    if (after.stage !== 'payroll') fail(`the candidate is at ${after.stage} after the postings`)

    step('county: 生成发放批次 for the year')
    await page.goto(base + '/benefit/payroll')
    await page.click('[data-test="payroll-program"]')
    await page.click('.el-select-dropdown__item:visible:has-text("育儿补贴")')
    await page.fill('input[data-test="payroll-period"]', String(year))
    await page.click('[data-test="payroll-run"]')
    await page.waitForSelector('[data-test="payroll-result"]')
    const lines = Number((await page.textContent('[data-test="payroll-lines"]')).trim())
    if (lines !== 1) fail(`payroll lines ${lines}, want 1`)

    step('county: the bank file, then the bank return file marking it paid')
    await page.waitForSelector('[data-test="cycle"] [data-test="bank-file"]')
    const href = await page.getAttribute('[data-test="cycle"] [data-test="bank-file"]', 'href')
    const file = await page.evaluate(async (u) => (await fetch(u)).text(), href)
    const row = file.split(/\r?\n/).find((l) => /^1,/.test(l)) || fail(`no line 1 in the bank file: ${file.slice(0, 300)}`)
    const [seq, account, , , amount] = row.split(',')
    if (account !== '6228480012345678') fail(`bank file account ${account}`)
    const answer = `\ufeff序号,账号,金额（元）,处理结果,失败原因\r\n${seq},${account},${amount},成功,\r\n`
    await page.setInputFiles('[data-test="cycle"] [data-test="bank-return-file"]', {
      name: '回盘.csv', mimeType: 'text/csv', buffer: Buffer.from(answer, 'utf8'),
    })
    await page.click('[data-test="cycle"] [data-test="bank-return"]')
    await page.waitForSelector('[data-test="bank-report"]')
    const report = (await page.textContent('[data-test="bank-report"]')).replace(/\s+/g, ' ')
    if (!report.includes('成功 1 笔') || !report.includes('已全部对账')) fail(`bank report: ${report}`)
    await shot(page, '2-paid')
    console.log(`  ${report.trim()}`)

    step('county: the payment notice, printed in bulk, checked by its code on the public page')
    await page.goto(base + '/benefit/notices')
    await page.click('[data-test="notice-kind"]')
    await page.click('.el-select-dropdown__item:visible:has-text("发放通知")')
    await page.click('[data-test="notice-program"]')
    await page.click('.el-select-dropdown__item:visible:has-text("育儿补贴")')
    await page.click('[data-test="notice-cycle"]')
    await page.click(`.el-select-dropdown__item:visible:has-text("${year}（")`)
    await page.click('[data-test="notice-issue"]')
    await page.waitForSelector('[data-test="notice"]')
    const code = (await page.textContent('[data-test="notice-code"]')).trim()
    const checked = await page.evaluate(async (c) => (await fetch(`/api/v1/public/notices/${c}`)).status, code)
    if (checked !== 200) fail(`the notice's code ${code} does not check: ${checked}`)
    await shot(page, '3-notice')

    step('county: the notices as PDF; a real reader finds the code, a real scanner reads the QR, which opens the check')
    const pdfUrl = await page.getAttribute('[data-test="notice-pdf"]', 'href')
    const pdf = Buffer.from(await page.evaluate(async (u) => {
      const r = await fetch(u)
      if (!r.ok) return ''
      const b = new Uint8Array(await r.arrayBuffer())
      let s = ''
      for (const x of b) s += String.fromCharCode(x)
      return btoa(s)
    }, pdfUrl), 'base64')
    if (pdf.subarray(0, 5).toString() !== '%PDF-') fail(`notices PDF: ${pdf.subarray(0, 40)}`)
    const scanned = readPdf(pdf)
    if (!scanned.text.includes(`验证码：${code}`)) fail(`the PDF lacks the code ${code}:\n${scanned.text}`)
    if (scanned.qr !== `${base}/public/notices/${code}`) fail(`the PDF's QR reads ${scanned.qr}`)
    const phone = await browser.newContext({ viewport: PHONE })
    const verify = await phone.newPage()
    await verify.goto(scanned.qr)
    await verify.waitForSelector('[data-test="verify-ok"]')
    await shot(verify, '4-verified')
    await phone.close()
    await c16.close()
  } finally {
    if (server) await server.stop().catch(() => {})
    await browser.close()
  }
}

main()
  .then(() => console.log('benefit browser test passed: one family from candidate to paid'))
  .catch((e) => {
    console.error(`benefit browser test FAILED: ${e.message}`)
    process.exit(1)
  })
