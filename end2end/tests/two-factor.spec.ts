import { test, expect, addAttorney, logIn, waitForHydration, base32Decode, totp, stepNow, axeClean as axe, ADMIN } from './helpers';

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`an attorney adds an authenticator app, then signs in with password and code (${name})`, async ({ page, browser }) => {
    // Three browsers, nine screens checked by axe: close to a minute on the debug build alone.
    test.setTimeout(120_000);
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

    // Confirming it is you before a dangerous action: a code (here a recovery code), then back where it was.
    await page.goto('/account/confirm?next=%2Faccount');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
    await page.screenshot({ path: `test-results/screens/confirm-${name}.png`, fullPage: true });
    await axe(page);
    await page.getByLabel('Code').fill(codes[0]);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((u) => u.pathname === '/account');

    // Another browser: the password alone is not enough.
    const other = await (await browser.newContext({ viewport })).newPage();
    await other.goto('/login?next=%2Fleads');
    await other.getByLabel('Email').fill(who.email);
    await other.getByLabel('Password').fill(who.password);
    await other.getByRole('button', { name: 'Log in' }).click();
    await other.waitForURL((u) => u.pathname === '/login/code');
    await waitForHydration(other);
    await expect(other.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
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
    await expect(other.getByText('9 unused recovery codes left.')).toBeVisible();
    await other.screenshot({ path: `test-results/screens/two-factor-on-${name}.png`, fullPage: true });
    await axe(other);

    // Where the account is signed in: both browsers; the first one is signed out from here.
    const browsers = other.locator('ul.signins li');
    await expect(browsers).toHaveCount(2);
    await expect(other.locator('li[data-current="true"]')).toContainText('This browser');
    await expect(other.locator('li[data-current="true"]')).toContainText(/Chrome on \w+/);
    await other.locator('#signins').screenshot({ path: `test-results/screens/signins-${name}.png` });
    await other.locator('li[data-current="false"]').getByRole('button', { name: /^Sign out Chrome on \w+ at / }).click();
    await expect(other.getByRole('status').filter({ hasText: 'That browser is signed out.' })).toBeVisible();
    await expect(browsers).toHaveCount(1);
    await axe(other);
    await page.goto('/leads');
    await page.waitForURL((u) => u.pathname === '/login');

    // The phone is lost: an administrator resets the app from /admin; the colleague is signed out.
    const admin = await (await browser.newContext({ viewport })).newPage();
    await logIn(admin, ADMIN, '/admin');
    await waitForHydration(admin);
    const row = admin.locator(`tr[data-account="${who.email}"]`);
    await expect(row.locator('[data-two-step]')).toHaveText('Authenticator app');
    await row.getByRole('button', { name: `Reset two-step sign-in of ${who.email}` }).click();
    await expect(admin.getByRole('status').filter({ hasText: 'Two-step sign-in reset' })).toBeVisible();
    await expect(row.locator('[data-two-step]')).toHaveText('Password only');
    await axe(admin);
    await other.goto('/leads');
    await other.waitForURL((u) => u.pathname === '/login');
    await logIn(other, who, '/leads');
    await expect(other.getByRole('heading', { name: 'Leads' })).toBeVisible();
  });
}
