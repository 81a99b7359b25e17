import { expect } from 'chai';
import type { AwsSession, SsmPort } from '../../../src/aws/ports.js';
import type { bake, BakeOptions, BakeResult } from '../../../src/bake/index.js';
import { bakeMany, formatSummaryTable } from '../../../src/batch/bake-many.js';
import { publishImageParameter, publishImageParameters } from '../../../src/bake/publish-parameter.js';
import { CancelledError, ExitCode, StepError } from '../../../src/errors.js';
import { MemoryReporter } from '../../../src/reporter.js';

/**
 * A bake double: waits `ms` (or until aborted, then "cleans up" and reports
 * cancelled), fails for configs named in `failing`. Records concurrency and
 * the session and signal each call got.
 */
function fakeBake(plan: Record<string, { ms: number; fail?: boolean }>) {
  const calls: { config: string; session: unknown; signal: AbortSignal | undefined; cleanedUp: boolean }[] = [];
  let running = 0;
  let peak = 0;
  const fn = (async (o: BakeOptions): Promise<BakeResult> => {
    const config = String(o.config);
    const call = { config, session: o.session, signal: o.abortSignal, cleanedUp: false };
    calls.push(call);
    running++;
    peak = Math.max(peak, running);
    o.reporter?.emit({ code: 'bake.step.start', level: 'info', message: 'launchBuilder' });
    const p = plan[config]!;
    const aborted = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), p.ms);
      o.abortSignal?.addEventListener('abort', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    running--;
    if (aborted) call.cleanedUp = true;
    const ok = !aborted && !p.fail;
    const error = aborted ? new CancelledError() : p.fail ? new StepError('customize', 'customize step 1 exited with 1') : undefined;
    const images = ok
      ? [
          {
            region: 'us-east-1',
            imageId: `ami-${config}`,
            name: config,
            platformDetails: 'Windows with SQL Server Web',
            usageOperation: 'RunInstances:0202',
            snapshots: [],
          },
        ]
      : [];
    return {
      buildId: `b-${config}`,
      ok,
      outcome: ok ? 'succeeded' : aborted ? 'cancelled' : 'failed',
      exitCode: ok ? ExitCode.OK : aborted ? ExitCode.CANCELLED : ExitCode.BUILD,
      error,
      failedStep: p.fail ? 'customize' : undefined,
      steps: [],
      images: [],
      leftBehind: [],
      journalPath: '',
      cleanupCommand: '',
      manifest: { name: config, images, expectation: undefined } as unknown as BakeResult['manifest'],
      packerManifest: { builds: [], last_run_uuid: '' },
    } as unknown as BakeResult;
  }) as unknown as typeof bake;
  return { fn, calls, peak: () => peak };
}

const session = { defaultRegion: 'us-east-1' } as unknown as AwsSession;

describe('bakeMany', () => {
  it('runs six bakes at most four at a time on one session, one manifest for all', async () => {
    const names = ['w2019-web', 'w2019-std', 'w2022-web', 'w2022-std', 'w2025-web', 'w2025-std'];
    const fake = fakeBake(Object.fromEntries(names.map((n, i) => [n, { ms: 20 + i * 5 }])));
    const reporter = new MemoryReporter();
    const result = await bakeMany({ configs: names, concurrency: 4, session, reporter, bake: fake.fn });
    expect(fake.peak()).to.equal(4);
    expect(fake.calls.every((c) => c.session === session)).to.equal(true);
    expect(result.builds.map((b) => [b.config, b.status, b.images[0]?.imageId])).to.deep.equal(names.map((n) => [n, 'ok', `ami-${n}`]));
    expect(result.summary).to.deep.include({ total: 6, ok: 6, failed: 0, skipped: 0, exitCode: 0 });
    // Each bake's own events carry the config they belong to.
    const stepEvents = reporter.events.filter((e) => e.code === 'bake.step.start');
    expect(stepEvents.map((e) => e.data?.config).sort()).to.deep.equal([...names].sort());
    expect(reporter.codes()[0]).to.equal('batch.start');
    expect(reporter.codes().at(-1)).to.equal('batch.done');
  });

  it('a failure does not stop the others; the exit code says partial', async () => {
    const fake = fakeBake({ a: { ms: 5, fail: true }, b: { ms: 30 }, c: { ms: 10 } });
    const result = await bakeMany({ configs: ['a', 'b', 'c'], concurrency: 2, session, bake: fake.fn });
    expect(result.builds.map((b) => b.status)).to.deep.equal(['failed', 'ok', 'ok']);
    expect(result.builds[0]).to.deep.include({ failedStep: 'customize', exitCode: ExitCode.BUILD });
    expect(result.summary.exitCode).to.equal(ExitCode.PARTIAL);
  });

  it('fail-fast aborts the running bakes through their signals (their cleanup runs) and skips the rest', async () => {
    const fake = fakeBake({ a: { ms: 5, fail: true }, b: { ms: 10_000 }, c: { ms: 10_000 }, d: { ms: 10_000 } });
    const t0 = Date.now();
    const result = await bakeMany({ configs: ['a', 'b', 'c', 'd'], concurrency: 2, failFast: true, session, bake: fake.fn });
    expect(Date.now() - t0).to.be.lessThan(2000);
    expect(result.builds.map((b) => b.status)).to.deep.equal(['failed', 'cancelled', 'skipped', 'skipped']);
    expect(fake.calls.map((c) => c.config)).to.deep.equal(['a', 'b']);
    expect(fake.calls[1]!.cleanedUp).to.equal(true);
    expect(result.summary).to.deep.include({ failed: 1, cancelled: 1, skipped: 2, exitCode: ExitCode.BUILD });
  });

  it('the caller cancelling aborts every running bake', async () => {
    const fake = fakeBake({ a: { ms: 10_000 }, b: { ms: 10_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const result = await bakeMany({ configs: ['a', 'b'], concurrency: 2, session, abortSignal: controller.signal, bake: fake.fn });
    expect(result.builds.map((b) => b.status)).to.deep.equal(['cancelled', 'cancelled']);
    expect(result.summary.exitCode).to.equal(ExitCode.CANCELLED);
  });

  it('a bake that throws is recorded, not thrown', async () => {
    const throwing = (async () => {
      throw new StepError('preflight', 'boom');
    }) as unknown as typeof bake;
    const result = await bakeMany({ configs: ['x'], concurrency: 1, session, bake: throwing });
    expect(result.builds[0]).to.deep.include({ status: 'failed', exitCode: ExitCode.BUILD });
    expect(result.builds[0]!.error!.message).to.equal('boom');
  });

  it('formats the summary table', async () => {
    const fake = fakeBake({ good: { ms: 1 }, bad: { ms: 1, fail: true } });
    const table = formatSummaryTable(await bakeMany({ configs: ['good', 'bad'], concurrency: 1, session, bake: fake.fn, now: () => 0 }));
    const lines = table.split('\n');
    expect(lines[0]).to.match(/^CONFIG\s+STATUS\s+REGION\s+IMAGE\s+BILLING\s+TIME\s+DETAIL$/);
    expect(lines[1]).to.match(/^good\s+ok\s+us-east-1\s+ami-good\s+Windows with SQL Server Web \(RunInstances:0202\)\s+0s$/);
    expect(lines[2]).to.match(/^bad\s+failed\s+-\s+-\s+-\s+0s\s+at customize; customize step 1 exited with 1$/);
    expect(table).to.include('1 ok, 1 failed, 0 cancelled, 0 skipped of 2 in 0s; exit code 8');
  });
});

describe('publishImageParameter', () => {
  it('writes an aws:ec2:image String parameter, overwriting, in each region', async () => {
    const calls: { region: string; input: unknown }[] = [];
    const port = (region: string) => ({ putParameter: async (input: unknown) => (calls.push({ region, input }), { Version: 3 }) }) as unknown as SsmPort;
    expect(await publishImageParameter(port('us-east-1'), '/golden/w2022-sql-standard/latest', 'ami-0123')).to.equal(3);
    const s = { ssm: port } as unknown as AwsSession;
    const out = await publishImageParameters(s, '/golden/x/latest', [
      { region: 'us-east-1', imageId: 'ami-1' },
      { region: 'us-west-2', imageId: 'ami-2' },
    ]);
    expect(out.map((o) => [o.region, o.imageId, o.version])).to.deep.equal([
      ['us-east-1', 'ami-1', 3],
      ['us-west-2', 'ami-2', 3],
    ]);
    expect(calls.map((c) => c.region)).to.deep.equal(['us-east-1', 'us-east-1', 'us-west-2']);
    expect(calls[1]!.input).to.deep.include({ Name: '/golden/x/latest', Value: 'ami-1', Type: 'String', DataType: 'aws:ec2:image', Overwrite: true });
  });
});
