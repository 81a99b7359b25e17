/**
 * `bake --engine automation` with the bundle delivered from S3, end to end on
 * the emulator: the objects are uploaded under a prefix of the build, fetched
 * on the builder with Read-S3Object through its instance profile, checked, and
 * deleted when the bake ends (success, failure, cancel); a bundle too large
 * for the 64 KB document without a bucket is refused before anything is
 * created; `winami cleanup` removes objects a bake left.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { readJournal, openJournal, journalPath } from '../../src/bake/journal.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { bakeOnAutomation, deployRunbook } from '../../src/engines/run-automation.js';
import { chooseRunbook } from '../../src/engines/delivery.js';
import { enginePlan } from '../../src/engines/plan.js';
import { loadConfig } from '../../src/config/load.js';
import { renderBundle } from '../../src/render/bundle.js';
import { exportEngine } from '../../src/engines/export.js';
import { ValidationError } from '../../src/errors.js';
import { MemoryReporter } from '../../src/reporter.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { automationScriptsUnavailable } from '../emulator-tests/helpers.js';
import { configFor, leftovers, NOTHING, runWinami, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

const ROLE = 'arn:aws:iam::111111111111:role/winami-runbook';
const BUCKET = 'winami-bundles-test';

/** A config whose bundle holds `bytes` of incompressible data: past 64 KB even gzip-compressed. */
function bigConfig(bytes: number, extra = ''): string {
  const path = configFor('2022', extra, ['  - name: payload', '    file:', '      source: payload.bin', '      destination: C:\\Golden\\payload.bin']);
  writeFileSync(join(dirname(path), 'payload.bin'), randomBytes(bytes));
  return path;
}

describe('bake --engine automation with the bundle from S3 (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  const a = EMULATOR_ACCOUNTS[0]!;
  const client = <T>(C: new (c: object) => T) =>
    new C({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    });
  before(async function () {
    const why = automationScriptsUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    emu = await startBakeEmulator();
  });
  after(() => emu?.stop());
  /** A fresh world: the bucket, and the builder role allowed to read winami's prefix. */
  beforeEach(async () => {
    await emu.control.reset();
    await client(S3Client).send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client(IAMClient).send(
      new PutRolePolicyCommand({
        RoleName: 'winami-builder',
        PolicyName: 'read-bundle',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/winami/*` }],
        }),
      }),
    );
  });

  const journalDir = mkdtempSync(join(tmpdir(), 'winami-s3-journal-'));
  const run = (config: string, o: { abortSignal?: AbortSignal; bundleBucket?: string; keepBundle?: boolean } = {}) => {
    const reporter = new MemoryReporter();
    return bakeOnAutomation({ config, session: sessionOn(emu), roleArn: ROLE, reporter, timeScale: TIME_SCALE, journalDir, ...o }).then((r) => ({
      r,
      reporter,
    }));
  };
  const objects = () => emu.control.resources().s3Objects;

  it('delivers a bundle too large for the document from S3, checks it on the builder, and deletes the objects after', async () => {
    const config = bigConfig(80_000);
    const { r, reporter } = await run(config, { bundleBucket: BUCKET });
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.delivery).to.equal('s3');
    expect(r.bundle).to.include({ bucket: BUCKET, prefix: `winami/golden/${r.buildId}`, deleted: true });
    expect(r.bundle!.keys.length).to.be.greaterThan(3);
    expect(r.bundle!.keys).to.include(`winami/golden/${r.buildId}/files/03-payload.bin`);
    // Fetched on the builder: the verify step passed only if every SHA-256 matched.
    const steps = reporter.events.filter((e) => e.code === 'engine.step').map((e) => e.data as { step: string; status: string });
    expect(steps).to.deep.include({ step: 'DeliverBundle1', action: 'aws:runCommand', status: 'Success' } as never);
    expect(steps.some((s) => s.step === 'VerifyBundle' && s.status === 'Success')).to.equal(true);
    expect(objects()).to.deep.equal([]);
    const journal = readJournal(r.journalPath);
    expect(journal.outstanding.filter((x) => x.kind === 's3-object')).to.deep.equal([]);
    const calls = emu.control.calls().filter((c) => c.service === 's3');
    expect(calls.filter((c) => c.action === 'PutObject')).to.have.length(r.bundle!.keys.length);
    expect(calls.some((c) => c.action === 'DeleteObjects' && c.status === 200)).to.equal(true);
    expect(leftovers(emu, [r.images[0]!.imageId]).instances).to.deep.equal([]);
  });

  it('deletes the objects when a customize step fails, and keeps them only when asked', async () => {
    emu.control.setGuestDefaults({ failCommand: { match: 'C:\\Golden\\marker.txt', exitCode: 4, stdout: 'broken' } });
    const failed = await run(bigConfig(80_000), { bundleBucket: BUCKET });
    expect(failed.r.ok).to.equal(false);
    expect(failed.r.bundle?.deleted).to.equal(true);
    expect(objects()).to.deep.equal([]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
    emu.control.setGuestDefaults({});
    const kept = await run(bigConfig(80_000), { bundleBucket: BUCKET, keepBundle: true });
    expect(kept.r.ok, kept.r.error?.message).to.equal(true);
    expect(
      objects()
        .map((o) => o.key)
        .sort(),
    ).to.deep.equal([...kept.r.bundle!.keys].sort());
  });

  it('deletes the objects after a cancel', async () => {
    const abort = new AbortController();
    const pending = run(bigConfig(80_000), { bundleBucket: BUCKET, abortSignal: abort.signal });
    for (let i = 0; i < 1000 && emu.control.resources().instances.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    abort.abort();
    const { r } = await pending;
    expect(r.exitCode).to.equal(130);
    expect(r.bundle?.deleted).to.equal(true);
    expect(objects()).to.deep.equal([]);
  });

  it('deletes what it uploaded and starts nothing when cancelled during the upload', async () => {
    emu.control.addFault({ service: 's3', action: 'PutObject', latencyMs: 150, times: 100 });
    const abort = new AbortController();
    const pending = run(bigConfig(80_000), { bundleBucket: BUCKET, abortSignal: abort.signal });
    for (let i = 0; i < 2000 && objects().length < 2; i++) await new Promise((res) => setTimeout(res, 5));
    abort.abort();
    const { r } = await pending;
    expect(r.exitCode).to.equal(130);
    expect(r.error?.message).to.match(/while uploading the bundle/);
    expect(r.bundle!.keys.length).to.be.within(2, 9);
    expect(r.bundle!.deleted).to.equal(true);
    emu.control.clearFaults();
    expect(objects()).to.deep.equal([]);
    // No PutObject lands after the deletion: the one in flight at the cancel was let finish first.
    await new Promise((res) => setTimeout(res, 400));
    expect(objects()).to.deep.equal([]);
    expect(emu.control.calls().filter((c) => c.action === 'StartAutomationExecution')).to.deep.equal([]);
    expect(readJournal(r.journalPath)).to.include({ finished: false });
    expect(readJournal(r.journalPath).outstanding).to.deep.equal([]);
  });

  it('refuses a bundle too large for the document without a bucket, naming the limit and the option, and creates nothing', async () => {
    const config = bigConfig(80_000);
    const err = await run(config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).message).to.match(/at most 65536 bytes/);
    expect((err as ValidationError).hint).to.match(/--bundle-bucket NAME.*engine\.bundleBucket/);
    const state = emu.control.resources();
    expect(state.s3Objects).to.deep.equal([]);
    expect(state.instances).to.deep.equal([]);
    expect(emu.control.calls().filter((c) => c.action === 'CreateDocument' || c.action === 'StartAutomationExecution')).to.deep.equal([]);
    // The export says the same, and writes nothing.
    const out = mkdtempSync(join(tmpdir(), 'winami-s3-export-'));
    const exportErr = await exportEngine({ configPath: config, engine: 'automation', outDir: join(out, 'x') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(exportErr).to.be.instanceOf(ValidationError);
  });

  it('refuses a builder whose role may not read the bundle, before anything is created', async () => {
    const err = await run(bigConfig(80_000, 'engine:\n  bundlePrefix: elsewhere'), { bundleBucket: BUCKET }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as Error).message).to.match(/does not allow s3:GetObject on arn:aws:s3:::winami-bundles-test\/elsewhere\/golden\//);
    expect(emu.control.resources().s3Objects).to.deep.equal([]);
    expect(emu.control.resources().instances).to.deep.equal([]);
    // The same check through a profile given by its ARN.
    const byArn = bigConfig(80_000, 'engine:\n  bundlePrefix: elsewhere');
    writeFileSync(
      byArn,
      readFileSync(byArn, 'utf8').replace('instanceProfile: winami-builder', 'instanceProfile: arn:aws:iam::111111111111:instance-profile/winami-builder'),
    );
    const viaArn = await run(byArn, { bundleBucket: BUCKET }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((viaArn as Error).message).to.match(/role arn:aws:iam::111111111111:role\/winami-builder does not allow s3:GetObject/);
  });

  it('refuses a hostile BundlePrefix at the start of an execution: the parameter pattern keeps it out of PowerShell', async () => {
    const config = loadConfig(bigConfig(80_000));
    const chosen = chooseRunbook(config, enginePlan(config, await renderBundle(config)), { bucket: BUCKET });
    const dep = await deployRunbook(sessionOn(emu), config, chosen.content);
    for (const prefix of ["x' ; Remove-Item -Recurse C:\\ ; '", 'a b', '$(Get-Secret)']) {
      const err = await sessionOn(emu)
        .ssm()
        .startAutomationExecution({ DocumentName: dep.name, Parameters: { AutomationAssumeRole: [ROLE], BundlePrefix: [prefix] } })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.message, prefix).to.match(/does not match the allowed pattern/);
    }
    expect(emu.control.resources().instances).to.deep.equal([]);
  });

  it('leaves the objects in the journal when S3 refuses to delete them, and winami cleanup removes them after', async () => {
    emu.control.addFault({ service: 's3', action: 'DeleteObjects', errorCode: 'InternalError', status: 500, times: 50 });
    const { r, reporter } = await run(bigConfig(80_000), { bundleBucket: BUCKET });
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.bundle?.deleted).to.equal(false);
    const left = reporter.events.find((e) => e.code === 'engine.bundle.left')!;
    expect(left.message).to.include(`winami cleanup --build-id ${r.buildId}`);
    expect(objects()).to.have.length(r.bundle!.keys.length);
    expect(readJournal(r.journalPath).outstanding.filter((x) => x.kind === 's3-object')).to.have.length(r.bundle!.keys.length);
    emu.control.clearFaults();
    const cleaned = await cleanupBuild({ session: sessionOn(emu), buildId: r.buildId, journal: r.journalPath, pollMs: 5 });
    expect(cleaned.removed.filter((x) => x.kind === 's3-object')).to.have.length(r.bundle!.keys.length);
    expect(cleaned.failed).to.deep.equal([]);
    expect(objects()).to.deep.equal([]);
  });

  it('from the CLI: export uploads the objects, bake delivers from S3 and deletes its own, iam-policy scopes S3 to the prefix', async () => {
    const config = bigConfig(80_000);
    const out = mkdtempSync(join(tmpdir(), 'winami-s3-cli-'));
    const exported = await runWinami(emu, ['export', 'automation', config, '--out', out, '--bundle-bucket', BUCKET]);
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.stdout).to.match(/bundle: \d+ objects uploaded to s3:\/\/winami-bundles-test\/winami\/golden\/[0-9a-f]{16}\//);
    const fromExport = objects().map((o) => o.key);
    expect(fromExport.length).to.be.greaterThan(3);
    const baked = await runWinami(emu, [
      'bake',
      config,
      '--engine',
      'automation',
      '--role-arn',
      ROLE,
      '--bundle-bucket',
      BUCKET,
      '--time-scale',
      String(TIME_SCALE),
      '--json',
    ]);
    expect(baked.code, baked.stderr).to.equal(0);
    const result = JSON.parse(baked.stdout.trim().split('\n').at(-1)!) as { ok: boolean; delivery: string; bundle: { deleted: boolean; prefix: string } };
    expect(result).to.include({ ok: true, delivery: 's3' });
    expect(result.bundle.deleted).to.equal(true);
    // The bake's own objects are gone; the export's, which the exported runbook's defaults name, are untouched.
    expect(objects().map((o) => o.key)).to.deep.equal(fromExport);
    const tooLarge = await runWinami(emu, ['bake', config, '--engine', 'automation', '--role-arn', ROLE, '--time-scale', String(TIME_SCALE)]);
    expect(tooLarge.code).to.equal(4);
    expect(tooLarge.stderr).to.match(/at most 65536 bytes/);
    expect(tooLarge.stderr).to.match(/--bundle-bucket NAME/);
    const policy = await runWinami(emu, ['iam-policy', config, '--engine', 'automation', '--bundle-bucket', BUCKET]);
    expect(policy.code, policy.stderr).to.equal(0);
    const p = JSON.parse(policy.stdout) as { caller: { Statement: { Action: string[]; Resource: string }[] } };
    expect(p.caller.Statement.filter((st) => st.Action.includes('s3:PutObject')).map((st) => st.Resource)).to.deep.equal([
      `arn:aws:s3:::${BUCKET}/winami/golden/*`,
    ]);
  });

  it('winami cleanup removes bundle objects a bake left (only the journal knows them)', async () => {
    const s3 = client(S3Client);
    const buildId = 'b-leftover';
    const journal = openJournal(journalPath(journalDir, buildId));
    journal.append({ type: 'build', buildId, region: 'us-east-1', regions: ['us-east-1'], name: 'golden', time: new Date().toISOString() });
    for (const k of ['a.ps1', 'b.xml']) {
      const key = `winami/golden/${buildId}/${k}`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
      journal.append({ type: 'created', kind: 's3-object', id: `s3://${BUCKET}/${key}`, region: 'us-east-1', role: 'bundle', time: new Date().toISOString() });
    }
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'someone-else.txt', Body: 'y' }));
    const dry = await cleanupBuild({ session: sessionOn(emu), buildId, journalDir, dryRun: true, pollMs: 5 });
    expect(dry.removed.filter((x) => x.kind === 's3-object')).to.have.length(2);
    expect(objects()).to.have.length(3);
    const done = await cleanupBuild({ session: sessionOn(emu), buildId, journalDir, pollMs: 5 });
    expect(done.removed.filter((x) => x.kind === 's3-object').map((x) => x.id)).to.deep.equal([
      `s3://${BUCKET}/winami/golden/${buildId}/a.ps1`,
      `s3://${BUCKET}/winami/golden/${buildId}/b.xml`,
    ]);
    expect(objects().map((o) => o.key)).to.deep.equal(['someone-else.txt']);
  });
});
