import { test, expect, addAttorney, logIn, waitForHydration, base32Decode, totp, stepNow, axeClean as axe } from './helpers';

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`an attorney adds an authenticator app, then signs in with password and code (${name})`, async ({ page, browser }) => {
    await page.setViewportSize(viewport);
    const who = { email: `totp-${name}-${Date.now()}@harperlowe.test`, password: 'two step e2e password' };
    addAttorney(who.email, 'Tess Twostep', who.password);
    await logIn(page, who, '/account');
    await waitForHydration(page);

    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const key = page.locator('[data-totp-secret]');
    await expect(key).toBeVisible();
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    const secret = base32Decode((await key.getAttribute('data-totp-secret'))!);
    expect(secret.length).toBe(20);
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/two-factor-enrol-${name}.png`, fullPage: true });
    await axe(page);

    await page.getByLabel('The 6-digit code your app shows').fill(totp(secret, stepNow()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect(page.getByRole('status')).toContainText('Your authenticator app is set up');
    const codes = await page.locator('[data-recovery-codes] code').allTextContents();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/two-factor-codes-${name}.png`, fullPage: true });
    await axe(page);

    // Another browser: the password alone is not enough.
    const other = await (await browser.newContext({ viewport })).newPage();
    await other.goto('/login?next=%2Fleads');
    await other.getByLabel('Email').fill(who.email);
    await other.getByLabel('Password').fill(who.password);
    await other.getByRole('button', { name: 'Log in' }).click();
    await other.waitForURL((u) => u.pathname === '/login/code');
    await waitForHydration(other);
    await expect(other.getByRole('heading', { name: 'Your sign-in code' })).toBeVisible();
    await other.screenshot({ path: `test-results/screens/two-factor-login-${name}.png`, fullPage: true });
    await axe(other);

    await other.getByLabel('Code').fill('000000');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await expect(other.getByRole('alert')).toContainText('That code is not right');
    await waitForHydration(other);
    await axe(other);

    // The next step's code (the confirming code's step is spent).
    await other.getByLabel('Code').fill(totp(secret, stepNow() + 1));
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.waitForURL((u) => u.pathname === '/leads');
    await expect(other.getByRole('heading', { name: 'Leads' })).toBeVisible();

    // The account page now offers new recovery codes and turning it off.
    await other.goto('/account');
    await waitForHydration(other);
    await expect(other.getByText('10 unused recovery codes left.')).toBeVisible();
    await other.screenshot({ path: `test-results/screens/two-factor-on-${name}.png`, fullPage: true });
    await axe(other);
  });
}
