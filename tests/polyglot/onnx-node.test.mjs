// A shipped model.onnx in onnxruntime-node scores every golden row like the trainer did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { compare, compareDecisions, feedsFor, PD_TOLERANCE } from './golden-core.mjs';
import { inputTypes, loadGolden, modelPath, probabilityOutputName, requireFile } from './artifacts.mjs';

const golden = loadGolden();
const output = probabilityOutputName();
const types = inputTypes();
// Severity 3 (error): ML.NET's export declares one-hot shapes [N,1,k] where ORT infers [N,k]; ORT's warning about it is noise.
const session = await ort.InferenceSession.create(requireFile(modelPath), { logSeverityLevel: 3 });

test('the model takes exactly the inputs its sidecar lists (the spec\'s features) and gives P(bad)', () => {
  assert.deepEqual([...session.inputNames].sort(), Object.keys(types).sort());
  assert.ok(session.outputNames.includes(output), `outputs: ${session.outputNames.join(', ')}`);
});

test('an extra feed is ignored, a missing one refused (what docs/polyglot.md tells users)', async () => {
  const row = golden.rows.find((r) => r.kind === 'data');
  const feeds = feedsFor(ort.Tensor, types, [row]);
  const pd = (await session.run(feeds, [output]))[output].data[0];
  // ONNX Runtime 1.30 scores as if the extra name were absent: no error, the same PD.
  const extra = { ...feeds, notAModelInput: new ort.Tensor('string', ['x'], [1, 1]) };
  assert.equal((await session.run(extra, [output]))[output].data[0], pd);
  const [first] = Object.keys(types);
  const { [first]: _, ...missing } = feeds;
  await assert.rejects(session.run(missing, [output]), new RegExp(`input '${first}' is missing`));
});

test('every golden kind is present (data, edge, split, unseen)', () => {
  const kinds = new Set(golden.rows.map((r) => r.kind));
  for (const kind of ['data', 'edge', 'split', 'unseen']) assert.ok(kinds.has(kind), `no '${kind}' rows in golden.json`);
});

test(`all golden rows: max |ΔPD| ≤ ${PD_TOLERANCE} and identical decisions`, async (t) => {
  const result = await session.run(feedsFor(ort.Tensor, types, golden.rows), [output]);
  const pds = Array.from(result[output].data);
  const cmp = compare(golden, pds);
  t.diagnostic(`onnxruntime-node: ${cmp.rows} rows, max |ΔPD| = ${cmp.maxDelta.toExponential(3)} (row ${cmp.worstRow})`);
  assert.deepEqual(cmp.outOfTolerance.slice(0, 5), [], `${cmp.outOfTolerance.length} rows beyond tolerance`);
  assert.deepEqual(cmp.decisionMismatches.slice(0, 5), [], `${cmp.decisionMismatches.length} decisions differ`);
});

test('rows scored one at a time match the batch (no cross-row leakage)', async () => {
  const sample = golden.rows.filter((_, i) => i % 97 === 0);
  for (const row of sample) {
    const result = await session.run(feedsFor(ort.Tensor, types, [row]), [output]);
    assert.ok(Math.abs(result[output].data[0] - row.pd) <= PD_TOLERANCE, `row ${JSON.stringify(row.input)}`);
  }
});

test('the file alone gives the golden threshold, decision and expected profit of every row', async (t) => {
  const names = golden.outputs;
  assert.ok(names, 'golden.json names no decision outputs');
  for (const name of Object.values(names)) assert.ok(session.outputNames.includes(name), `no output ${name}: ${session.outputNames.join(', ')}`);
  const result = await session.run(feedsFor(ort.Tensor, types, golden.rows), Object.values(names));
  const outputs = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, Array.from(result[name].data)]));
  const cmp = compareDecisions(golden, outputs);
  t.diagnostic(`onnxruntime-node (${golden.economics} economics): max |Δthreshold| = ${cmp.maxThresholdDelta.toExponential(3)}, max |Δprofit| = ${cmp.maxProfitDelta.toExponential(3)}`);
  assert.deepEqual(cmp.mismatches.slice(0, 5), [], `${cmp.mismatches.length} rows differ`);
  assert.equal(result[names.approve].type, 'bool');
  assert.deepEqual(result[names.threshold].dims, [golden.rows.length, 1]);
});
