/**
 * `bake --engine automation` end to end on the emulator: deploy (idempotent),
 * start, follow, winami's own billing check of every output image, a wrong
 * image discarded, a failing step, and a cancel — nothing left behind.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readJournal } from '../../src/bake/journal.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { loadConfig } from '../../src/config/load.js';
import { renderBundle } from '../../src/render/bundle.js';
import { renderRunbook } from '../../src/engines/automation.js';
import { enginePlan } from '../../src/engines/plan.js';
import { automationCallerPolicy, automationRolePolicy } from '../../src/engines/iam.js';
import { bakeOnAutomation, deployRunbook } from '../../src/engines/run-automation.js';
import { MemoryReporter } from '../../src/reporter.js';
import type { Emulator } from '../../emulator/index.js';
import { automationScriptsUnavailable } from '../emulator-tests/helpers.js';
import { consistencyGraceFor } from './billing-emulator.js';
import { configFor, leftovers, NOTHING, runWinami, writeConfig, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

const ROLE = 'arn:aws:iam::111111111111:role/winami-runbook';

describe('bake --engine automation (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  before(async function () {
    const why = automationScriptsUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    emu = await startBakeEmulator();
  });
  after(() => emu?.stop());
  beforeEach(() => emu?.control.reset());

  const journalDir = mkdtempSync(join(tmpdir(), 'winami-engine-journal-'));
  const run = (config: string, o: { abortSignal?: AbortSignal } = {}) => {
    const reporter = new MemoryReporter();
    return bakeOnAutomation({
      config,
      session: sessionOn(emu),
      roleArn: ROLE,
      reporter,
      timeScale: TIME_SCALE,
      journalDir,
      consistencyGraceMs: consistencyGraceFor(emu),
      ...o,
    }).then((r) => ({
      r,
      reporter,
    }));
  };

  it('bakes, follows the steps, verifies every output image itself, and a second deploy of the same config creates nothing new', async () => {
    const config = configFor('2022', ['  regions:', '    - region: eu-west-1', 'licensing:', '  expect: windows'].join('\n'));
    const { r, reporter } = await run(config);
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.deploy).to.equal('created');
    expect(r.images.map((i) => i.region).sort()).to.deep.equal(['eu-west-1', 'us-east-1']);
    expect(r.images.every((i) => i.usageOperation === 'RunInstances:0002')).to.equal(true);
    const codes = reporter.events.map((e) => e.code);
    expect(codes.filter((c) => c === 'billing.verify.ok')).to.have.length(2);
    expect(reporter.events.filter((e) => e.code === 'engine.step').map((e) => (e.data as { step: string }).step)).to.include.members([
      'LaunchBuilder',
      'StartSysprep',
      'AssertUsageOperation',
      'TerminateBuilder',
    ]);
    // Nothing but the outputs: no builder, and no second copy from a retried copy step (the copy is new to
    // EC2 when the step first looks it up, inside the emulator's consistency window).
    expect(emu.control.calls().filter((c) => c.action === 'CopyImage' && c.status === 200)).to.have.length(1);
    expect(
      leftovers(
        emu,
        r.images.map((i) => i.imageId),
      ),
    ).to.deep.equal(NOTHING);
    expect(r.manifest).to.include({ winami: 1, ok: true, buildId: r.buildId, name: 'golden', region: 'us-east-1' });
    expect(r.manifest.images.map((i) => i.imageId).sort()).to.deep.equal(r.images.map((i) => i.imageId).sort());
    expect(r.manifest.images.every((i) => i.name.startsWith('golden-2022-'))).to.equal(true);
    expect(r.manifest.source?.imageId).to.match(/^ami-/);
    expect(r.manifest.expectation).to.include({ usageOperation: 'RunInstances:0002' });
    expect(r.manifest.steps.find((st) => st.name === 'AssertUsageOperation')).to.include({ status: 'ok' });
    expect(r.packerManifest.builds[0]!.artifact_id.split(',').sort()).to.deep.equal(r.images.map((i) => `${i.region}:${i.imageId}`).sort());
    const journal = readJournal(r.journalPath);
    expect(journal).to.include({ buildId: r.buildId, finished: true });
    expect(journal.outstanding).to.deep.equal([]);
    const cleaned = await cleanupBuild({
      session: sessionOn(emu),
      buildId: r.buildId,
      journal: r.journalPath,
      regions: ['us-east-1', 'eu-west-1'],
      pollMs: 5,
      consistencyGraceMs: consistencyGraceFor(emu),
    });
    expect(cleaned.removed).to.deep.equal([]);
    expect(cleaned.kept.map((k) => k.id).sort()).to.include.members(
      r.images
        .map((i) => i.imageId)
        .sort()
        .slice(0, 1),
    );
    const again = await run(config);
    expect(again.r.deploy).to.equal('unchanged');
    expect(again.r.documentVersion).to.equal(r.documentVersion);
  });

  it('bakes the SQL Server Standard example with its license-included billing on every region', async () => {
    const { r, reporter } = await run(join(process.cwd(), 'examples/windows-2022-sql-2022-standard.yaml'));
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.images.map((i) => i.region).sort()).to.deep.equal(['us-east-1', 'us-west-2']);
    expect(r.images.every((i) => i.usageOperation === 'RunInstances:0006' && i.platformDetails === 'Windows with SQL Server Standard')).to.equal(
      true,
      JSON.stringify(r.images),
    );
    // The runbook ran the SQL readiness check before sealing.
    const steps = reporter.events.filter((e) => e.code === 'engine.step').map((e) => e.data as { step: string; status: string });
    expect(steps.some((s) => s.step === 'CheckSqlReady' && s.status === 'Success')).to.equal(true, JSON.stringify(steps.map((s) => s.step)));
    expect(
      leftovers(
        emu,
        r.images.map((i) => i.imageId),
      ).instances,
    ).to.deep.equal([]);
  });

  it('keeps following the execution when its polls stay throttled past the SDK retries', async () => {
    // More throttled answers in a row than the SDK's 8 attempts of one call: the bake backs off and polls again.
    emu.control.addFault({ service: 'ssm', action: 'GetAutomationExecution', errorCode: 'ThrottlingException', status: 400, times: 12 });
    const { r } = await run(configFor('2022'));
    expect(r.ok, r.error?.message).to.equal(true);
    const throttled = emu.control.calls().filter((c) => c.action === 'GetAutomationExecution' && c.errorCode === 'ThrottlingException');
    expect(throttled).to.have.length(12);
  });

  it('fails with nothing left when the billing is wrong: the runbook discards the image', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' } });
    const { r } = await run(configFor('2022', 'licensing:\n  expect: windows'));
    expect(r.ok).to.equal(false);
    expect(r.status).to.equal('Failed');
    expect(r.images).to.deep.equal([]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('fails with nothing left when a customize step fails', async () => {
    emu.control.setGuestDefaults({ failCommand: { match: 'C:\\Golden\\marker.txt', exitCode: 4, stdout: 'broken' } });
    const { r } = await run(configFor('2022'));
    expect(r.ok).to.equal(false);
    expect(r.exitCode).to.equal(7);
    expect(r.error!.message).to.match(/Customize01Marker/);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('stops the execution on cancel and removes the builder it left (a cancel during aws:runInstances has no onCancel branch)', async () => {
    const abort = new AbortController();
    const pending = run(configFor('2022'), { abortSignal: abort.signal });
    for (let i = 0; i < 500 && emu.control.resources().instances.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    abort.abort();
    const { r, reporter } = await pending;
    expect(r.exitCode).to.equal(130);
    expect(r.status).to.equal('Cancelled');
    expect(reporter.events.map((e) => e.code)).to.include('engine.stopping');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('deploys a new document version when the config changes', async () => {
    const first = await run(configFor('2022'));
    const second = await run(configFor('2022', '  description: changed'));
    expect(first.r.deploy).to.equal('created');
    expect(second.r.deploy).to.equal('updated');
    expect(Number(second.r.documentVersion)).to.equal(Number(first.r.documentVersion) + 1);
  });

  it('runs from the CLI with --engine automation, and refuses it without --role-arn', async () => {
    const config = configFor('2022');
    const missing = await runWinami(emu, ['bake', config, '--engine', 'automation', '--time-scale', String(TIME_SCALE)]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/--role-arn/);
    const manifestPath = join(mkdtempSync(join(tmpdir(), 'winami-engine-manifest-')), 'manifest.json');
    const r = await runWinami(emu, [
      'bake',
      config,
      '--engine',
      'automation',
      '--role-arn',
      ROLE,
      '--time-scale',
      String(TIME_SCALE),
      '--json',
      '--manifest',
      manifestPath,
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ok: boolean; engine: string; images: { imageId: string }[] };
    expect(out).to.include({ ok: true, engine: 'automation' });
    expect(out.images).to.have.length(1);
    const written = JSON.parse(readFileSync(manifestPath, 'utf8')) as { winami: number; ok: boolean; images: { imageId: string }[] };
    expect(written).to.include({ winami: 1, ok: true });
    expect(written.images.map((i) => i.imageId)).to.deep.equal(out.images.map((i) => i.imageId));
    expect(readFileSync(manifestPath.replace(/\.json$/, '.packer.json'), 'utf8')).to.include(out.images[0]!.imageId);
    expect(
      leftovers(
        emu,
        out.images.map((i) => i.imageId),
      ).instances,
    ).to.deep.equal([]);
  });

  it('tags what the runbook creates with the build id, so winami cleanup removes a builder an execution stopped from outside left behind', async () => {
    const config = loadConfig(configFor('2022'), {});
    const content = stringify(renderRunbook(config, enginePlan(config, await renderBundle(config))), { lineWidth: 0 });
    const session = sessionOn(emu);
    const dep = await deployRunbook(session, config, content);
    const ssm = session.ssm('us-east-1');
    const { AutomationExecutionId } = await ssm.startAutomationExecution({
      DocumentName: dep.name,
      DocumentVersion: dep.version,
      Parameters: { AutomationAssumeRole: [ROLE], BuildId: ['stray-build-1'] },
    });
    for (let i = 0; i < 500 && emu.control.resources().instances.length === 0; i++) await new Promise((res) => setTimeout(res, 5));
    await ssm.stopAutomationExecution({ AutomationExecutionId });
    for (let i = 0; i < 500; i++) {
      const e = await ssm.getAutomationExecution({ AutomationExecutionId });
      if (e.AutomationExecution!.AutomationExecutionStatus === 'Cancelled') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    expect(leftovers(emu).instances).to.have.length(1);
    // At once, with no journal: the builder may not be listed yet, so the cleanup lists again after the grace.
    const cleaned = await cleanupBuild({ session, buildId: 'stray-build-1', regions: ['us-east-1'], pollMs: 5, consistencyGraceMs: consistencyGraceFor(emu) });
    expect(cleaned.removed.map((x) => x.kind)).to.include('instance');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it("calls nothing the runbook role (iam-policy --engine automation) does not allow, besides the caller's own calls", async () => {
    const path = configFor(
      '2022',
      [
        '  regions:',
        '    - region: eu-west-1',
        '  publishParameter: /golden/test/latest',
        '  deprecateAfter: 30d',
        '  launchPermissions:',
        '    accounts: ["222222222222"]',
        'licensing:',
        '  expect: windows',
      ].join('\n'),
    );
    const { r } = await run(path);
    expect(r.ok, r.error?.message).to.equal(true);
    const config = loadConfig(path, {});
    const allowed = new Set([
      ...automationRolePolicy(config).Statement.flatMap((st) => st.Action),
      ...automationCallerPolicy().Statement.flatMap((st) => st.Action),
    ]);
    const called = [
      ...new Set(
        emu.control
          .calls()
          .filter((c) => c.status === 200)
          .map((c) => `${c.service}:${c.action}`),
      ),
    ];
    expect(called).to.include.members([
      'ec2:RunInstances',
      'ec2:CopyImage',
      'ssm:SendCommand',
      'ssm:PutParameter',
      'ec2:EnableImageDeprecation',
      'ec2:ModifyImageAttribute',
    ]);
    expect(called.filter((a) => !allowed.has(a))).to.deep.equal([]);
  });

  it('resolves a name-filter source itself and pins it for the execution (a runbook cannot search)', async () => {
    const path = writeConfig(
      [
        'name: filtered',
        'region: us-east-1',
        'windows:',
        '  release: "2022"',
        'source:',
        '  filter:',
        '    name: "Windows_Server-2022-English-Full-Base-*"',
        '    owners: [amazon]',
        'builder:',
        '  instanceProfile: winami-builder',
        'customize:',
        '  - name: marker',
        '    script: step.ps1',
        '',
      ].join('\n'),
    );
    const { r, reporter } = await run(path);
    expect(r.ok, r.error?.message).to.equal(true);
    expect(reporter.events.map((e) => e.code)).to.include('bake.source');
    expect(r.manifest.source?.name).to.match(/^Windows_Server-2022-English-Full-Base-/);
    expect(r.manifest.expectation?.derivedFrom).to.match(/lineage/);
  });
});
