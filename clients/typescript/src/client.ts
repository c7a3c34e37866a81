// A typed CreditRisk client: types generated from openapi.yaml by openapi-typescript (src/schema.d.ts,
// `npm run ts:generate`), requests made by openapi-fetch. Every path, body and response is checked by tsc.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type Applicant = components['schemas']['Applicant'];
export type ScoreResult = components['schemas']['ScoreResult'];
export type BatchScoreRequest = components['schemas']['BatchScoreRequest'];
export type BatchScoreResponse = components['schemas']['BatchScoreResponse'];
export type ModelInfo = components['schemas']['ModelInfo'];
export type { components, paths };

/** A client for the CreditRisk API at `baseUrl` (e.g. http://127.0.0.1:5000). */
export function createCreditRiskClient(baseUrl: string) {
  return createClient<paths>({ baseUrl });
}
