/**
 * The emulator's command line (`npm run emulator -- …`): flags, seed file,
 * the `listening on` line, refusals of bad input, and SIGTERM.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EMULATOR_ACCOUNTS } from '../../emulator/index.js';
import { eventually, rejection } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The argv of `npm run emulator`, read from package.json so the test follows the script. */
function emulatorCommand(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.emulator!;
  const [node, ...rest] = script.split(' ');
  expect(node).to.equal('node');
  return rest;
}

interface Running {
  child: ChildProcess;
  endpoint: string;
}

/** Spawn the CLI; resolves with the endpoint from its `listening on` line. */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [...emulatorCommand(), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/m.exec(out);
      if (m) resolve({ child, endpoint: m[1]! });
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => reject(new Error(`emulator exited ${code} before listening: ${err}`)));
  });
}

/** Run the CLI expecting it to refuse; resolves with its exit code and stderr. */
function refuse(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [...emulatorCommand(), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    }),
  );
}

async function stop(r: Running | undefined): Promise<number | null> {
  if (!r || r.child.exitCode !== null) return r?.child.exitCode ?? null;
  const exited = new Promise<number | null>((res) => r.child.once('exit', (code) => res(code)));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 5000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

describe('emulator: command line', function () {
  this.timeout(30_000);
  let dir: string;
  const running: Running[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'winami-emulator-cli-'));
  });
  after(async () => {
    for (const r of running) await stop(r);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with --port 0 --time-scale --seed, prints the endpoint, serves the seeded world, and stops on SIGTERM', async () => {
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ regions: ['eu-west-1'], images: 3, imageAccounts: ['222222222222'] }));
    const r = await start(['--port', '0', '--time-scale', '0.001', '--seed', seed]);
    running.push(r);
    const a = EMULATOR_ACCOUNTS[1]!;
    const config = (region: string) => ({
      region,
      endpoint: r.endpoint,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      maxAttempts: 1,
    });
    const ec2 = new EC2Client(config('eu-west-1'));
    const own = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images!;
    expect(own.map((i) => i.Name).sort()).to.deep.equal(['winami-synthetic-000000', 'winami-synthetic-000001', 'winami-synthetic-000002']);
    // Only the seeded region has the public parameters.
    const ssmEu = new SSMClient(config('eu-west-1'));
    const ami = (await ssmEu.send(new GetParameterCommand({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' }))).Parameter!
      .Value!;
    const missing = await rejection(
      new SSMClient(config('us-east-1')).send(new GetParameterCommand({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' })),
    );
    expect(missing.name).to.equal('ParameterNotFound');
    // --time-scale 0.001: a 60 s boot takes 60 ms.
    const id = (await ec2.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    await eventually(
      async () =>
        (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.State!.Name === 'running' ? true : undefined,
      3000,
    );
    expect(await stop(r)).to.equal(0);
  });

  it('takes --flag=value and --no-throttling', async () => {
    const r = await start(['--port=0', '--time-scale=0.5', '--no-throttling']);
    running.push(r);
    const a = EMULATOR_ACCOUNTS[0]!;
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint: r.endpoint,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      maxAttempts: 1,
    });
    // 70 unfiltered DescribeInstances would empty the 50-token bucket with throttling on.
    const results = await Promise.all(Array.from({ length: 70 }, () => ec2.send(new DescribeInstancesCommand({}))));
    expect(results).to.have.length(70);
    expect(await stop(r)).to.equal(0);
  });

  it('refuses bad flags and a bad seed file, naming every problem, with exit code 2', async () => {
    const bad = join(dir, 'bad-seed.json');
    writeFileSync(bad, JSON.stringify({ regions: ['mars-north-1'], images: -1, imageAccounts: [111111111111], imagez: 3 }));
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{ regions: [');
    // Four processes at once: each refusal stands alone.
    const [flags, seed, malformed, absent] = await Promise.all([
      refuse(['--time-scale', 'fast', '--port', '70000', '--bogus']),
      refuse(['--port', '0', '--seed', bad]),
      refuse(['--seed', notJson]),
      refuse(['--seed', join(dir, 'absent.json')]),
    ]);
    expect(flags.code).to.equal(2);
    expect(flags.stdout).to.equal('');
    expect(flags.stderr).to.contain('--time-scale "fast": give a number above 0');
    expect(flags.stderr).to.contain('--port "70000": give a whole number from 0 to 65535');
    expect(flags.stderr).to.contain('unknown argument "--bogus"');
    expect(flags.stderr).to.contain('usage: npm run emulator');

    expect(seed.code).to.equal(2);
    expect(seed.stderr).to.contain('"regions" has "mars-north-1", which is not one of the emulated regions');
    expect(seed.stderr).to.contain('"images" must be a whole number from 0 to 1000000');
    expect(seed.stderr).to.contain('"imageAccounts" has 111111111111; write a 12-digit account id as a string');
    expect(seed.stderr).to.contain('"imagez" is not a seed option');

    expect(malformed.stderr).to.match(/not valid JSON/);
    expect(absent.stderr).to.match(/cannot read the file \(ENOENT\)/);
  });

  it('says which port is in use and how to pick another', async () => {
    const first = await start(['--port', '0']);
    running.push(first);
    const port = new URL(first.endpoint).port;
    const second = await refuse(['--port', port]);
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain(`port ${port} is in use`);
    expect(second.stderr).to.contain('--port (0 picks a free one)');
    expect(await stop(first)).to.equal(0);
  });
});
