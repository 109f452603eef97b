// The support desk in a real browser (issue 13): a partner admin whose partner has a local
// helpdesk is told why it cannot open tickets; the local helpdesk opens one through the form and
// sees its live clocks; the person on call (staff who may move tickets — the helpdesk agent's
// password is changed by accounts.test.mjs) finds it in the queue (filtered by partner) and waits
// for the partner — the response clock stops, met, and the resolution clock pauses; another partner is
// told the ticket does not exist; the on-call roster and SLA compliance. axe on every page, in
// the four languages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkA11y, launch, newPage, shot, signIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The ticket opened by the local helpdesk: its path, `/en/tickets/T-YYYY-NNNNNN`. */
let opened;

/** Submits the form of `button` and waits for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.locator(button).click()]);
}

test('a partner admin with a local helpdesk is told why it cannot open tickets', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'partner-admin@demo-nl.example');
  await page.goto(`${BASE}/en/tickets`);
  assert.equal(await page.textContent('h1'), 'Tickets');
  assert.equal(await page.locator('#open-form').count(), 0);
  assert.match(await page.locator('#lines-rule').textContent(), /DEMO-NL has a local helpdesk/);
  await checkA11y(page, '/en/tickets (partner admin)');
  await shot(page, 'tickets-refused-en');
  await page.context().close();
});

test('the local helpdesk opens a ticket and sees its clocks', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'local-helpdesk@demo-nl.example');
  await page.goto(`${BASE}/en/tickets`);
  await checkA11y(page, '/en/tickets (local helpdesk)');
  await page.locator('#tk-kind').selectOption('incident');
  await page.locator('#tk-impact').selectOption('high');
  await page.locator('#tk-urgency').selectOption('low');
  await page.locator('#tk-subject').fill('Intranet search returns nothing');
  await page.locator('#tk-body').fill('Since this morning every search on the intranet is empty.');
  await submit(page, '#open-form button[type=submit]');
  opened = new URL(page.url()).pathname;
  assert.match(opened, /^\/en\/tickets\/T-\d{4}-\d{6}$/);
  assert.match(await page.textContent('h1'), /Intranet search returns nothing/);
  // Impact high, urgency low: P3.
  assert.equal(await page.textContent('#ticket-priority'), 'P3');
  assert.equal(await page.textContent('#ticket-status'), 'New');
  for (const clock of ['response', 'resolution']) {
    const card = page.locator(`#clock-${clock}`);
    assert.equal(await card.locator('.verdict').textContent(), 'Running', clock);
    assert.match(await card.locator('.left-business').textContent(), /\d+\s(h|min|s)/, clock);
  }
  assert.equal(await page.locator('#status-form').count(), 0, 'the partner does not move it');
  await checkA11y(page, `${opened} (local helpdesk)`);
  await shot(page, 'ticket-new-en');
  for (const lang of ['nl', 'fr', 'de']) {
    for (const p of ['/en/tickets', opened]) {
      const localized = p.replace(/^\/en\//, `/${lang}/`);
      const r = await page.goto(`${BASE}${localized}`);
      assert.equal(r.status(), 200, localized);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await checkA11y(page, localized);
    }
  }
  await page.context().close();
});

test('the person on call finds it in the queue and waits for the partner', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'on-call@provider.example');
  await page.goto(`${BASE}/en/queue`);
  assert.equal(await page.textContent('h1'), "Agents' queue");
  await checkA11y(page, '/en/queue');
  await page.locator('#q-partner').selectOption('DEMO-NL');
  await submit(page, '#queue-filters button[type=submit]');
  assert.equal(new URL(page.url()).searchParams.get('partner'), 'DEMO-NL');
  const rows = page.locator('#queue tbody tr');
  assert.ok(await rows.count() >= 1);
  for (const partner of await rows.locator('td:nth-child(4)').allTextContents()) {
    assert.equal(partner, 'DEMO-NL');
  }
  const ref = opened.split('/').pop();
  await shot(page, 'queue-en');
  await submit(page, `#queue a:text-is("${ref}")`);
  assert.equal(new URL(page.url()).pathname, opened);
  await page.locator('#tk-new-status').selectOption('in_progress');
  await submit(page, '#status-form button[type=submit]');
  assert.equal(await page.textContent('#ticket-status'), 'In progress');
  await page.locator('#tk-new-status').selectOption('waiting_partner');
  await page.locator('#tk-status-comment').fill('Which search box: the intranet home or the staff directory?');
  await submit(page, '#status-form button[type=submit]');
  assert.equal(await page.textContent('#ticket-status'), 'Waiting for the partner');
  assert.equal(await page.locator('#clock-response .verdict').textContent(), 'Met');
  assert.equal(await page.locator('#clock-resolution .verdict').textContent(), 'Paused');
  assert.match(await page.locator('#timeline').textContent(), /Which search box/);
  await checkA11y(page, `${opened} (agent)`);
  await shot(page, 'ticket-waiting-en');
  await page.context().close();

  // Another partner: the ticket does not exist for it.
  const other = await newPage(browser);
  await signIn(other, 'en', 'partner-admin@demo-fr.example');
  const r = await other.goto(`${BASE}${opened}`);
  assert.equal(r.status(), 404);
  await other.context().close();
});

test('the on-call roster and SLA compliance', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'on-call@provider.example');
  await page.goto(`${BASE}/en/oncall`);
  assert.equal(await page.textContent('h1'), 'On-call roster');
  assert.match(await page.locator('#on-duty').textContent(), /on-call@provider\.example/);
  await checkA11y(page, '/en/oncall');
  await shot(page, 'oncall-en');
  await page.goto(`${BASE}/en/compliance`);
  assert.equal(await page.textContent('h1'), 'SLA compliance');
  await checkA11y(page, '/en/compliance');
  await shot(page, 'compliance-en');
  for (const lang of ['nl', 'fr', 'de']) {
    for (const p of ['queue', 'oncall', 'compliance']) {
      const r = await page.goto(`${BASE}/${lang}/${p}`);
      assert.equal(r.status(), 200, `/${lang}/${p}`);
      await checkA11y(page, `/${lang}/${p}`);
    }
  }
  await page.context().close();
});
