// The OpenAPI contract: Spectral (spectral:oas, fail on warnings), Redocly lint, openapi-diff against the
// released baseline contracts/openapi.v5.yaml, failing on a breaking change; and, for every shipped model's document,
// a validator with OpenAPI 3.0's own semantics (Ajv's `nullable`) agreeing with the real server on what it accepts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { repoRoot, requireFile } from './artifacts.mjs';
import { startServer } from './live-server.mjs';

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

// Each shipped model serves its own document (the same binary, one document per model): the committed one must say
// exactly what that server accepts. Bodies the server takes (200, or 404 for an outcome of an unknown decision) must
// validate; bodies it refuses with a 400 must not. OAS 3.0: `nullable: true` does not add null to an `enum`, so a
// nullable category has to list null itself (Ajv applies both rules, as openapi-schema-validator does).
const models = [
  { name: 'german-credit', document: 'openapi.yaml', settings: [] },
  { name: 'lending-club', document: 'artifacts/lending-club/openapi.yaml', settings: [`--Model:Path=${path.join(repoRoot, 'artifacts', 'lending-club', 'model.onnx')}`] },
];
const key = 'contract-test-key-0123456789';

for (const model of models) {
  describe(`${model.document} says what the ${model.name} server accepts`, () => {
    let server;
    let validate;
    let example;
    before(async () => {
      const doc = yaml.load(fs.readFileSync(requireFile(path.join(repoRoot, model.document)), 'utf8'));
      const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
      ajv.addSchema({ $id: 'doc', components: doc.components });
      validate = (schema, body) => {
        const check = ajv.getSchema(`doc#/components/schemas/${schema}`);
        return check(body) ? [] : check.errors;
      };
      server = await startServer([...model.settings, `--ApiKey:Key=${key}`]);
      example = (await (await fetch(`${server.baseUrl}/api/v1/model`)).json()).exampleApplicant;
      assert.ok(example, 'GET /api/v1/model has no exampleApplicant');
    });
    after(async () => server?.stop());

    async function post(route, body) {
      const response = await fetch(`${server.baseUrl}${route}`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    }

    /** The validator and the server agree on the body: accepted by both or refused by both. */
    async function agree(schema, route, body, why) {
      const errors = validate(schema, body);
      const { status, text } = await post(route, body);
      const served = status === 200 || (route === '/api/v1/outcomes' && status === 404);
      assert.ok(status === 200 || status === 400 || status === 404, `${why}: the server answered ${status}: ${text}`);
      assert.equal(errors.length === 0, served, `${why}: the document ${errors.length === 0 ? 'accepts' : 'refuses'} it (${JSON.stringify(errors)}), the server answered ${status}: ${text}`);
      return served;
    }

    test('applicants: the example, null for every optional attribute, a missing, unknown or out-of-range value', async () => {
      const applicant = validate('Applicant', example);
      assert.deepEqual(applicant, [], "the model card's example applicant");
      const properties = yaml.load(fs.readFileSync(path.join(repoRoot, model.document), 'utf8')).components.schemas.Applicant.properties;
      let accepted = 0;
      let refused = 0;
      for (const [name, property] of Object.entries(properties)) {
        const cases = [];
        // null: accepted exactly where the document says nullable (the issue: `"home": null`).
        cases.push([`${name}: null`, { ...example, [name]: null }]);
        const { [name]: _, ...without } = example;
        cases.push([`${name} left out`, without]);
        if (property.enum) cases.push([`${name}: an unknown value`, { ...example, [name]: 'notAValue' }]);
        if (property.maximum !== undefined) cases.push([`${name} above its maximum`, { ...example, [name]: property.maximum + 1 }]);
        if (property.type === 'integer') cases.push([`${name} not whole`, { ...example, [name]: (property.minimum ?? 0) + 0.5 }]);
        for (const [why, body] of cases) {
          if (await agree('Applicant', '/api/v1/score', body, why)) accepted++;
          else refused++;
        }
      }
      assert.ok(await agree('Applicant', '/api/v1/score', { ...example, surname: 'x' }, 'an unknown field') === false);
      // Both kinds occurred, so neither side can be agreeing vacuously.
      assert.ok(accepted > 0 && refused > 0, `${accepted} accepted, ${refused} refused`);
    });

    test(`data/${model.name}/sample.csv (ten rows, an id column, a missing value) scores over text/csv`, async () => {
      const csv = fs.readFileSync(path.join(repoRoot, 'data', model.name, 'sample.csv'), 'utf8');
      const lines = csv.trim().split('\n');
      assert.equal(lines.length, 11, 'a header and ten rows');
      assert.match(lines[0], /^applicationId,/);
      assert.ok(lines.slice(1).some((l) => /(^|,)(,|$)/.test(l)), 'an empty cell');
      const response = await fetch(`${server.baseUrl}/api/v1/score/batch`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      const scored = await response.text();
      assert.equal(response.status, 200, scored);
      const [header, ...rows] = scored.trim().split('\n');
      assert.match(header, /^applicationId,.*,probabilityOfDefault,decision,/);
      assert.equal(rows.length, 10);
    });

    test('outcomes: one id (the other left out or null), neither, both, a batch', async () => {
      const decisionId = JSON.parse((await post('/api/v1/score', example)).text).decisionId;
      const observedAt = new Date().toISOString();
      const schema = 'OutcomeRequest';
      assert.equal(await agree(schema, '/api/v1/outcomes', { decisionId, defaulted: false, observedAt }, 'decisionId'), true);
      assert.equal(await agree(schema, '/api/v1/outcomes', { decisionId, applicationId: null, defaulted: false, observedAt }, 'decisionId, applicationId null'), true);
      assert.equal(await agree(schema, '/api/v1/outcomes', { decisionId: null, applicationId: 'no-such-application', defaulted: false, observedAt }, 'applicationId, decisionId null'), true);
      assert.equal(await agree(schema, '/api/v1/outcomes', { decisionId, defaulted: 'yes', observedAt }, 'defaulted not a boolean'), false);
      assert.equal(await agree(schema, '/api/v1/outcomes', { decisionId, defaulted: false, observedAt, extra: 1 }, 'an unknown field'), false);
      assert.equal(await agree('OutcomeBatchRequest', '/api/v1/outcomes', { outcomes: [{ decisionId, defaulted: true, observedAt }] }, 'a batch'), true);
      // The document cannot say "exactly one of the two ids" in OAS 3.0 without breaking generated clients: its
      // description says it, and the server refuses neither and both with a 400 naming the rule.
      for (const body of [{ defaulted: true, observedAt }, { decisionId, applicationId: 'a', defaulted: true, observedAt }]) {
        const { status, text } = await post('/api/v1/outcomes', body);
        assert.equal(status, 400, text);
        assert.match(text, /decisionId|applicationId/);
      }
      const doc = yaml.load(fs.readFileSync(path.join(repoRoot, model.document), 'utf8'));
      assert.match(doc.components.schemas.OutcomeRequest.description, /exactly one of decisionId and applicationId/);
    });
  });
}
