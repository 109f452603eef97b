// The maintenance pages in a real browser (issue 12): a service manager proposes a window after
// seeing which partners it consults and their deadlines; a partner admin finds the demo's window
// waiting for its answer and objects, seeing only its own consultation; another partner is told
// the window does not exist. axe on every page, in the four languages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkA11y, launch, newPage, shot, signIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A local day about five weeks ahead, `YYYY-MM-DD` (far beyond any level's notice). */
function dayAhead() {
  const d = new Date(Date.now() + 35 * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

let proposed;

test('a service manager proposes a window, seeing who is consulted and by when', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'service-manager@provider.example');
  await page.goto(`${BASE}/en/maintenance`);
  assert.equal(await page.textContent('h1'), 'Maintenance');
  await checkA11y(page, '/en/maintenance (staff)');
  const day = dayAhead();
  await page.locator('#mnt-service').selectOption('WEB-HOSTING');
  await page.locator('#mnt-start').fill(`${day}T02:00`);
  await page.locator('#mnt-end').fill(`${day}T04:00`);
  await page.locator('#mnt-title').fill('Web server kernel update');
  await Promise.all([page.waitForNavigation(), page.locator('button[value=preview]').click()]);
  const preview = page.locator('#mnt-preview');
  assert.match(await preview.textContent(), /DEMO-NL/);
  assert.doesNotMatch(await preview.textContent(), /DEMO-FR/, 'DEMO-FR does not subscribe to WEB-HOSTING');
  await checkA11y(page, '/en/maintenance (preview)');
  await shot(page, 'maintenance-preview-en');
  await Promise.all([page.waitForNavigation(), page.locator('button[value=propose]').click()]);
  assert.match(new URL(page.url()).pathname, /^\/en\/maintenance\/[0-9a-f-]{36}$/);
  proposed = new URL(page.url()).pathname;
  assert.equal(await page.textContent('h1'), 'Web server kernel update');
  assert.match(await page.locator('#partner-DEMO-NL').textContent(), /Waiting for an answer/);
  await checkA11y(page, `${proposed} (staff)`);
  await shot(page, 'maintenance-window-staff-en');
  await page.context().close();
});

test('a partner admin objects to the demo window and sees its own answer only', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'partner-admin@demo-nl.example');
  await page.goto(`${BASE}/en/maintenance`);
  const waiting = page.locator('tbody tr', { hasText: 'Mail server upgrade' });
  assert.match(await waiting.textContent(), /Waiting for your answer/);
  await checkA11y(page, '/en/maintenance (partner)');
  await Promise.all([page.waitForNavigation(), waiting.locator('a').click()]);
  const path = new URL(page.url()).pathname;
  assert.equal(await page.locator('article[id^=partner-]').count(), 1, 'its own consultation only');
  assert.equal(await page.locator('#partner-DEMO-FR').count(), 0);
  await checkA11y(page, `${path} (partner)`);
  await page.locator('#answer-object').check();
  await page.locator('#answer-comment').fill('Our month-end mail run');
  await Promise.all([page.waitForNavigation(), page.locator('#answer-form button[type=submit]').click()]);
  assert.equal(new URL(page.url()).pathname, path);
  const own = page.locator('#partner-DEMO-NL');
  assert.match(await own.textContent(), /Our month-end mail run/);
  assert.match(await own.textContent(), /Objected/);
  await shot(page, 'maintenance-answered-en');
  await checkA11y(page, `${path} (answered)`);
  for (const lang of ['nl', 'fr', 'de']) {
    for (const p of ['/en/maintenance', path]) {
      const localized = p.replace(/^\/en\//, `/${lang}/`);
      const r = await page.goto(`${BASE}${localized}`);
      assert.equal(r.status(), 200, localized);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await checkA11y(page, localized);
    }
  }
  await page.context().close();

  // Another partner is not consulted on the WEB-HOSTING window: it does not exist for it.
  const other = await newPage(browser);
  await signIn(other, 'en', 'partner-admin@demo-fr.example');
  const r = await other.goto(`${BASE}${proposed}`);
  assert.equal(r.status(), 404);
  await other.context().close();
});
