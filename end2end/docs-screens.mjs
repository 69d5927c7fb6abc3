// Seeds a fresh server (scripts/docs-screenshots.sh) and takes the README's screenshots.
import { chromium } from '@playwright/test';

const base = process.env.INTAKE_DOCS_URL;
/** A one-page PDF that says whose CV it is (offsets computed, so viewers render it). */
function cvPdf(name) {
  const text = (s) => s.replace(/[()\\]/g, (c) => '\\' + c);
  const stream = `BT /F1 20 Tf 72 760 Td (${text(name)}) Tj ET\nBT /F1 12 Tf 72 730 Td (Curriculum vitae) Tj ET\n` +
    `BT /F1 11 Tf 72 700 Td (Employment law paralegal, 6 years. Litigation support, intake interviews.) Tj ET\n`;
  const objects = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>',
    `<</Length ${stream.length}>>stream\n${stream}endstream`,
    '<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj${o}endobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
const people = [
  ['Maria', 'Gonzalez', 'google', 'spring-ads'],
  ['Kwame', 'Mensah', 'newsletter', ''],
  ['Sofia', 'Rossi', 'google', 'spring-ads'],
  ['Liam', "O'Connor", '', ''],
  ['Priya', 'Natarajan', 'linkedin', 'employment-law'],
  ['Jonas', 'Becker', '', ''],
];

async function submit(first, last, source, campaign) {
  const form = new FormData();
  form.set('first_name', first);
  form.set('last_name', last);
  form.set('email', `${first}.${last}`.toLowerCase().replace(/'/g, '') + '@example.com');
  if (source) form.set('utm_source', source);
  if (campaign) form.set('utm_campaign', campaign);
  form.set('resume', new Blob([cvPdf(`${first} ${last}`)], { type: 'application/pdf' }), `${first} ${last} CV.pdf`);
  const res = await fetch(`${base}/api/leads`, { method: 'POST', body: form });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

const ids = [];
for (const p of people.slice(0, 4)) ids.push(await submit(...p));
// Past the one-minute deadline: these four are overdue.
await new Promise((r) => setTimeout(r, 62_000));
for (const p of people.slice(4)) ids.push(await submit(...p));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const shoot = async (name, path, act) => {
  for (const [suffix, viewport] of [['', { width: 1280, height: 900 }], ['-phone', { width: 360, height: 780 }]]) {
    const page = await browser.newPage({ viewport, baseURL: base });
    await page.goto('/login?next=' + encodeURIComponent(path));
    await page.getByLabel('Email').fill('admin@harperlowe.test');
    await page.getByLabel('Password').fill('docs admin password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === path.split('?')[0]);
    await page.waitForSelector('html[data-hydrated="true"]');
    if (act) await act(page);
    await page.screenshot({ path: `../docs/${name}${suffix}.png`, fullPage: suffix === '' });
    await page.close();
  }
};

// Set the scene as an attorney would: take one, give one to Bob, reach out to one, note one.
const admin = await browser.newPage({ baseURL: base });
await admin.goto('/login?next=/leads');
await admin.getByLabel('Email').fill('admin@harperlowe.test');
await admin.getByLabel('Password').fill('docs admin password');
await admin.getByRole('button', { name: 'Log in' }).click();
await admin.waitForURL('**/leads');
const open = async (id) => {
  await admin.goto(`/leads/${id}`);
  await admin.waitForSelector('html[data-hydrated="true"]');
};
await open(ids[0]);
await admin.getByRole('button', { name: 'Assign to me' }).click();
await admin.locator('dd[data-assignee="Administrator"]').waitFor();
await admin.getByLabel('Add a note').fill('Called, left a voicemail. Will try again Thursday morning.');
await admin.getByRole('button', { name: 'Add note' }).click();
await admin.getByText('Note by Administrator').waitFor();
await open(ids[1]);
await admin.getByLabel('Assign to', { exact: true }).selectOption({ label: 'Bob Burns' });
await admin.getByRole('button', { name: 'Assign', exact: true }).click();
await admin.locator('dd[data-assignee="Bob Burns"]').waitFor();
await open(ids[4]);
await admin.getByRole('button', { name: 'Mark reached out' }).click();
await admin.getByText('Marked reached out by Administrator').waitFor();

await shoot('dashboard', '/leads');
await shoot('overdue', '/leads?state=overdue');
await shoot('lead', `/leads/${ids[0]}`);
await shoot('admin', '/admin');
await shoot('account', '/account');
await browser.close();
console.log('docs/*.png written');
