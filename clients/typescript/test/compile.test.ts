// The generated types are strict enough that a wrong enum literal, or an applicant with fields left out, does not compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './live-server.js';

test('tsc rejects checkingAccount: "A11" (negative/wrong-enum.ts) an applicant with fields left out (negative/missing-field.ts) and a V2 input without its shape (negative/v2-missing-shape.ts)', () => {
  const root = repoRoot();
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'clients', 'typescript', 'negative')], { encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  assert.notEqual(r.status, 0, `tsc accepted a wrong enum literal:\n${output}`);
  assert.match(output, /wrong-enum\.ts.*error TS2322: Type '"A11"' is not assignable/, output);
  assert.match(output, /missing-field\.ts.*error TS2740: Type .* is missing the following properties from type .*: creditHistory, purpose/, output);
  assert.match(output, /v2-missing-shape\.ts.*error TS2741: Property 'shape' is missing/, output);
  assert.doesNotMatch(output, /src\/|test\//, `only the negative file may fail:\n${output}`);
});
