import { Page } from '@playwright/test';
import fs from 'node:fs';
import { ADMIN, addAttorney, logIn, submitLead, uniqueEmail, waitForHydration, test, expect } from './helpers';

const BOB = { email: 'bob@harperlowe.test', password: 'bob e2e password', name: 'Bob Burns' };

test.beforeAll(() => addAttorney(BOB.email, BOB.name, BOB.password));

/** The total the server reports now for a view (other tests add leads in parallel). */
async function serverTotal(page: Page, state?: string): Promise<number> {
  const form: Record<string, string> = { 'filter[q]': '' };
  if (state) form['filter[state]'] = state;
  const res = await page.request.post('/api/internal/leads', { form });
  return (await res.json()).total;
}

/** The live count of a dashboard catches up with the server's. */
async function expectCountToFollow(page: Page, state?: string) {
  await expect
    .poll(async () => {
      const live = Number(await page.locator('.count').getAttribute('data-total'));
      return live === (await serverTotal(page, state));
    }, { timeout: 10_000 })
    .toBe(true);
}

async function openDashboard(page: Page, who: { email: string; password: string }) {
  await logIn(page, who);
  await waitForHydration(page);
  await expect(page.locator('.live')).toHaveAttribute('data-live', 'up');
  await page.evaluate(() => ((window as any).__noReload = true));
}

test('new leads and state changes appear live in every open dashboard', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const prospect = await (await browser.newContext()).newPage();
  await openDashboard(alice, ADMIN);
  await openDashboard(bob, BOB);
  // Live events patch the page in place: Bob's dashboard never asks for the list again.
  let bobListRequests = 0;
  bob.on('request', (r) => { if (r.url().includes('/api/internal/leads')) bobListRequests++; });

  const email = uniqueEmail('live');
  await submitLead(prospect, 'Livia', 'Nguyen', email);

  for (const page of [alice, bob]) {
    const row = page.locator('tr', { hasText: email });
    await expect(row).toBeVisible({ timeout: 5_000 });
    await expect(row.locator('.badge')).toHaveText('Pending');
  }

  const aliceRow = alice.locator('tr', { hasText: email });
  const bobRow = bob.locator('tr', { hasText: email });
  const t0 = Date.now();
  await aliceRow.getByRole('button', { name: 'Mark reached out' }).click();
  await expect(bobRow.locator('.badge')).toHaveText('Reached out', { timeout: 5_000 });
  const latency = Date.now() - t0;
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync('test-results/state-change-latency-ms.txt', String(latency));
  console.log(`state change visible in the second dashboard after ${latency} ms`);
  await expect(aliceRow.locator('.badge')).toHaveText('Reached out');
  await expect(bobRow).toContainText('by Administrator');

  // Nothing was reloaded to get there.
  for (const page of [alice, bob]) expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  expect(bobListRequests).toBe(0);
  await expectCountToFollow(bob);
});

test('a pending-only dashboard drops a lead once it is reached out, and its count follows', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const prospect = await (await browser.newContext()).newPage();
  const email = uniqueEmail('pendingview');
  await submitLead(prospect, 'Penelope', 'Quist', email);
  await openDashboard(alice, ADMIN);
  await logIn(bob, BOB);
  await bob.goto('/leads?state=pending');
  await waitForHydration(bob);
  await expect(bob.locator('.live')).toHaveAttribute('data-live', 'up');
  const row = bob.locator('tr', { hasText: email });
  await expect(row).toBeVisible();

  await alice.locator('tr', { hasText: email }).getByRole('button', { name: 'Mark reached out' }).click();
  await expect(row).toHaveCount(0, { timeout: 5_000 });
  await expectCountToFollow(bob, 'PENDING');
});

test('a second attorney marking the same lead is told who already did', async ({ browser, allowConsoleErrors }) => {
  // Bob's event stream is cut on purpose below.
  allowConsoleErrors(/net::ERR_FAILED/);
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const email = uniqueEmail('race');
  await submitLead(await (await browser.newContext()).newPage(), 'Rae', 'Singh', email);
  // Bob's live connection is cut, so his page still shows the lead as pending.
  await bob.route(/\/api\/internal\/events/, (route) => route.abort());
  await logIn(alice, ADMIN, '/leads?q=' + encodeURIComponent(email));
  await logIn(bob, BOB, '/leads?q=' + encodeURIComponent(email));
  await waitForHydration(alice);
  await waitForHydration(bob);
  await expect(bob.locator('.live')).toHaveAttribute('data-live', 'down');
  await expect(bob.locator('.live')).toHaveText('Offline — reconnecting…');

  await alice.locator('tr', { hasText: email }).getByRole('button', { name: 'Mark reached out' }).click();
  await expect(alice.locator('tr', { hasText: email }).locator('.badge')).toHaveText('Reached out');
  await bob.locator('tr', { hasText: email }).getByRole('button', { name: 'Mark reached out' }).click();
  await expect(bob.getByRole('alert')).toContainText(/Already marked reached out by Administrator at \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
  await expect(bob.locator('tr', { hasText: email }).locator('.badge')).toHaveText('Reached out');
});

test('the filter and search live in the URL', async ({ page, browser }) => {
  const email = uniqueEmail('filter');
  await submitLead(await (await browser.newContext()).newPage(), 'Fil', 'Terr', email);
  await logIn(page, ADMIN);
  await waitForHydration(page);
  await page.getByLabel('Search').fill(email);
  await page.getByLabel('State').selectOption('pending');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/state=pending/);
  await expect(page).toHaveURL(/q=filter/);
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.locator('.count')).toContainText('1 lead');
  // A bookmark of this URL opens the same view.
  const url = page.url();
  const other = await (await browser.newContext()).newPage();
  await logIn(other, ADMIN, new URL(url).pathname + new URL(url).search);
  await expect(other.locator('tbody tr')).toHaveCount(1);
  await expect(other.getByLabel('Search')).toHaveValue(email);
});

// Logging out ends every session of the account, so this test has an account of its own.
const LOU = { email: 'lou@harperlowe.test', password: 'lou e2e password', name: 'Lou Out' };

test('after logging out, Back and reload show the login page, never lead data', async ({ page, browser }) => {
  addAttorney(LOU.email, LOU.name, LOU.password);
  const email = uniqueEmail('logout');
  await submitLead(await (await browser.newContext()).newPage(), 'Lo', 'Gout', email);
  await logIn(page, LOU);
  await expect(page.locator('tr', { hasText: email })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goBack();
  await page.waitForLoadState();
  await expect(page.getByText(email)).toHaveCount(0);
  await page.reload();
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect(page.getByText(email)).toHaveCount(0);
});

test('a wrong password gets a clear message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
  await expect(page.getByLabel('Email')).toHaveValue(ADMIN.email);
});

test('the resume downloads with its original file name, and the lead page shows it all', async ({ page, browser }) => {
  const email = uniqueEmail('dl');
  await submitLead(await (await browser.newContext()).newPage(), 'Dee', 'Ell', email, 'Dee Ell — CV.pdf');
  await logIn(page, ADMIN);
  const row = page.locator('tr', { hasText: email });
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Dee Ell — CV.pdf' }).click()]);
  expect(download.suggestedFilename()).toBe('Dee Ell — CV.pdf');

  await row.getByRole('link', { name: 'Dee Ell', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Dee Ell' })).toBeVisible();
  await expect(page.getByText('Submitted by the prospect')).toBeVisible();
  await expect(page.locator('iframe[title="Resume preview"]')).toBeVisible();
  await expect(page.locator('tr[data-email-kind="prospect_confirmation"]')).toBeVisible();
  await expect(page.locator('tr[data-email-kind="prospect_confirmation"]')).toContainText(/Sent|Queued/);
});

test('internal pages redirect to login and come back', async ({ page }) => {
  await page.goto('/leads?state=pending');
  await expect(page).toHaveURL(/\/login\?next=%2Fleads%3Fstate%3Dpending/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/leads\?state=pending$/);
});

test('a lead page updates live when another attorney marks the lead', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const email = uniqueEmail('leadlive');
  await submitLead(await (await browser.newContext()).newPage(), 'Lena', 'Vance', email);
  await logIn(bob, BOB, '/leads?q=' + encodeURIComponent(email));
  await waitForHydration(bob);
  await logIn(alice, ADMIN, '/leads?q=' + encodeURIComponent(email));
  await alice.locator('tr', { hasText: email }).getByRole('link', { name: 'Lena Vance', exact: true }).click();
  await expect(alice.getByRole('heading', { name: 'Lena Vance' })).toBeVisible();
  await waitForHydration(alice);
  await expect(alice.locator('.live')).toHaveAttribute('data-live', 'up');
  await expect(alice.locator('.page-head .badge')).toHaveText('Pending');
  await alice.evaluate(() => ((window as any).__noReload = true));

  await bob.locator('tr', { hasText: email }).getByRole('button', { name: 'Mark reached out' }).click();
  await expect(alice.locator('.page-head .badge')).toHaveText('Reached out', { timeout: 5_000 });
  await expect(alice.locator('.history')).toContainText('Marked reached out by Bob Burns');
  await expect(alice.getByRole('button', { name: 'Mark reached out' })).toHaveCount(0);
  expect(await alice.evaluate(() => (window as any).__noReload)).toBe(true);
});
