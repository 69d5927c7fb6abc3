import { ADMIN, PDF, emailsTo, fillForm, logIn, submitLead, uniqueEmail, waitForHydration, test, expect } from './helpers';

test.describe('with JavaScript', () => {
  test('a prospect submits without a page reload and gets a confirmation', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Tell us about yourself' })).toBeVisible();
    await expect(page.getByText('Harper & Lowe LLP')).toBeVisible();
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as any).__noReload = true));

    const email = uniqueEmail('js');
    await fillForm(page, { first: 'Ada', last: 'Lovelace', email, file: { name: 'ada-cv.pdf', mimeType: 'application/pdf', buffer: PDF } });
    await page.getByRole('button', { name: 'Submit' }).click();

    const status = page.getByRole('status');
    await expect(status).toContainText('Thank you, Ada!');
    await expect(status).toContainText(email);
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

    const mails = await emailsTo(email);
    expect(mails.some((m) => m.includes('Subject: We received your details'))).toBe(true);
    expect(mails.some((m) => m.includes('To: attorneys@harperlowe.test') && m.includes('ada-cv.pdf'))).toBe(true);
  });

  test('fields are checked as the prospect types, with errors tied to their fields', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    const emailInput = page.getByLabel('Email');
    await emailInput.fill('not-an-email');
    await emailInput.blur();
    const emailError = page.locator('#email-error');
    await expect(emailError).toHaveText('Enter an email address like name@example.com.');
    await expect(emailInput).toHaveAttribute('aria-describedby', 'email-error');
    await expect(emailInput).toHaveAttribute('aria-invalid', 'true');
    await emailInput.fill('ok@example.com');
    await expect(emailError).toHaveCount(0);

    // Submitting an incomplete form shows a summary and every error, and sends nothing.
    await page.getByRole('button', { name: 'Submit' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Please correct the 3 highlighted fields.');
    await expect(page.locator('#first_name-error')).toHaveText('Enter your first name.');
    await expect(page.locator('#last_name-error')).toHaveText('Enter your last name.');
    await expect(page.locator('#resume-error')).toHaveText('Choose your resume file to upload.');
    await expect(page.getByLabel('First name')).toBeFocused();
  });

  test('the server refuses a file that is not a resume, whatever its name', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await fillForm(page, { first: 'Eve', last: 'Mallory', email: uniqueEmail('png'), file: { name: 'cv.pdf', mimeType: 'application/pdf', buffer: png } });
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page.locator('#resume-error')).toContainText("This file's format is not accepted");
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByRole('status')).toHaveCount(0);
  });

  test('a second submission with a known email looks like any other; only its owner learns more, by email', async ({ page }) => {
    const email = uniqueEmail('dup');
    await page.goto('/');
    await waitForHydration(page);
    await fillForm(page, { first: 'Bo', last: 'Diddley', email, file: { name: 'cv.txt', mimeType: 'text/plain', buffer: Buffer.from('Bo Diddley\nGuitarist\n') } });
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page.getByRole('status')).toContainText(email);

    await page.goto('/');
    await waitForHydration(page);
    await fillForm(page, { first: 'Bo', last: 'Diddley', email: email.toUpperCase(), file: { name: 'cv.txt', mimeType: 'text/plain', buffer: Buffer.from('again\n') } });
    await page.getByRole('button', { name: 'Submit' }).click();
    // The public sees what anyone sees: the confirmation. Whether the address was known stays confidential.
    await expect(page.getByRole('status')).toContainText('Thank you, Bo!');
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect
      .poll(async () => (await emailsTo(email)).some((m) => m.includes('Subject: We already have your details')), { timeout: 15_000 })
      .toBe(true);
  });

  test('a refused submission is announced: an alert, and focus on the field to fix', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    await fillForm(page, { first: 'Ada', last: 'Lovelace', email: 'not-an-email', file: { name: 'cv.pdf', mimeType: 'application/pdf', buffer: PDF } });
    await page.getByRole('button', { name: 'Submit' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Please correct the highlighted field');
    await expect(alert).toContainText('Enter an email address like name@example.com.');
    await expect(page.getByLabel('Email')).toBeFocused();
    // Pressing Submit again with the same mistake announces it again (a new alert, not a silent one).
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(alert).toHaveCount(1);
    await expect(page.getByLabel('Email')).toBeFocused();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a prospect submits with a plain form post and gets a confirmation', async ({ page }) => {
    await page.goto('/');
    const email = uniqueEmail('nojs');
    await fillForm(page, { first: 'Grace', last: 'Hopper', email, file: { name: 'grace.pdf', mimeType: 'application/pdf', buffer: PDF } });
    await page.getByRole('button', { name: 'Submit' }).click();
    const status = page.getByRole('status');
    await expect(status).toContainText('Thank you, Grace!');
    await expect(status).toContainText(email);
    await emailsTo(email);
  });

  test('the server shows errors next to their fields and keeps the typed values', async ({ page }) => {
    await page.goto('/');
    await fillForm(page, { first: 'Linus', email: 'linus@' });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Submit' }).click(),
    ]);
    expect(response.status()).toBe(400);
    await expect(page.getByRole('alert')).toContainText('Please correct the 3 highlighted fields.');
    await expect(page.locator('#last_name-error')).toHaveText('Enter your last name.');
    await expect(page.locator('#email-error')).toHaveText('Enter an email address like name@example.com.');
    await expect(page.locator('#resume-error')).toHaveText('Choose your resume file to upload.');
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-describedby', 'email-error');
    await expect(page.getByLabel('First name')).toHaveValue('Linus');
    await expect(page.getByLabel('Email')).toHaveValue('linus@');
  });
});

test('a browser app built unlike its server says so instead of half-hydrating', async ({ page, allowConsoleErrors }) => {
  allowConsoleErrors(/erase_components differs/);
  // Pretend the server was built in the other render mode.
  await page.route('/', async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace(
      /name="intake-render" content="(\w+)"/,
      (_, mode) => `name="intake-render" content="${mode === 'erased' ? 'typed' : 'erased'}"`,
    );
    await route.fulfill({ response: res, body: html });
  });
  const logged: string[] = [];
  page.on('console', (m) => logged.push(m.text()));
  await page.goto('/');
  await expect.poll(() => logged.join('\n')).toContain('erase_components differs');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
  // The no-JavaScript form is still there to use.
  await expect(page.getByRole('button', { name: 'Submit' })).toBeVisible();
});

test("the form downloads only the main WASM; an attorney's page loads its own part when shown", async ({ page }) => {
  const wasm: string[] = [];
  const caching: string[] = [];
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) {
      wasm.push(path);
      caching.push(r.headers()['cache-control'] ?? '');
    }
  });
  await page.goto('/');
  await waitForHydration(page);
  expect(wasm).toEqual(['/pkg/intake.wasm']);

  await logIn(page, ADMIN);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Leads' })).toBeVisible();
  const parts = wasm.filter((p) => p !== '/pkg/intake.wasm');
  expect(parts.length, `the dashboard's code comes in a part of its own: ${wasm.join(', ')}`).toBeGreaterThan(0);
  // Unhashed names: every part is checked again rather than reused from an earlier release.
  expect(caching.every((c) => c === 'no-cache'), caching.join(', ')).toBe(true);
});

test("a page whose code arrives late is marked hydrated only once its buttons work", async ({ page, browser }) => {
  const email = uniqueEmail('late');
  await submitLead(await (await browser.newContext()).newPage(), 'Lena', 'Late', email);
  await logIn(page, ADMIN, '/leads?q=' + encodeURIComponent(email));
  const href = await page.locator('tr', { hasText: email }).getByRole('link', { name: 'Lena Late' }).getAttribute('href');
  // A slow network for the attorneys' parts of the app: the server-rendered
  // lead page is on screen well before its buttons are wired.
  await page.route(/\/pkg\/.+\.wasm$/, async (route) => {
    if (!route.request().url().endsWith('/pkg/intake.wasm')) await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.goto(href!);
  await waitForHydration(page);
  let navigations = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(page.locator('dd[data-assignee]')).toHaveText('Administrator');
  expect(navigations, 'the click ran in the hydrated page, not as a plain form post').toBe(0);
});
