// The OpenAPI contract: Spectral (spectral:oas, fail on warnings), Redocly lint, and openapi-diff against the
// released baseline contracts/openapi.v5.yaml, failing on a breaking change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { repoRoot, requireFile } from './artifacts.mjs';

const bin = (name) => requireFile(path.join(repoRoot, 'node_modules', '.bin', name));
const spec = requireFile(path.join(repoRoot, 'openapi.yaml'));
const baseline = requireFile(path.join(repoRoot, 'contracts', 'openapi.v5.yaml'));
const tools = {
  spectral: [bin('spectral')],
  redocly: [bin('redocly')],
  // openapi-diff through a wrapper that lets its parser read OpenAPI 3.0.4 (see the wrapper's header).
  'openapi-diff': [process.execPath, path.join(repoRoot, 'tests', 'polyglot', 'openapi-diff.mjs')],
};
bin('openapi-diff');

function run(tool, args) {
  const [command, ...prefix] = tools[tool];
  const r = spawnSync(command, [...prefix, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

test('Spectral (spectral:oas) finds nothing at warn or above', () => {
  const r = run('spectral', ['lint', 'openapi.yaml', '--ruleset', '.spectral.yaml', '--fail-severity=warn']);
  assert.equal(r.status, 0, r.output);
});

test('Redocly lint (redocly.yaml) finds no errors', () => {
  const r = run('redocly', ['lint', 'openapi.yaml', '--format=stylish']);
  assert.equal(r.status, 0, r.output);
});

test('servers: is declared so Swagger UI and generated clients have a base URL', () => {
  const doc = yaml.load(fs.readFileSync(spec, 'utf8'));
  assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0, 'openapi.yaml has no servers');
});

test('strings YAML 1.1 reads as booleans (yes/no/on/off) are quoted, so every YAML parser sees strings', () => {
  // YAML 1.2 parsers (Spectral, js-yaml, NSwag) read a bare `yes` as a string; YAML 1.1 ones (PyYAML, SnakeYAML,
  // hence many generators) read it as true, turning foreignWorker's enum into booleans for their users.
  const bare = fs.readFileSync(spec, 'utf8').split('\n')
    .map((line, i) => ({ line: i + 1, text: line }))
    .filter(({ text }) => /^\s*(?:-\s+|[^\s:#'"][^:#]*:\s+)(?:y|n|yes|no|on|off)\s*$/i.test(text));
  assert.deepEqual(bare, [], 'quote these scalars in openapi.yaml (or write the document as JSON)');
});

test('no breaking change against the released baseline contracts/openapi.v5.yaml', () => {
  const r = run('openapi-diff', [baseline, spec]);
  assert.equal(r.status, 0, `openapi-diff found breaking changes (bump the baseline only for a deliberate major version):\n${r.output}`);
});

test('the breaking-change check does catch a breaking change (a removed operation)', () => {
  const doc = yaml.load(fs.readFileSync(spec, 'utf8'));
  const removed = Object.keys(doc.paths)[0];
  delete doc.paths[removed];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-openapi-'));
  try {
    const broken = path.join(dir, 'openapi.yaml');
    fs.writeFileSync(broken, yaml.dump(doc));
    const r = run('openapi-diff', [spec, broken]);
    assert.notEqual(r.status, 0, `removing ${removed} was not reported as breaking:\n${r.output}`);
    assert.match(r.output, /breaking/i);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
