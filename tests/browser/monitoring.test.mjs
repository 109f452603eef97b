// The monitoring pages in a real browser (issue 10): a partner's availability month by month
// (reached from its home) in the four languages, an admin's amendment of a closed month, the
// monitor and incident pages of a service manager (an incident declared and followed up) — axe
// on every page. On the first demo server: its monitors have a 90-day history and its past
// months are closed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkA11y, launch, newPage, shot, signIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The availability page of DEMO-NL's first subscription, as its home links to it. */
async function availabilityPath(page) {
  await page.goto(`${BASE}/en/home`);
  const href = await page.locator('section[aria-labelledby=subs-title] a[href$="/availability"]').first().getAttribute('href');
  assert.match(href, /^\/en\/subscriptions\/[0-9a-f-]{36}\/availability$/);
  return href;
}

test("a partner reads its availability month by month, in the four languages", async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'partner-admin@demo-nl.example');
  const path = await availabilityPath(page);
  await page.goto(`${BASE}${path}`);
  assert.equal(await page.textContent('h1'), 'Availability');
  const rows = page.locator('section[aria-labelledby=months-title] tbody tr');
  assert.ok(await rows.count() >= 3, 'the closed months and the current one');
  assert.match(await rows.first().textContent(), /provisional/);
  assert.ok(await page.locator('[id^="month-"]').count() >= 2, 'the closed months have statements');
  assert.equal(await page.locator('input[name=reason]').count(), 0, 'no amendment for a partner');
  await shot(page, 'availability-en');
  await checkA11y(page, path);
  for (const lang of ['nl', 'fr', 'de']) {
    const localized = path.replace(/^\/en\//, `/${lang}/`);
    const r = await page.goto(`${BASE}${localized}`);
    assert.equal(r.status(), 200, localized);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await checkA11y(page, localized);
  }
  await page.context().close();

  // Another partner's people are told it does not exist.
  const other = await newPage(browser);
  await signIn(other, 'en', 'partner-admin@demo-fr.example');
  const r = await other.goto(`${BASE}${path}`);
  assert.equal(r.status(), 404);
  await other.context().close();
});

test('an admin records an amendment of a closed month', async () => {
  const partner = await newPage(browser);
  await signIn(partner, 'en', 'partner-admin@demo-nl.example');
  const path = await availabilityPath(partner);
  await partner.context().close();

  const page = await newPage(browser);
  await signIn(page, 'en', 'admin@provider.example');
  await page.goto(`${BASE}${path}`);
  const form = page.locator('section[id^="month-"] form').first();
  const month = await form.locator('input[name=month]').getAttribute('value');
  await checkA11y(page, `${path} (admin)`);
  await form.locator('input[name=reason]').fill('Results of the backup prober arrived late');
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  assert.equal(new URL(page.url()).hash, `#month-${month}`);
  const section = page.locator(`section#month-${month}`);
  assert.match(await section.textContent(), /Amendment 1/);
  assert.match(await section.textContent(), /backup prober/);
  await shot(page, 'availability-amended-en');
  await checkA11y(page, `${path} (amended)`);
  await page.context().close();
});

test('a service manager reads the monitors and manages incidents', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'service-manager@provider.example');
  await page.goto(`${BASE}/en/admin/monitors`);
  assert.equal(await page.textContent('h1'), 'Monitors');
  await checkA11y(page, '/en/admin/monitors');
  await shot(page, 'monitors-en');
  await Promise.all([page.waitForNavigation(), page.locator('main table a').first().click()]);
  assert.match(page.url(), /\/en\/admin\/monitors\/[0-9a-f-]{36}$/);
  await checkA11y(page, 'a monitor');
  for (const path of ['/nl/admin/monitors', '/de/admin/monitors', '/fr/admin/incidents']) {
    const r = await page.goto(`${BASE}${path}`);
    assert.equal(r.status(), 200, path);
    await checkA11y(page, path);
  }

  await page.goto(`${BASE}/en/admin/incidents`);
  await checkA11y(page, '/en/admin/incidents');
  await page.locator('#inc-kind').selectOption('degraded');
  await page.locator('#inc-title').fill('Webmail slow to load');
  await page.locator('#inc-text').fill('We are looking into it.');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Declare the incident' }).click()]);
  const id = new URL(page.url()).hash.replace('#incident-', '');
  assert.match(id, /^[0-9a-f-]{36}$/);
  const incident = page.locator(`article#incident-${id}`);
  assert.match(await incident.textContent(), /Webmail slow to load/);
  await incident.locator('summary').click();
  await incident.locator('textarea[name=text]').fill('The cause is found.');
  await Promise.all([page.waitForNavigation(), incident.getByRole('button', { name: 'Post the update' }).click()]);
  assert.match(await page.locator(`article#incident-${id}`).textContent(), /The cause is found/);
  await page.locator(`article#incident-${id} summary`).click();
  await shot(page, 'incidents-en');
  await checkA11y(page, '/en/admin/incidents (an incident open, its forms shown)');
  await page.context().close();

  const viewer = await newPage(browser);
  await signIn(viewer, 'nl', 'viewer@demo-nl.example');
  for (const path of ['/nl/admin/monitors', '/nl/admin/incidents']) {
    const r = await viewer.goto(`${BASE}${path}`);
    assert.equal(r.status(), 403, path);
  }
  await viewer.context().close();
});
