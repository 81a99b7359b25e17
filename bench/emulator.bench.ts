/**
 * Emulator benchmark: DescribeImages requests per second with 10,000 seeded
 * images, from a keep-alive client in a worker thread (so the server keeps
 * its own core), and the RSS of a separate process holding 100,000 images.
 */
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { EMULATOR_ACCOUNTS, startEmulator } from '../test/emulator/index.js';

const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.concurrency });
const url = new URL(workerData.endpoint);
const auth = 'AWS4-HMAC-SHA256 Credential=' + workerData.key + '/20261123/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0';
let done = 0, errors = 0, bytes = 0;
const end = Date.now() + workerData.ms;
function one(i) {
  const body = workerData.bodies[i % workerData.bodies.length];
  const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/', agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', authorization: auth, 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.on('data', (c) => { bytes += c.length; });
    res.on('end', () => { if (res.statusCode === 200) done++; else errors++; if (Date.now() < end) one(i + workerData.concurrency); else finish(); });
  });
  req.on('error', () => { errors++; finish(); });
  req.end(body);
}
let live = workerData.concurrency;
function finish() { if (--live === 0) parentPort.postMessage({ done, errors, bytes }); }
for (let i = 0; i < workerData.concurrency; i++) one(i);
`;

async function measure(endpoint: string, bodies: string[], ms: number): Promise<{ requestsPerSecond: number; errors: number; meanResponseBytes: number }> {
  const worker = new Worker(CLIENT, { eval: true, workerData: { endpoint, bodies, ms, concurrency: 16, key: EMULATOR_ACCOUNTS[0]!.accessKeyId } });
  const t0 = Date.now();
  const r = await new Promise<{ done: number; errors: number; bytes: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const seconds = (Date.now() - t0) / 1000;
  await worker.terminate();
  return { requestsPerSecond: Math.round(r.done / seconds), errors: r.errors, meanResponseBytes: Math.round(r.bytes / Math.max(1, r.done)) };
}

function rssWith(images: number): { rssMiB: number; heapUsedMiB: number; seedMs: number } {
  const script = `
    const { startEmulator } = await import(${JSON.stringify(new URL('../test/emulator/index.js', import.meta.url).href)});
    const t0 = Date.now();
    const emu = await startEmulator({ throttling: false, seed: { regions: ['us-east-1'], images: ${images} } });
    const seedMs = Date.now() - t0;
    globalThis.gc?.(); globalThis.gc?.();
    const m = process.memoryUsage();
    process.stdout.write(JSON.stringify({ rssMiB: Math.round(m.rss / 2 ** 20), heapUsedMiB: Math.round(m.heapUsed / 2 ** 20), seedMs }));
    await emu.stop();`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as { rssMiB: number; heapUsedMiB: number; seedMs: number };
}

export async function run(): Promise<Record<string, unknown>> {
  const emu = await startEmulator({ throttling: false, seed: { regions: ['us-east-1'], images: 10_000 } });
  const own = emu.control.resources({ account: '111111111111', region: 'us-east-1' }).images;
  const ids = own.slice(0, 500).map((i) => i.id);
  const base = 'Action=DescribeImages&Version=2016-11-15';
  const byId = ids.map((id) => `${base}&ImageId.1=${id}`);
  const byName = ids.map((_, i) => `${base}&Owner.1=self&Filter.1.Name=name&Filter.1.Value.1=winami-synthetic-${String(i * 13).padStart(6, '0')}`);
  const page = [0, 20, 40, 60].map((p) => `${base}&Owner.1=self&MaxResults=50${p ? `&NextToken=${Buffer.from(String(p * 50)).toString('base64')}` : ''}`);
  await measure(emu.endpoint, byId, 1000);
  const results = {
    describeImagesById: await measure(emu.endpoint, byId, 3000),
    describeImagesPage50: await measure(emu.endpoint, page, 3000),
    describeImagesNameFilterScan10k: await measure(emu.endpoint, byName, 3000),
  };
  await emu.stop();
  const memory = rssWith(100_000);
  return {
    summary: `DescribeImages with 10,000 images: ${results.describeImagesById.requestsPerSecond} req/s by id, ${results.describeImagesPage50.requestsPerSecond} req/s per 50-image page, ${results.describeImagesNameFilterScan10k.requestsPerSecond} req/s name filter; RSS with 100,000 images ${memory.rssMiB} MiB`,
    imagesSeeded: 10_000,
    ...results,
    memory100k: memory,
  };
}
