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
// drawn chart and no sideways scrolling. Resolves with what it saw; throws
// (via fail) on the first problem.

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
  return { period: pick.period, births: shown, records: count }
}
