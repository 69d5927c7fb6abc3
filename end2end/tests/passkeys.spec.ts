import type { CDPSession, Page } from '@playwright/test';
import { test, expect, addAttorney, logIn, waitForHydration, axeClean as axe } from './helpers';

// The server at `localhost` (browsers allow passkeys on http there only).
test.use({ baseURL: process.env.INTAKE_E2E_PASSKEY_URL });
const DATA = process.env.INTAKE_E2E_PASSKEY_DATA;

/** Chromium's virtual authenticator (the DevTools WebAuthn domain): a platform
 * authenticator that keeps passkeys and verifies its user, without a prompt. */
async function authenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function logOut(page: Page) {
  await page.request.post('/logout');
}

/** Adds a passkey named `name` on /account (signed in; `password` when the page asks for it). */
async function addPasskey(page: Page, name: string, password: string) {
  await page.goto('/account');
  await waitForHydration(page);
  await page.getByLabel('Name of the new passkey').fill(name);
  const current = page.getByLabel('Your current password');
  if (await current.count()) await current.fill(password);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.waitForURL((u) => u.pathname === '/account' && u.search === '?passkey=added');
  await expect(page.getByRole('status')).toContainText('Your passkey is added');
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`an attorney adds a passkey, signs in with it alone, and after the password (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const { cdp, id } = await authenticator(page);
    const who = { email: `passkey-${name}-${Date.now()}@harperlowe.test`, password: 'passkey e2e password' };
    addAttorney(who.email, 'Petra Passkey', who.password, DATA);
    await logIn(page, who, '/account');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Passkeys' })).toBeVisible();
    await expect(page.locator('#passkeys')).toContainText('You have no passkey');
    await axe(page);

    // A name is needed, and checked before the authenticator is asked.
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials).toHaveLength(0);

    await addPasskey(page, 'Work laptop ✓', who.password);
    const item = page.locator('.passkeys li');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Work laptop ✓');
    await expect(item).toContainText('Not used yet');
    const stored = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials;
    expect(stored).toHaveLength(1);
    expect(stored[0].isResidentCredential, 'discoverable: it signs in with no email').toBe(true);
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/passkeys-account-${name}.png`, fullPage: true });
    await axe(page);

    // With the passkey alone: no email, no password.
    await logOut(page);
    await page.goto('/login?next=%2Fleads');
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/passkeys-login-${name}.png`, fullPage: true });
    await axe(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL((u) => u.pathname === '/leads');
    await page.goto('/account');
    await expect(page.locator('.passkeys li')).toContainText('Last used');

    // After the password, the passkey is the second step.
    await logOut(page);
    await page.goto('/login?next=%2Faccount');
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/login/code');
    await waitForHydration(page);
    await expect(page.getByText('Now use your passkey.')).toBeVisible();
    await expect(page.getByLabel('Code'), 'no app: no code to type').toHaveCount(0);
    await page.screenshot({ path: `test-results/screens/passkeys-second-step-${name}.png`, fullPage: true });
    await axe(page);
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await page.waitForURL((u) => u.pathname === '/account');
  });
}

test('a replayed answer and a removed passkey are refused', async ({ page }) => {
  const { cdp, id } = await authenticator(page);
  const who = { email: `passkey-gone-${Date.now()}@harperlowe.test`, password: 'passkey e2e password' };
  addAttorney(who.email, 'Gina Gone', who.password, DATA);
  await logIn(page, who, '/account');
  await addPasskey(page, 'Old key', who.password);

  // Sign in with it, keeping the answer the browser sent.
  await logOut(page);
  await page.goto('/login');
  await waitForHydration(page);
  const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/login/passkey');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  const answer = (await sent).postData()!;
  await page.waitForURL((u) => u.pathname === '/leads');

  // The same answer again: its ceremony is spent.
  const replay = await page.request.post('/login/passkey', {
    headers: { 'content-type': 'application/json', origin: process.env.INTAKE_E2E_PASSKEY_URL! },
    data: answer,
  });
  expect(replay.status()).toBe(401);
  expect((await replay.json()).message).toContain('That passkey was not accepted');

  // Removed (the passkey just proved it is them: no confirmation needed), it no longer signs in.
  await page.goto('/account');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Remove the passkey “Old key”' }).click();
  await expect(page.getByRole('status')).toContainText('The passkey is removed');
  await expect(page.locator('.passkeys li')).toHaveCount(0);
  expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials, 'still on the device').toHaveLength(1);

  await logOut(page);
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.locator('#passkey-sign-in-error')).toContainText('That passkey was not accepted');
  await expect(page).toHaveURL(/\/login/);
  await axe(page);
});
