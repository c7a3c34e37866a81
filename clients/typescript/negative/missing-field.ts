// MUST NOT COMPILE: an applicant with fields left out. The server refuses it, and the types refuse it first: a missing
// attribute must not become a zero or a default that scores a different applicant (the C# client has required members).
// test/compile.test.ts asserts that tsc rejects this file.
import type { Applicant } from '../src/client.js';

export const incomplete: Applicant = { checkingAccount: 'below0', durationMonths: 6 };
