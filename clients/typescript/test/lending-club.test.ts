// The client generated from Lending Club's OpenAPI document against the real server running the Lending Club model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLendingClubClient, type LendingClubApplicant } from '../src/lending-club.js';
import { startServer, type LiveServer } from './live-server.js';

// Row 1 of data/lending-club/lending_club.csv, in the spec's field names.
const example: LendingClubApplicant = {
  fundedAmount: 16100,
  term: 'term_36',
  interestRate: 13.99,
  subGrade: 'C4',
  state: 'CT',
  incomeVerification: 'Not_Verified',
  annualIncome: 35000,
  employmentLength: 'emp_5',
  delinquencies2y: 0,
  inquiries6m: 0,
  revolvingUtilisation: 67.4,
  accountsDelinquent: 0,
  instalmentAccountsOpened6m: 1,
  instalmentAccountsOpened12m: 0,
  instalmentAccountsOpened24m: 0,
  instalmentBalance: 1099,
  allUtilisation: 48,
  personalFinanceInquiries: 0,
  inquiries12m: 3,
  delinquentAmount: 0,
  instalmentAccounts: 3,
  instalmentCreditLimit: 13193,
};

let server: LiveServer;
let client: ReturnType<typeof createLendingClubClient>;
before(async () => {
  server = await startServer('artifacts/lending-club/model.onnx');
  client = createLendingClubClient(server.baseUrl);
});
after(async () => server.stop());

test('Lending Club: POST /api/v1/score returns a PD and the decision its threshold implies', async () => {
  const { data, error, response } = await client.POST('/api/v1/score', { body: example });
  assert.equal(response.status, 200, JSON.stringify(error));
  const pd = data?.probabilityOfDefault;
  const threshold = data?.threshold;
  assert.ok(typeof pd === 'number' && typeof threshold === 'number', JSON.stringify(data));
  assert.ok(pd >= 0 && pd <= 1);
  assert.equal(data?.decision, pd > threshold ? 'reject' : 'approve');
});

test('Lending Club: GET /api/v1/model describes its 22 attributes', async () => {
  const { data, response } = await client.GET('/api/v1/model');
  assert.equal(response.status, 200);
  assert.equal(data?.features?.length, 22);
  assert.equal(data?.features?.find((f) => f.name === 'state')?.values?.length, 50);
});

test('Lending Club: a state outside the spec is a 400 naming the field', async () => {
  const bad = { ...example, state: 'XX' } as unknown as LendingClubApplicant;
  const { error, response } = await client.POST('/api/v1/score', { body: bad });
  assert.equal(response.status, 400);
  assert.match(JSON.stringify(error), /state/);
});
