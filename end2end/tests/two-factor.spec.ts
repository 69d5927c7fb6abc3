import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import type { Page } from '@playwright/test';
import { test, expect, addAttorney, logIn, waitForHydration } from './helpers';

/** RFC 4648 base32, as the account page shows the key. */
function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const c of s) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code an authenticator app shows for `step` (RFC 6238, computed here, independently of the server). */
function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

const stepNow = () => Math.floor(Date.now() / 30_000);

async function axe(p: Page) {
  const { violations } = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

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
