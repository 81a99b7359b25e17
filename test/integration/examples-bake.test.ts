/**
 * Every shipped config bakes on the emulator through the real bake: each file
 * under examples/*.yaml and examples/pipelines/configs/*.yaml is found at run
 * time (a new example is covered without touching this test), baked with a
 * small pool of concurrent bakes, and must exit 0 with every image billed as
 * its config expects and nothing left behind.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { ACCOUNT, bakeOn, leftovers, NOTHING, sessionOn, startBakeEmulator, TIME_SCALE, type BakeRun } from './bake-harness.js';

const ROOT = process.cwd();
/** The shipped configs, found on disk. */
export function shippedConfigs(): string[] {
  const dirs = ['examples', join('examples', 'pipelines', 'configs')];
  return dirs.flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(ROOT, d, f)),
  );
}

/** A stand-in value for each secret a config references: ssm: parameters are put in the emulator, env: variables passed to the bake. */
function provideSecrets(emu: Emulator, config: ResolvedConfig, env: Record<string, string>, put: Set<string>): void {
  config.secrets.forEach((s, i) => {
    const value = `Example-Secret-${i}-P@ss!`;
    if (s.ref.kind === 'ssm') {
      emu.control.putParameter({ account: ACCOUNT, region: config.region, name: s.ref.parameter, value, type: 'SecureString' });
      put.add(s.ref.parameter);
    } else if (s.ref.kind === 'env') env[s.ref.variable] = value;
  });
}

/** Run `jobs` with at most `limit` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

/**
 * Four bakes at once in one account and region launch about as fast as RunInstances' bucket refills (2 a second,
 * real time): these bakes run at twice the other bake tests' time scale, so their launches stay within it.
 */
const EXAMPLES_TIME_SCALE = 2 * TIME_SCALE;

describe('examples: every shipped config bakes on the emulator', function () {
  this.timeout(300_000);
  const files = shippedConfigs();
  const configs = new Map(files.map((f) => [f, loadConfig(f)]));
  const runs = new Map<string, BakeRun | Error>();
  /** The secret parameters this test put (the user's, not the bake's). */
  const secretParameters = new Set<string>();
  let emu: Emulator;

  before(async () => {
    // Every region a config builds in or copies to gets AWS's public images.
    const regions = new Set<string>();
    for (const c of configs.values()) {
      regions.add(c.region);
      for (const r of c.image.regions) regions.add(r.region);
    }
    emu = await startBakeEmulator({ timeScale: EXAMPLES_TIME_SCALE, seed: { regions: [...regions].sort() } });
    const jobs = files.map((f) => async () => {
      const config = configs.get(f)!;
      const env: Record<string, string> = {};
      provideSecrets(emu, config, env, secretParameters);
      try {
        runs.set(f, await bakeOn(emu, f, { env, timeScale: EXAMPLES_TIME_SCALE, session: sessionOn(emu, 'us-east-1', ACCOUNT, EXAMPLES_TIME_SCALE) }));
      } catch (err) {
        runs.set(f, err as Error);
      }
    });
    await pool(jobs, 4);
  });
  after(async () => emu?.stop());

  it('finds the shipped configs on disk', () => {
    expect(files.length).to.be.greaterThan(10);
    expect(files.some((f) => f.includes(join('pipelines', 'configs')))).to.equal(true);
  });

  for (const file of files) {
    const label = file.slice(ROOT.length + 1);
    it(`${label}: exits 0, every image billed as the config expects`, async () => {
      const run = runs.get(file);
      if (run instanceof Error) throw run;
      if (!run) throw new Error('not baked');
      const { result, reporter } = run;
      if (!result.ok) {
        const lines = reporter.events.filter((e) => e.level !== 'debug').map((e) => `${e.code}: ${e.message}`);
        throw new Error(`bake of ${label} failed in ${result.failedStep}: ${result.error?.message}\n${lines.slice(-15).join('\n')}`);
      }
      expect(result.exitCode).to.equal(0);
      const config = configs.get(file)!;
      const images = result.manifest.images;
      expect(images).to.have.length(1 + config.image.regions.filter((r) => r.region !== config.region).length);
      const a = EMULATOR_ACCOUNTS.find((x) => x.accountId === ACCOUNT)!;
      for (const img of images) {
        const ec2 = new EC2Client({
          region: img.region,
          endpoint: emu.endpoint,
          credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
        });
        const described = (await ec2.send(new DescribeImagesCommand({ ImageIds: [img.imageId] }))).Images?.[0];
        ec2.destroy();
        // No expectation in the config: the image keeps its source's billing (lineage).
        const want = config.expectation ?? { platformDetails: result.manifest.source?.platformDetails, usageOperation: result.manifest.source?.usageOperation };
        expect(described?.PlatformDetails, `${img.region} ${img.imageId}`).to.equal(want.platformDetails);
        expect(described?.UsageOperation, `${img.region} ${img.imageId}`).to.equal(want.usageOperation);
      }
    });
  }

  it('leaves nothing behind but the images', () => {
    const kept = [...runs.values()].flatMap((r) => (r instanceof Error ? [] : r.result.manifest.images.map((i) => i.imageId)));
    const all = leftovers(emu, kept);
    const left = { ...all, parameters: all.parameters.filter((p) => !secretParameters.has(p)) };
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
  });
});
