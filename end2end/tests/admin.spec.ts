import AxeBuilder from '@axe-core/playwright';
import { ADMIN, addAttorney, checkLive, fillLive, logIn, selectLive, submitLead, uniqueEmail, waitForHydration, test, expect } from './helpers';

// The integrations page: an administrator makes an API token in the browser,
// sees its secret once, uses it, and revokes it; adds and removes a webhook
// endpoint. An attorney gets neither the link nor the page.

test('an admin makes, uses and revokes an API token in the browser', async ({ page, request }) => {
  await logIn(page, ADMIN);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Administration' })).toBeVisible();
  await waitForHydration(page);

  const name = `crm-${Date.now()}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Access').selectOption('write');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.locator('.secret [data-secret]');
  await expect(shown).toHaveText(/^intake_[A-Za-z0-9_-]{43}$/);
  const secret = (await shown.textContent())!;
  const row = page.locator('tr', { hasText: name });
  await expect(row).toHaveAttribute('data-revoked', 'false');

  const auth = { Authorization: `Bearer ${secret}` };
  expect((await request.get('/api/v1/leads', { headers: auth })).status()).toBe(200);

  // The secret is not shown again.
  await page.reload();
  await expect(page.locator('tr', { hasText: name })).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
  await waitForHydration(page);

  await page.getByRole('button', { name: `Revoke token ${name}` }).click();
  await expect(page.locator('tr', { hasText: name })).toHaveAttribute('data-revoked', 'true');
  expect((await request.get('/api/v1/leads', { headers: auth })).status()).toBe(401);
});

test('an admin adds and removes a webhook endpoint; a bad URL is explained', async ({ page }) => {
  await logIn(page, ADMIN, '/admin');
  await waitForHydration(page);
  await page.getByLabel('Endpoint URL').fill('https://crm.example.test/#fragment');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByRole('alert')).toContainText('URL: the address must not have a #fragment');

  const url = `https://crm.example.test/hooks/${Date.now()}`;
  await page.getByLabel('Endpoint URL').fill(url);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.locator('.secret')).toContainText(`Signing secret for ${url}`);
  await expect(page.locator('.secret [data-secret]')).toHaveText(/^whsec_[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: `Remove endpoint ${url}` }).click();
  await expect(page.locator('tr', { hasText: url })).toHaveAttribute('data-removed', 'true');
});

test('an attorney sees neither the link nor the page', async ({ page }) => {
  const email = uniqueEmail('attorney');
  addAttorney(email, 'Pat Attorney', 'attorney password 1');
  await logIn(page, { email, password: 'attorney password 1' });
  await waitForHydration(page);
  await expect(page.getByRole('link', { name: 'Leads' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
  const res = await page.goto('/admin');
  expect(res!.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('Only administrators can do this');
});

test('an admin erases a lead from its page; the audit trail keeps why', async ({ page, browser }) => {
  const email = uniqueEmail('erase');
  await submitLead(await (await browser.newContext()).newPage(), 'Era', 'Sure', email);
  await logIn(page, ADMIN);
  await page.locator('tr', { hasText: email }).getByRole('link', { name: 'Era Sure' }).click();
  await expect(page.getByRole('heading', { name: 'Erase this lead' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.locator('.live')).toHaveAttribute('data-live', 'up');
  // The conflict check's live event redraws the page: fill the form after it.
  await expect(page.locator('section.conflict-card')).not.toHaveAttribute('data-conflict', 'unchecked');
  const leadUrl = page.url();
  const reference = `REQ-${Date.now()}`;
  await selectLive(page.getByLabel('Reason'), 'The person asked to be erased', 'requested');
  // A reference that could be a name is refused, with the reason said at the field.
  await fillLive(page.getByLabel('Reference (optional)'), 'Era Sure');
  await checkLive(page.getByLabel('I understand that this cannot be undone'));
  await page.getByRole('button', { name: 'Erase permanently' }).click();
  await expect(page.getByRole('alert')).toContainText('Reference: a ticket or request number');
  await page.getByLabel('I understand that this cannot be undone').uncheck();
  await fillLive(page.getByLabel('Reference (optional)'), reference);
  // The checkbox is required: nothing happens without it.
  await page.getByRole('button', { name: 'Erase permanently' }).click();
  await expect(page).toHaveURL(leadUrl);
  await checkLive(page.getByLabel('I understand that this cannot be undone'));
  await page.getByRole('button', { name: 'Erase permanently' }).click();
  await page.waitForURL((u) => u.pathname === '/leads');
  await expect(page.locator('tr', { hasText: email })).toHaveCount(0);

  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  const row = page.locator('table.erasures tr', { hasText: reference });
  await expect(row).toContainText('The person asked to be erased');
  await expect(row).toContainText('Administrator');
  await expect(page.getByText(email)).toHaveCount(0);
});

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`integrations screenshots (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await logIn(page, ADMIN, '/admin');
    await waitForHydration(page);
    await page.getByLabel('Name', { exact: true }).fill(`zapier-${name}`);
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.locator('.secret [data-secret]')).toBeVisible();
    await page.screenshot({ path: `test-results/screens/integrations-${name}.png`, fullPage: true });
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}

/** The one-time link in the newest email to `address` (the e2e server writes .eml files). */
async function linkSentTo(address: string): Promise<string> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = path.join(process.env.INTAKE_E2E_DATA!, 'outbox');
  let token = '';
  await expect
    .poll(() => {
      if (!fs.existsSync(dir)) return '';
      const mails = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
                // Quoted-printable: soft line breaks, and "=" written "=3D".
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='))
        .filter((m) => m.includes(address));
      token = mails.map((m) => m.match(/set-password\?token=([A-Za-z0-9_-]{43})/)?.[1] ?? '').find(Boolean) ?? '';
      return token;
    }, { timeout: 15_000 })
    .not.toBe('');
  return token;
}

test('an admin invites a colleague, who sets a password from the emailed link; disabling signs them out', async ({ page, browser }) => {
  test.slow(); // two browsers and an email
  const email = uniqueEmail('invite');
  await logIn(page, ADMIN, '/admin');
  await waitForHydration(page);
  await page.getByLabel("Colleague's email").fill(email);
  await page.getByLabel("Colleague's name").fill('Ines Vite');
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(page.getByText('Invitation sent.')).toBeVisible();
  const row = page.locator(`tr[data-account="${email}"]`);
  await expect(row).toHaveAttribute('data-status', 'Invited');

  const invitee = await (await browser.newContext()).newPage();
  await invitee.goto(`/set-password?token=${await linkSentTo(email)}`);
  await expect(invitee.getByRole('heading', { name: 'Welcome, Ines Vite' })).toBeVisible();
  await waitForHydration(invitee);
  await invitee.getByLabel('New password').fill('ines e2e password');
  await invitee.getByLabel('Confirm password').fill('ines e2e passwort');
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await expect(invitee.getByRole('alert')).toHaveText('Confirm password: the two passwords differ.');
  // The page came back from the server: passwords are never sent back, so both are typed again.
  await invitee.getByLabel('New password').fill('ines e2e password');
  await invitee.getByLabel('Confirm password').fill('ines e2e password');
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await expect(invitee.getByRole('heading', { name: 'Your password is set' })).toBeVisible();
  await logIn(invitee, { email, password: 'ines e2e password' });
  await expect(invitee.getByRole('heading', { name: 'Leads' })).toBeVisible();

  await page.reload();
  await waitForHydration(page);
  await expect(row).toHaveAttribute('data-status', 'Active');
  await page.getByRole('button', { name: `Disable ${email}` }).click();
  await expect(row).toHaveAttribute('data-status', 'Disabled');
  await invitee.reload();
  await expect(invitee).toHaveURL(/\/login/);
  await expect(page.locator('tr[data-action="invited"]', { hasText: email })).toBeVisible();
  await page.getByLabel('Show').selectOption('disabled');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/activity=disabled/);
  await expect(page.locator('table.audit tbody tr[data-action="invited"]')).toHaveCount(0);
  await expect(page.locator('tr[data-action="disabled"]', { hasText: email })).toBeVisible();
});

test('an attorney changes their own password from the header; a wrong current one is explained', async ({ page }) => {
  const email = uniqueEmail('own');
  addAttorney(email, 'Olga Own', 'olga first password');
  await logIn(page, { email, password: 'olga first password' });
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Olga Own' }).click();
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('olga second password');
  await page.getByLabel('Confirm password').fill('olga second password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('Current password: this is not your current password.');
  await page.getByLabel('Current password').fill('olga first password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password is changed.')).toBeVisible();
  // This browser stays signed in.
  await page.goto('/leads');
  await expect(page.getByRole('heading', { name: 'Leads' })).toBeVisible();
});

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`account screens (${name})`, async ({ page, browser }) => {
    await page.setViewportSize(viewport);
    const axe = async (p: typeof page) => {
      const { violations } = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
      expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    };
    await logIn(page, ADMIN, '/account');
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/screens/account-${name}.png`, fullPage: true });
    await axe(page);

    const email = uniqueEmail(`shot-${name}`);
    await page.goto('/admin');
    await waitForHydration(page);
    await page.getByLabel("Colleague's email").fill(email);
    await page.getByLabel("Colleague's name").fill('Sam Screen');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await expect(page.locator(`tr[data-account="${email}"]`)).toHaveAttribute('data-status', 'Invited');
    const invitee = await (await browser.newContext({ viewport })).newPage();
    await invitee.goto(`/set-password?token=${await linkSentTo(email)}`);
    await waitForHydration(invitee);
    await invitee.screenshot({ path: `test-results/screens/set-password-${name}.png`, fullPage: true });
    await axe(invitee);
  });
}
