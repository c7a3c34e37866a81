// The analyst's view of one running server, as pictures: the Score tab with a borderline applicant scored, the Model
// tab and the Monitoring tab, at 1366×900, full page. Before it shoots, it does what the analyst in issue 33 did: scores
// 1,000 applicants and feeds 600 outcomes back. Usage: node shoot.mjs <base-url> <api-key> <out-dir>
// Needs playwright-core (the repo's node_modules) and Chromium at /usr/bin/chromium (or CHROMIUM).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, key, out] = process.argv.slice(2);
if (!base || !key || !out) {
  console.error('usage: node shoot.mjs <base-url> <api-key> <out-dir>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

// A seeded generator, so both servers see the same applicants and the same outcomes.
let seed = 20261207;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

async function api(path, body) {
  const response = await fetch(new URL(path, base), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

// Applicants: the card's example with every attribute redrawn, categories from the spec's values, numbers scaled.
const model = await api('/api/v1/model');
const features = model.features;
const example = model.exampleApplicant;
const applicants = Array.from({ length: 1000 }, () => {
  const a = { ...example };
  for (const f of features) {
    if (!(f.name in a)) continue;
    if (f.values?.length) a[f.name] = f.values[Math.floor(random() * f.values.length)].value;
    else if (typeof a[f.name] === 'number') {
      const v = a[f.name] * (0.5 + random());
      const lo = f.min ?? -Infinity; const hi = f.max ?? Infinity;
      a[f.name] = Math.min(hi, Math.max(lo, Number.isInteger(example[f.name]) ? Math.round(v) : v));
    }
  }
  return a;
});
const scored = (await api('/api/v1/score/batch', { applicants })).results;
const now = new Date().toISOString();
const outcomes = scored.slice(0, 600).map((r) => ({ decisionId: r.decisionId, defaulted: random() < r.probabilityOfDefault, observedAt: now }));
for (let i = 0; i < outcomes.length; i += 100) {
  await Promise.all(outcomes.slice(i, i + 100).map((o) => api('/api/v1/outcomes', o)));
}
// The applicant the analyst saw contradicted: PD just above the 5:1 break-even (1/6) and below the threshold, if any.
const index = scored.findIndex((r) => r.probabilityOfDefault > 1 / 6 && r.probabilityOfDefault < r.threshold);
const shown = applicants[index >= 0 ? index : scored.findIndex((r) => Math.abs(r.probabilityOfDefault - r.threshold) < 0.02) || 0];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, baseURL: base });
// A loaded machine (CI, other builds) can take a while to build the form.
page.setDefaultTimeout(120000);
await page.goto('/#score');
await page.locator("body[data-ready='true']").waitFor();
await page.evaluate((applicant) => {
  for (const [name, value] of Object.entries(applicant)) {
    const control = document.querySelector(`#f-${name}`);
    if (!control) continue;
    control.value = value === null ? '' : String(value);
    control.dispatchEvent(new Event('input', { bubbles: true }));
    control.dispatchEvent(new Event('change', { bubbles: true }));
  }
}, shown);
await page.locator('#submit-score').click();
await page.locator('#result').waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: join(out, 'score-1366x900.png'), fullPage: true });

await page.goto('/#model');
await page.waitForTimeout(1500);
// The charts load lazily, as the reader scrolls: load them all before a full-page picture.
await page.evaluate(async () => {
  const images = [...document.querySelectorAll('img')];
  for (const image of images) image.loading = 'eager';
  await Promise.all(images.map((image) => (image.complete ? null : new Promise((done) => { image.onload = image.onerror = done; }))));
});
await page.screenshot({ path: join(out, 'model-1366x900.png'), fullPage: true });

await page.goto('/#monitoring');
const keyForm = page.locator('#monitoring-key');
await page.waitForTimeout(1000);
if (await keyForm.isVisible()) {
  await page.locator('#monitoring-key-input').fill(key);
  await keyForm.locator('button[type=submit]').click();
}
await page.locator('#monitoring-charts > *').first().waitFor();
await page.waitForTimeout(1500);
await page.screenshot({ path: join(out, 'monitoring-1366x900.png'), fullPage: true });
await browser.close();
console.log(`${out}: score (PD ${scored[Math.max(index, 0)].probabilityOfDefault.toFixed(4)}), model, monitoring; 1,000 scored, 600 outcomes`);
