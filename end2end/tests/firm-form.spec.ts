import { ADMIN, PDF, axeClean, fillForm, logIn, uniqueEmail, waitForHydration, test, expect } from './helpers';
import type { Page } from '@playwright/test';

// This file's server has a form of its own (see playwright.config.ts); its
// tests build on one another's versions, so they run in order.
test.use({ baseURL: process.env.INTAKE_E2E_FORM_URL });
test.describe.configure({ mode: 'serial' });

const phone = { width: 360, height: 780 };

async function save(admin: Page, version: number) {
  await admin.getByRole('button', { name: 'Save as a new version' }).click();
  await expect(admin.locator('.save-bar [role=status]')).toHaveText(`Saved as version ${version}.`);
}

test('an admin builds the form; a prospect answers it and an attorney reads the answers', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, ADMIN, '/admin/form');
  await waitForHydration(admin);
  await expect(admin.getByRole('heading', { level: 1, name: 'Intake form' })).toBeVisible();
  await expect(admin.getByText('No form saved yet')).toBeVisible();

  // A matter type with a choice and a phone number…
  await admin.getByRole('button', { name: 'Add a matter type' }).click();
  const visa = admin.locator('section.matter').nth(0);
  await visa.getByLabel('Name (English)').fill('Employment-based visa');
  await visa.getByLabel('Name (Spanish)').fill('Visa de empleo');
  const q1 = visa.locator('fieldset.question-editor').nth(0);
  await q1.getByLabel('Question (English)').fill('Which visa?');
  await q1.getByLabel('Answer').selectOption({ label: 'One choice' });
  await q1.getByLabel('Choices (English), one per line').fill('H-1B\nL-1\nO-1');
  await q1.getByLabel('Required').check();
  await visa.getByRole('button', { name: 'Add a question' }).click();
  const q2 = visa.locator('fieldset.question-editor').nth(1);
  await q2.getByLabel('Question (English)').fill('Phone number');
  await q2.getByLabel('Help text (English, optional)').fill('We call you on this number.');
  await q2.getByLabel('Answer').selectOption({ label: 'Phone number' });
  await q2.getByLabel('Required').check();
  // … and a second one; what was typed above survives the redraws.
  await admin.getByRole('button', { name: 'Add a matter type' }).click();
  const family = admin.locator('section.matter').nth(1);
  await family.getByLabel('Name (English)').fill('Family');
  await family.locator('fieldset.question-editor').nth(0).getByLabel('Question (English)').fill('Who is your relative?');
  await expect(q1.getByLabel('Question (English)')).toHaveValue('Which visa?');
  await expect(q1.getByLabel('Choices (English), one per line')).toHaveValue('H-1B\nL-1\nO-1');
  await save(admin, 1);
  await expect(admin.getByText('Prospects now see version 1.')).toBeVisible();
  await admin.screenshot({ path: 'test-results/screens/form-editor.png', fullPage: true });
  await axeClean(admin);

  // The prospect chooses the matter type first; its questions follow.
  const prospect = await (await browser.newContext()).newPage();
  await prospect.goto('/');
  await waitForHydration(prospect);
  await expect(prospect.getByLabel('First name')).toHaveCount(0);
  await axeClean(prospect);
  await prospect.getByLabel('Employment-based visa').check();
  await expect(prospect).toHaveURL(/\?matter=employment-based-visa$/);
  await expect(prospect.getByRole('group', { name: 'Which visa?' })).toBeVisible();
  await expect(prospect.getByText('Who is your relative?')).toHaveCount(0);
  const email = uniqueEmail('visa');
  await fillForm(prospect, { first: 'José', last: 'García', email, file: { name: 'cv.pdf', mimeType: 'application/pdf', buffer: PDF } });
  await prospect.getByLabel('Phone number').fill('555 0143');
  await prospect.getByRole('button', { name: 'Submit' }).click();
  const summary = prospect.getByRole('alert');
  await expect(summary).toContainText('Please correct the 2 highlighted fields.');
  await expect(summary).toContainText('Answer this question.');
  await expect(summary).toContainText('Enter the number with its country code');
  await expect(prospect.getByLabel('Employment-based visa')).toBeChecked();
  await prospect.screenshot({ path: 'test-results/screens/form-questions-errors.png', fullPage: true });
  await axeClean(prospect);
  // An attorney's dashboard, filtered by the matter type and searching the
  // phone number as a person would type it, waits for the lead.
  const watcher = await (await browser.newContext()).newPage();
  await logIn(watcher, ADMIN, '/leads?matter=employment-based-visa&q=555-0143');
  await waitForHydration(watcher);
  await expect(watcher.getByText('No leads match this view.')).toBeVisible();
  await expect(watcher.getByLabel('Matter type')).toHaveValue('employment-based-visa');
  await prospect.getByLabel('H-1B').check();
  await prospect.getByLabel('Phone number').fill('+1 202 555 0143');
  await prospect.getByRole('button', { name: 'Submit' }).click();
  await expect(prospect.getByRole('status')).toContainText(email);
  // It arrives live (the row names its matter type), and the other type's view does not hold it.
  const arrived = watcher.locator('tbody tr', { hasText: email });
  await expect(arrived).toBeVisible();
  await expect(arrived.locator('.matter')).toHaveText('Employment-based visa');
  await expect(watcher.locator('.count')).toHaveText('1 lead matches this view');
  await watcher.screenshot({ path: 'test-results/screens/dashboard-matter.png', fullPage: true });
  await axeClean(watcher);
  await watcher.setViewportSize(phone);
  await expect(arrived.locator('.matter')).toBeVisible();
  await watcher.screenshot({ path: 'test-results/screens/dashboard-matter-phone.png', fullPage: true });
  await axeClean(watcher);
  await watcher.getByLabel('Matter type').selectOption({ label: 'Family' });
  await watcher.getByRole('button', { name: 'Apply' }).click();
  await expect(watcher).toHaveURL(/matter=family/);
  await expect(watcher.getByText('No leads match this view.')).toBeVisible();
  await watcher.context().close();

  // The attorney sees the answers with the questions as they were asked.
  await admin.goto('/leads');
  await waitForHydration(admin);
  await admin.locator('tbody tr', { hasText: email }).locator('a').first().click();
  const answers = admin.locator('section', { has: admin.getByRole('heading', { name: 'Matter: Employment-based visa' }) });
  await expect(answers).toContainText('Answered on version 1 of the intake form.');
  await expect(answers).toContainText('Which visa?');
  await expect(answers).toContainText('H-1B');
  await expect(answers).toContainText('+12025550143');
  await admin.screenshot({ path: 'test-results/screens/lead-answers.png', fullPage: true });
  await axeClean(admin);
});

test('a question added to the form is asked of the next prospect, without JavaScript too', async ({ browser }) => {
  const admin = await (await browser.newContext({ viewport: phone })).newPage();
  await logIn(admin, ADMIN, '/admin/form');
  await waitForHydration(admin);
  const family = admin.locator('section.matter').nth(1);
  await family.getByRole('button', { name: 'Add a question' }).click();
  const added = family.locator('fieldset.question-editor').nth(1);
  await added.getByLabel('Question (English)').fill('Where do you live?');
  await added.getByLabel('Required').check();
  await admin.getByLabel('Notice (English)').fill('Harper & Lowe keeps your details for two years, to answer you.');
  await admin.getByLabel('Prospects must agree to send the form').check();
  await save(admin, 2);
  await admin.screenshot({ path: 'test-results/screens/form-editor-phone.png', fullPage: true });
  await axeClean(admin);

  const page = await (await browser.newContext({ javaScriptEnabled: false, viewport: phone })).newPage();
  await page.goto('/');
  await page.getByLabel('Family').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/[?&]matter=family$/);
  await expect(page.getByLabel('Where do you live?', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Who is your relative? (optional)')).toBeVisible();
  const email = uniqueEmail('family');
  await fillForm(page, { first: 'Ana', last: 'Ruiz', email, file: { name: 'cv.pdf', mimeType: 'application/pdf', buffer: PDF } });
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('alert')).toContainText('Please correct the 2 highlighted fields.');
  await expect(page.getByRole('alert')).toContainText('Answer this question.');
  await expect(page.getByRole('alert')).toContainText('Tick the box to agree to the privacy notice.');
  await page.getByLabel('Who is your relative? (optional)').fill('My sister, a citizen');
  await page.getByLabel('Where do you live?', { exact: true }).fill('Sevilla');
  await expect(page.getByText('Harper & Lowe keeps your details for two years')).toBeVisible();
  await page.getByLabel('I have read the privacy notice and agree to it').check();
  // A refused page cannot keep the chosen file: it is chosen again.
  await page.getByLabel('Resume').setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.screenshot({ path: 'test-results/screens/form-questions-phone.png', fullPage: true });
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('status')).toContainText(email);

  const attorney = await (await browser.newContext({ viewport: phone })).newPage();
  await logIn(attorney, ADMIN);
  await waitForHydration(attorney);
  await attorney.locator('tbody tr', { hasText: email }).locator('a').first().click();
  await expect(attorney.getByText('Answered on version 2 of the intake form.')).toBeVisible();
  await expect(attorney.locator('dd.answer', { hasText: 'Sevilla' })).toBeVisible();
  await expect(attorney.locator('dd[data-consent="agreed"]')).toContainText('Agreed at');
  await axeClean(attorney);
});

test('a prospect whose browser asks for Spanish answers in Spanish and is confirmed in Spanish', async ({ browser }) => {
  const page = await (await browser.newContext({ locale: 'es-ES', viewport: phone })).newPage();
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByRole('navigation', { name: 'Idioma' })).toContainText('English');
  await page.getByLabel('Visa de empleo').check();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cuéntenos sobre usted');
  const email = uniqueEmail('es');
  await page.getByLabel('Nombre', { exact: true }).fill('Lucía');
  await page.getByLabel('Apellidos').fill('Fernández');
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Currículum').setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByLabel('H-1B').check();
  await page.getByLabel('Phone number').fill('612 345 678');
  await page.getByRole('button', { name: 'Enviar' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('Corrija los 2 campos señalados.');
  await expect(summary).toContainText('Escriba el número con su prefijo internacional');
  await expect(summary).toContainText('Marque la casilla para aceptar el aviso de privacidad.');
  await page.screenshot({ path: 'test-results/screens/form-spanish-errors.png', fullPage: true });
  await axeClean(page);
  await page.getByLabel('Phone number').fill('+34 612 345 678');
  await page.getByLabel('He leído el aviso de privacidad y lo acepto').check();
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.getByRole('status')).toContainText('¡Gracias, Lucía!');
  await expect(page.getByRole('status')).toContainText(email);

  // The switch goes back to English, keeping the matter type.
  await page.goto('/?lang=es&matter=employment-based-visa');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tell us about yourself');
  await expect(page.getByLabel('Employment-based visa')).toBeChecked();
});

test('a matter type that makes the resume optional takes a lead without one', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, ADMIN, '/admin/form');
  await waitForHydration(admin);
  const family = admin.locator('section.matter').nth(1);
  await expect(family.getByLabel('Prospects must send a resume')).toBeChecked();
  await family.getByLabel('Prospects must send a resume').uncheck();
  await save(admin, 3);

  const page = await (await browser.newContext()).newPage();
  await page.goto('/?matter=family');
  await waitForHydration(page);
  await expect(page.getByText('Resume (optional)')).toBeVisible();
  const email = uniqueEmail('nocv');
  await fillForm(page, { first: 'Noa', last: 'Levi', email });
  await page.getByLabel('Where do you live?', { exact: true }).fill('Haifa');
  await page.getByLabel('I have read the privacy notice and agree to it').check();
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('status')).toContainText(email);
  await axeClean(page);
  // The visa still asks for one.
  await page.goto('/?matter=employment-based-visa');
  await waitForHydration(page);
  await expect(page.getByText('Resume (optional)')).toHaveCount(0);

  await admin.goto('/leads');
  await waitForHydration(admin);
  const row = admin.locator('tbody tr', { hasText: email });
  await expect(row.locator('td[data-label="Resume"]')).toHaveText('None');
  await row.locator('a').first().click();
  await expect(admin.getByText('None sent (optional for this matter type)')).toBeVisible();
  await expect(admin.getByRole('link', { name: 'Download resume' })).toHaveCount(0);
  await axeClean(admin);
});

test('a document question takes a file that the attorney downloads from the lead', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, ADMIN, '/admin/form');
  await waitForHydration(admin);
  const family = admin.locator('section.matter').nth(1);
  await family.getByRole('button', { name: 'Add a question' }).click();
  const added = family.locator('fieldset.question-editor').last();
  await added.getByLabel('Question (English)').fill('Your passport');
  await added.getByLabel('Answer').selectOption({ label: 'Document' });
  await added.getByLabel('Required').check();
  await save(admin, 4);

  const page = await (await browser.newContext({ viewport: phone })).newPage();
  await page.goto('/?matter=family');
  await waitForHydration(page);
  const email = uniqueEmail('doc');
  await fillForm(page, { first: 'Ines', last: 'Moreau', email });
  await page.getByLabel('Where do you live?', { exact: true }).fill('Lyon');
  await page.getByLabel('I have read the privacy notice and agree to it').check();
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('alert')).toContainText('Answer this question.');
  // A file over the limit (the resume's, 10 MiB by default) is refused as soon as it is chosen, and the field says the limit.
  const passport = page.getByLabel('Your passport');
  await expect(passport).toHaveAccessibleDescription(/up to 10 MiB/);
  const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
  await passport.setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: big });
  await expect(passport).toHaveAccessibleDescription(/The file is too large: the limit is 10 MiB\./);
  await passport.setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
  await expect(passport).not.toHaveAccessibleDescription(/too large/);
  await page.screenshot({ path: 'test-results/screens/form-document-phone.png', fullPage: true });
  await axeClean(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('status')).toContainText(email);

  await admin.goto('/leads');
  await waitForHydration(admin);
  await admin.locator('tbody tr', { hasText: email }).locator('a').first().click();
  const link = admin.getByRole('link', { name: 'passport.pdf' });
  await expect(link).toHaveAttribute('href', /\/documents\/your-passport$/);
  const [download] = await Promise.all([admin.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('passport.pdf');
  await axeClean(admin);
});
