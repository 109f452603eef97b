// Shared helpers of the browser tests: Debian's Chromium through playwright-core, and axe-core.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = process.env.PACTA_URL ?? 'http://127.0.0.1:8080';
/** The second demo server, with a test clock (issue 9), and the admin token that moves it. */
export const CLOCK_BASE = process.env.PACTA_CLOCK_URL;
export const CLOCK_TOKEN = process.env.PACTA_CLOCK_TOKEN;
/** Every demo user's password. */
export const DEMO_PASSWORD = 'pacta-demo';
export const ARTIFACTS = process.env.PACTA_ARTIFACTS ?? 'target/browser-artifacts';
mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.PACTA_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
}

/**
 * A page that fails the test on any request leaving Pacta. `base` (default BASE) is the server
 * it belongs to; the other options are the browser context's.
 */
export async function newPage(browser, options = {}) {
  const { base = BASE, ...contextOptions } = options;
  const context = await browser.newContext({ locale: 'en-GB', ...contextOptions });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  page.outside = outside;
  page.base = base;
  return page;
}

/** Signs in on the page's server through the sign-in form; waits for the page it leads to. */
export async function signIn(page, lang, email, password = DEMO_PASSWORD) {
  await page.goto(`${page.base ?? BASE}/${lang}/login`);
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await Promise.all([
    page.waitForNavigation(),
    page.locator('form.stack button[type=submit]').click(),
  ]);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core with the WCAG 2.1 A/AA tags; "incomplete" results are not failures. */
export async function checkA11y(page, name) {
  // Evaluated rather than added as a <script>, so it also runs where the page's JavaScript is off.
  const result = await page.evaluate(async (source) => {
    (0, eval)(source);
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  }, AXE_SOURCE);
  assert.deepEqual(result, [], `axe violations on ${name}: ${JSON.stringify(result, null, 2)}`);
  assert.deepEqual(page.outside, [], `requests outside Pacta on ${name}`);
}

/**
 * axe for a page whose JavaScript is off (axe needs timers): the same HTML is served, from the
 * same origin, to a fresh page with JavaScript on, and checked there.
 */
export async function checkA11yWithoutJs(browser, page, name) {
  assert.deepEqual(page.outside, [], `requests outside Pacta on ${name}`);
  const html = await page.content();
  const base = page.base ?? BASE;
  const copy = await newPage(browser, { base });
  await copy.route(`${base}/__axe_copy__`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await copy.goto(`${base}/__axe_copy__`);
  await checkA11y(copy, `${name} (copy)`);
  await copy.context().close();
}
