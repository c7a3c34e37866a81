// A shipped model.onnx in onnxruntime-web (wasm, one thread) inside headless Chromium scores every golden row
// like the trainer did. Everything is served from 127.0.0.1 by this test; any other request fails the test.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { PD_TOLERANCE } from './golden-core.mjs';
import { goldenPath, inputTypes, loadGolden, modelPath, probabilityOutputName, repoRoot, requireFile } from './artifacts.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ortDist = path.join(repoRoot, 'node_modules', 'onnxruntime-web', 'dist');
const golden = loadGolden();
const inputs = inputTypes();
requireFile(modelPath);
requireFile(path.join(ortDist, 'ort.wasm.min.mjs'));
if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/install.sh does)`);

const page = `<!doctype html><meta charset="utf-8"><title>onnxruntime-web golden check</title>
<script type="module">
  import * as ort from '/ort/ort.wasm.min.mjs';
  import { compare, compareDecisions, feedsFor } from '/lib/golden-core.mjs';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = '/ort/';
  try {
    const golden = await (await fetch('/golden.json')).json();
    const session = await ort.InferenceSession.create('/model.onnx', { executionProviders: ['wasm'], logSeverityLevel: 3 });
    const output = ${JSON.stringify(probabilityOutputName())};
    const names = golden.outputs;
    const result = await session.run(feedsFor(ort.Tensor, ${JSON.stringify(inputs)}, golden.rows), [output, ...Object.values(names)]);
    const outputs = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, Array.from(result[name].data)]));
    window.__result = { inputs: session.inputNames.length, ...compare(golden, Array.from(result[output].data)), decisions: compareDecisions(golden, outputs) };
  } catch (e) {
    window.__result = { error: String(e && e.stack || e) };
  }
</script>`;

const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.onnx': 'application/octet-stream' };
const routes = (url) => {
  if (url === '/') return { body: page, type: 'text/html' };
  if (url === '/model.onnx') return { file: modelPath };
  if (url === '/golden.json') return { file: goldenPath };
  if (url === '/lib/golden-core.mjs') return { file: path.join(repoRoot, 'tests', 'polyglot', 'golden-core.mjs') };
  const ort = url.match(/^\/ort\/([\w.-]+)$/);
  if (ort) return { file: path.join(ortDist, ort[1]) };
  return null;
};
const server = http.createServer((req, res) => {
  const route = routes(new URL(req.url, 'http://x').pathname);
  if (!route || (route.file && !fs.existsSync(route.file))) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': route.type ?? types[path.extname(route.file)] ?? 'application/octet-stream' });
  if (route.body) res.end(route.body); else fs.createReadStream(route.file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
after(async () => {
  await context.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
});

test(`onnxruntime-web (wasm) in Chromium: all golden rows within ${PD_TOLERANCE}, identical decisions, the file's threshold, decision and expected profit`, { timeout: 120_000 }, async (t) => {
  const tab = await context.newPage();
  const foreign = [];
  await tab.route('**/*', (route) => {
    if (route.request().url().startsWith(origin)) return route.continue();
    foreign.push(route.request().url());
    return route.abort();
  });
  const consoleErrors = [];
  tab.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => window.__result !== undefined, null, { timeout: 110_000 });
  const r = await tab.evaluate(() => window.__result);
  assert.equal(r.error, undefined, `${r.error}\n${consoleErrors.join('\n')}`);
  t.diagnostic(`onnxruntime-web: ${r.rows} rows, max |ΔPD| = ${r.maxDelta.toExponential(3)} (row ${r.worstRow})`);
  assert.equal(r.inputs, Object.keys(inputs).length);
  assert.equal(r.rows, golden.rows.length);
  assert.deepEqual(r.outOfTolerance.slice(0, 5), [], `${r.outOfTolerance.length} rows beyond tolerance`);
  assert.deepEqual(r.decisionMismatches.slice(0, 5), [], `${r.decisionMismatches.length} decisions differ`);
  // The file's own decision outputs: the golden threshold, decision and expected profit of every row.
  t.diagnostic(`onnxruntime-web decision outputs: max |Δthreshold| = ${r.decisions.maxThresholdDelta.toExponential(3)}, max |Δprofit| = ${r.decisions.maxProfitDelta.toExponential(3)}`);
  assert.equal(r.decisions.rows, golden.rows.length);
  assert.deepEqual(r.decisions.mismatches.slice(0, 5), [], `${r.decisions.mismatches.length} rows' threshold, decision or expected profit differ`);
  assert.deepEqual(foreign, [], 'the page must not reach beyond 127.0.0.1');
});
