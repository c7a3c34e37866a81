// The generated TypeScript client against the real server: score, batch-score, model info, a typed problem.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCreditRiskClient, type Applicant, type OutcomeBatchResponse, type OutcomeResult } from '../src/client.js';
import { repoRoot, startServer, type LiveServer } from './live-server.js';

const example: Applicant = {
  checkingAccount: 'below0',
  durationMonths: 6,
  creditHistory: 'critical',
  purpose: 'radioTv',
  creditAmount: 1169,
  savings: 'unknown',
  employmentSince: '7yOrMore',
  installmentRate: 4,
  personalStatusSex: 'maleSingle',
  otherDebtors: 'none',
  residenceSince: 4,
  property: 'realEstate',
  age: 67,
  otherInstallmentPlans: 'none',
  housing: 'own',
  existingCredits: 2,
  job: 'skilled',
  dependents: 1,
  telephone: 'registered',
  foreignWorker: 'yes',
};

const apiKey = 'ts-client-test-key-0123456789';
let server: LiveServer;
let records: string;
let client: ReturnType<typeof createCreditRiskClient>;
before(async () => {
  // The decision and outcome endpoints need a key; the records go to a folder of this test's own.
  records = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-ts-records-'));
  server = await startServer(undefined, [`--ApiKey:Key=${apiKey}`, `--Records:DataFolder=${records}`]);
  client = createCreditRiskClient(server.baseUrl, { apiKey });
});
after(async () => {
  await server?.stop();
  if (records) fs.rmSync(records, { recursive: true, force: true });
});

test('POST /api/v1/score returns a PD and the decision its threshold implies', async () => {
  const { data, error, response } = await client.POST('/api/v1/score', { body: example });
  assert.equal(response.status, 200, JSON.stringify(error));
  const { probabilityOfDefault: pd, threshold } = data ?? {};
  assert.ok(typeof pd === 'number' && typeof threshold === 'number', JSON.stringify(data));
  assert.ok(pd >= 0 && pd <= 1);
  assert.equal(data?.decision, pd > threshold ? 'reject' : 'approve');
});

test('POST /api/v1/score/batch scores each applicant as the single endpoint does', async () => {
  const applicants: Applicant[] = [example, { ...example, checkingAccount: 'none', creditAmount: 15000 }, { ...example, age: 22 }];
  const batch = await client.POST('/api/v1/score/batch', { body: { applicants } });
  assert.equal(batch.response.status, 200, JSON.stringify(batch.error));
  // The client types responses by their JSON media type, so the batch's results compile without a cast.
  const data = batch.data;
  assert.equal(data?.results.length, applicants.length);
  for (const [i, applicant] of applicants.entries()) {
    const single = await client.POST('/api/v1/score', { body: applicant });
    assert.equal(data?.results?.[i]?.probabilityOfDefault, single.data?.probabilityOfDefault);
    assert.equal(data?.results?.[i]?.decision, single.data?.decision);
  }
});

test('the CSV form of the batch through the same client: text in, text out (parseAs: text)', async () => {
  const csv = fs.readFileSync(path.join(repoRoot(), 'data', 'german-credit', 'sample.csv'), 'utf8');
  const { data, response } = await client.POST('/api/v1/score/batch', {
    body: csv, headers: { 'Content-Type': 'text/csv' }, bodySerializer: (body) => body, parseAs: 'text',
  });
  assert.equal(response.status, 200, data);
  const [header, ...rows] = (data ?? '').trim().split('\n');
  assert.match(header ?? '', /^applicationId,.*,probabilityOfDefault,decision,/);
  assert.equal(rows.length, 10);
});

test('GET /api/v1/model describes the 20 attributes and the threshold', async () => {
  const { data, response } = await client.GET('/api/v1/model');
  assert.equal(response.status, 200);
  assert.equal(data?.features?.length, 20);
  const threshold = data?.threshold;
  assert.ok(typeof threshold === 'number' && threshold > 0 && threshold < 1, JSON.stringify(data));
});

test('a value outside the schema is a 400 problem+json naming the attribute', async () => {
  // Deliberately bypass the types: the server must refuse what tsc would have caught.
  const bad = { ...example, checkingAccount: 'A11' } as unknown as Applicant;
  const { data, error, response } = await client.POST('/api/v1/score', { body: bad });
  assert.equal(response.status, 400);
  assert.equal(data, undefined);
  assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.ok(error);
  assert.equal(error.status, 400);
  assert.match(JSON.stringify(error), /checkingAccount/);
});

test('POST /api/v1/outcomes takes one outcome and a batch, by decisionId or applicationId, with the key', async () => {
  const applicationId = `ts-outcome-${Date.now()}`;
  const first = await client.POST('/api/v1/score', { body: example });
  const second = await client.POST('/api/v1/score', { body: { ...example, applicationId } });
  const decisionId = first.data?.decisionId;
  assert.ok(decisionId && second.data?.decisionId, JSON.stringify(first.error ?? second.error));
  const observedAt = new Date().toISOString();

  // One outcome; the id not used may be left out or sent as null (null = not given, as a generated client sends it).
  for (const body of [{ decisionId, defaulted: true, observedAt }, { decisionId, applicationId: null, defaulted: true, observedAt }]) {
    const single = await client.POST('/api/v1/outcomes', { body });
    assert.equal(single.response.status, 200, JSON.stringify(single.error));
    assert.deepEqual(single.data as OutcomeResult, { status: 200, decisionId });
  }

  const batch = await client.POST('/api/v1/outcomes', {
    body: { outcomes: [{ decisionId, defaulted: false, observedAt }, { decisionId: null, applicationId, defaulted: true, observedAt }] },
  });
  assert.equal(batch.response.status, 200, JSON.stringify(batch.error));
  assert.deepEqual((batch.data as OutcomeBatchResponse).results, [{ status: 200, decisionId }, { status: 200, decisionId: second.data?.decisionId }]);

  // The records hold them: the batch's correction is the latest outcome of the first decision.
  const record = await client.GET('/api/v1/decisions/{id}', { params: { path: { id: decisionId } } });
  assert.equal(record.response.status, 200, JSON.stringify(record.error));
  assert.equal(record.data?.outcome?.defaulted, false);
  assert.deepEqual(record.data?.outcomeHistory?.map((o) => o.defaulted), [true, false]);

  // Without the key the same request is a 401 problem.
  const keyless = await createCreditRiskClient(server.baseUrl).POST('/api/v1/outcomes', { body: { decisionId, defaulted: true, observedAt } });
  assert.equal(keyless.response.status, 401);
  assert.equal(keyless.error?.status, 401);
});
