// The real server (its Release build, Kestrel) on a free 127.0.0.1 port, for the Node suites that talk to it over
// HTTP. The build must exist (test.sh's dotnet test builds it; `dotnet build server -c Release` otherwise).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './artifacts.mjs';

async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `settings` are configuration arguments (`--Model:Path=…`); decision records go to a folder removed on stop. */
export async function startServer(settings = []) {
  const dll = path.join(repoRoot, 'server', 'bin', 'Release', 'net10.0', 'CreditRisk.Server.dll');
  if (!fs.existsSync(dll)) throw new Error(`${dll} is missing: dotnet build server -c Release`);
  const records = fs.mkdtempSync(path.join(os.tmpdir(), 'creditrisk-node-records-'));
  const baseUrl = `http://127.0.0.1:${await freePort()}`;
  const child = spawn('dotnet', [dll, '--urls', baseUrl, '--Limits:RateLimitPermits=0', `--Records:DataFolder=${records}`, ...settings],
    { cwd: path.dirname(dll), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready:\n${log}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within 60 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(records, { recursive: true, force: true });
    },
  };
}
