// The generated TypeScript client against the real server: score, batch-score, model info, a typed problem.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCreditRiskClient, type Applicant, type BatchScoreResponse } from '../src/client.js';
import { startServer, type LiveServer } from './live-server.js';

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

let server: LiveServer;
let client: ReturnType<typeof createCreditRiskClient>;
before(async () => {
  server = await startServer();
  client = createCreditRiskClient(server.baseUrl);
});
after(async () => server.stop());

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
  // The 200 is JSON for a JSON body and CSV for a text/csv one: this request sent JSON.
  const data = batch.data as BatchScoreResponse | undefined;
  assert.equal(data?.results?.length, applicants.length);
  for (const [i, applicant] of applicants.entries()) {
    const single = await client.POST('/api/v1/score', { body: applicant });
    assert.equal(data?.results?.[i]?.probabilityOfDefault, single.data?.probabilityOfDefault);
    assert.equal(data?.results?.[i]?.decision, single.data?.decision);
  }
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
