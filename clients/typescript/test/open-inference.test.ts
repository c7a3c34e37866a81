// The Open Inference Protocol from Node: REST through the client generated from the protocol's OpenAPI document,
// gRPC through @grpc/grpc-js + @grpc/proto-loader loading the protocol's .proto, against the live server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createOpenInferenceClient, infer, type InferenceRequest } from '../src/open-inference.js';
import { freePort, repoRoot, startServer, type LiveServer } from './live-server.js';

const MODEL = 'german-credit';

interface GoldenRow { kind: string; input: Record<string, string | number | null>; pd: number }
interface Tensor { name: string; datatype: string; shape: number[]; contents?: { bytes_contents?: Buffer[]; fp32_contents?: number[] } }
interface InferResponse { outputs: { name: string; datatype: string; shape: (number | string)[]; contents: { fp32_contents: number[]; bytes_contents: Buffer[] } }[] }
type Call<Req, Res> = (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => void;
interface InferenceClient extends grpc.Client {
  ServerLive: Call<object, { live: boolean }>;
  ModelMetadata: Call<{ name: string }, { name: string; inputs: { name: string; datatype: string }[] }>;
  ModelInfer: Call<{ model_name: string; inputs: Tensor[] }, InferResponse>;
}

let server: LiveServer;
let grpcClient: InferenceClient;
let rows: GoldenRow[];
let version: string;

function call<Req, Res>(method: Call<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method.call(grpcClient, request, (error, response) => (error ? reject(error) : resolve(response))));
}

before(async () => {
  const grpcPort = await freePort();
  server = await startServer(undefined, [`--Inference:GrpcPort=${grpcPort}`]);
  const root = repoRoot();
  const definition = protoLoader.loadSync(path.join(root, 'contracts', 'open-inference', 'open_inference_grpc.proto'), { keepCase: true, longs: Number, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: new (address: string, credentials: grpc.ChannelCredentials) => InferenceClient } };
  grpcClient = new loaded.inference.GRPCInferenceService(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  const golden = JSON.parse(fs.readFileSync(path.join(root, 'artifacts', MODEL, 'golden.json'), 'utf8')) as { rows: GoldenRow[] };
  rows = golden.rows.filter((r) => r.kind === 'data').slice(0, 50);
  version = ((await (await fetch(`${server.baseUrl}/api/v1/model`)).json()) as { version: string }).version;
});

after(async () => {
  grpcClient?.close();
  await server?.stop();
});

function restRequest(): InferenceRequest {
  const first = rows[0];
  assert.ok(first);
  return {
    inputs: Object.keys(first.input).map((name) => ({
      name,
      shape: [rows.length, 1],
      datatype: typeof first.input[name] === 'string' ? 'BYTES' : 'FP32',
      data: rows.map((r) => r.input[name] as string | number),
    })),
  };
}

test('the generated REST client reads metadata and infers through the live server', async () => {
  const client = createOpenInferenceClient(server.baseUrl);
  const path = { MODEL_NAME: MODEL, MODEL_VERSION: version };
  const live = await client.GET('/v2/health/live');
  assert.equal(live.response.status, 200);
  const metadata = await client.GET('/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}', { params: { path } });
  assert.equal(metadata.data?.name, MODEL);
  assert.deepEqual(metadata.data?.versions, [version]);

  const { data, error, response } = await infer(client, MODEL, restRequest(), version);
  assert.equal(response.status, 200, JSON.stringify(error));
  const pd = data?.outputs?.find((o: { name: string }) => o.name === 'probability_of_default');
  assert.equal(pd?.datatype, 'FP32');
  rows.forEach((r, i) => assert.ok(Math.abs(Number(pd?.data[i]) - r.pd) <= 1e-6, `row ${i}: ${pd?.data[i]} vs golden ${r.pd}`));

  const bad = await infer(client, MODEL, { inputs: [{ name: 'durationMonths', shape: [1, 1], datatype: 'FP32', data: [6.5] }] }, version);
  assert.equal(bad.response.status, 400);
  assert.match(JSON.stringify(bad.error), /durationMonths/);

  // No version, or an empty one, is the unversioned route (the server serves its model), never `/versions//infer`.
  for (const unversioned of [undefined, '']) {
    const any = await infer(client, MODEL, restRequest(), unversioned);
    assert.equal(any.response.status, 200, JSON.stringify(any.error));
    assert.match(any.response.url, new RegExp(`/v2/models/${MODEL}/infer$`));
    assert.deepEqual(any.data?.outputs?.find((o: { name: string }) => o.name === 'probability_of_default')?.data, pd?.data);
  }
});

test('gRPC from Node: health, metadata and PDs equal to REST; a bad tensor is INVALID_ARGUMENT naming it', async () => {
  assert.equal((await call(grpcClient.ServerLive, {})).live, true);
  const metadata = await call(grpcClient.ModelMetadata, { name: MODEL });
  assert.equal(metadata.name, MODEL);
  assert.ok(metadata.inputs.some((t) => t.name === 'checkingAccount' && t.datatype === 'BYTES'));

  const rest = (await (await fetch(`${server.baseUrl}/v2/models/${MODEL}/infer`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(restRequest()),
  })).json()) as { outputs: { name: string; data: number[] }[] };
  const restPd = rest.outputs.find((o) => o.name === 'probability_of_default')?.data ?? [];

  const inputs: Tensor[] = restRequest().inputs.map((t: InferenceRequest['inputs'][number]) => ({
    name: t.name, datatype: t.datatype, shape: t.shape,
    contents: t.datatype === 'BYTES' ? { bytes_contents: (t.data as string[]).map((v) => Buffer.from(v)) } : { fp32_contents: t.data as number[] },
  }));
  const response = await call(grpcClient.ModelInfer, { model_name: MODEL, inputs });
  const pd = response.outputs.find((o) => o.name === 'probability_of_default');
  assert.equal(pd?.datatype, 'FP32');
  assert.deepEqual(pd?.contents.fp32_contents.map((v) => Math.fround(v)), restPd.map((v) => Math.fround(v)));
  assert.equal(response.outputs.find((o) => o.name === 'decision')?.contents.bytes_contents.length, rows.length);

  const bad = inputs.map((t) => (t.name === 'checkingAccount' ? { ...t, contents: { bytes_contents: rows.map(() => Buffer.from('A99')) } } : t));
  await assert.rejects(call(grpcClient.ModelInfer, { model_name: MODEL, inputs: bad }), (e: grpc.ServiceError) => {
    assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
    assert.match(e.details, /'checkingAccount'/);
    return true;
  });
});
