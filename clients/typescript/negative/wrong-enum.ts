// MUST NOT COMPILE: "A11" is the raw UCI code, not a readable value of checkingAccount ("below0", …).
// test/compile.test.ts asserts that tsc rejects this file, proving the generated types carry the enums.
import type { Applicant } from '../src/client.js';

export const wrong: Applicant['checkingAccount'] = 'A11';
