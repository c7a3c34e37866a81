// The TypeScript client as a user gets it: `npm pack` makes creditrisk-client-<version>.tgz (ES modules and their
// declarations); a fresh project in a temporary folder outside the repository installs it from that file
// (`npm install ./x.tgz`), compiles every TypeScript example of docs/polyglot.md and README.md exactly as written
// (strict, without skipLibCheck), runs the client example against the live server, and fails the type check when an
// applicant leaves a field out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, startServer, type LiveServer } from './live-server.js';

const root = repoRoot();
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const apiKey = 'ts-package-test-key-0123456789';
let server: LiveServer;
let work: string;
let app: string;

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Every ```ts block of the docs, in order, with where it is. */
export function docsExamples(): { where: string; code: string }[] {
  return ['docs/polyglot.md', 'README.md'].flatMap((file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({ where: `${file}:${text.slice(0, m.index).split('\n').length}`, code: m[1] ?? '' }));
  });
}

/** The first ```ts block of the docs' TypeScript client section, as written. */
export function docsExample(): string {
  const docs = fs.readFileSync(path.join(root, 'docs', 'polyglot.md'), 'utf8');
  const section = docs.slice(docs.indexOf('#### TypeScript'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match?.[1], 'no ```ts block under "#### TypeScript" in docs/polyglot.md');
  return match[1];
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-ts-install-'));
  assert.ok(!work.startsWith(root), 'the fresh project must be outside the repository');
  server = await startServer(undefined, [`--ApiKey:Key=${apiKey}`, `--Records:DataFolder=${path.join(work, 'records')}`]);
  const pack = run('npm', ['pack', '--pack-destination', work], path.join(root, 'clients', 'typescript'));
  assert.equal(pack.status, 0, pack.output);
  const tarball = path.join(work, 'creditrisk-client-1.0.0.tgz');
  assert.ok(fs.existsSync(tarball), pack.output);

  app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
  const install = run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
  assert.equal(install.status, 0, install.output);
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    // Strict, and the package's declaration files checked too (no skipLibCheck), as a careful user compiles.
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, outDir: 'out' },
  }));
});

after(async () => {
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function compile(file: string, source: string) {
  fs.writeFileSync(path.join(app, file), source);
  return run(process.execPath, [tsc, '-p', '.', '--listEmittedFiles'], app);
}

test('the package holds a built module and its types', () => {
  const dir = path.join(app, 'node_modules', 'creditrisk-client', 'package');
  for (const file of ['client.js', 'client.d.ts', 'schema.d.ts', 'open-inference.js', 'open-inference.d.ts']) {
    assert.ok(fs.existsSync(path.join(dir, file)), `${file} missing from the package`);
  }
});

test('every TypeScript example of the docs compiles exactly as written, strict, against the installed package', () => {
  fs.rmSync(path.join(app, 'incomplete.ts'), { force: true });
  const examples = docsExamples();
  assert.ok(examples.length >= 2, 'the client and the V2 examples');
  for (const { where, code } of examples) {
    const r = compile('example.ts', code);
    assert.equal(r.status, 0, `${where}\n${r.output}`);
  }
});

test('the installed client scores against the live server', () => {
  fs.rmSync(path.join(app, 'incomplete.ts'), { force: true });
  const example = docsExample()
    .replace("'http://127.0.0.1:5000'", 'process.argv[2]!')
    .replace("'<your ApiKey:Key>'", 'process.argv[3]!')
    .replace(/^/, 'declare const process: { argv: string[] };\n');
  const r = compile('example.ts', example);
  assert.equal(r.status, 0, r.output);
  const scored = run(process.execPath, [path.join(app, 'out', 'example.js'), server.baseUrl, apiKey], app);
  assert.equal(scored.status, 0, scored.output);
  assert.match(scored.output, /^0\.\d+ (approve|reject)$/m);
  assert.match(scored.output, /^\[ '(approve|reject)', '(approve|reject)' \]$/m);
  assert.match(scored.output, /^outcome 200$/m);
});

test('with the installed types, an applicant that leaves a field out does not compile', () => {
  const r = compile('incomplete.ts', [
    "import type { Applicant } from 'creditrisk-client';",
    "export const incomplete: Applicant = { checkingAccount: 'below0', durationMonths: 6 };",
    '',
  ].join('\n'));
  fs.rmSync(path.join(app, 'incomplete.ts'));
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /incomplete\.ts.*error TS2740: Type .* is missing the following properties from type .*: creditHistory, purpose/, r.output);
});
