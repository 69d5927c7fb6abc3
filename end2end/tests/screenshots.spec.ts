import { test, expect } from '@playwright/test';
import { waitForHydration } from './helpers';

// Pictures of each screen at desktop and phone widths, for review and the README.
for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`form screenshots (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto('/');
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/form-${name}.png`, fullPage: true });
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await page.screenshot({ path: `test-results/screens/form-errors-${name}.png`, fullPage: true });
    // Nothing in the layout may be wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}
