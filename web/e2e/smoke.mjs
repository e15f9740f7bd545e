#!/usr/bin/env node
// Browser smoke test of the jisheng web app, driving Debian's Chromium
// through playwright-core.
//
//   JISHENG_URL       app address (default http://127.0.0.1:8080)
//   JISHENG_USER      a county-level user of a demo county (required)
//   JISHENG_PASSWORD  that user's password (required)
//   JISHENG_FIND      a name prefix to search for (default: the first
//                     character of the first person in the list)
//   CHROMIUM          the browser (default: `command -v chromium`, else /usr/bin/chromium)
//
// Signs in, opens 人员, searches by name prefix, opens a record and checks
// that its name and a masked ID number show; then repeats the list and
// detail at 375×740 and checks that nothing scrolls sideways; records a
// follow-up from 随访工作 with one tap (e2e/health.mjs); opens 统计报表,
// clicks the births figure and checks that the records page lists as many,
// and checks that 统计分析 draws its charts, on a desktop and at phone width,
// then files last month's report from the demo village up to its township
// (报表上报, as the demo users village and township; e2e/stats.mjs). Screenshots go to e2e/out/. Exits non-zero with a
// message on the first failure.
import { chromium } from 'playwright-core'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { healthWorklistStep } from './health.mjs'
import { statsStep } from './stats.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const OUT = path.join(here, 'out')
const BASE = (process.env.JISHENG_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '')
const USER = process.env.JISHENG_USER || ''
const PASSWORD = process.env.JISHENG_PASSWORD || ''
const FIND = (process.env.JISHENG_FIND || '').trim()
const STEP_TIMEOUT = Number(process.env.JISHENG_E2E_TIMEOUT_MS || 20000)
const PHONE = { width: 375, height: 740 }
// A masked ID number as the API sends it: digits, then asterisks, then the last characters.
const MASKED_ID = /^\d{3,6}\*{4,}[\dX]{1,4}$/

function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM
  try {
    const p = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
    if (p) return p
  } catch {
    // not on PATH
  }
  return '/usr/bin/chromium'
}

class Failure extends Error {}
const fail = (msg) => {
  throw new Failure(msg)
}

let stepName = ''
function step(name) {
  stepName = name
  console.log(`• ${name}`)
}

async function shot(page, name) {
  const file = path.join(OUT, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true }).catch(() => {})
  console.log(`  screenshot ${path.relative(process.cwd(), file)}`)
}

async function noSideScroll(page, what) {
  // Let late layout (fonts, images, tables measuring themselves) settle.
  await page.waitForTimeout(300)
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }))
  if (scrollWidth > PHONE.width) {
    const wide = await page.evaluate((limit) => {
      const out = []
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect()
        if (r.right > limit + 1 && r.width > 0) {
          out.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : ''} right=${Math.round(r.right)}`)
        }
        if (out.length >= 5) break
      }
      return out
    }, PHONE.width)
    fail(`${what}: page scrolls sideways at ${PHONE.width}px (scrollWidth ${scrollWidth}, clientWidth ${clientWidth}); widest elements: ${wide.join('; ')}`)
  }
  console.log(`  ${what}: scrollWidth ${scrollWidth} <= ${PHONE.width}`)
}

/** Waits for the person results to finish loading; returns [{name, id}] of the rows shown. */
async function personRows(page) {
  await page.waitForSelector('[data-test="person-results"]', { timeout: STEP_TIMEOUT })
  await page.waitForFunction(
    () => {
      const box = document.querySelector('[data-test="person-results"]')
      if (!box || box.querySelector('.el-loading-mask')) return false
      return !!box.querySelector('[data-test="person-name"]') || !!box.querySelector('.el-empty')
    },
    null,
    { timeout: STEP_TIMEOUT },
  )
  return page.$$eval('[data-test="person-name"]', (els) =>
    els.map((el) => {
      const row = el.closest('tr, li')
      const link = el.closest('a') || el.querySelector('a') || row?.querySelector('a')
      return {
        name: el.textContent.trim(),
        href: link?.getAttribute('href') || '',
        idText: row ? (row.textContent.match(/\d{3,6}\*{4,}[\dX]{1,4}/) || [''])[0] : '',
      }
    }),
  )
}

async function search(page, term) {
  const input = page.locator('input[data-test="person-search"]')
  await input.fill(term)
  const resp = page.waitForResponse(
    (r) => r.url().includes('/api/v1/persons?') && r.url().includes('q=' + encodeURIComponent(term)),
    { timeout: STEP_TIMEOUT },
  )
  await page.click('[data-test="person-search-submit"]')
  const r = await resp
  if (!r.ok()) fail(`search request answered HTTP ${r.status()}`)
  // Let the list re-render from the response.
  await page.waitForTimeout(100)
  return personRows(page)
}

async function checkDetail(page, person) {
  await page.waitForSelector('[data-test="person-detail-name"]', { timeout: STEP_TIMEOUT })
  await page.waitForFunction(
    (name) => document.querySelector('[data-test="person-detail-name"]')?.textContent.trim() === name,
    person.name,
    { timeout: STEP_TIMEOUT },
  ).catch(async () => {
    const shown = await page.textContent('[data-test="person-detail-name"]').catch(() => '')
    fail(`detail page shows the name "${shown?.trim()}", expected "${person.name}"`)
  })
  const id = (await page.textContent('[data-test="person-id-number"]', { timeout: STEP_TIMEOUT }))?.trim() || ''
  if (!MASKED_ID.test(id)) fail(`detail page should show a masked ID number, shows "${id}"`)
  console.log(`  detail shows ${person.name}, ID ${id}`)
}

async function main() {
  if (!USER || !PASSWORD) fail('set JISHENG_USER and JISHENG_PASSWORD (a county-level user of a demo county)')
  const executablePath = findChromium()
  if (!existsSync(executablePath)) fail(`Chromium not found at ${executablePath}; install it (apt-get install -y chromium) or set CHROMIUM`)
  mkdirSync(OUT, { recursive: true })
  const profile = mkdtempSync(path.join(tmpdir(), 'jisheng-e2e-'))
  const problems = []
  let context
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width: 1366, height: 860 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const watch = (page) => {
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
      page.on('response', (r) => {
        if (r.status() >= 500) problems.push(`HTTP ${r.status()} ${r.url()}`)
      })
    }

    // ---- desktop
    const page = context.pages()[0] || (await context.newPage())
    watch(page)

    step(`open ${BASE}`)
    const res = await page.goto(BASE + '/', { waitUntil: 'domcontentloaded' }).catch((e) => fail(`cannot open ${BASE}: ${e.message}`))
    if (res && !res.ok()) fail(`${BASE}/ answered HTTP ${res.status()}`)
    await page.waitForSelector('input[data-test="login-username"]').catch(() => fail('the login page did not appear (is web/dist built and served?)'))
    await shot(page, '01-login')

    step(`sign in as ${USER}`)
    await page.fill('input[data-test="login-username"]', USER)
    await page.fill('input[data-test="login-password"]', PASSWORD)
    await page.click('[data-test="login-submit"]')
    const outcome = await Promise.race([
      page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: STEP_TIMEOUT }).then(() => 'in'),
      page.waitForSelector('[data-test="login-error"]', { timeout: STEP_TIMEOUT }).then(() => 'error'),
      page.waitForSelector('[data-test="change-password-submit"]', { state: 'visible', timeout: STEP_TIMEOUT }).then(() => 'must-change'),
    ]).catch(() => 'timeout')
    if (outcome === 'error') fail(`sign-in refused: ${(await page.textContent('[data-test="login-error"]'))?.trim()}`)
    if (outcome === 'must-change') fail(`user ${USER} must change the password first; sign in once by hand or use another user`)
    if (outcome === 'timeout') fail('sign-in did not finish')
    await page.waitForSelector('[data-test="nav-persons"]').catch(() => fail(`user ${USER} sees no 人员 menu (needs registry.read)`))
    await shot(page, '02-home')

    step('open 人员')
    await page.click('[data-test="nav-persons"]')
    await page.waitForURL((u) => u.pathname === '/persons')
    const first = await personRows(page)
    if (!first.length) fail('the person list is empty; load a demo county first')
    const term = FIND || [...first[0].name][0]
    console.log(`  ${first.length} rows; searching for names starting with "${term}"`)

    step(`search "${term}"`)
    const found = await search(page, term)
    const matching = found.filter((p) => p.name.startsWith(term))
    if (!matching.length) fail(`no person found whose name starts with "${term}"`)
    if (matching.length !== found.length) fail(`search "${term}" also listed: ${found.filter((p) => !p.name.startsWith(term)).map((p) => p.name).join(', ')}`)
    const person = matching.find((p) => p.idText) || matching[0]
    await shot(page, '03-list-desktop')

    step(`open ${person.name}`)
    await page.locator('[data-test="person-name"]', { hasText: person.name }).first().click()
    await page.waitForURL((u) => /^\/persons\/\d+$/.test(u.pathname))
    await checkDetail(page, person)
    const detailPath = new URL(page.url()).pathname
    await shot(page, '04-detail-desktop')

    step('import: check then load a file')
    const csv = path.join(profile, '导入测试.csv')
    const name = '导入测' + String(Date.now() % 1000).padStart(3, '0').replace(/\d/g, (d) => '零一二三四五六七八九'[d])
    writeFileSync(csv, '\ufeff姓名,性别,出生日期,公民身份号码,民族,户口性质,婚姻状况,联系电话,户籍地区划代码,现居住地区划代码,户编号,与户主关系\r\n' +
      `${name},女,1990-01-02,,汉族,农业,未婚,,341523100001,,,\r\n`)
    await page.goto(BASE + '/import', { waitUntil: 'domcontentloaded' })
    await page.locator('[data-test="import-file"] input[type="file"]').setInputFiles(csv)
    await page.click('[data-test="import-check"]')
    await page.waitForSelector('[data-test="import-result"]:has-text("预检通过")').catch(() => fail('the dry run did not pass'))
    await page.click('[data-test="import-apply"]')
    await page.waitForSelector('[data-test="import-result"]:has-text("导入完成")').catch(() => fail('the import did not finish'))
    await shot(page, '045-import')
    await page.goto(`${BASE}/persons?q=${encodeURIComponent(name)}`, { waitUntil: 'domcontentloaded' })
    if (!(await personRows(page)).some((p) => p.name === name)) fail(`the imported person ${name} is not listed`)

    // ---- health services: record a follow-up from the work list (one tap)
    await healthWorklistStep(page, BASE, shot, { step, fail })

    // ---- statistics: a figure, the records behind it, the charts
    await statsStep(page, BASE, shot, { step, fail })

    // ---- phone
    step(`phone ${PHONE.width}×${PHONE.height}: list`)
    const phone = await context.newPage()
    watch(phone)
    await phone.setViewportSize(PHONE)
    await phone.goto(`${BASE}/persons?q=${encodeURIComponent(term)}`, { waitUntil: 'domcontentloaded' })
    const phoneRows = await personRows(phone)
    if (!phoneRows.some((p) => p.name === person.name)) fail(`phone list for "${term}" does not show ${person.name}`)
    if (await phone.locator('[data-test="person-table"]').count()) fail('phone list shows the wide table instead of cards')
    await noSideScroll(phone, 'person list')
    await shot(phone, '05-list-phone')

    step('phone: detail')
    await phone.locator('[data-test="person-row"]', { hasText: person.name }).first().click()
    await phone.waitForURL((u) => /^\/persons\/\d+$/.test(u.pathname))
    await checkDetail(phone, person)
    await noSideScroll(phone, 'person detail')
    await shot(phone, '06-detail-phone')
    if (new URL(phone.url()).pathname !== detailPath) console.log(`  (phone opened ${new URL(phone.url()).pathname}, desktop ${detailPath}: same name)`)

    step('phone: home')
    await phone.goto(BASE + '/', { waitUntil: 'domcontentloaded' })
    await phone.waitForSelector('[data-test="stats"]')
    await noSideScroll(phone, 'home')
    await shot(phone, '07-home-phone')

    if (problems.length) fail(`errors while testing:\n  ${problems.join('\n  ')}`)
    console.log('e2e smoke test passed')
  } catch (e) {
    process.exitCode = 1
    const msg = e instanceof Failure ? e.message : e?.stack || String(e)
    console.error(`\nFAILED at "${stepName}": ${msg}`)
    if (problems.length && !(e instanceof Failure && msg.startsWith('errors while testing'))) {
      console.error(`also seen:\n  ${problems.join('\n  ')}`)
    }
    for (const p of context?.pages() || []) await shot(p, `failure-${context.pages().indexOf(p)}`)
  } finally {
    await context?.close().catch(() => {})
    rmSync(profile, { recursive: true, force: true })
  }
}

const guard = setTimeout(() => {
  console.error('FAILED: the smoke test took longer than 3 minutes')
  process.exit(1)
}, 180000)
guard.unref()
await main().catch((e) => {
  process.exitCode = 1
  console.error(`FAILED: ${e instanceof Failure ? e.message : e?.stack || e}`)
})
