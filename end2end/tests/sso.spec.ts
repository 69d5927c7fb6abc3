import type { Page } from '@playwright/test';
import { test, expect, addAttorney, waitForHydration, axeClean as axe, ADMIN } from './helpers';

// The server at `localhost`, whose firm signs in with a real OpenID Connect
// provider (oidc-provider, started by the suite: end2end/oidc/provider.mjs).
test.use({ baseURL: process.env.INTAKE_E2E_PASSKEY_URL });
const DATA = process.env.INTAKE_E2E_PASSKEY_DATA;
const PROVIDER = process.env.INTAKE_E2E_OIDC_URL!;
const SITE = process.env.INTAKE_E2E_PASSKEY_URL!;

// The provider's development pages load a web font from the internet, which
// this machine cannot reach; Intake's own pages load nothing from elsewhere
// (their Content-Security-Policy forbids it), so this error is the provider's.
test.beforeEach(({ allowConsoleErrors }) => allowConsoleErrors(/net::ERR_NAME_NOT_RESOLVED/));

/** At the provider's development sign-in page: signs in as `login` (an email) and consents. */
async function atProvider(page: Page, login: string) {
  await page.waitForURL((u) => u.origin === PROVIDER);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password: the provider checks none');
  await page.locator('button[type="submit"]').click();
  const consent = page.getByRole('button', { name: 'Continue' });
  await Promise.race([consent.waitFor(), page.waitForURL((u) => u.origin === SITE)]);
  if (new URL(page.url()).origin === PROVIDER) await consent.click();
  await page.waitForURL((u) => u.origin === SITE);
}

/** Begins a sign-in without following it: the provider's URL (this browser has the state cookie). */
async function providerUrl(page: Page): Promise<URL> {
  const res = await page.request.get('/login/sso?next=%2Fleads', { maxRedirects: 0 });
  expect(res.status()).toBe(303);
  return new URL(res.headers()['location']);
}

async function refusedWith(page: Page, reason: string, words: string) {
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('sso') === reason);
  await expect(page.getByRole('alert')).toContainText(words);
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`an invited attorney signs in with the firm's provider (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const email = `sso-${name}-${Date.now()}@harperlowe.test`;
    addAttorney(email, 'Sam Single', 'a password they will not need', DATA);
    await page.goto('/login?next=%2Faccount');
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/sso-login-${name}.png`, fullPage: true });
    await axe(page);
    await page.getByRole('link', { name: 'Sign in with Harper SSO' }).click();
    await atProvider(page, email);
    await page.waitForURL((u) => u.pathname === '/account');
    await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Sam Single' })).toBeVisible();
    const cookies = await page.context().cookies(SITE);
    expect(cookies.find((c) => c.name === 'intake_sso'), 'the state cookie is gone').toBeUndefined();
  });
}

test('single sign-on refuses an unknown account, an unverified email, a wrong state and a wrong nonce', async ({ page, browser }) => {
  // An address with no account, outside the domain allowed to sign up.
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Harper SSO' }).click();
  await atProvider(page, `stranger-${Date.now()}@elsewhere.test`);
  await refusedWith(page, 'unknown', 'There is no Intake account for your email address');
  await waitForHydration(page);
  await page.screenshot({ path: 'test-results/screens/sso-refused.png', fullPage: true });
  await axe(page);

  // An account whose email the provider has not verified.
  const unverified = `unverified-${Date.now()}@harperlowe.test`;
  addAttorney(unverified, 'Una Verified', 'a password they will not need', DATA);
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${SITE}/login`);
  await other.getByRole('link', { name: 'Sign in with Harper SSO' }).click();
  await atProvider(other, unverified);
  await refusedWith(other, 'unverified', 'has not verified your email address');

  // A state that is not the one this browser was given.
  const email = `sso-checks-${Date.now()}@harperlowe.test`;
  addAttorney(email, 'Cass Checks', 'a password they will not need', DATA);
  const fresh = await (await browser.newContext()).newPage();
  const wrongState = await providerUrl(fresh);
  wrongState.searchParams.set('state', `${wrongState.searchParams.get('state')!.split('.')[0]}.${'A'.repeat(43)}`);
  await fresh.goto(wrongState.toString());
  await atProvider(fresh, email);
  await refusedWith(fresh, 'state', 'expired or began in another browser');

  // A nonce the provider puts in the ID token that is not this sign-in's
  // (a new browser: the provider would otherwise skip its sign-in page).
  const nonceCheck = await (await browser.newContext()).newPage();
  const wrongNonce = await providerUrl(nonceCheck);
  wrongNonce.searchParams.set('nonce', 'a-nonce-of-someone-else');
  await nonceCheck.goto(wrongNonce.toString());
  await atProvider(nonceCheck, email);
  await refusedWith(nonceCheck, 'provider', 'Harper SSO did not sign you in');
  expect(await nonceCheck.request.post('/api/internal/me').then((r) => r.status()), 'still signed out').toBe(401);

  // A callback replayed in another browser (a login CSRF): refused, though its code is real.
  const signing = await (await browser.newContext()).newPage();
  await signing.goto(`${SITE}/login`);
  const callback = signing.waitForRequest((r) => new URL(r.url()).pathname === '/login/sso/callback');
  await signing.getByRole('link', { name: 'Sign in with Harper SSO' }).click();
  await atProvider(signing, email);
  const stolen = (await callback).url();
  await signing.waitForURL((u) => u.pathname === '/leads');
  const victim = await (await browser.newContext()).newPage();
  await victim.goto(stolen);
  await refusedWith(victim, 'state', 'expired or began in another browser');
});

test('a new joiner from the firm\'s domain gets an account at the first sign-in, and the audit log shows it', async ({ page, browser }) => {
  const email = `new.joiner.${Date.now()}@joiners.harperlowe.test`;
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Harper SSO' }).click();
  await atProvider(page, email);
  await page.waitForURL((u) => u.pathname === '/leads');

  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${SITE}/login?next=%2Fadmin`);
  await admin.getByLabel('Email').fill(ADMIN.email);
  await admin.getByLabel('Password').fill(ADMIN.password);
  await admin.getByRole('button', { name: 'Log in' }).click();
  await admin.waitForURL((u) => u.pathname === '/admin');
  const row = admin.locator(`tr[data-account="${email}"]`);
  await expect(row).toContainText('Attorney');
  await admin.goto(`${SITE}/admin?activity=sso_sign_in`);
  await expect(admin.locator('body')).toContainText(email);
});
