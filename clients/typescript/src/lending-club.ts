// A typed client for a server running the Lending Club model: the same code as client.ts, with types generated from
// that model's own OpenAPI document (artifacts/lending-club/openapi.yaml → src/lending-club-schema.d.ts). Each model
// gets a client typed to its own attributes; nothing here is written by hand per data set.
import createClient from 'openapi-fetch';
import type { components, paths } from './lending-club-schema.js';

export type LendingClubApplicant = components['schemas']['Applicant'];
export type { components as LendingClubComponents, paths as LendingClubPaths };

export function createLendingClubClient(baseUrl: string) {
  return createClient<paths>({ baseUrl });
}
