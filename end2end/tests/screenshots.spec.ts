import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { ADMIN, ensureWebhook, logIn, submitLead, uniqueEmail, waitForHydration, test, expect } from './helpers';

/** WCAG 2.2 A/AA violations on the page as it is now (axe-core). */
async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

// Pictures of each screen at desktop and phone widths, for review and the
// README, each checked for accessibility.
for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`form screenshots (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto('/');
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/form-${name}.png`, fullPage: true });
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await page.screenshot({ path: `test-results/screens/form-errors-${name}.png`, fullPage: true });
    await expectAccessible(page);
    // Nothing in the layout may be wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`attorney screenshots (${name})`, async ({ page, browser }) => {
    // Nothing listens there: the lead page shows its deliveries queued, with the last error.
    // One per width: the two runs check their endpoints at the same time, and would both add a shared one.
    const hook = `http://127.0.0.1:9/hooks/intake-${name}`;
    ensureWebhook(hook);
    const email = uniqueEmail('shot');
    await submitLead(await (await browser.newContext()).newPage(), 'Screen', 'Shot', email);
    await page.setViewportSize(viewport);
    await page.goto('/login');
    await page.screenshot({ path: `test-results/screens/login-${name}.png`, fullPage: true });
    await expectAccessible(page);
    await logIn(page, ADMIN);
    await waitForHydration(page);
    await expect(page.locator('.live')).toHaveAttribute('data-live', 'up');
    await page.screenshot({ path: `test-results/screens/dashboard-${name}.png`, fullPage: false });
    await expectAccessible(page);
    let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // This test's own lead: the other width's run adds a note to its own.
    await page.locator('tbody tr', { hasText: email }).locator('a').first().click();
    await expect(page.getByRole('heading', { level: 2, name: 'History' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: 'Webhooks' })).toBeVisible();
    await expect(page.locator('tr[data-email-kind="lead.created"]', { hasText: hook })).toHaveCount(1);
    await page.screenshot({ path: `test-results/screens/lead-${name}.png`, fullPage: true });
    await expectAccessible(page);
    overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The history with a note, its edit form open.
    await page.getByLabel('Add a note').fill('Called, left a voicemail.\nTry again on Friday morning.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = page.locator('li.note').first();
    await expect(note.locator('.note-body')).toHaveText('Called, left a voicemail.\nTry again on Friday morning.');
    await note.getByText('Edit', { exact: true }).click();
    await expect(note.getByLabel('Edit note')).toBeVisible();
    const history = page.locator('section.card', { has: page.getByRole('heading', { name: 'History' }) });
    await history.screenshot({ path: `test-results/screens/lead-note-${name}.png` });
    await expectAccessible(page);
    overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`API docs screenshots (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto('/api/docs/');
    // Generated from the code: the integrator API's operations are listed.
    await expect(page.getByRole('heading', { name: /Intake/ })).toBeVisible();
    await expect(page.getByText('/api/v1/leads/{id}/reached-out')).toBeVisible();
    await page.getByText('/api/v1/leads', { exact: true }).click();
    await expect(page.getByText('Search in names, emails, and short-text and phone answers')).toBeVisible();
    await page.screenshot({ path: `test-results/screens/api-docs-${name}.png`, fullPage: false });
    await expectAccessible(page);
  });
}
