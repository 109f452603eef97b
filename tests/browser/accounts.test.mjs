// Accounts in a real browser (issue 8): signing in and out, changing the password, an API
// token, a partner admin's invitation that its user accepts — and axe on every account page.
// The demo's users all have the password `pacta-demo`; each test uses users of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkA11y, launch, newPage, shot, signIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a user signs in, changes the password, makes a token and signs out', async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/en/login`);
  await checkA11y(page, 'sign-in page');
  // A wrong password is said, in place.
  await page.locator('#login-email').fill('helpdesk-agent@provider.example');
  await page.locator('#login-password').fill('not the password');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).last().click()]);
  assert.match(await page.textContent('[role=alert]'), /wrong/);
  await checkA11y(page, 'sign-in page with an error');

  await signIn(page, 'en', 'helpdesk-agent@provider.example', 'pacta-demo');
  assert.match(page.url(), /\/en\/account$/);
  assert.match(await page.textContent('main'), /helpdesk-agent/);
  await shot(page, 'account-en');
  await checkA11y(page, 'account page');

  await page.locator('#current-password').fill('pacta-demo');
  await page.locator('#new-password').fill('a brand new demo password');
  await page.locator('#confirm-password').fill('a brand new demo password');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Change the password' }).click()]);
  assert.match(await page.textContent('[role=status]'), /changed/);

  await page.locator('#token-name').fill('reports');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create the token' }).click()]);
  const token = (await page.textContent('#new-token')).trim();
  assert.match(token, /^pacta_[A-Za-z0-9_-]{43}$/);
  const me = await page.request.get(`${BASE}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal((await me.json()).email, 'helpdesk-agent@provider.example');
  await checkA11y(page, 'account page with a new token');

  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
  await page.goto(`${BASE}/en/account`);
  assert.match(page.url(), /\/en\/login\?next=/, 'signed out');
  await signIn(page, 'en', 'helpdesk-agent@provider.example', 'a brand new demo password');
  assert.match(page.url(), /\/en\/account$/, 'the new password works');
  await page.context().close();
});

test('a partner admin invites a user, who sets a password and signs in', async () => {
  const page = await newPage(browser);
  await signIn(page, 'fr', 'partner-admin@demo-fr.example', 'pacta-demo');
  await page.goto(`${BASE}/fr/my/users`);
  assert.match(await page.textContent('h1'), /DEMO-FR/);
  await checkA11y(page, 'my users (fr)');
  await page.locator('#new-email').fill('nouvelle.personne@demo-fr.example');
  await page.locator('#new-name').fill('Nouvelle Personne');
  await page.locator('#new-roles').selectOption('local-helpdesk');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Inviter' }).click()]);
  const link = (await page.textContent('#invite-link')).trim();
  assert.match(link, /\/fr\/set-password\/pacta_/);
  await shot(page, 'my-users-invited-fr');
  await checkA11y(page, 'my users after an invitation');

  const invited = await newPage(browser);
  await invited.goto(link.replace(/^https?:\/\/[^/]+/, BASE));
  await checkA11y(invited, 'set-password page');
  await invited.locator('#new-password').fill('mon propre mot de passe');
  await invited.locator('#confirm-password').fill('mon propre mot de passe');
  await Promise.all([invited.waitForNavigation(), invited.locator('form.stack button[type=submit]').click()]);
  assert.match(invited.url(), /\/fr\/login\?done=password/);
  await signIn(invited, 'fr', 'nouvelle.personne@demo-fr.example', 'mon propre mot de passe');
  assert.match(invited.url(), /\/fr\/account$/);
  assert.match(await invited.textContent('main'), /local-helpdesk/);
  // The link is used up.
  const again = await invited.goto(link.replace(/^https?:\/\/[^/]+/, BASE));
  assert.equal(again.status(), 404);
  await invited.context().close();
  await page.context().close();
});

test('the administration pages pass axe, and a viewer is shown the door', async () => {
  const page = await newPage(browser);
  await signIn(page, 'en', 'admin@provider.example', 'pacta-demo');
  for (const path of ['/en/admin/users', '/nl/admin/partners', '/fr/admin/partners/DEMO-NL', '/de/admin/audit']) {
    const r = await page.goto(`${BASE}${path}`);
    assert.equal(r.status(), 200, path);
    await checkA11y(page, path);
  }
  await shot(page, 'admin-audit-de');
  await page.context().close();

  const viewer = await newPage(browser);
  await signIn(viewer, 'nl', 'viewer@demo-nl.example', 'pacta-demo');
  const denied = await viewer.goto(`${BASE}/nl/admin/audit`);
  assert.equal(denied.status(), 403);
  await checkA11y(viewer, 'the 403 page');
  const other = await viewer.goto(`${BASE}/nl/admin/partners/DEMO-FR`);
  assert.equal(other.status(), 404, "another partner's page does not exist for a viewer of DEMO-NL");
  await viewer.context().close();
});
