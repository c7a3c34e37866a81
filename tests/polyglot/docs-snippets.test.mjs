// Every code snippet of README.md, docs/*.md and the server's, trainer's and data's READMEs, taken from the Markdown as written and run or checked:
// - curl lines: run with bash against the live server (German Credit, started with the README's own key), in a
//   folder that sees the repository's files under the same relative paths; each must succeed and answer as shown;
// - every other bash/sh line: `bash -n` (dotnet, docker, aws, eb, grpcurl, benchmark scripts are not run here);
// - js: run in Node, as a module, from the same kind of folder: the PD must be the golden one;
// - python: Python's ONNX Runtime is not installable here, so `python3 -m py_compile`, and every path it opens exists;
// - html: the module script is parsed (`node --check`); the browser suite runs the same calls in Chromium;
// - ts and csharp: compiled (and the client examples run) by the client suites (package.test.ts, InstallTests).
// Also: every artifacts/ or data/ path the docs name exists, and the README's golden-row counts are golden.json's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './artifacts.mjs';
import { startServer } from './live-server.mjs';

const files = ['README.md', 'server/README.md', 'trainer/README.md', 'data/README.md',
  ...fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const snippets = files.flatMap((file) => {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({
    where: `${file}:${text.slice(0, m.index).split('\n').length}`, lang: m[1], code: m[2],
  }));
});
const of = (...langs) => snippets.filter((s) => langs.includes(s.lang));

let work;
let server;
before(async () => {
  // A folder outside the repository that sees its files under the docs' relative paths (outputs such as
  // scored.csv land here, not in the repository).
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-docs-'));
  for (const entry of ['artifacts', 'benchmarks', 'contracts', 'data', 'node_modules']) {
    fs.symlinkSync(path.join(repoRoot, entry), path.join(work, entry));
  }
  const key = /--ApiKey:Key=(\S+)/.exec(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'))?.[1];
  assert.ok(key, "the README's quick start shows how to start the server with a key (--ApiKey:Key=…)");
  server = await startServer([`--ApiKey:Key=${key}`]);
});
after(async () => {
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function sh(script, cwd = work) {
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

test('every snippet is in a language this suite or a client suite checks', () => {
  const known = new Set(['bash', 'sh', 'js', 'python', 'ts', 'csharp', 'html', '']);
  assert.deepEqual(snippets.filter((s) => !known.has(s.lang)).map((s) => `${s.where} ${s.lang}`), []);
  assert.ok(of('bash').length > 5 && of('js').length >= 2 && of('python').length >= 2, 'the snippets were found');
});

test('every bash and sh snippet parses (bash -n)', () => {
  for (const s of of('bash', 'sh')) {
    // grpcurl's multi-line JSON and "…" are text to bash; <region>-style placeholders are words the reader replaces.
    const r = spawnSync('bash', ['-n'], { input: s.code.replace(/<([\w-]+)>/g, '$1'), encoding: 'utf8' });
    assert.equal(r.status, 0, `${s.where}\n${r.stderr}`);
  }
});

test('every curl line of the README and docs runs against the live server and answers as shown', () => {
  const lines = of('bash').flatMap((s) => s.code.split('\n').filter((l) => /^curl /.test(l)).map((line) => ({ where: s.where, line })));
  const ran = [];
  for (const { where, line } of lines) {
    // A "…" stands for what the reader fills in (every V2 input tensor): that request is run by the V2 suites.
    if (line.includes('…') || /'\{$|-d '\{/.test(line)) continue;
    const command = line.replace(/localhost:(5000|8080)/g, server.baseUrl.replace('http://', ''));
    const r = sh(`set -o pipefail; ${command.replace(/^curl -s /, 'curl -sS --fail-with-body ')}`);
    assert.equal(r.status, 0, `${where}: ${line}\n${r.output}`);
    const out = command.match(/> (\S+)\s*(#.*)?$/)?.[1];
    const body = out ? fs.readFileSync(path.join(work, out), 'utf8') : r.stdout;
    if (line.includes('text/csv')) {
      const [header, ...rows] = body.trim().split('\n');
      assert.match(header, /^applicationId,.*probabilityOfDefault,decision/, `${where}: ${header}`);
      assert.equal(rows.length, 10, `${where}: the sample's ten rows`);
    } else {
      assert.doesNotThrow(() => JSON.parse(body), `${where}: ${body}`);
    }
    ran.push(line);
  }
  assert.ok(ran.some((l) => l.includes('/api/v1/score ')) && ran.some((l) => l.includes('text/csv')) && ran.some((l) => l.includes('X-API-Key')),
    `ran: ${ran.join('\n')}`);
});

test('every Node snippet runs and prints the first golden row\'s PD', () => {
  const golden = JSON.parse(fs.readFileSync(path.join(repoRoot, 'artifacts', 'german-credit', 'golden.json'), 'utf8'));
  const expected = golden.rows.find((r) => r.kind === 'data').pd;
  for (const s of of('js')) {
    const file = path.join(work, 'snippet.mjs');
    fs.writeFileSync(file, s.code);
    const r = spawnSync(process.execPath, [file], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${s.where}\n${r.stderr}`);
    const printed = Number(r.stdout.trim().split('\n').at(-1));
    assert.ok(Math.abs(printed - expected) < 1e-6, `${s.where}: printed ${r.stdout.trim()}, golden ${expected}`);
  }
});

test('every Python snippet compiles and the files it opens exist (its runtime is not installable here)', () => {
  for (const s of of('python')) {
    const file = path.join(work, 'snippet.py');
    fs.writeFileSync(file, s.code);
    const r = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${s.where}\n${r.stderr}`);
    const opened = [...s.code.matchAll(/"([\w./-]+\.(?:onnx|json|csv))"/g)].map((m) => m[1]);
    assert.ok(opened.length > 0, `${s.where} opens no file`);
    for (const p of opened) assert.ok(fs.existsSync(path.join(repoRoot, p)), `${s.where}: ${p} does not exist`);
  }
});

test('the browser snippet\'s module script parses', () => {
  for (const s of of('html')) {
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(s.code)?.[1];
    assert.ok(script, `${s.where}: no module script`);
    const file = path.join(work, 'snippet-browser.mjs');
    fs.writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${s.where}\n${r.stderr}`);
  }
});

test('every artifacts/ and data/ path the README and docs name exists', () => {
  const missing = [];
  // The pre-registration is a dated record: its paths are those of the commits it names, and it is never edited.
  for (const file of files.filter((f) => f !== 'docs/preregistration.md')) {
    const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    for (const m of text.matchAll(/(?<![\w/.-])((?:artifacts|data)\/[\w./-]*\w)/g)) {
      const p = m[1];
      // <dataset> and similar placeholders, globs, and the reader's own book of the dataset-spec walkthrough are not
      // paths of this repository.
      if (/[<*]/.test(text.slice(m.index, m.index + p.length + 1)) || p.includes('/my-book')) continue;
      if (!fs.existsSync(path.join(repoRoot, p))) missing.push(`${file}: ${p}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});

test("the README's golden-row counts are golden.json's", () => {
  const golden = JSON.parse(fs.readFileSync(path.join(repoRoot, 'artifacts', 'german-credit', 'golden.json'), 'utf8'));
  const count = (kinds) => golden.rows.filter((r) => kinds.includes(r.kind)).length.toLocaleString('en-US');
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  assert.match(readme, new RegExp(`all ${count(['data', 'edge', 'split', 'unseen'])} golden rows`));
  assert.match(readme, new RegExp(`holds those ${count(['data', 'edge', 'split', 'unseen'])} rows`));
  assert.match(readme, new RegExp(`scores the ${count(['data', 'edge'])} the API accepts`));
  assert.match(readme, new RegExp(`${count(['split'])} at and one float ulp beside a tree split, ${count(['edge'])} at the contract's range limits, ${count(['unseen'])} unseen categories`));
});
