// MUST NOT COMPILE: an Open Inference Protocol input without its shape. The V2 client's body is the protocol
// document's inference_request type; test/compile.test.ts asserts that tsc rejects this file.
import type { InferenceRequest } from '../src/open-inference.js';

export const noShape: InferenceRequest = { inputs: [{ name: 'age', datatype: 'FP32', data: [67] }] };
