// Browser check of 随访工作 (web/src/views/health/WorkList.vue), for the
// smoke test (web/e2e/smoke.mjs) to call with a signed-in county user's
// page. Needs demo data with visits due.
//
//   await healthWorklistStep(page, BASE, shot)                 // its own step()/fail()
//   await healthWorklistStep(page, BASE, shot, { step, fail }) // the smoke test's
//
// Opens /worklist, switches to 逾期 (or 全部到期 when nothing is overdue),
// taps 电话随访 on the first visit that has it, and checks that a success
// message appears and that the bucket's count went down by one; then at
// 375 px checks that /worklist does not scroll sideways. Resolves with what
// it did; throws (via fail) on the first problem.

const PHONE = { width: 375, height: 740 }
const TIMEOUT = Number(process.env.JISHENG_E2E_TIMEOUT_MS || 20000)

class HealthFailure extends Error {}

/** The count shown on a bucket tab, or NaN while it is loading ("–"). */
async function bucketCount(page, bucket) {
  const text = (await page.textContent(`[data-test="bucket-count-${bucket}"]`, { timeout: TIMEOUT })) || ''
  return Number.parseInt(text.trim(), 10)
}

/** Waits until the work list has loaded: cards or the empty state, no loading mask. */
async function settled(page) {
  await page.waitForFunction(
    () => {
      const box = document.querySelector('[data-test="work-results"]')
      if (!box || box.querySelector('.el-loading-mask')) return false
      const counted = /\d/.test(document.querySelector('[data-test="bucket-count-due"]')?.textContent || '')
      return counted && (!!box.querySelector('[data-test="work-item"]') || !!box.querySelector('[data-test="work-empty"]'))
    },
    null,
    { timeout: TIMEOUT },
  )
}

/** Opens a bucket tab and waits for its list. */
async function openBucket(page, bucket) {
  const resp = page.waitForResponse((r) => r.url().includes('/api/v1/health/worklist'), { timeout: TIMEOUT }).catch(() => null)
  await page.click(`[data-test="bucket-${bucket}"]`)
  // Every tap reloads the bucket, even the one already shown.
  await resp
  await page.waitForFunction(
    (b) => document.querySelector(`[data-test="bucket-${b}"]`)?.getAttribute('aria-selected') === 'true',
    bucket,
    { timeout: TIMEOUT },
  )
  await settled(page)
}

export async function healthWorklistStep(page, BASE, shot, helpers = {}) {
  const fail = helpers.fail || ((msg) => {
    throw new HealthFailure(msg)
  })
  const step = helpers.step || ((name) => console.log(`• ${name}`))

  step('随访工作: open /worklist')
  const res = await page.goto(BASE + '/worklist', { waitUntil: 'domcontentloaded' })
  if (res && !res.ok()) fail(`/worklist answered HTTP ${res.status()}`)
  await page.waitForSelector('[data-test="bucket-overdue"]', { timeout: TIMEOUT })
    .catch(() => fail('the 随访工作 page did not appear (does the user hold health.read?)'))
  await settled(page).catch(() => fail('the work list did not finish loading'))

  let bucket = 'overdue'
  if (!((await bucketCount(page, 'overdue')) > 0)) bucket = 'due'
  step(`随访工作: switch to ${bucket === 'overdue' ? '逾期' : '全部到期'}`)
  await openBucket(page, bucket).catch(() => fail(`the ${bucket} list did not load`))
  const before = await bucketCount(page, bucket)
  if (!(before > 0)) fail(`no visit is due (the ${bucket} count is ${before}); load demo data with due visits first`)

  const phoneButtons = page.locator('[data-test="work-item"] [data-test="visit-phone"]')
  if (!(await phoneButtons.count())) fail(`the ${bucket} list shows no item with a 电话随访 button`)
  const item = page.locator('[data-test="work-item"]', { has: page.locator('[data-test="visit-phone"]') }).first()
  const visitId = await item.getAttribute('data-visit')
  const name = ((await item.locator('[data-test="work-name"]').textContent()) || '').trim()
  console.log(`  ${bucket}: ${before} due; recording a phone visit for ${name} (visit ${visitId})`)
  if (shot) await shot(page, 'health-01-worklist')

  step(`随访工作: tap 电话随访 for ${name}`)
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().includes(`/api/v1/health/visits/${visitId}/contacts`),
    { timeout: TIMEOUT },
  )
  await item.locator('[data-test="visit-phone"]').click()
  const r = await posted.catch(() => fail('tapping 电话随访 sent no request'))
  if (!r.ok()) fail(`recording the phone visit answered HTTP ${r.status()}: ${(await r.text().catch(() => '')).slice(0, 200)}`)
  const body = r.request().postDataJSON()
  if (body?.method !== 'phone' || !body?.request_key) fail(`the request should carry method "phone" and a request_key, sent ${JSON.stringify(body)}`)
  await page.waitForSelector('.el-message--success', { timeout: TIMEOUT })
    .catch(() => fail('no success message appeared after 电话随访'))
  await page.waitForFunction(
    (id) => !document.querySelector(`[data-test="work-item"][data-visit="${id}"]`),
    visitId,
    { timeout: TIMEOUT },
  ).catch(() => fail(`the visit ${visitId} is still listed after it was recorded`))
  await page.waitForFunction(
    ([b, want]) => document.querySelector(`[data-test="bucket-count-${b}"]`)?.textContent.trim() === String(want),
    [bucket, before - 1],
    { timeout: TIMEOUT },
  ).catch(async () => fail(`the ${bucket} count should be ${before - 1} after the visit, shows ${await bucketCount(page, bucket)}`))
  console.log(`  recorded; ${bucket} count ${before} → ${before - 1}`)
  if (shot) await shot(page, 'health-02-worklist-recorded')

  step(`随访工作: phone ${PHONE.width}×${PHONE.height}`)
  const size = page.viewportSize()
  await page.setViewportSize(PHONE)
  try {
    await page.goto(BASE + '/worklist', { waitUntil: 'domcontentloaded' })
    await settled(page).catch(() => fail('the work list did not load at phone width'))
    await page.waitForTimeout(300)
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }))
    if (scrollWidth > PHONE.width) fail(`/worklist scrolls sideways at ${PHONE.width}px (scrollWidth ${scrollWidth}, clientWidth ${clientWidth})`)
    console.log(`  /worklist: scrollWidth ${scrollWidth} <= ${PHONE.width}`)
    if (shot) await shot(page, 'health-03-worklist-phone')
  } finally {
    if (size) await page.setViewportSize(size)
  }
  return { bucket, before, after: before - 1, visitId, name }
}
