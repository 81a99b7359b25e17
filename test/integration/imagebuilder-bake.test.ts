/**
 * `bake --engine imagebuilder` end to end on the emulator: deploy what
 * `winami export imagebuilder` renders (idempotent, new versions on a
 * change), start the pipeline, follow it, winami's own billing check of every
 * output image (a wrong one discards the outputs), a failing customize step,
 * a cancel, `winami cleanup` of a build whose bake died, and the CLI —
 * nothing left behind on any failure path.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, readJournal } from '../../src/bake/journal.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { loadConfig } from '../../src/config/load.js';
import { IMAGEBUILDER_CALLER_ACTIONS } from '../../src/engines/iam.js';
import { bakeOnImageBuilder, deployImageBuilder } from '../../src/engines/run-imagebuilder.js';
import { imageBuilderRequests } from '../../src/engines/imagebuilder.js';
import { enginePlan } from '../../src/engines/plan.js';
import { renderBundle } from '../../src/render/bundle.js';
import { MemoryReporter } from '../../src/reporter.js';
import type { AwsSession } from '../../src/aws/ports.js';
import { botocoreProblems, type ModelRequest } from '../unit/engines/tools.js';
import type { Emulator } from '../../emulator/index.js';
import { ACCOUNT, CLI, cliEnv, configFor, leftovers, NOTHING, runWinami, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

const ROOT = process.cwd();

describe('bake --engine imagebuilder (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator();
  });
  after(() => emu?.stop());
  beforeEach(() => emu?.control.reset());

  const journalDir = mkdtempSync(join(tmpdir(), 'winami-ib-journal-'));
  const run = (config: string, o: { abortSignal?: AbortSignal } = {}) => {
    const reporter = new MemoryReporter();
    return bakeOnImageBuilder({ config, session: sessionOn(emu), reporter, timeScale: TIME_SCALE, journalDir, ...o }).then((r) => ({ r, reporter }));
  };
  const images = () => emu.control.resources({ account: ACCOUNT }).images;

  it('bakes the 2022 base example: follows the statuses, verifies every output image itself, writes the manifest, and a second deploy creates nothing', async () => {
    const { r, reporter } = await run(join(ROOT, 'examples/windows-2022-base.yaml'));
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.deploy).to.equal('created');
    expect(r.status).to.equal('AVAILABLE');
    expect(r.images.map((i) => i.region).sort()).to.deep.equal(['eu-west-1', 'us-east-1']);
    expect(r.images.every((i) => i.usageOperation === 'RunInstances:0002')).to.equal(true);
    const codes = reporter.events.map((e) => e.code);
    expect(codes.filter((c) => c === 'billing.verify.ok')).to.have.length(2);
    const statuses = reporter.events.filter((e) => e.code === 'engine.step').map((e) => (e.data as { step: string }).step);
    expect(statuses).to.include.members(['BUILDING', 'TESTING', 'DISTRIBUTING', 'AVAILABLE']);
    expect(r.manifest).to.include({ winami: 1, ok: true, buildId: r.buildId, name: 'windows-2022-base', region: 'us-east-1' });
    expect(r.manifest.images.map((i) => i.imageId).sort()).to.deep.equal(r.images.map((i) => i.imageId).sort());
    expect(r.manifest.images.every((i) => i.name.startsWith('windows-2022-base-'))).to.equal(true);
    expect(r.manifest.expectation).to.include({ usageOperation: 'RunInstances:0002' });
    expect(r.manifest.steps.map((s) => s.name)).to.include.members(['BUILDING', 'TESTING', 'DISTRIBUTING']);
    expect(r.manifest.steps.every((s) => s.status === 'ok')).to.equal(true);
    expect(r.packerManifest.builds[0]!.artifact_id.split(',').sort()).to.deep.equal(r.images.map((i) => `${i.region}:${i.imageId}`).sort());
    // The build ran the config's steps on the guest: the IIS feature and the marker are in the image the test phase launched.
    const built = images().find((i) => i.id === r.images.find((x) => x.region === 'us-east-1')!.imageId)!;
    expect(built.tags.Ec2ImageBuilderArn).to.equal(r.imageBuildVersionArn);
    expect(built.tags.team).to.equal('platform');
    expect(
      leftovers(
        emu,
        r.images.map((i) => i.imageId),
      ),
    ).to.deep.equal(NOTHING);
    const journal = readJournal(r.journalPath);
    expect(journal).to.include({ buildId: r.buildId, finished: true });
    expect(journal.executions).to.deep.equal([{ engine: 'imagebuilder', arn: r.imageBuildVersionArn, region: 'us-east-1' }]);
    expect(journal.outstanding).to.deep.equal([]);
    // Cleanup of a finished build keeps its outputs.
    const cleaned = await cleanupBuild({ session: sessionOn(emu), journal: r.journalPath, pollMs: 5 });
    expect(cleaned.removed).to.deep.equal([]);
    expect(images().map((i) => i.id)).to.include.members(r.images.map((i) => i.imageId));
    const again = await run(join(ROOT, 'examples/windows-2022-base.yaml'));
    expect(again.r.ok, again.r.error?.message).to.equal(true);
    expect(again.r.deploy).to.equal('unchanged');
    expect(again.r.resources.every((x) => x.action === 'unchanged')).to.equal(true);
    expect(again.r.recipeArn).to.equal(r.recipeArn);
    // Every Image Builder call winami made is in its IAM policy (iam-policy --engine imagebuilder).
    const called = [
      ...new Set(
        emu.control
          .calls()
          .filter((c) => c.service === 'imagebuilder' && c.status === 200)
          .map((c) => `${c.service}:${c.action}`),
      ),
    ];
    expect(called).to.include.members(['imagebuilder:StartImagePipelineExecution', 'imagebuilder:GetImage', 'imagebuilder:CreateComponent']);
    expect(called.filter((a) => !(IMAGEBUILDER_CALLER_ACTIONS as readonly string[]).includes(a))).to.deep.equal([]);
    // The bake's polls and the build's own stay within EC2's and SSM's buckets (they refill in real time):
    // two bakes at time scale 0.002 were once throttled until a build failed with RequestLimitExceeded.
    const throttled = emu.control.calls().filter((c) => c.errorCode === 'RequestLimitExceeded' || c.errorCode === 'ThrottlingException');
    expect(throttled.map((c) => `${c.service}:${c.action}`)).to.deep.equal([]);
  });

  it('bakes the SQL Server Standard example with its license-included billing on every region', async () => {
    const { r } = await run(join(ROOT, 'examples/windows-2022-sql-2022-standard.yaml'));
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.images.map((i) => i.region).sort()).to.deep.equal(['us-east-1', 'us-west-2']);
    expect(r.images.every((i) => i.usageOperation === 'RunInstances:0006' && i.platformDetails === 'Windows with SQL Server Standard')).to.equal(
      true,
      JSON.stringify(r.images),
    );
    expect(
      leftovers(
        emu,
        r.images.map((i) => i.imageId),
      ).instances,
    ).to.deep.equal([]);
  });

  it('changes of the config create new versions and update the pipeline in place', async () => {
    const first = await run(configFor('2022'));
    expect(first.r.ok, first.r.error?.message).to.equal(true);
    const bigger = configFor('2022');
    writeFileSync(
      bigger,
      readFileSync(bigger, 'utf8').replace('  instanceProfile: winami-builder', '  instanceProfile: winami-builder\n  instanceType: m5.xlarge'),
    );
    const second = await run(bigger);
    expect(second.r.ok, second.r.error?.message).to.equal(true);
    expect(second.r.deploy).to.equal('updated');
    const changed = Object.fromEntries(second.r.resources.map((x) => [x.logicalId, x.action]));
    expect(changed.Infrastructure).to.equal('updated');
    expect(changed.Pipeline).to.equal('unchanged');
    const third = await run(configFor('2022', '', ['  - name: another', '    powershell: "Write-Output \'another step\'"']));
    expect(third.r.ok, third.r.error?.message).to.equal(true);
    const byId = Object.fromEntries(third.r.resources.map((x) => [x.logicalId, x]));
    expect(byId.Recipe!.action).to.equal('created');
    expect(byId.Recipe!.arn).to.not.equal(first.r.recipeArn);
    expect(byId.Pipeline!.action).to.equal('updated');
  });

  it('discards every output when one image bills wrongly (a copy Image Builder made), and leaves nothing', async () => {
    emu.control.setImageOutcome({ actions: ['CopyImage'], billing: { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' } });
    const { r, reporter } = await run(configFor('2022', ['  regions:', '    - region: eu-west-1', 'licensing:', '  expect: windows'].join('\n')));
    expect(r.ok).to.equal(false);
    expect(r.status).to.equal('AVAILABLE');
    expect(r.exitCode).to.equal(r.error!.exitCode);
    expect(r.error!.message).to.match(/billing of ami-[0-9a-f]+ was wrong/);
    expect(r.discarded).to.have.length(2);
    expect(r.images).to.deep.equal([]);
    expect(reporter.events.map((e) => e.code)).to.include('billing.verify.failed');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
    expect(readJournal(r.journalPath).outstanding).to.deep.equal([]);
  });

  it("fails the build in Image Builder's test phase when the image itself bills wrongly, and leaves nothing", async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' } });
    const { r } = await run(configFor('2022', 'licensing:\n  expect: windows'));
    expect(r.ok).to.equal(false);
    expect(r.status).to.equal('FAILED');
    expect(r.error!.message).to.match(/Test failed/);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('fails with nothing left when a customize step fails, naming the step', async () => {
    emu.control.setGuestDefaults({ failCommand: { match: 'C:\\Golden\\marker.txt', exitCode: 4, stdout: 'broken' } });
    const { r } = await run(configFor('2022'));
    expect(r.ok).to.equal(false);
    expect(r.status).to.equal('FAILED');
    expect(r.exitCode).to.equal(7);
    expect(r.error!.message).to.match(/Customize01Marker ended Failed \(exit 4\)/);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('stops before starting anything when Image Builder refuses a component, naming the call and the reason', async () => {
    const path = configFor('2022', '', ['  - name: templated', '    powershell: "Write-Output \'{{ not.a.variable }}\'"']);
    const err = await bakeOnImageBuilder({ config: path, session: sessionOn(emu), timeScale: TIME_SCALE, journalDir }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/CreateComponent/);
    expect(err?.message).to.match(/does not model AWSTOE variables/);
    expect(emu.control.calls().some((c) => c.action === 'StartImagePipelineExecution')).to.equal(false);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('cancels the image creation on Ctrl-C and removes what the build made', async () => {
    emu.control.setDurations({ command: 500_000 });
    const abort = new AbortController();
    const pending = run(configFor('2022'), { abortSignal: abort.signal });
    for (let i = 0; i < 1000 && emu.control.resources().instances.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    abort.abort();
    const { r, reporter } = await pending;
    expect(r.exitCode).to.equal(130);
    expect(r.status).to.equal('CANCELLED');
    expect(reporter.events.map((e) => e.code)).to.include('engine.stopping');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
    expect(readJournal(r.journalPath)).to.include({ finished: false });
  });

  it('Ctrl-C on the CLI (SIGINT) cancels the image creation, exits 130 and leaves nothing', async () => {
    // Slow commands keep the build running until the signal is handled, on a loaded machine too.
    emu.control.setDurations({ command: 500_000 });
    const child = spawn(process.execPath, [CLI, 'bake', configFor('2022'), '--engine', 'imagebuilder', '--time-scale', String(TIME_SCALE), '--json'], {
      cwd: mkdtempSync(join(tmpdir(), 'winami-ib-sigint-')),
      env: cliEnv(emu),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Interrupted once the build is running, as a user would.
      if (!sent && /"code":"engine\.step".*"step":"BUILDING"/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(sent, stderr).to.equal(true);
    expect(code, stderr).to.equal(130);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string; ok: boolean };
    expect(result).to.include({ ok: false, status: 'CANCELLED' });
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('a second Ctrl-C exits at once naming the journal, and winami cleanup --journal finishes the job: the build cancelled, nothing left', async () => {
    // Slow commands (500 s each, 2 s real) keep the build running while winami cleanup starts, on a loaded machine too.
    emu.control.setDurations({ command: 500_000 });
    const cwd = mkdtempSync(join(tmpdir(), 'winami-ib-twice-'));
    const child = spawn(process.execPath, [CLI, 'bake', configFor('2022'), '--engine', 'imagebuilder', '--time-scale', String(TIME_SCALE), '--json'], {
      cwd,
      env: cliEnv(emu),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && /"code":"engine\.step".*"step":"BUILDING"/.test(stdout)) {
        sent = true;
        // Two presses in quick succession (a signal sent twice at once reaches the process once).
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 30);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).to.equal(130);
    const journal = /winami cleanup --journal (\S+)/.exec(stderr)?.[1];
    expect(journal, stderr).to.be.a('string');
    expect(readJournal(journal!).executions).to.have.length(1);
    const cleaned = await runWinami(emu, ['cleanup', '--journal', journal!, '--time-scale', String(TIME_SCALE)], cwd);
    expect(cleaned.code, cleaned.stderr).to.equal(0);
    const arn = readJournal(journal!).executions[0]!.arn;
    const image = await sessionOn(emu).imagebuilder!('us-east-1').getImage({ imageBuildVersionArn: arn });
    // Cancelled by the first Ctrl-C or by the cleanup; either way the cleanup waited for its end and swept.
    expect(image.image?.state?.status, cleaned.stderr).to.equal('CANCELLED');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('winami cleanup stops a build the journal records whose bake died, and removes what it made', async () => {
    // What a killed winami leaves: the resources deployed, the build started, and a journal naming it.
    const config = loadConfig(configFor('2022'), {});
    const session = sessionOn(emu);
    const requests = imageBuilderRequests(config, enginePlan(config, await renderBundle(config)));
    const dep = await deployImageBuilder(session, config, requests, ACCOUNT);
    const { imageBuildVersionArn } = await session.imagebuilder!('us-east-1').startImagePipelineExecution({
      imagePipelineArn: dep.pipelineArn,
      clientToken: 'dead-bake-1',
    });
    const journal = openJournal(join(journalDir, 'dead-bake.jsonl'));
    journal.append({ type: 'build', buildId: 'dead-bake-1', region: 'us-east-1', regions: ['us-east-1'], name: 'golden', time: new Date().toISOString() });
    journal.append({ type: 'execution', engine: 'imagebuilder', arn: imageBuildVersionArn!, region: 'us-east-1', time: new Date().toISOString() });
    for (let i = 0; i < 1000 && emu.control.resources().instances.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(leftovers(emu).instances).to.have.length(1);
    const cleaned = await cleanupBuild({ session, journal: journal.path, pollMs: 5 });
    expect(cleaned.failed).to.deep.equal([]);
    const image = await session.imagebuilder!('us-east-1').getImage({ imageBuildVersionArn });
    expect(image.image?.state?.status).to.equal('CANCELLED');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('carries hostile values through the component YAML and PowerShell unchanged (quotes, #, colons, braces, $, backslashes, non-ASCII)', async () => {
    const value = `it's "q": #x {y} -- %TEMP% $env:X \\share ü ' "`;
    const literal = value.replace(/'/g, "''");
    const path = configFor('2022', ['  tags:', `    note: ${JSON.stringify(value)}`].join('\n'), [
      '  - name: hostile',
      '    powershell: |',
      `      Set-Content -LiteralPath 'C:\\Golden\\hostile.txt' -Value '${literal}'`,
    ]);
    const { r } = await run(path);
    expect(r.ok, r.error?.message).to.equal(true);
    const imageId = r.images[0]!.imageId;
    const all = emu.control.resources({ includeGone: true });
    const tester = all.instances.find((i) => i.imageId === imageId)!;
    expect(emu.control.readGuestFile(tester.id, 'C:\\Golden\\hostile.txt')?.replace(/\r?\n$/, '')).to.equal(value);
    expect(all.images.find((i) => i.id === imageId)!.tags.note).to.equal(value);
  });

  it('sends only requests botocore accepts: every Image Builder call of a first deploy, a changed one, the start and a cancel', async function () {
    const calls: ModelRequest[] = [];
    const base = sessionOn(emu);
    // The real session, its Image Builder port wrapped to record each request as sent.
    const session: AwsSession = {
      ...base,
      ec2: base.ec2,
      ssm: base.ssm,
      sts: base.sts,
      iam: base.iam,
      kms: base.kms,
      assumeRole: base.assumeRole,
      imagebuilder: (region) => {
        const p = base.imagebuilder!(region);
        return new Proxy(p, {
          get: (target, method: string) => (input: Record<string, unknown>, o?: unknown) => {
            calls.push({ label: `${calls.length}:${method}`, service: 'imagebuilder', operation: method[0]!.toUpperCase() + method.slice(1), params: input });
            return (target as unknown as Record<string, (i: unknown, o?: unknown) => Promise<unknown>>)[method]!(input, o);
          },
        });
      },
    };
    const reporter = new MemoryReporter();
    const first = await bakeOnImageBuilder({ config: configFor('2022'), session, reporter, timeScale: TIME_SCALE, journalDir });
    expect(first.ok, first.error?.message).to.equal(true);
    const changed = configFor('2022', ['  regions:', '    - region: eu-west-1'].join('\n'), ['  - name: another', '    powershell: "Write-Output another"']);
    writeFileSync(
      changed,
      readFileSync(changed, 'utf8').replace('  instanceProfile: winami-builder', '  instanceProfile: winami-builder\n  instanceType: m5.xlarge'),
    );
    const abort = new AbortController();
    const second = bakeOnImageBuilder({ config: changed, session, reporter, timeScale: TIME_SCALE, journalDir, abortSignal: abort.signal });
    // Cancelled once its build has started.
    const starts = () => calls.filter((c) => c.operation === 'StartImagePipelineExecution').length;
    for (let i = 0; i < 1000 && starts() < 2; i++) await new Promise((res) => setTimeout(res, 10));
    abort.abort();
    expect((await second).status).to.equal('CANCELLED');
    const operations = new Set(calls.map((c) => c.operation));
    for (const op of [
      'CreateComponent',
      'CreateImageRecipe',
      'UpdateInfrastructureConfiguration',
      'UpdateDistributionConfiguration',
      'UpdateImagePipeline',
      'StartImagePipelineExecution',
      'CancelImageCreation',
    ])
      expect(operations, op).to.include(op);
    const problems = botocoreProblems(calls);
    if (!problems) {
      console.log('      skipped: botocore is not installed');
      return this.skip();
    }
    expect(Object.entries(problems).filter(([, p]) => p.length)).to.deep.equal([]);
  });

  it('runs from the CLI with --engine imagebuilder, --json and --manifest', async () => {
    const manifestPath = join(mkdtempSync(join(tmpdir(), 'winami-ib-manifest-')), 'manifest.json');
    const r = await runWinami(emu, [
      'bake',
      configFor('2022'),
      '--engine',
      'imagebuilder',
      '--time-scale',
      String(TIME_SCALE),
      '--json',
      '--manifest',
      manifestPath,
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    const out = JSON.parse(lines.at(-1)!) as { ok: boolean; engine: string; images: { imageId: string }[]; imageBuildVersionArn: string };
    expect(out).to.include({ ok: true, engine: 'imagebuilder' });
    // Every line before the result is a --json event, the statuses among them.
    const events = lines.slice(0, -1).map((l) => JSON.parse(l) as { code: string; data?: { step?: string } });
    expect(events.filter((e) => e.code === 'engine.step').map((e) => e.data?.step)).to.include.members(['BUILDING', 'TESTING', 'AVAILABLE']);
    expect(events.map((e) => e.code)).to.include.members(['engine.deploy', 'engine.started', 'billing.verify.ok']);
    expect(out.imageBuildVersionArn).to.match(/^arn:aws:imagebuilder:us-east-1:\d{12}:image\/winami-golden\/1\.0\.\d+\/1$/);
    expect(out.images).to.have.length(1);
    const written = JSON.parse(readFileSync(manifestPath, 'utf8')) as { winami: number; ok: boolean; images: { imageId: string }[] };
    expect(written).to.include({ winami: 1, ok: true });
    expect(written.images.map((i) => i.imageId)).to.deep.equal(out.images.map((i) => i.imageId));
    expect(readFileSync(manifestPath.replace(/\.json$/, '.packer.json'), 'utf8')).to.include(out.images[0]!.imageId);
    const dry = await runWinami(emu, ['bake', configFor('2022'), '--engine', 'imagebuilder', '--dry-run']);
    expect(dry.code).to.equal(2);
    expect(dry.stderr).to.match(/--dry-run checks a local bake/);
    expect(dry.stderr).to.match(/winami export imagebuilder/);
    const policy = await runWinami(emu, ['iam-policy', configFor('2022'), '--engine', 'imagebuilder']);
    expect(policy.code, policy.stderr).to.equal(0);
    expect(JSON.parse(policy.stdout).caller.Statement[0].Action).to.include('imagebuilder:StartImagePipelineExecution');
  });
});
