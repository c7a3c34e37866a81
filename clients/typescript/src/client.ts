// A typed CreditRisk client: types generated from openapi.yaml by openapi-typescript (src/schema.d.ts,
// `npm run ts:generate`), requests made by openapi-fetch. Every path, body and response is checked by tsc.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type Applicant = components['schemas']['Applicant'];
export type ScoreResult = components['schemas']['ScoreResult'];
export type BatchScoreRequest = components['schemas']['BatchScoreRequest'];
export type BatchScoreResponse = components['schemas']['BatchScoreResponse'];
export type ModelInfo = components['schemas']['ModelInfo'];
export type OutcomeRequest = components['schemas']['OutcomeRequest'];
export type OutcomeBatchRequest = components['schemas']['OutcomeBatchRequest'];
export type OutcomeResult = components['schemas']['OutcomeResult'];
export type OutcomeBatchResponse = components['schemas']['OutcomeBatchResponse'];
export type { components, paths };

export interface CreditRiskClientOptions {
  /** Sent as X-API-Key: the decision and outcome endpoints always need it, scoring only when the server requires it. */
  apiKey?: string;
}

/**
 * A client for the CreditRisk API at `baseUrl` (e.g. http://127.0.0.1:5000). Responses are typed by their JSON media
 * type, so the batch's 200 is a BatchScoreResponse. Its CSV form is text in, text out: post the file's text with
 * `headers: { 'Content-Type': 'text/csv' }`, `bodySerializer: (body) => body` and `parseAs: 'text'`.
 */
export function createCreditRiskClient(baseUrl: string, options: CreditRiskClientOptions = {}) {
  return createClient<paths, `${string}/${string}json`>({
    baseUrl,
    ...(options.apiKey === undefined ? {} : { headers: { 'X-API-Key': options.apiKey } }),
  });
}
