// Starts the real CreditRisk server (Kestrel) on a free 127.0.0.1 port for the duration of a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'CreditRisk.sln'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('CreditRisk.sln not found above the test');
    dir = parent;
  }
  return dir;
}

export interface LiveServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * `modelPath` (relative to the repository root) serves another shipped model; the default is the server's own.
 * `settings` are more configuration arguments, e.g. `--Inference:GrpcPort=…`.
 */
export async function startServer(modelPath?: string, settings: string[] = []): Promise<LiveServer> {
  const serverDir = path.join(repoRoot(), 'server');
  const dll = path.join(serverDir, 'bin', 'Release', 'net10.0', 'CreditRisk.Server.dll');
  if (!fs.existsSync(dll)) throw new Error(`${dll} is missing: dotnet build server -c Release`);
  const baseUrl = `http://127.0.0.1:${await freePort()}`;
  const args = [dll, '--urls', baseUrl, '--Limits:RateLimitPermits=0', ...(modelPath ? [`--Model:Path=${path.join(repoRoot(), modelPath)}`] : []), ...settings];
  const child: ChildProcess = spawn('dotnet', args, { cwd: serverDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready:\n${log}`);
    try {
      if ((await fetch(`${baseUrl}/health/live`)).ok) break;
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
    },
  };
}
