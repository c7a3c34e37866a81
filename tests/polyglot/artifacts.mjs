// Locates a trained model's files (artifacts/<dataset>/model.onnx, model.json, golden.json) and the name of the P(bad) output.
// Missing files are an error, never a skip: the suite exists to prove the shipped file works.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// CREDITRISK_ARTIFACTS_DIR points the suites at another trained model (default: the shipped German Credit model);
// test.sh runs them once per shipped model.
export const artifactsDir = path.resolve(repoRoot, process.env.CREDITRISK_ARTIFACTS_DIR ?? path.join('artifacts', 'german-credit'));
export const modelPath = path.join(artifactsDir, 'model.onnx');
export const goldenPath = path.join(artifactsDir, 'golden.json');
export const sidecarPath = path.join(artifactsDir, 'model.json');

/** The model's inputs from its sidecar (written by the trainer from the spec): name → 'string' | 'float'. */
export function inputTypes() {
  const sidecar = JSON.parse(fs.readFileSync(requireFile(sidecarPath), 'utf8'));
  if (!Array.isArray(sidecar.inputs) || sidecar.inputs.length === 0) throw new Error(`${sidecarPath} lists no inputs`);
  return Object.fromEntries(sidecar.inputs.map((i) => [i.name, i.type.startsWith('string') ? 'string' : 'float']));
}

/** contracts/ModelCard.cs → ModelMetadataKeys.ProbabilityOutput, read from the C# source so it is said once. */
export function probabilityOutputName() {
  const source = fs.readFileSync(path.join(repoRoot, 'contracts', 'ModelCard.cs'), 'utf8');
  const match = source.match(/ProbabilityOutput\s*=\s*"([^"]+)"/);
  if (!match) throw new Error('ModelMetadataKeys.ProbabilityOutput not found in contracts/ModelCard.cs');
  return match[1];
}

export function requireFile(file) {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the trainer (dotnet run --project trainer -c Release)`);
  return file;
}

export function loadGolden() {
  const golden = JSON.parse(fs.readFileSync(requireFile(goldenPath), 'utf8'));
  if (typeof golden.threshold !== 'number') throw new Error('golden.json has no numeric threshold');
  if (!Array.isArray(golden.rows) || golden.rows.length === 0) throw new Error('golden.json has no rows');
  return golden;
}
