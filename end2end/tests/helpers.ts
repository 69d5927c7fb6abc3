import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { test as base, expect, BrowserContext, ConsoleMessage, Locator, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

export { expect };

/**
 * Chromium reports every 4xx/5xx answer to a fetch as a console error. A 4xx
 * is an answer the page handles and shows (a duplicate email, a wrong
 * password, a lead already marked), and each test asserts that message; a 5xx
 * never is.
 */
function isHandledHttpAnswer(m: ConsoleMessage): boolean {
  return /^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text());
}

/**
 * The suite's `test`: every page a test opens, in any browser context, fails
 * the test on an uncaught page error (a hydration panic is one) or a console
 * error, so a build whose server and WASM disagree cannot pass.
 */
export const test = base.extend<{ allowConsoleErrors: (pattern: RegExp) => void; _browserErrors: void }>({
  allowConsoleErrors: async ({}, use) => {
    await use((pattern) => allowed.push(pattern));
  },
  _browserErrors: [
    async ({ browser, context }, use) => {
      const errors: string[] = [];
      const watchPage = (p: Page) => {
        p.on('pageerror', (e) => errors.push(`page error on ${p.url()}: ${e.message}`));
        p.on('console', (m) => {
          if (m.type() !== 'error' || isHandledHttpAnswer(m) || allowed.some((re) => re.test(m.text()))) return;
          errors.push(`console error on ${p.url()}: ${m.text()}`);
        });
      };
      const watch = (c: BrowserContext) => {
        c.pages().forEach(watchPage);
        c.on('page', watchPage);
      };
      watch(context);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const c = await newContext(...args);
        watch(c);
        return c;
      };
      try {
        await use();
      } finally {
        browser.newContext = newContext;
        allowed.length = 0;
      }
      expect(errors, 'the browser logged errors').toEqual([]);
    },
    { auto: true },
  ],
});
const allowed: RegExp[] = [];

/** Which server build the suite runs against (`INTAKE_E2E_BUILD=release` for the optimised one). */
export const BUILD = process.env.INTAKE_E2E_BUILD === 'release' ? 'release' : 'debug';

/** A minimal valid PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export function uniqueEmail(tag: string): string {
  return `${tag}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the WASM app has hydrated the page, so clicks reach Rust handlers. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('html[data-hydrated="true"]')).toBeAttached({ timeout: 20_000 });
}

export async function fillForm(page: Page, v: { first?: string; last?: string; email?: string; file?: { name: string; mimeType: string; buffer: Buffer } }) {
  if (v.first !== undefined) await page.getByLabel('First name').fill(v.first);
  if (v.last !== undefined) await page.getByLabel('Last name').fill(v.last);
  if (v.email !== undefined) await page.getByLabel('Email').fill(v.email);
  if (v.file) await page.getByLabel('Resume').setInputFiles(v.file);
}

/** The .eml files the server wrote for `address` (no SMTP server is configured in e2e runs). */
export async function emailsTo(address: string): Promise<string[]> {
  const dir = path.join(process.env.INTAKE_E2E_DATA!, 'outbox');
  let found: string[] = [];
  await expect
    .poll(() => {
      if (!fs.existsSync(dir)) return 0;
      found = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
        .filter((m) => m.includes(address));
      return found.length;
    }, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(2);
  return found;
}

export const ADMIN = { email: 'admin@harperlowe.test', password: 'e2e admin password', name: 'Administrator' };

/** Adds an attorney with the real CLI (password on stdin) to a server's data (the main one's by default); ignores "already exists". */
export function addAttorney(email: string, name: string, password: string, dataDir = process.env.INTAKE_E2E_DATA) {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(`../target/${BUILD}/intake`, ['user', 'add', '--email', email, '--name', name], {
    input: password + '\n',
    env: { ...process.env, INTAKE_DATA_DIR: dataDir, RUST_LOG: 'error' },
    encoding: 'utf8',
  });
  if (r.status !== 0 && !String(r.stderr).includes('already exists')) {
    throw new Error(`intake user add failed: ${r.stderr}`);
  }
}

/** Adds a webhook endpoint with the real CLI, unless one with this URL exists. */
export function ensureWebhook(url: string) {
  const { spawnSync } = require('node:child_process');
  const run = (args: string[]) => {
    const r = spawnSync(`../target/${BUILD}/intake`, ['webhook', ...args], {
      env: { ...process.env, INTAKE_DATA_DIR: process.env.INTAKE_E2E_DATA, INTAKE_WEBHOOK_ALLOW_PRIVATE: 'true', RUST_LOG: 'error' },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`intake webhook ${args[0]} failed: ${r.stderr}`);
    return String(r.stdout);
  };
  if (!run(['list']).includes(url)) run(['add', '--url', url]);
}

export async function logIn(page: Page, who: { email: string; password: string }, next = '/leads') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => decodeURIComponent(u.pathname + u.search) === decodeURIComponent(next));
}

/** Submits the intake form as a prospect in its own page. */
export async function submitLead(page: Page, first: string, last: string, email: string, fileName = 'cv.pdf') {
  await page.goto('/');
  await waitForHydration(page);
  await fillForm(page, { first, last, email, file: { name: fileName, mimeType: 'application/pdf', buffer: PDF } });
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('status')).toContainText(email);
}

/** RFC 4648 base32, as the account page shows the key. */
export function base32Decode(s: string): Buffer {
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
export function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

export const stepNow = () => Math.floor(Date.now() / 30_000);

/** No WCAG 2.2 AA violation, and nothing scrolls sideways. */
export async function axeClean(p: Page) {
  const { violations } = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

/**
 * Fills a field on a page that live updates redraw (a lead's page): a redraw
 * in the middle of a fill swallows its input event (the new field shows the
 * page's draft, not what was typed), and other tests' changes (a parties
 * import's rechecks, an erasure) redraw every open page. So fill again until
 * the value holds.
 */
export async function fillLive(field: Locator, value: string) {
  for (let i = 0; i < 5; i++) {
    await field.fill(value);
    await field.page().waitForTimeout(300);
    if ((await field.inputValue()) === value) return;
  }
  await expect(field).toHaveValue(value);
}

/** [`fillLive`] for a select, by the option's label; `value` is the option's value. */
export async function selectLive(field: Locator, label: string, value: string) {
  for (let i = 0; i < 5; i++) {
    await field.selectOption({ label });
    await field.page().waitForTimeout(300);
    if ((await field.inputValue()) === value) return;
  }
  await expect(field).toHaveValue(value);
}

/** [`fillLive`] for a checkbox. */
export async function checkLive(box: Locator) {
  for (let i = 0; i < 5; i++) {
    await box.check({ timeout: 3_000 }).catch(() => {});
    await box.page().waitForTimeout(300);
    if (await box.isChecked()) return;
  }
  await expect(box).toBeChecked();
}
