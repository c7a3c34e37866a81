// A benchmark peer: the least a server can do with the same model.onnx. node:http + onnxruntime-node, one session,
// one row per request. No validation, no reasons, no recording, no limits: a floor to compare CreditRisk against
// (issue: "it does far less work per request, and we still want to beat it"). Not a product; never expose it.
//
// Usage: node benchmarks/peers/node-ort/server.mjs [artifacts/german-credit] (env PORT, default 18082)
// POST /score with an applicant JSON → {"probabilityOfDefault":…,"decision":"approve"|"reject"}.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const dir = path.resolve(process.argv[2] ?? 'artifacts/german-credit');
const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
const inputs = sidecar.inputs.map((i) => ({ name: i.name, string: i.type.startsWith('string') }));
const threshold = sidecar.threshold;
// The same session settings as the server's (server/Model/CreditModel.cs NewSessionOptions): one thread per run,
// requests being the parallelism.
const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const output = sidecar.probabilityOutput;

async function score(applicant) {
  const feeds = {};
  for (const { name, string } of inputs) {
    const v = applicant[name];
    feeds[name] = string
      ? new ort.Tensor('string', [v ?? ''], [1, 1])
      : new ort.Tensor('float32', Float32Array.of(v ?? NaN), [1, 1]);
  }
  const result = await session.run(feeds, [output]);
  const pd = result[output].data[0];
  return { probabilityOfDefault: pd, decision: pd > threshold ? 'reject' : 'approve' };
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/score') {
    res.writeHead(req.url === '/health' ? 200 : 404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.stringify(await score(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(String(e.message));
    }
  });
});
server.keepAliveTimeout = 10_000;
server.listen(Number(process.env.PORT ?? 18082), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
