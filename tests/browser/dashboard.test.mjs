// The partner dashboard in a real browser (issue 14): a partner admin of DEMO-NL sees its
// services — the status strip, each service's status, this month's figure against the target,
// the 90-day bars with the demo's outages (each bar's figure shown when it has the keyboard's
// focus), maintenance waiting for its answer, its open tickets — follows the answer link of a
// window and answers it; another partner's dashboard does not exist for it; the provider's
// staff read the overview across partners (least error budget left first) and a partner's
// dashboard; a service's page with its response-time charts and their data tables; the public
// status badge in Dutch, and a subscription's behind its secret. axe on every page, the dashboard
// and the service page in the four languages. Runs on a fresh `serve --demo`: it proposes a
// window of its own.
//
// The demo's own maintenance window (MAIL-AGENDA, "Mail server upgrade") is left waiting: the
// maintenance tests, which run after these, answer it. The window answered here is proposed
// here, on STORAGE-BACKUP, by the service manager.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkA11y, launch, newPage, shot, signIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PARTNER_ADMIN = 'partner-admin@demo-nl.example';
/** Staff whose password no other browser test changes. */
const STAFF = 'admin@provider.example';
const WINDOW_TITLE = 'Dashboard test: storage firmware update';

/** Follows the link or button `locator` and waits for the page it leads to. */
async function follow(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
}

/** A local day about six weeks ahead, `YYYY-MM-DD` (beyond any level's notice). */
function dayAhead() {
  return new Date(Date.now() + 42 * 86400 * 1000).toISOString().slice(0, 10);
}

/** Seconds of a duration as the pages write it: `3 h 18 min 12 s`, `−25 min`, `0 s`. */
function seconds(text) {
  const t = text.replace(/\u00a0/g, ' ').trim();
  const m = t.match(/^(−|-)?\s*(?:(\d+) h)?\s*(?:(\d+) min)?\s*(?:(\d+) s)?/);
  assert.ok(m && (m[2] || m[3] || m[4]), `a duration: ${t}`);
  const s = Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] ? -s : s;
}

test('the service manager proposes a window on STORAGE-BACKUP, for DEMO-NL to answer', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'service-manager@provider.example');
  await page.goto(`${BASE}/en/maintenance`);
  const day = dayAhead();
  await page.locator('#mnt-service').selectOption('STORAGE-BACKUP');
  await page.locator('#mnt-start').fill(`${day}T03:00`);
  await page.locator('#mnt-end').fill(`${day}T05:00`);
  await page.locator('#mnt-title').fill(WINDOW_TITLE);
  await follow(page, page.locator('button[value=preview]'));
  assert.match(await page.locator('#mnt-preview').textContent(), /DEMO-NL/);
  await follow(page, page.locator('button[value=propose]'));
  assert.match(new URL(page.url()).pathname, /^\/en\/maintenance\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('#partner-DEMO-NL').textContent(), /Waiting for an answer/);
  await page.context().close();
});

test("a partner admin reads its dashboard: statuses, this month's figure, the 90 days, maintenance, tickets", async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', PARTNER_ADMIN);
  const r = await page.goto(`${BASE}/en/dashboard`);
  assert.equal(r.status(), 200);
  assert.equal(await page.textContent('h1'), 'Dashboard — Demo Flanders');
  assert.equal(await page.locator('#dashboard-partner').count(), 0, 'no partner chooser for a partner');

  // The status strip, refreshed by htmx from its own address.
  const strip = page.locator('#status-strip');
  assert.equal(await strip.getAttribute('hx-get'), '/en/dashboard/strip');
  assert.match(await strip.getAttribute('hx-trigger'), /every 30s/);
  const rows = strip.locator('ul.strip-list > li');
  assert.ok(await rows.count() >= 1);
  for (const row of await rows.all()) {
    assert.match(await row.locator('> .status').textContent(), /^(Up|Down|Degraded|In maintenance|Unmonitored)$/);
  }
  const fragment = await page.request.get(`${BASE}/en/dashboard/strip`);
  assert.equal(fragment.status(), 200);
  assert.match(await fragment.text(), /^<section [^>]*id="status-strip"/);

  // Its services, each a card with its status, this month's figure and 90 bars.
  const cards = page.locator('article.service-card');
  const codes = await cards.evaluateAll((as) => as.map((a) => a.id.replace(/^service-/, '')));
  assert.ok(codes.includes('MAIL-AGENDA'), `MAIL-AGENDA among ${codes}`);
  assert.ok(codes.includes('STORAGE-BACKUP'), `STORAGE-BACKUP among ${codes}`);
  assert.equal(await rows.count(), codes.length, 'a strip row per service');
  for (const code of codes) {
    const card = page.locator(`#service-${code}`);
    assert.match(await card.locator('h2 .status').textContent(), /\S/, code);
    const figures = card.locator('dl.figures');
    assert.match(await figures.locator('dt').first().textContent(), /^Availability in \S+ \d{4} so far$/, code);
    assert.match(await figures.locator('dd').first().textContent(),
      /^(\d{1,3}\.\d{3}%|no figure yet) · target \d+(\.\d+)?% · (meets the target|below the target|no figure yet)$/, code);
    assert.match(await figures.textContent(), /allowed downtime left/, code);
    const bars = card.locator('ol.bars > li');
    assert.equal(await bars.count(), 90, `${code}: a bar per day`);
    for (const cls of await bars.evaluateAll((ls) => ls.map((l) => l.className))) {
      assert.match(cls, /^d-(full|met|below|none)( d-u)?$/, code);
    }
    assert.equal(await card.locator('ol.bars > li:not([tabindex="0"])').count(), 0, `${code}: every bar is focusable`);
  }

  // The demo's outages show in MAIL-AGENDA's bars, each day in words.
  const mail = page.locator('#service-MAIL-AGENDA');
  const outageDays = mail.locator('ol.bars > li:not(.d-full)');
  assert.ok(await outageDays.count() >= 1, 'at least one day of MAIL-AGENDA with downtime');
  assert.match(await mail.locator('ol.bars > li.d-below').first().textContent(), /^\d{1,2} \S+ \d{4}: \d+\.\d{3}%, down /);
  // Each bar is coloured as its grade's key in the legend: a day with downtime stands out.
  const colours = await mail.evaluate((card) => {
    const bg = (el) => getComputedStyle(el).backgroundColor;
    const keys = {};
    for (const grade of ['full', 'met', 'below', 'none']) keys[grade] = bg(card.querySelector(`.legend .key.d-${grade}`));
    return {
      keys,
      bars: [...card.querySelectorAll('ol.bars > li')].map((li) => [li.classList[0].slice(2), bg(li)]),
    };
  });
  assert.equal(new Set(Object.values(colours.keys)).size, 4, `four colours in the legend: ${JSON.stringify(colours.keys)}`);
  for (const [grade, colour] of colours.bars) {
    assert.equal(colour, colours.keys[grade], `a ${grade} bar is coloured as its key`);
  }
  // Its figure against the target: the demo's outage of last night runs into this month.
  assert.match(await mail.locator('dl.figures dd').first().textContent(), /target 99\.5%/);

  // Maintenance: the demo's window and the one proposed above wait for an answer.
  const demoWindow = mail.locator('ul.maintenance > li', { hasText: 'Mail server upgrade' });
  assert.ok(await demoWindow.count() >= 1);
  assert.match(await demoWindow.first().textContent(), /Waiting for your answer until/);
  assert.equal(await demoWindow.first().locator('a.answer').count(), 1);
  const storage = page.locator('#service-STORAGE-BACKUP');
  const ours = storage.locator('ul.maintenance > li', { hasText: WINDOW_TITLE });
  assert.equal(await ours.count(), 1);
  assert.match(await ours.textContent(), /Waiting for an answer · Waiting for your answer until/);

  // Its open tickets: the demo's ticket on MAIL-AGENDA, linked.
  const tickets = mail.locator('ul.tickets > li');
  assert.ok(await tickets.count() >= 1, 'the demo ticket of DEMO-NL');
  assert.match(await tickets.first().locator('a').getAttribute('href'), /^\/en\/tickets\/T-\d{4}-\d{6}$/);
  assert.match(await mail.locator('a', { hasText: 'Monthly statements' }).getAttribute('href'),
    /^\/en\/subscriptions\/[0-9a-f-]{36}\/availability$/);

  // Escalation contacts.
  assert.match(await page.locator('dl.contacts').textContent(), /Service manager \(SPOC\) of E-mail and calendar/);

  await checkA11y(page, '/en/dashboard (partner admin)');
  await shot(page, 'dashboard-en');
  await page.context().close();
});

test("a bar's figure shows when it has the keyboard's focus", async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await signIn(page, 'en', PARTNER_ADMIN);
  await page.goto(`${BASE}/en/dashboard`);
  const mail = page.locator('#service-MAIL-AGENDA');
  const bars = mail.locator('ol.bars > li');
  const width = page.viewportSize().width;
  /** Whether the bar's figure is on screen. */
  const shown = async (bar) => {
    const box = await bar.locator('span').boundingBox();
    return box !== null && box.x >= 0 && box.x + box.width <= width && box.width > 1;
  };

  // Tab from the service's heading link lands on its first bar, which shows its figure.
  await mail.locator('h2 a').focus();
  assert.equal(await shown(bars.first()), false, 'hidden before the focus');
  await page.keyboard.press('Tab');
  assert.equal(await bars.first().evaluate((el) => el === document.activeElement), true, 'Tab reaches the first bar');
  assert.equal(await shown(bars.first()), true, "the first bar's figure shows");
  await page.keyboard.press('Tab');
  assert.equal(await bars.nth(1).evaluate((el) => el === document.activeElement), true, 'Tab moves to the next bar');
  assert.equal(await shown(bars.nth(1)), true);
  assert.equal(await shown(bars.first()), false, 'the previous figure is hidden again');

  // A day with downtime, near the end (its figure opens to the left, within the page).
  const below = mail.locator('ol.bars > li.d-below').last();
  await below.focus();
  assert.equal(await shown(below), true, "the last outage day's figure shows, within the page");
  assert.match(await below.locator('span').innerText(), /: \d+\.\d{3}%, down \d/);
  await shot(page, 'dashboard-bar-focused-en');
  await checkA11y(page, '/en/dashboard (a bar focused)');
  await page.context().close();
});

test('the partner admin follows the answer link and answers the window', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', PARTNER_ADMIN);
  await page.goto(`${BASE}/en/dashboard`);
  const ours = () => page.locator('#service-STORAGE-BACKUP ul.maintenance > li', { hasText: WINDOW_TITLE });
  const answer = ours().locator('a.answer');
  assert.match(await answer.textContent(), /^Answer — /);
  const href = await answer.getAttribute('href');
  assert.match(href, /^\/en\/maintenance\/[0-9a-f-]{36}$/);
  await follow(page, answer);
  assert.equal(new URL(page.url()).pathname, href);
  assert.equal(await page.textContent('h1'), WINDOW_TITLE);
  await page.locator('#answer-agree').check();
  await page.locator('#answer-comment').fill('Fine for us.');
  await follow(page, page.locator('#answer-form button[type=submit]'));
  assert.equal(new URL(page.url()).pathname, href);
  assert.match(await page.locator('#partner-DEMO-NL').textContent(), /Agreed/);

  // Back on the dashboard: the window is no longer waiting; the demo's window still is.
  await page.goto(`${BASE}/en/dashboard`);
  assert.equal(await ours().count(), 1);
  assert.equal(await ours().locator('a.answer').count(), 0, 'no answer link any more');
  assert.doesNotMatch(await ours().textContent(), /Waiting/);
  assert.match(await ours().textContent(), /· Agreed/);
  const demoWindow = page.locator('#service-MAIL-AGENDA ul.maintenance > li', { hasText: 'Mail server upgrade' });
  assert.equal(await demoWindow.first().locator('a.answer').count(), 1, "the demo's window still waits");
  await shot(page, 'dashboard-answered-en');
  await checkA11y(page, '/en/dashboard (window answered)');
  await page.context().close();
});

test('the dashboard in Dutch, French and German', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', PARTNER_ADMIN);
  const titles = { nl: 'Dashboard — ', fr: 'Tableau de bord — ', de: 'Dashboard — ' };
  const days = { nl: 'Laatste 90 dagen', fr: '90 derniers jours', de: 'Letzte 90 Tage' };
  for (const lang of ['nl', 'fr', 'de']) {
    const r = await page.goto(`${BASE}/${lang}/dashboard`);
    assert.equal(r.status(), 200, lang);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.ok((await page.textContent('h1')).startsWith(titles[lang]), lang);
    assert.equal(await page.getAttribute('#status-strip', 'hx-get'), `/${lang}/dashboard/strip`);
    assert.equal(await page.getAttribute('#service-MAIL-AGENDA ol.bars', 'aria-label'), days[lang]);
    assert.equal(await page.locator('#service-MAIL-AGENDA ol.bars > li').count(), 90);
    await checkA11y(page, `/${lang}/dashboard`);
    await shot(page, `dashboard-${lang}`);
    const service = await page.goto(`${BASE}/${lang}/dashboard/services/MAIL-AGENDA`);
    assert.equal(service.status(), 200, `/${lang}/dashboard/services/MAIL-AGENDA`);
    await checkA11y(page, `/${lang}/dashboard/services/MAIL-AGENDA`);
  }
  await page.context().close();
});

test("another partner's dashboard does not exist for DEMO-NL's admin", async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', PARTNER_ADMIN);
  for (const path of ['/en/dashboard?partner=DEMO-FR', '/en/dashboard/services/MAIL-AGENDA?partner=DEMO-FR',
    '/en/dashboard/strip?partner=DEMO-FR']) {
    const r = await page.goto(`${BASE}${path}`);
    assert.equal(r.status(), 404, path);
  }
  await page.goto(`${BASE}/en/dashboard?partner=DEMO-FR`);
  assert.equal(await page.locator('article.service-card').count(), 0);
  await checkA11y(page, '/en/dashboard?partner=DEMO-FR (404)');
  // Its own code is fine.
  const own = await page.goto(`${BASE}/en/dashboard?partner=DEMO-NL`);
  assert.equal(own.status(), 200);
  await page.context().close();

  // Signed out: the sign-in page.
  const anonymous = await newPage(browser);
  await anonymous.goto(`${BASE}/en/dashboard`);
  assert.match(anonymous.url(), /\/en\/login\?next=/);
  await anonymous.context().close();
});

test('a service page: its charts with their data tables, the outages, the statements', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', PARTNER_ADMIN);
  await page.goto(`${BASE}/en/dashboard`);
  await follow(page, page.locator('#service-MAIL-AGENDA h2 a'));
  assert.equal(new URL(page.url()).pathname, '/en/dashboard/services/MAIL-AGENDA');
  assert.equal(await page.textContent('h1'), 'E-mail and calendar');
  assert.equal(await page.locator('.ranges a[aria-current=page]').textContent(), 'Last 24 hours');

  const figures = page.locator('figure.chart-figure');
  assert.ok(await figures.count() >= 1, 'a chart per monitor');
  const first = figures.first();
  const svg = first.locator('svg.chart');
  assert.equal(await svg.getAttribute('role'), 'img');
  const titleId = await svg.getAttribute('aria-labelledby');
  assert.match(await page.locator(`[id="${titleId}"]`).textContent(), /^Response times of .+, Last 24 hours, in milliseconds$/);
  assert.ok(await svg.locator('polyline.avg').count() === 1 && await svg.locator('polyline.max').count() === 1);
  // The data table behind the chart, in a <details>: closed, then opened.
  const table = first.locator('details table');
  assert.equal(await table.isVisible(), false);
  await first.locator('details summary').click();
  assert.equal(await table.isVisible(), true);
  const points = table.locator('tbody tr');
  assert.ok(await points.count() >= 1);
  assert.deepEqual(await table.locator('thead th').allTextContents(),
    ['From', 'Checks', 'Succeeded', 'Average (ms)', 'Highest (ms)']);
  assert.match(await points.first().locator('th').textContent(), /^\d{1,2} \S+ \d{4}, \d{2}:\d{2}$/);

  // The demo's outages of MAIL-AGENDA, and its closed months.
  const outages = page.locator('table:has(caption:text-is("Outages in the last 90 days")) tbody tr');
  assert.ok(await outages.count() >= 1, 'the demo outages');
  assert.match(await page.locator('section.card').first().textContent(), /Monthly statements/);
  await checkA11y(page, '/en/dashboard/services/MAIL-AGENDA (a data table open)');
  await shot(page, 'dashboard-service-en');

  for (const [range, label] of [['7d', 'Last 7 days'], ['90d', 'Last 90 days']]) {
    await follow(page, page.locator('.ranges a', { hasText: label }));
    assert.equal(new URL(page.url()).searchParams.get('range'), range);
    assert.equal(await page.locator('.ranges a[aria-current=page]').textContent(), label);
    assert.match(await page.locator('figure.chart-figure svg title').first().textContent(), new RegExp(`, ${label}, `));
    await checkA11y(page, `/en/dashboard/services/MAIL-AGENDA?range=${range}`);
  }
  await shot(page, 'dashboard-service-90d-en');

  const none = await page.goto(`${BASE}/en/dashboard/services/NO-SUCH-SERVICE`);
  assert.equal(none.status(), 404);
  await page.context().close();
});

test('staff read the overview, least error budget left first, and a partner\'s dashboard', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', STAFF);
  const r = await page.goto(`${BASE}/en/admin/overview`);
  assert.equal(r.status(), 200);
  assert.equal(await page.textContent('h1'), 'Overview across partners');
  const rows = page.locator('#overview tbody tr');
  assert.ok(await rows.count() >= 4, 'every demo partner subscribes to MAIL-AGENDA');
  const lines = await rows.evaluateAll((trs) => trs.map((tr) => ({
    partner: tr.querySelector('th').textContent,
    verdict: tr.querySelector('td:nth-of-type(2) .small').textContent,
    budget: tr.querySelector('td:nth-of-type(4)').textContent,
    attention: tr.classList.contains('attention'),
    flagged: tr.querySelector('td:nth-of-type(6)').textContent.trim(),
  })));
  const partners = new Set(lines.map((l) => l.partner));
  for (const p of ['DEMO-NL', 'DEMO-FR', 'DEMO-DE']) assert.ok(partners.has(p), p);
  // Sorted by error budget left, ascending; the subscriptions that owe nothing yet come last.
  const owed = lines.map((l) => l.verdict !== 'no figure yet');
  assert.deepEqual(owed, [...owed].sort((a, b) => Number(b) - Number(a)), 'nothing owed last');
  const left = lines.filter((_, i) => owed[i]).map((l) => seconds(l.budget.split(' of ')[0]));
  for (let i = 1; i < left.length; i += 1) {
    assert.ok(left[i - 1] <= left[i], `budget left ascending: ${left.join(', ')}`);
  }
  for (const l of lines) {
    assert.equal(l.attention, l.flagged === 'needs attention', JSON.stringify(l));
    if (l.verdict === 'below the target') assert.ok(l.attention, `below the target needs attention: ${JSON.stringify(l)}`);
  }
  await checkA11y(page, '/en/admin/overview');
  await shot(page, 'admin-overview-en');
  for (const lang of ['nl', 'fr', 'de']) {
    const localized = await page.goto(`${BASE}/${lang}/admin/overview`);
    assert.equal(localized.status(), 200, lang);
    await checkA11y(page, `/${lang}/admin/overview`);
  }

  // From the overview to DEMO-NL's dashboard.
  await page.goto(`${BASE}/en/admin/overview`);
  await follow(page, page.locator('#overview tbody th a', { hasText: 'DEMO-NL' }).first());
  const url = new URL(page.url());
  assert.equal(url.pathname, '/en/dashboard');
  assert.equal(url.searchParams.get('partner'), 'DEMO-NL');
  assert.equal(await page.textContent('h1'), 'Dashboard — Demo Flanders');
  assert.equal(await page.locator('#d-partner').inputValue(), 'DEMO-NL');
  assert.equal(await page.getAttribute('#status-strip', 'hx-get'), '/en/dashboard/strip?partner=DEMO-NL');
  assert.ok(await page.locator('article.service-card').count() >= 1);
  assert.equal(await page.locator('#service-MAIL-AGENDA h2 a').getAttribute('href'),
    '/en/dashboard/services/MAIL-AGENDA?partner=DEMO-NL');
  await checkA11y(page, '/en/dashboard?partner=DEMO-NL (staff)');
  await shot(page, 'dashboard-staff-en');

  // Another partner through the chooser.
  await page.locator('#d-partner').selectOption('DEMO-FR');
  await follow(page, page.locator('#dashboard-partner button[type=submit]'));
  assert.equal(new URL(page.url()).searchParams.get('partner'), 'DEMO-FR');
  assert.match(await page.textContent('h1'), /^Dashboard — /);
  assert.ok(await page.locator('#service-MAIL-AGENDA').count() === 1);

  // Without a partner: the chooser alone.
  await page.goto(`${BASE}/en/dashboard`);
  assert.equal(await page.locator('article.service-card').count(), 0);
  assert.equal(await page.locator('#d-partner').count(), 1);
  await checkA11y(page, '/en/dashboard (staff, no partner chosen)');

  // The service page for staff.
  const service = await page.goto(`${BASE}/en/dashboard/services/MAIL-AGENDA?partner=DEMO-NL`);
  assert.equal(service.status(), 200);
  assert.equal(await page.getAttribute('main p a', 'href'), '/en/dashboard?partner=DEMO-NL');
  await checkA11y(page, '/en/dashboard/services/MAIL-AGENDA?partner=DEMO-NL (staff)');
  await page.context().close();

  // The overview is the staff's.
  const partner = await newPage(browser);
  await signIn(partner, 'en', PARTNER_ADMIN);
  const denied = await partner.goto(`${BASE}/en/admin/overview`);
  assert.equal(denied.status(), 403);
  await partner.context().close();
});

test('the status badges: the public one in Dutch, a subscription\'s with its secret', async () => {
  const page = await newPage(browser);
  const r = await page.request.get(`${BASE}/badges/MAIL-AGENDA.svg?lang=nl`);
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-type'], /^image\/svg\+xml/);
  const svg = await r.text();
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /lang="nl"/);
  assert.match(svg, /role="img"/);
  const title = svg.match(/<title>([^<]*)<\/title>/)[1];
  assert.match(title, /^status: (Beschikbaar|Onbeschikbaar|Verstoord|In onderhoud|Niet bewaakt)$/);
  assert.match(svg, new RegExp(`aria-label="${title}"`));
  assert.match(svg, new RegExp(`<text[^>]*>${title.split(': ')[1]}</text>`));
  const unknown = await page.request.get(`${BASE}/badges/NO-SUCH-SERVICE.svg?lang=nl`);
  assert.equal(unknown.status(), 404);

  // As an intranet shows it: an image (the screenshot of an SVG document alone times out).
  await page.route(`${BASE}/__badge__`, (route) => route.fulfill({
    status: 200, contentType: 'text/html; charset=utf-8',
    body: '<!doctype html><html lang="nl"><title>Badge</title><body style="margin:1rem">'
      + '<img id="badge" src="/badges/MAIL-AGENDA.svg?lang=nl" alt="E-mail en agenda"></body></html>',
  }));
  await page.goto(`${BASE}/__badge__`);
  await page.waitForFunction(() => document.getElementById('badge').complete);
  assert.ok(await page.locator('#badge').evaluate((img) => img.naturalWidth > 0), 'the badge renders');
  await shot(page, 'badge-nl');
  await page.context().close();

  // The partner admin's badge of one subscription: its address holds a secret, the same on
  // every visit; without it, or with another, there is no such badge.
  const admin = await newPage(browser);
  await signIn(admin, 'en', PARTNER_ADMIN);
  await admin.goto(`${BASE}/en/dashboard`);
  const address = async () => new URL((await admin.locator('#service-MAIL-AGENDA code.badge-url').textContent()).trim());
  const badge = await address();
  assert.match(badge.pathname, /^\/badges\/MAIL-AGENDA\/[0-9a-f-]{36}\.svg$/);
  assert.match(badge.searchParams.get('token'), /^pacta_[A-Za-z0-9_-]{43}$/);
  assert.equal(badge.searchParams.get('lang'), 'en');
  await admin.goto(`${BASE}/en/dashboard`);
  assert.equal((await address()).href, badge.href, 'the same secret on every visit');
  await admin.context().close();
  const anonymous = await newPage(browser);
  const own = await anonymous.request.get(`${BASE}${badge.pathname}${badge.search}`);
  assert.equal(own.status(), 200);
  assert.match(await own.text(), /<title>status: (Up|Down|Degraded|In maintenance|Unmonitored)<\/title>/);
  const wrong = await anonymous.request.get(`${BASE}${badge.pathname}?token=pacta_${'x'.repeat(43)}`);
  assert.equal(wrong.status(), 404);
  const bare = await anonymous.request.get(`${BASE}${badge.pathname}`);
  assert.equal(bare.status(), 404);
  await anonymous.context().close();
});
