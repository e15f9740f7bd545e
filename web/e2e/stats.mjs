// Browser check of 统计报表 and 统计分析 (web/src/views/stats/), for the
// smoke test (web/e2e/smoke.mjs) to call with a signed-in county user's
// page. Needs demo data with births this year or last.
//
//   await statsStep(page, BASE, shot)                 // its own step()/fail()
//   await statsStep(page, BASE, shot, { step, fail }) // the smoke test's
//
// Picks this year or last, whichever has births (asking the API from the
// page, with the session), opens /stats/report for it, checks the births
// 合计 against the API, clicks it and checks that the records page's
// "共 N 条" is that figure; opens /stats/dashboard and checks that a chart
// was drawn on its canvas; then at 375 px checks both pages for cards, a
// drawn chart and no sideways scrolling. Then files last month's report
// upward (报表上报, filingStep below): the demo's village officer generates,
// reviews and submits the village's report; the township officer sees it
// 已上报 on the board at phone width, accepts it, and its PDF is fetched.
// Resolves with what it saw; throws (via fail) on the first problem.

const PHONE = { width: 375, height: 740 }
const TIMEOUT = Number(process.env.JISHENG_E2E_TIMEOUT_MS || 20000)

class StatsFailure extends Error {}

/** "1,234" → 1234; NaN when the text holds no number. */
const toNumber = (text) => Number.parseInt(String(text || '').replace(/[,\s]/g, ''), 10)

/** Waits until a v-loading box has no mask. */
async function loaded(page, selector) {
  await page.waitForFunction(
    (sel) => {
      const box = document.querySelector(sel)
      return !!box && !box.querySelector('.el-loading-mask')
    },
    selector,
    { timeout: TIMEOUT },
  )
}

/** Whether the first canvas inside selector has any painted pixel. */
async function chartDrawn(page, selector) {
  await page.waitForSelector(`${selector} canvas`, { timeout: TIMEOUT })
  // ECharts animates its first frame in; give it time to paint.
  return page.waitForFunction(
    (sel) => {
      const c = document.querySelector(`${sel} canvas`)
      if (!c || !c.width || !c.height) return false
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      let painted = 0
      for (let i = 3; i < data.length; i += 4 * 7) if (data[i] > 0 && ++painted > 50) return true
      return false
    },
    selector,
    { timeout: TIMEOUT },
  ).then(() => true, () => false)
}

async function sideScroll(page) {
  await page.waitForTimeout(300)
  return page.evaluate(() => document.documentElement.scrollWidth)
}

export async function statsStep(page, BASE, shot, helpers = {}) {
  const fail = helpers.fail || ((msg) => {
    throw new StatsFailure(msg)
  })
  const step = helpers.step || ((name) => console.log(`• ${name}`))

  step('统计报表: pick a year with births')
  // The page is signed in: ask the API from it, with its session cookie.
  const pick = await page.evaluate(async () => {
    const year = new Date().getFullYear() // the browser runs in China's time zone
    const seen = []
    for (const period of [String(year), String(year - 1)]) {
      const r = await fetch(`/api/v1/stats/report?period=${period}&indicators=births`, { headers: { Accept: 'application/json' } })
      if (!r.ok) {
        seen.push(`${period}: HTTP ${r.status}`)
        continue
      }
      const births = (await r.json()).rows?.find((row) => row.code === 'births')?.value
      seen.push(`${period}: ${births}`)
      if (births > 0) return { period, births, seen }
    }
    return { period: '', births: 0, seen }
  })
  if (!pick.period) fail(`no births this year or last (${pick.seen.join('; ')}); load a demo county first`)
  console.log(`  births: ${pick.seen.join('; ')}; using ${pick.period}`)

  step(`统计报表: open /stats/report?period=${pick.period}`)
  const res = await page.goto(`${BASE}/stats/report?period=${pick.period}`, { waitUntil: 'domcontentloaded' })
  if (res && !res.ok()) fail(`/stats/report answered HTTP ${res.status()}`)
  const totalLink = '[data-test="row-births"] [data-test="total"] a[data-test="fig-value"]'
  await page.waitForSelector(totalLink, { timeout: TIMEOUT })
    .catch(() => fail('the report shows no births 合计 link (does the user hold stats.read and registry.read?)'))
  await loaded(page, '.report-body')
  const shown = toNumber(await page.textContent(totalLink))
  if (shown !== pick.births) fail(`the report shows ${shown} births for ${pick.period}, the API says ${pick.births}`)
  const children = await page.locator('[data-test="row-births"] td[data-test^="child-"]').count()
  if (!children) fail('the report shows no column per township')
  console.log(`  births 合计 ${shown}, ${children} child columns`)
  await shot(page, 'stats-01-report')

  step('统计报表: list every village (分列 按村)')
  const villages = await page.evaluate(async (period) => {
    const r = await fetch(`/api/v1/stats/report?period=${period}&indicators=births&by=village`, { headers: { Accept: 'application/json' } })
    return r.ok ? (await r.json()).children.length : -r.status
  }, pick.period)
  if (villages <= children) fail(`the API lists ${villages} villages by village, the report ${children} townships`)
  await page.click('[data-test="report-by"]')
  await page.click('.el-select-dropdown__item:has-text("按村")')
  await page.waitForURL((u) => u.searchParams.get('by') === 'village', { timeout: TIMEOUT })
    .catch(() => fail('choosing 按村 did not put by=village in the address'))
  await page.waitForFunction((n) => document.querySelectorAll('[data-test="row-births"] td[data-test^="child-"]').length === n,
    villages, { timeout: TIMEOUT }).catch(() => fail(`the report by village does not show ${villages} village columns`))
  await loaded(page, '.report-body')
  const byVillageTotal = toNumber(await page.textContent(totalLink))
  if (byVillageTotal !== pick.births) fail(`the report by village shows ${byVillageTotal} births, the API says ${pick.births}`)
  console.log(`  by village: ${villages} village columns, births 合计 ${byVillageTotal}`)
  await shot(page, 'stats-01b-report-by-village')
  await page.goto(`${BASE}/stats/report?period=${pick.period}`, { waitUntil: 'domcontentloaded' })
  await page.waitForSelector(totalLink, { timeout: TIMEOUT }).catch(() => fail('the report did not come back without by=village'))

  step(`统计报表: click the births 合计 (${shown})`)
  await page.click(totalLink)
  await page.waitForURL((u) => u.pathname === '/stats/records', { timeout: TIMEOUT })
    .catch(() => fail('clicking the births figure did not open the records page'))
  const url = new URL(page.url())
  if (url.searchParams.get('indicator') !== 'births' || url.searchParams.get('period') !== pick.period) {
    fail(`the records page was opened as ${url.pathname}${url.search}`)
  }
  await page.waitForSelector('[data-test="records-count"]', { timeout: TIMEOUT })
    .catch(() => fail('the records page shows no total'))
  await loaded(page, '[data-test="records-results"]')
  const count = toNumber(await page.textContent('[data-test="records-count"]'))
  const totalText = ((await page.textContent('[data-test="records-total"]')) || '').replace(/\s+/g, '')
  if (count !== shown) fail(`the records page says 共 ${count} 条, the figure clicked was ${shown}`)
  if (!totalText.includes('与报表数字一致')) fail(`the records page says "${totalText}"`)
  const rows = await page.locator('[data-test="records-name"]').count()
  if (rows !== Math.min(count, 50)) fail(`the records page lists ${rows} rows on its first page, expected ${Math.min(count, 50)}`)
  console.log(`  records: "${totalText}", ${rows} rows listed`)
  await shot(page, 'stats-02-records')

  step('统计分析: open /stats/dashboard')
  const year = pick.period.slice(0, 4)
  await page.goto(`${BASE}/stats/dashboard?year=${year}`, { waitUntil: 'domcontentloaded' })
  if (!(await chartDrawn(page, '[data-test="dash-trend"]'))) fail('the monthly trend chart drew nothing on its canvas')
  if (!(await chartDrawn(page, '[data-test="dash-bars"]'))) fail('the township bar chart drew nothing on its canvas')
  await page.waitForSelector('[data-test="dash-ranking"] tbody tr', { timeout: TIMEOUT })
    .catch(() => fail('the dashboard shows no ranking'))
  console.log(`  charts drawn; ${await page.locator('[data-test="dash-ranking"] tbody tr').count()} divisions ranked`)
  await shot(page, 'stats-03-dashboard')

  step(`统计: phone ${PHONE.width}×${PHONE.height}`)
  const size = page.viewportSize()
  await page.setViewportSize(PHONE)
  try {
    await page.goto(`${BASE}/stats/report?period=${pick.period}`, { waitUntil: 'domcontentloaded' })
    await page.waitForSelector('.ind-card[data-test="row-births"]', { timeout: TIMEOUT })
      .catch(() => fail('the report shows no indicator cards at phone width'))
    if (await page.locator('[data-test="report-table"]').count()) fail('the report shows the wide table at phone width')
    let width = await sideScroll(page)
    if (width > PHONE.width) fail(`/stats/report scrolls sideways at ${PHONE.width}px (scrollWidth ${width})`)
    console.log(`  /stats/report: scrollWidth ${width} <= ${PHONE.width}`)
    await shot(page, 'stats-04-report-phone')

    await page.goto(`${BASE}/stats/dashboard?year=${year}`, { waitUntil: 'domcontentloaded' })
    if (!(await chartDrawn(page, '[data-test="dash-trend"]'))) fail('the trend chart drew nothing at phone width')
    const chartWidth = await page.evaluate(() => document.querySelector('[data-test="dash-trend"] canvas')?.getBoundingClientRect().width || 0)
    if (!chartWidth || chartWidth > PHONE.width) fail(`the trend chart is ${chartWidth}px wide at phone width`)
    width = await sideScroll(page)
    if (width > PHONE.width) fail(`/stats/dashboard scrolls sideways at ${PHONE.width}px (scrollWidth ${width})`)
    console.log(`  /stats/dashboard: chart ${Math.round(chartWidth)}px, scrollWidth ${width} <= ${PHONE.width}`)
    await shot(page, 'stats-05-dashboard-phone')
  } finally {
    if (size) await page.setViewportSize(size)
  }
  const filing = await filingStep(page, BASE, shot, { step, fail })
  return { period: pick.period, births: shown, records: count, filing }
}

// ---- 报表上报: a village files last month's report, its township accepts it

// The demo accounts (jisheng demo): village is an officer of the county's
// first township's first village, township of that township; both have the
// demo password unless told otherwise.
const FILING_PASSWORD = process.env.JISHENG_FILING_PASSWORD || process.env.JISHENG_PASSWORD || 'Jisheng@2026'

/** Last month in China's calendar, "YYYY-MM": always ended, so it may be filed. */
function lastMonth(now = new Date()) {
  const t = new Date(now.getTime() + 8 * 3600 * 1000)
  const y = t.getUTCFullYear()
  const m = t.getUTCMonth() // 0-based: this month - 1 as 1-based
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`
}

async function signIn(page, BASE, user, fail) {
  await page.context().clearCookies()
  await page.goto(`${BASE}/login`, { waitUntil: 'domcontentloaded' })
  await page.fill('input[data-test="login-username"]', user)
  await page.fill('input[data-test="login-password"]', FILING_PASSWORD)
  await page.click('[data-test="login-submit"]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: TIMEOUT })
    .catch(() => fail(`could not sign in as ${user} (a demo account with the demo password?)`))
  return page.evaluate(async () => (await fetch('/api/v1/me', { headers: { Accept: 'application/json' } })).json())
}

async function filingStatus(page) {
  return ((await page.textContent('[data-test="filing-status"]', { timeout: TIMEOUT })) || '').trim()
}

async function waitStatus(page, want, fail, what) {
  await page.waitForFunction(
    (w) => document.querySelector('[data-test="filing-status"]')?.textContent.trim() === w,
    want,
    { timeout: TIMEOUT },
  ).catch(async () => fail(`${what}: the filing shows "${await filingStatus(page).catch(() => '?')}", expected ${want}`))
}

async function noSideScroll(page, what, fail) {
  const width = await sideScroll(page)
  if (width > PHONE.width) fail(`${what} scrolls sideways at ${PHONE.width}px (scrollWidth ${width})`)
  console.log(`  ${what}: scrollWidth ${width} <= ${PHONE.width}`)
}

/**
 * Files last month's report from the village up to its township through
 * the pages, on the page given (its session is put back afterwards).
 */
export async function filingStep(page, BASE, shot, helpers = {}) {
  const fail = helpers.fail || ((msg) => {
    throw new StatsFailure(msg)
  })
  const step = helpers.step || ((name) => console.log(`• ${name}`))
  const context = page.context()
  const cookies = await context.cookies()
  const size = page.viewportSize()
  const period = lastMonth()
  try {
    step(`报表上报: sign in as village, open /stats/filings?period=${period}`)
    const village = await signIn(page, BASE, 'village', fail)
    const code = village?.division?.code
    if (!code) fail('the village officer has no division')
    await page.goto(`${BASE}/stats/filings?period=${period}`, { waitUntil: 'domcontentloaded' })
    await page.waitForSelector('[data-test="board-own"]', { timeout: TIMEOUT }).catch(() => fail('the filings board shows no own line'))
    await loaded(page, '.board-body')
    const ownStatus = ((await page.textContent('[data-test="board-own-status"]')) || '').trim()
    if (ownStatus !== '未生成') fail(`the village's ${period} report is already "${ownStatus}" (use a fresh demo database)`)
    console.log(`  ${village.division.name} (${code}): ${ownStatus}`)
    await shot(page, 'stats-06-filings-village')

    step('报表上报: village 生成本期报表')
    await page.click('[data-test="board-generate"]')
    await page.waitForURL((u) => /^\/stats\/filings\/\d+$/.test(u.pathname), { timeout: TIMEOUT })
      .catch(() => fail('generating did not open the filing'))
    const id = /\/stats\/filings\/(\d+)/.exec(page.url())[1]
    await waitStatus(page, '已生成', fail, 'after generating')
    await page.waitForSelector('[data-test="filing-snapshot"] [data-test="row-births"]', { timeout: TIMEOUT })
      .catch(() => fail('the filing shows no snapshot'))
    const links = await page.locator('[data-test="filing-snapshot"] a').count()
    if (links) fail(`the snapshot links ${links} numbers to today's records`)
    await page.waitForSelector('[data-test="filing-diff-same"], [data-test="filing-diff-count"]', { timeout: TIMEOUT })
      .catch(() => fail('the comparison with today\'s records did not load'))

    step('报表上报: village 审核, 上报')
    await page.click('[data-test="filing-review"]')
    await waitStatus(page, '已审核', fail, 'after 审核')
    await page.click('[data-test="filing-submit"]')
    await waitStatus(page, '已上报', fail, 'after 上报')
    const steps = await page.locator('[data-test="filing-step"]').count()
    if (steps !== 3) fail(`the filing lists ${steps} steps after 生成, 审核, 上报`)
    console.log(`  filing ${id}: 已上报, ${steps} steps`)
    await shot(page, 'stats-07-filing-submitted')

    step(`报表上报: sign in as township, board at ${PHONE.width}px`)
    await page.setViewportSize(PHONE)
    const town = await signIn(page, BASE, 'township', fail)
    if (town?.division?.code !== code.slice(0, 9)) fail(`the township officer's division ${town?.division?.code} is not the village's township`)
    await page.goto(`${BASE}/stats/filings?period=${period}`, { waitUntil: 'domcontentloaded' })
    const line = `[data-test="board-cards"] [data-test="board-line-${code}"]`
    await page.waitForSelector(line, { timeout: TIMEOUT }).catch(() => fail(`the township's board shows no card for ${code}`))
    await loaded(page, '.board-body')
    const lineStatus = ((await page.textContent(`${line} [data-test="line-status"]`)) || '').trim()
    if (lineStatus !== '已上报') fail(`the township's board shows the village "${lineStatus}", expected 已上报`)
    const summary = ((await page.textContent('[data-test="board-summary"]')) || '').replace(/\s+/g, '')
    const filed = Number(/已上报(\d+)\//.exec(summary)?.[1])
    if (!(filed >= 1)) fail(`the board's summary says "${summary}"`)
    console.log(`  board: ${village.division.name} ${lineStatus}; ${summary}`)
    await noSideScroll(page, '/stats/filings', fail)
    await shot(page, 'stats-08-board-township-phone')

    step('报表上报: township opens it and 接收')
    await page.click(`${line} [data-test="line-open"]`)
    await page.waitForURL((u) => u.pathname === `/stats/filings/${id}`, { timeout: TIMEOUT })
      .catch(() => fail(`the card opened ${page.url()}, not filing ${id}`))
    await page.waitForSelector('[data-test="filing-accept"]', { timeout: TIMEOUT })
      .catch(() => fail('the township is not offered 接收'))
    if (await page.locator('[data-test="filing-review"], [data-test="filing-submit"]').count()) fail('the township is offered the village\'s 审核/上报')
    await page.click('[data-test="filing-accept"]')
    const box = page.locator('.el-message-box')
    await box.waitFor({ timeout: TIMEOUT }).catch(() => fail('接收 asked for no confirmation'))
    const ask = ((await box.textContent()) || '').replace(/\s+/g, '')
    if (!ask.includes('接收后报表锁定，不能修改')) fail(`the confirmation says "${ask}"`)
    await page.click('.el-message-box__btns button:has-text("接收")')
    await waitStatus(page, '已接收', fail, 'after 接收')
    if (await page.locator('[data-test="filing-accept"], [data-test="filing-return"]').count()) fail('an accepted filing still offers 接收/退回')
    await noSideScroll(page, `/stats/filings/${id}`, fail)
    await shot(page, 'stats-09-filing-accepted-phone')

    step('报表上报: 下载 PDF')
    const href = await page.getAttribute('[data-test="filing-pdf"]', 'href')
    if (href !== `/api/v1/stats/filings/${id}/pdf`) fail(`下载 PDF links to ${href}`)
    const pdf = await page.evaluate(async (url) => {
      const r = await fetch(url)
      const bytes = new Uint8Array(await r.arrayBuffer())
      return { status: r.status, type: r.headers.get('content-type') || '', head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length }
    }, href)
    if (pdf.status !== 200 || !pdf.head.startsWith('%PDF')) fail(`下载 PDF answered HTTP ${pdf.status} ${pdf.type} starting "${pdf.head}"`)
    console.log(`  ${href}: ${pdf.type}, ${pdf.size} bytes, starts ${pdf.head}`)
    return { period, id: Number(id), filed, pdfBytes: pdf.size }
  } finally {
    // Back to the caller's user and size.
    if (size) await page.setViewportSize(size)
    await context.clearCookies()
    await context.addCookies(cookies)
  }
}
