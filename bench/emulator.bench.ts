/**
 * Emulator benchmark. Issue goals: at least 2,000 DescribeImages requests per
 * second on one core over loopback with 10,000 images seeded (measured on a
 * page of 50 images, the SDK paginator's usual shape), and under 500 MB RSS
 * with 100,000 images.
 *
 * The server runs in this process; a keep-alive client with 16 connections
 * runs in a child process. Each load is measured ROUNDS times and the median
 * reported, since the machine is shared: requests per wall-clock second, and
 * requests per CPU-second of the server process, which is what one core to
 * itself would serve and moves much less with other load on the machine. Memory is measured in a separate process: after seeding 100,000
 * images, and again after DescribeImages has listed (and so cached the XML
 * of) every one of them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { EMULATOR_ACCOUNTS, startEmulator } from '../emulator/index.js';

const ROUNDS = 5;
const ROUND_MS = 2000;
const GOAL_PAGE50_RPS = 2000;
const GOAL_RSS_MIB = 500;

const CLIENT = `
const workerData = JSON.parse(process.argv[1]);
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
function finish() { if (--live === 0) process.stdout.write(JSON.stringify({ done, errors, bytes })); }
for (let i = 0; i < workerData.concurrency; i++) one(i);
`;

interface Round {
  requestsPerSecond: number;
  /** Requests per CPU-second of the server process (user + system): the rate one core to itself would give. */
  requestsPerServerCpuSecond: number;
  errors: number;
  meanResponseBytes: number;
}

async function round(endpoint: string, bodies: string[], ms: number): Promise<Round> {
  const args = JSON.stringify({ endpoint, bodies, ms, concurrency: 16, key: EMULATOR_ACCOUNTS[0]!.accessKeyId });
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['-e', CLIENT, args], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  const seconds = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const r = JSON.parse(out) as { done: number; errors: number; bytes: number };
  return {
    requestsPerSecond: Math.round(r.done / seconds),
    requestsPerServerCpuSecond: Math.round(r.done / ((cpu.user + cpu.system) / 1e6)),
    errors: r.errors,
    meanResponseBytes: Math.round(r.bytes / Math.max(1, r.done)),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** ROUNDS rounds; medians of requests per second (wall) and per server CPU-second, with every round listed. */
async function measure(endpoint: string, bodies: string[]) {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(endpoint, bodies, ROUND_MS));
  return {
    medianRequestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    medianRequestsPerServerCpuSecond: median(rounds.map((r) => r.requestsPerServerCpuSecond)),
    rounds: rounds.map((r) => r.requestsPerSecond),
    roundsPerServerCpuSecond: rounds.map((r) => r.requestsPerServerCpuSecond),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    meanResponseBytes: rounds[0]!.meanResponseBytes,
  };
}

function memoryWith(images: number): {
  seededRssMiB: number;
  seededHeapUsedMiB: number;
  seedMs: number;
  afterListingAllRssMiB: number;
  afterListingAllHeapUsedMiB: number;
  listedImages: number;
} {
  const script = `
    const { startEmulator } = await import(${JSON.stringify(new URL('../emulator/index.js', import.meta.url).href)});
    const t0 = Date.now();
    const emu = await startEmulator({ throttling: false, seed: { regions: ['us-east-1'], images: ${images} } });
    const seedMs = Date.now() - t0;
    const mib = (n) => Math.round(n / 2 ** 20);
    globalThis.gc(); globalThis.gc();
    const seeded = process.memoryUsage();
    const auth = 'AWS4-HMAC-SHA256 Credential=${EMULATOR_ACCOUNTS[0]!.accessKeyId}/20261123/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0';
    let token = '', listed = 0;
    do {
      const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: 'Action=DescribeImages&Version=2016-11-15&Owner.1=self&MaxResults=1000' + (token ? '&NextToken=' + encodeURIComponent(token) : '') });
      const text = await res.text();
      listed += text.split('<imageId>').length - 1;
      token = /<nextToken>([^<]*)<\\/nextToken>/.exec(text)?.[1] ?? '';
    } while (token);
    globalThis.gc(); globalThis.gc();
    const after = process.memoryUsage();
    process.stdout.write(JSON.stringify({ seededRssMiB: mib(seeded.rss), seededHeapUsedMiB: mib(seeded.heapUsed), seedMs,
      afterListingAllRssMiB: mib(after.rss), afterListingAllHeapUsedMiB: mib(after.heapUsed), listedImages: listed }));
    await emu.stop();`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as ReturnType<typeof memoryWith>;
}

export async function run(): Promise<Record<string, unknown>> {
  const emu = await startEmulator({ throttling: false, seed: { regions: ['us-east-1'], images: 10_000 } });
  const own = emu.control.resources({ account: '111111111111', region: 'us-east-1' }).images;
  const ids = own.slice(0, 500).map((i) => i.id);
  const base = 'Action=DescribeImages&Version=2016-11-15';
  const token = (offset: number) => (offset ? `&NextToken=${Buffer.from(String(offset)).toString('base64')}` : '');
  const byId = ids.map((id) => `${base}&ImageId.1=${id}`);
  const byName = ids.map((_, i) => `${base}&Owner.1=self&Filter.1.Name=name&Filter.1.Value.1=winami-synthetic-${String(i * 13).padStart(6, '0')}`);
  const pages50 = [0, 20, 40, 60, 80, 100, 120, 140].map((p) => `${base}&Owner.1=self&MaxResults=50${token(p * 50)}`);
  const pages1000 = [0, 3, 6, 9].map((p) => `${base}&Owner.1=self&MaxResults=1000${token(p * 1000)}`);
  // Warm up: JIT, and the XML cache of every page the loads will ask for.
  await round(emu.endpoint, [...pages50, ...pages1000, ...byId], 1500);
  const results = {
    describeImagesById: await measure(emu.endpoint, byId),
    describeImagesPage50: await measure(emu.endpoint, pages50),
    describeImagesPage1000: await measure(emu.endpoint, pages1000),
    describeImagesExactNameFilter: await measure(emu.endpoint, byName),
  };
  await emu.stop();
  const memory100k = memoryWith(100_000);
  const page50Wall = results.describeImagesPage50.medianRequestsPerSecond;
  const page50Cpu = results.describeImagesPage50.medianRequestsPerServerCpuSecond;
  const peakRss = Math.max(memory100k.seededRssMiB, memory100k.afterListingAllRssMiB);
  const rate = (m: { medianRequestsPerSecond: number; medianRequestsPerServerCpuSecond: number }) =>
    `${m.medianRequestsPerSecond} (${m.medianRequestsPerServerCpuSecond}/cpu-s)`;
  return {
    summary:
      `DescribeImages, 10,000 images, median of ${ROUNDS}, req/s wall (per server cpu-second): by id ${rate(results.describeImagesById)}, ` +
      `50-image page ${rate(results.describeImagesPage50)} (goal ${GOAL_PAGE50_RPS} on one core: ${page50Cpu >= GOAL_PAGE50_RPS ? 'met' : 'NOT met'}), ` +
      `1000-image page ${rate(results.describeImagesPage1000)}, exact name ${rate(results.describeImagesExactNameFilter)}; ` +
      `RSS with 100,000 images ${memory100k.seededRssMiB} MiB seeded, ${memory100k.afterListingAllRssMiB} MiB after listing all (goal < ${GOAL_RSS_MIB}: ${peakRss < GOAL_RSS_MIB ? 'met' : 'NOT met'})`,
    imagesSeeded: 10_000,
    roundsEach: ROUNDS,
    roundMs: ROUND_MS,
    clientConcurrency: 16,
    ...results,
    memory100k,
    goals: {
      describeImagesPage50: {
        goalRequestsPerSecond: GOAL_PAGE50_RPS,
        medianRequestsPerServerCpuSecond: page50Cpu,
        medianRequestsPerSecond: page50Wall,
        met: page50Cpu >= GOAL_PAGE50_RPS,
        metOnWallClock: page50Wall >= GOAL_PAGE50_RPS,
      },
      rss100k: { goalMiB: GOAL_RSS_MIB, peakRssMiB: peakRss, met: peakRss < GOAL_RSS_MIB },
    },
  };
}
