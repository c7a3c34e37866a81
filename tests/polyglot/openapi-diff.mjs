#!/usr/bin/env node
// openapi-diff <old> <new>, exit 1 on a breaking change. openapi-diff's parser knows OpenAPI 3.0.0–3.0.3 only,
// while Swashbuckle/Microsoft.OpenApi write 3.0.4; patch releases of the spec change wording, not semantics, so
// both files are compared as 3.0.3. Any other version (3.1) is an error: the check must not pass unread.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: openapi-diff.mjs <baseline.yaml> <openapi.yaml>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-openapi-diff-'));
const normalised = [before, after].map((file, i) => {
  const doc = yaml.load(fs.readFileSync(file, 'utf8'));
  if (!/^3\.0\.\d+$/.test(String(doc.openapi))) {
    console.error(`${file}: openapi ${doc.openapi} is not 3.0.x, which openapi-diff cannot compare`);
    process.exit(2);
  }
  doc.openapi = '3.0.3';
  const copy = path.join(dir, `${i}-${path.basename(file, path.extname(file))}.json`);
  fs.writeFileSync(copy, JSON.stringify(doc));
  return copy;
});
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'openapi-diff'), normalised, { stdio: 'inherit' });
fs.rmSync(dir, { recursive: true, force: true });
if (r.error) throw r.error;
process.exit(r.status ?? 1);
