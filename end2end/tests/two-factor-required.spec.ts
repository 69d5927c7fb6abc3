import { test, expect, waitForHydration, base32Decode, totp, stepNow, axeClean } from './helpers';

// The server whose firm requires two-step sign-in of everyone (INTAKE_REQUIRE_2FA=all).
test.use({ baseURL: process.env.INTAKE_E2E_REQUIRED_URL });

/** Adds an account to that server's data with the real CLI. */
function addAccount(email: string, password: string) {
  const { spawnSync } = require('node:child_process');
  const build = process.env.INTAKE_E2E_BUILD === 'release' ? 'release' : 'debug';
  const r = spawnSync(`../target/${build}/intake`, ['user', 'add', '--email', email, '--name', 'Rita Required'], {
    input: password + '\n',
    env: { ...process.env, INTAKE_DATA_DIR: process.env.INTAKE_E2E_REQUIRED_DATA, RUST_LOG: 'error' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`intake user add failed: ${r.stderr}`);
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`when the firm requires it, a right password leads to adding an app first (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const who = { email: `required-${name}-${Date.now()}@harperlowe.test`, password: 'required e2e password' };
    addAccount(who.email, who.password);
    await page.goto('/login?next=%2Fleads');
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible();
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/two-factor-required-${name}.png`, fullPage: true });
    await axeClean(page);

    // Nothing opens before the app is added.
    const leads = await page.request.get('/leads', { maxRedirects: 0 });
    expect(leads.status()).toBe(303);

    const secret = base32Decode((await page.locator('[data-totp-secret]').getAttribute('data-totp-secret'))!);
    await page.getByLabel('The 6-digit code your app shows').fill(totp(secret, stepNow()));
    await page.getByRole('button', { name: 'Turn on and sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Two-step sign-in is on' })).toBeVisible();
    await expect(page.locator('[data-recovery-codes] code')).toHaveCount(10);
    await waitForHydration(page);
    await axeClean(page);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL((u) => u.pathname === '/leads');
    await expect(page.getByRole('heading', { name: 'Leads' })).toBeVisible();
  });
}
