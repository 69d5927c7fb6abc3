import { ADMIN, logIn, submitLead, uniqueEmail, waitForHydration, test, expect } from './helpers';

// This file's server has a one-minute follow-up deadline (see playwright.config.ts).
test.use({ baseURL: process.env.INTAKE_E2E_FOLLOW_UP_URL });

test('a lead left past the follow-up deadline turns overdue live: badge, header count and view', async ({ page, browser }) => {
  test.setTimeout(240_000); // it waits out the one-minute deadline, then the header's one-minute recount
  const email = uniqueEmail('late');
  await submitLead(await (await browser.newContext()).newPage(), 'Olive', 'Late', email);

  await logIn(page, ADMIN);
  await waitForHydration(page);
  await expect(page.locator('.live')).toHaveAttribute('data-live', 'up');
  await page.evaluate(() => ((window as any).__noReload = true));
  const row = page.locator('tr', { hasText: email });
  const overdueCount = page.locator('a[data-count="overdue"] .count-badge');
  await expect(row).toBeVisible();
  await expect(row.locator('.badge-overdue')).toHaveCount(0);
  await expect(overdueCount).toHaveText('0');

  // Nobody touches anything: the deadline passes and the dashboard says so by itself.
  await expect(row.locator('.badge-overdue')).toHaveText('Overdue', { timeout: 90_000 });
  await expect(overdueCount).toHaveText('1', { timeout: 75_000 });
  await expect(page.locator('a[data-count="overdue"]')).toHaveClass(/has-overdue/);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // The header's count opens the overdue view; reaching out takes the lead off it.
  await page.locator('a[data-count="overdue"]').click();
  await expect(page).toHaveURL(/state=overdue/);
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Mark reached out' }).click();
  await expect(row).toHaveCount(0);
  await expect(overdueCount).toHaveText('0');
});
