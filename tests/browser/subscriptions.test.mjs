// Subscriptions in a real browser (issue 9), on the second demo server whose clock stands at
// 2026-11-30 10:00 in Brussels: a partner admin subscribes from a fiche (with and without
// JavaScript), the service manager approves, the test clock passes the start date, and the
// partner's home shows the active subscription with its level and price — axe on every page.
// The tests run in order and share the subscription made by the first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLOCK_BASE, CLOCK_TOKEN, checkA11y, checkA11yWithoutJs, launch, newPage, shot, signIn,
} from './support.mjs';

const skip = CLOCK_BASE && CLOCK_TOKEN ? false
  : 'PACTA_CLOCK_URL and PACTA_CLOCK_TOKEN are not set (scripts/browser-tests.sh sets them)';
const BASE = CLOCK_BASE;
const PARTNER_ADMIN = 'partner-admin@demo-nl.example';
const SERVICE_MANAGER = 'service-manager@provider.example';
const START = '2026-12-01';
const SUBSCRIPTION_PAGE = /\/en\/subscriptions\/([0-9a-f-]{36})$/;

let browser;
/** The subscription made with JavaScript, then approved and activated. */
let id;

before(async () => { if (!skip) browser = await launch(); });
after(async () => { await browser?.close(); });

/** The API as the bootstrap admin of the clock server. */
async function api(path, options = {}) {
  const r = await fetch(`${BASE}${path}`, {
    ...options,
    headers: {
      Authorization: `Bearer ${CLOCK_TOKEN}`,
      ...(options.body ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
  });
  const body = await r.json();
  assert.ok(r.ok, `${options.method ?? 'GET'} ${path}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

/** EUR cents as the English pages write them: `€1,234.50`. */
function euros(cents) {
  return `€${Math.trunc(cents / 100).toLocaleString('en')}.${String(cents % 100).padStart(2, '0')}`;
}

/** The English name of a service level. */
async function levelName(code) {
  const { items } = await api('/api/v1/service-levels');
  const level = items.find((l) => l.code === code);
  assert.ok(level, `no service level ${code}`);
  return level.name.text;
}

test('a partner admin subscribes from a fiche, with JavaScript', { skip }, async () => {
  const page = await newPage(browser, { base: BASE });
  await signIn(page, 'en', PARTNER_ADMIN);
  await page.goto(`${BASE}/en/services/COLLABORATION`);
  await page.locator('#pack-department').check();
  await page.locator('#subscribe-start').fill(START);
  // The live quote of the choice, in place.
  await page.getByRole('button', { name: 'Calculate', exact: true }).click();
  await page.locator('#quote-result').getByText('€').first().waitFor();
  const quoted = await page.textContent('#quote-result');
  await shot(page, 'fiche-subscribe-en');
  await checkA11y(page, 'a fiche with Subscribe (partner admin)');

  const answer = page.waitForResponse((r) => r.url() === `${BASE}/en/services/COLLABORATION/subscribe`);
  await Promise.all([
    page.waitForURL(SUBSCRIPTION_PAGE),
    page.getByRole('button', { name: 'Subscribe', exact: true }).click(),
  ]);
  const r = await answer;
  assert.equal(r.status(), 200, 'htmx is answered 200 with HX-Redirect');
  id = page.url().match(SUBSCRIPTION_PAGE)[1];
  assert.equal(r.headers()['hx-redirect'], `/en/subscriptions/${id}`);

  const sub = await api(`/api/v1/subscriptions/${id}`);
  assert.deepEqual(
    [sub.partner, sub.service, sub.pack, sub.start_date, sub.state],
    ['DEMO-NL', 'COLLABORATION', 'department', START, 'requested'],
  );
  assert.equal((await page.textContent('main .facts .state')).trim(), 'requested');
  const main = await page.textContent('main');
  const month = euros(sub.quote.totals.month_cents);
  assert.ok(main.includes(month), `the page shows the monthly price ${month}`);
  assert.ok(quoted.includes(month), `the fiche's quote showed ${month}`);
  assert.ok(main.includes(await levelName(sub.quote.sla.level)), 'the page shows the level');
  assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0,
    'the partner admin does not approve');
  await shot(page, 'subscription-requested-en');
  await checkA11y(page, 'a requested subscription (partner admin)');

  await page.goto(`${BASE}/en/home`);
  const requests = page.locator('section[aria-labelledby=requests-title]');
  assert.match(await requests.locator(`a[href="/en/subscriptions/${id}"]`).textContent(), /Collaboration/i);
  assert.match(await requests.textContent(), /requested/);
  await checkA11y(page, '/en/home (partner admin, a request open)');
  await page.context().close();
});

test('a partner admin subscribes without JavaScript: a 303 to the new page', { skip }, async () => {
  const page = await newPage(browser, { base: BASE, javaScriptEnabled: false });
  await signIn(page, 'en', PARTNER_ADMIN);
  await page.goto(`${BASE}/en/services/IAM`);
  await page.locator('#pack-directory').check();
  await page.locator('#subscribe-start').fill(START);
  await checkA11yWithoutJs(browser, page, 'a fiche with Subscribe, without JavaScript');
  const [landed] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Subscribe', exact: true }).click(),
  ]);
  const post = landed.request().redirectedFrom();
  assert.ok(post, 'the form was redirected');
  assert.equal(post.method(), 'POST');
  assert.equal(post.url(), `${BASE}/en/services/IAM/subscribe`);
  assert.equal((await post.response()).status(), 303);
  assert.equal(landed.status(), 200);
  const [, other] = page.url().match(SUBSCRIPTION_PAGE) ?? [];
  assert.ok(other && other !== id, `landed on ${page.url()}`);
  assert.equal((await page.textContent('main .facts .state')).trim(), 'requested');
  const sub = await api(`/api/v1/subscriptions/${other}`);
  assert.deepEqual([sub.service, sub.pack, sub.start_date], ['IAM', 'directory', START]);
  assert.ok((await page.textContent('main')).includes(euros(sub.quote.totals.month_cents)));
  await checkA11yWithoutJs(browser, page, 'a requested subscription, without JavaScript');

  // The same pack again: refused in the fiche's place, the choice kept.
  await page.goto(`${BASE}/en/services/IAM`);
  await page.locator('#pack-directory').check();
  await page.locator('#subscribe-start').fill(START);
  const [again] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Subscribe', exact: true }).click(),
  ]);
  assert.equal(again.status(), 422);
  assert.match(await page.textContent('[role=alert]'), /already has a subscription/);
  assert.ok(await page.locator('#pack-directory').isChecked());
  await checkA11yWithoutJs(browser, page, 'a refused Subscribe, without JavaScript');
  await page.context().close();
});

test('the service manager finds the request and approves it', { skip }, async () => {
  assert.ok(id, 'the first test made a subscription');
  const page = await newPage(browser, { base: BASE });
  await signIn(page, 'en', SERVICE_MANAGER);
  await page.goto(`${BASE}/en/home`);
  const waiting = page.locator('section[aria-labelledby=waiting-title]');
  assert.equal((await waiting.locator('h2').textContent()).trim(), 'Waiting for you');
  assert.match(await waiting.locator(`a[href="/en/subscriptions/${id}"]`).textContent(), /DEMO-NL/);
  await shot(page, 'home-service-manager-en');
  await checkA11y(page, '/en/home (service manager)');

  await page.goto(`${BASE}/en/admin/subscriptions`);
  const link = page.locator(`table a[href="/en/subscriptions/${id}"]`);
  assert.equal((await link.textContent()).trim(), 'DEMO-NL');
  await shot(page, 'admin-subscriptions-en');
  await checkA11y(page, '/en/admin/subscriptions');

  await Promise.all([page.waitForURL(SUBSCRIPTION_PAGE), link.click()]);
  assert.equal(page.url(), `${BASE}/en/subscriptions/${id}`);
  await checkA11y(page, 'a requested subscription (service manager, with the decisions)');
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Approve', exact: true }).click(),
  ]);
  assert.equal(page.url(), `${BASE}/en/subscriptions/${id}`);
  assert.equal((await page.textContent('main .facts .state')).trim(), 'approved');
  const history = await page.textContent('section[aria-labelledby=history-title]');
  assert.match(history, new RegExp(SERVICE_MANAGER.replace(/\./g, '\\.')));
  await checkA11y(page, 'an approved subscription (service manager)');
  assert.equal((await api(`/api/v1/subscriptions/${id}`)).state, 'approved');
  await page.context().close();
});

test('the test clock passes the start date: the subscription is activated', { skip }, async () => {
  assert.ok(id, 'the first test made a subscription');
  const moved = await api('/api/v1/test/clock', {
    method: 'POST',
    body: JSON.stringify({ now: '2026-12-01T00:00:00+01:00' }),
  });
  const activation = moved.fired.filter((f) => f.kind === 'subscription.activate');
  assert.deepEqual(activation.map((f) => f.id), [id], JSON.stringify(moved.fired));
  assert.equal(Date.parse(activation[0].at), Date.parse('2026-12-01T00:00:00+01:00'));
  assert.equal((await api(`/api/v1/subscriptions/${id}`)).state, 'active');
});

test("the partner's home shows the subscription, active, with its level and price", { skip }, async () => {
  assert.ok(id, 'the first test made a subscription');
  const sub = await api(`/api/v1/subscriptions/${id}`);
  assert.equal(sub.state, 'active');
  const page = await newPage(browser, { base: BASE });
  await signIn(page, 'en', PARTNER_ADMIN);
  await page.goto(`${BASE}/en/home`);
  const row = page.locator('section[aria-labelledby=subs-title] tbody tr')
    .filter({ has: page.locator(`a[href="/en/subscriptions/${id}"]`) });
  assert.equal(await row.count(), 1, 'listed among the subscriptions');
  const cells = (await row.locator('th, td').allTextContents()).map((c) => c.trim());
  // Service, pack, state, level, target, per month, per year, one-off, start, last day.
  assert.equal(cells[2], 'active');
  assert.equal(cells[3], await levelName(sub.quote.sla.level));
  assert.equal(cells[4], `${sub.quote.sla.availability_target}%`);
  assert.equal(cells[5], euros(sub.quote.totals.month_cents));
  assert.equal(cells[6], euros(sub.quote.totals.year_cents));
  assert.equal(cells[7], euros(sub.quote.totals.one_off_cents));
  // No longer among the open requests; its service manager is a contact.
  const requests = page.locator('section[aria-labelledby=requests-title]');
  assert.equal(await requests.locator(`a[href="/en/subscriptions/${id}"]`).count(), 0);
  assert.match(await page.textContent('section[aria-labelledby=contacts-title]'),
    /Service manager \(SPOC\) of Collaboration/i);
  await shot(page, 'home-partner-en');
  await checkA11y(page, '/en/home (partner admin, active subscription)');
  await page.context().close();
});

test("the partner's home in Dutch, French and German passes axe", { skip }, async () => {
  const page = await newPage(browser, { base: BASE });
  await signIn(page, 'en', PARTNER_ADMIN);
  for (const lang of ['nl', 'fr', 'de']) {
    const r = await page.goto(`${BASE}/${lang}/home`);
    assert.equal(r.status(), 200, `/${lang}/home`);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.equal(await page.locator(`section[aria-labelledby=subs-title] a[href="/${lang}/subscriptions/${id}"]`).count(), 1,
      `/${lang}/home lists the subscription`);
    await shot(page, `home-partner-${lang}`);
    await checkA11y(page, `/${lang}/home`);
  }
  await page.context().close();
});

test("a partner's viewer may not subscribe, nor see another partner's subscription", { skip }, async () => {
  const { items } = await api('/api/v1/subscriptions?partner=DEMO-FR');
  assert.ok(items.length > 0, 'DEMO-FR has subscriptions');
  assert.ok(items.every((s) => s.partner === 'DEMO-FR'));
  const page = await newPage(browser, { base: BASE });
  await signIn(page, 'en', 'viewer@demo-nl.example');
  await page.goto(`${BASE}/en/services/COLLABORATION`);
  assert.equal(await page.getByRole('button', { name: 'Subscribe', exact: true }).count(), 0);
  assert.equal(await page.locator('#subscribe-start').count(), 0);
  await checkA11y(page, 'a fiche (partner viewer)');
  const r = await page.goto(`${BASE}/en/subscriptions/${items[0].id}`);
  assert.equal(r.status(), 404, "another partner's subscription does not exist for DEMO-NL's viewer");
  await checkA11y(page, 'the 404 page (partner viewer)');
  // Its own partner's subscription, it may read.
  const own = await page.goto(`${BASE}/en/subscriptions/${id}`);
  assert.equal(own.status(), 200);
  assert.equal(await page.locator('main form').count(), 0, 'no decision for a viewer');
  await page.context().close();
});
