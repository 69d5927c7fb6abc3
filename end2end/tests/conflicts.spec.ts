import { ADMIN, axeClean, logIn, submitLead, uniqueEmail, waitForHydration, test, expect } from './helpers';

/** A surname no other test uses (letters only, as a name is), so only this test's lead matches its party. */
function uniqueSurname(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let s = 'Zarqu';
  for (let i = 0; i < 8; i++) s += letters[Math.floor(Math.random() * letters.length)];
  return s;
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 780 }]] as const) {
  test(`a lead matching a party is flagged live and an attorney clears it (${name})`, async ({ browser }) => {
    const surname = uniqueSurname();
    const admin = await (await browser.newContext({ viewport })).newPage();
    await logIn(admin, ADMIN, '/admin/parties');
    await waitForHydration(admin);
    await expect(admin.getByRole('heading', { level: 1, name: 'Parties' })).toBeVisible();
    await axeClean(admin);

    // Added to the list (not replacing it: other tests' parties stay).
    const csv = `name,organisation,email,role,matter\n"${surname}, José",,,adverse party,2024-117\n`;
    await admin.getByLabel('CSV file').setInputFiles({ name: 'parties.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await admin.getByLabel('Replace the list').uncheck();
    await admin.getByRole('button', { name: 'Import' }).click();
    await expect(admin.getByRole('status')).toContainText('1 added');
    await expect(admin.locator('table.parties')).toContainText(`${surname}, José`);
    await admin.screenshot({ path: `test-results/screens/parties-${name}.png`, fullPage: true });
    await axeClean(admin);

    // An open dashboard shows the flag as soon as the check has run.
    await admin.goto('/leads');
    await waitForHydration(admin);
    await expect(admin.locator('.live')).toHaveAttribute('data-live', 'up');
    const email = uniqueEmail('conflict');
    await submitLead(await (await browser.newContext()).newPage(), 'Jose', surname, email);
    const row = admin.locator('tbody tr', { hasText: email });
    await expect(row.locator('.flag')).toHaveText('Possible conflict', { timeout: 10_000 });
    await expect(row.locator('.badge')).toHaveText('Pending');
    await axeClean(admin);

    // The lead's page says what matched; the decision goes into its history.
    await row.locator('a').first().click();
    const section = admin.locator('section.conflict-card');
    await expect(section).toContainText(`Adverse party '${surname}, José' in matter 2024-117: similar name, 100%`);
    await admin.screenshot({ path: `test-results/screens/lead-conflict-${name}.png`, fullPage: true });
    await axeClean(admin);
    await section.getByLabel('No conflict').check();
    await section.getByLabel('Note (kept in the history)').fill('A different José: checked with the matter partner.');
    await section.getByRole('button', { name: 'Record decision' }).click();
    await expect(section).toHaveAttribute('data-conflict', 'cleared');
    await expect(admin.locator('.history')).toContainText(
      'Conflict check cleared by Administrator: “A different José: checked with the matter partner.”',
    );
    await expect(admin.locator('.page-head .flag')).toHaveCount(0);
  });
}

test('a wrong parties file is refused with its line and reason, without JavaScript too', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await logIn(page, ADMIN, '/admin/parties');
  const csv = 'name,role\nAnn Lee,client\nBo Diddley,enemy\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Nothing was imported. line 3: role: must be client, former client, adverse party or related party',
  );
  await expect(page.getByText('Ann Lee')).toHaveCount(0);
  // The same answer, as a browser with JavaScript shows it, is axe clean (axe itself needs JavaScript).
  const shown = page.url();
  const withJs = await (await browser.newContext()).newPage();
  await logIn(withJs, ADMIN, new URL(shown).pathname + new URL(shown).search);
  await waitForHydration(withJs);
  await expect(withJs.getByRole('alert')).toContainText('line 3: role');
  await axeClean(withJs);
});
