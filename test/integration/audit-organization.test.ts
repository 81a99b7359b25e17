/**
 * `winami audit --organization` on the emulator's organization: every ACTIVE
 * member through OrganizationAccountAccessRole, a suspended one skipped and
 * said so, one whose role is denied reported not audited (exit 8), each
 * account's own enabled regions, and no call more than the listings need.
 * Then resuming: an audit stopped mid-run (the library's abort, or the CLI
 * killed with SIGKILL) and resumed gives the findings an uninterrupted run
 * gives, without auditing again what was done.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_ACCOUNTS, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { audit, type AuditResult, type Finding } from '../../src/audit/index.js';
import { CancelledError, ExitCode } from '../../src/errors.js';
import { generatedAccountId as gen } from '../../emulator/organizations.js';

const CLI = join(process.cwd(), 'dist/src/cli/launcher.js');
const [A1, A2, A3] = EMULATOR_ACCOUNTS.map((a) => a.accountId) as [string, string, string];
const ROLE = (account: string) => `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`;
const key = (f: Finding) => `${f.ruleId}|${f.account}|${f.region}|${f.resourceId}|${f.message}`;

function spawnCli(emu: Emulator, args: string[]) {
  const a = EMULATOR_ACCOUNTS[0]!;
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: emu.endpoint,
    AWS_ACCESS_KEY_ID: a.accessKeyId,
    AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  return spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function cli(emu: Emulator, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(emu, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const countBy = (calls: { action: string; status: number }[], ok = true) => {
  const m: Record<string, number> = {};
  for (const c of calls) if ((c.status === 200) === ok) m[c.action] = (m[c.action] ?? 0) + 1;
  return m;
};

describe('audit --organization on the emulator', function () {
  this.timeout(90_000);
  let emu: Emulator;

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timeScale: 0.001,
      organization: { generatedAccounts: 6, suspended: [gen(2)] },
      optInRegions: { [gen(3)]: ['af-south-1'] },
      seed: { regions: ['us-east-1', 'eu-west-1', 'af-south-1'], images: 3, imageAccounts: [A1, gen(1), gen(3), gen(5)] },
    });
    emu.control.denyRole(ROLE(gen(4)));
  });
  after(async () => emu?.stop());

  it('audits every ACTIVE account in its enabled regions, skips the suspended one, reports the unreachable one, exit 8', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-org-'));
    const before = emu.control.calls().length;
    const run = await cli(emu, ['audit', '--organization', '--format', 'json', '-o', join(dir, 'org.json'), '--fail-on', 'none']);
    expect(run.code, run.stderr).to.equal(ExitCode.PARTIAL);
    expect(run.stderr).to.contain(`skipped: ${gen(2)}: the account is SUSPENDED`);
    expect(run.stderr).to.match(new RegExp(`not audited: ${gen(4)} assume-role`));
    const doc = JSON.parse(readFileSync(join(dir, 'org.json'), 'utf8')) as AuditResult;
    const reached = [A1, A2, A3, gen(1), gen(3), gen(5), gen(6)];
    expect(doc.accounts).to.deep.equal([...reached].sort());
    expect(doc.skipped).to.deep.equal([{ account: gen(2), reason: 'the account is SUSPENDED' }]);
    expect(doc.failures.map((f) => [f.account, f.stage])).to.deep.equal([[gen(4), 'assume-role']]);
    // 17 default regions each, and gen(3)'s opt-in region too.
    expect(doc.coverage).to.deep.equal({ scopes: 7 * 17 + 1, audited: 7 * 17 + 1 });
    expect(doc.regions).to.include('af-south-1');
    expect(doc.findings.filter((f) => f.region === 'af-south-1').every((f) => f.account === gen(3))).to.equal(true);
    expect(doc.scanned.images).to.equal(3 * 2 * 4 + 3);
    expect(doc.findings.length).to.be.greaterThan(0);

    // No more calls than the listings need: one page of accounts, one AssumeRole per member reached, one page per listing.
    const calls = emu.control.calls().slice(before);
    expect(countBy(calls)).to.deep.equal({
      GetCallerIdentity: 1,
      ListAccounts: 1,
      AssumeRole: 6,
      DescribeRegions: 7,
      DescribeImages: 7 * 17 + 1,
      DescribeSnapshots: 7 * 17 + 1,
    });
    expect(countBy(calls, false)).to.deep.equal({ AssumeRole: 1 });
  });

  it('pages ListAccounts and names the role it was given; a member account caller audits nothing', async () => {
    const run = await cli(emu, [
      'audit',
      '--organization',
      '--organization-role',
      'AuditRole',
      '--regions',
      'us-east-1',
      '--format',
      'json',
      '--fail-on',
      'none',
    ]);
    expect(run.code, run.stderr).to.equal(ExitCode.PARTIAL);
    const doc = JSON.parse(run.stdout) as AuditResult;
    // Generated members trust only OrganizationAccountAccessRole: AuditRole reaches the caller's own and the invited accounts.
    expect(doc.accounts).to.deep.equal([A1, A2, A3]);
    expect(doc.failures.map((f) => f.account).sort()).to.deep.equal([gen(1), gen(3), gen(4), gen(5), gen(6)]);

    const member = sessionFor(emu, 1);
    const r = await audit({ session: member, organization: {}, regions: ['us-east-1'] });
    expect(r.coverage.audited).to.equal(0);
    expect(r.failures.map((f) => [f.stage, f.awsCode])).to.deep.equal([['list-accounts', 'AccessDeniedException']]);
  });

  it('refuses --organization with --role-arn, a role name that is not one, and --pages-in-flight 0', async () => {
    const a = await cli(emu, ['audit', '--organization', '--role-arn', ROLE(A2)]);
    expect(a.code).to.equal(ExitCode.USAGE);
    const b = await cli(emu, ['audit', '--organization', '--organization-role', 'arn:aws:iam::1:role/x']);
    expect(b.code).to.equal(ExitCode.USAGE);
    const c = await cli(emu, ['audit', '--organization', '--pages-in-flight', '0']);
    expect(c.code).to.equal(ExitCode.USAGE);
    expect(c.stderr).to.contain('--pages-in-flight must be a whole number from 1 to 1024, not 0');
  });
});

describe('audit --resume: an interrupted organization audit resumes to the same report', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let full: Set<string>;
  const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timeScale: 0.001,
      organization: { generatedAccounts: 8, outside: [A2, A3] },
      seed: { regions: REGIONS, images: 12, imageAccounts: [A1, ...Array.from({ length: 8 }, (_, i) => gen(i + 1))] },
    });
    const r = await audit({ session: sessionFor(emu, 0), organization: {}, regions: REGIONS, pageSize: 5 });
    expect(r.partial).to.equal(false);
    full = new Set(r.findings.map(key));
    expect(full.size).to.be.greaterThan(100);
  });
  after(async () => emu?.stop());

  it('the library: aborted mid-run, then resumed, gives the same findings and skips the scopes done', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'winami-resume-')), 'audit.state');
    const controller = new AbortController();
    const first: Finding[] = [];
    let error: unknown;
    try {
      await audit({
        session: sessionFor(emu, 0),
        organization: {},
        regions: REGIONS,
        pageSize: 5,
        concurrency: 3,
        accountConcurrency: 2,
        stateFile: state,
        abortSignal: controller.signal,
        onFinding: (f) => first.push(f),
        onProgress: (p) => {
          if (p.scopesDone >= 8) controller.abort();
        },
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(CancelledError);
    expect(existsSync(state)).to.equal(true);
    const done = readFileSync(state, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"done"')).length;
    expect(done).to.be.within(8, 26);

    const before = emu.control.calls().length;
    const resumed = await audit({ session: sessionFor(emu, 0), organization: {}, regions: REGIONS, pageSize: 5, stateFile: state });
    expect(resumed.partial).to.equal(false);
    expect(new Set(resumed.findings.map(key))).to.deep.equal(full);
    expect(resumed.findings.length).to.equal(full.size);
    expect(resumed.coverage).to.deep.equal({ scopes: 27, audited: 27 });
    // Scopes done before the interruption are not listed again (12 images in pages of 5: 3 DescribeImages each).
    const images = emu.control
      .calls()
      .slice(before)
      .filter((c) => c.action === 'DescribeImages' && c.status === 200).length;
    expect(images).to.equal((27 - done) * 3);
    expect(existsSync(state), 'a complete audit removes its state file').to.equal(false);
  });

  it('the CLI: killed with SIGKILL mid-run, run again with --resume, writes the report an uninterrupted run writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-resume-cli-'));
    const state = join(dir, 'audit.state');
    const args = [
      'audit',
      '--organization',
      '--regions',
      REGIONS.join(','),
      '--format',
      'sarif',
      '-o',
      join(dir, 'org.sarif'),
      '--resume',
      state,
      '--fail-on',
      'none',
      '--concurrency',
      '2',
      '--account-concurrency',
      '1',
    ];
    emu.control.addFault({ action: 'DescribeImages', latencyMs: 40 });
    const child = spawnCli(emu, args);
    const exited = new Promise((resolve) => child.on('close', resolve));
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (existsSync(state) && (readFileSync(state, 'utf8').match(/\{"done"/g) ?? []).length >= 4) break;
    }
    child.kill('SIGKILL');
    await exited;
    emu.control.clearFaults();
    const done = (readFileSync(state, 'utf8').match(/\{"done"/g) ?? []).length;
    expect(done).to.be.within(4, 26);
    expect(existsSync(join(dir, 'org.sarif')) ? readFileSync(join(dir, 'org.sarif'), 'utf8') : '').to.not.match(
      /"invocations"/,
      'the killed run wrote no complete report',
    );

    const run = await cli(emu, args);
    expect(run.code, run.stderr).to.equal(ExitCode.OK);
    const sarif = JSON.parse(readFileSync(join(dir, 'org.sarif'), 'utf8'));
    const got = new Set(
      (sarif.runs[0].results as { ruleId: string; message: { text: string }; properties: { account: string; region: string; resourceId: string } }[]).map(
        (r) => `${r.ruleId}|${r.properties.account}|${r.properties.region}|${r.properties.resourceId}|${r.message.text}`,
      ),
    );
    expect(sarif.runs[0].results).to.have.length(full.size);
    expect(got).to.deep.equal(full);
    expect(sarif.runs[0].invocations[0].executionSuccessful).to.equal(true);
    expect(existsSync(state)).to.equal(false);
  });

  it('the CLI: Ctrl-C stops with exit 130, keeps the state, leaves no half report; --resume finishes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-sigint-'));
    const state = join(dir, 'audit.state');
    const report = join(dir, 'org.csv');
    const args = [
      'audit',
      '--organization',
      '--regions',
      REGIONS.join(','),
      '--format',
      'csv',
      '-o',
      report,
      '--resume',
      state,
      '--fail-on',
      'none',
      '--concurrency',
      '2',
      '--account-concurrency',
      '1',
    ];
    emu.control.addFault({ action: 'DescribeImages', latencyMs: 40 });
    const child = spawnCli(emu, args);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (existsSync(state) && (readFileSync(state, 'utf8').match(/\{"done"/g) ?? []).length >= 2) break;
    }
    child.kill('SIGINT');
    const code = await exited;
    emu.control.clearFaults();
    expect(code, stderr).to.equal(ExitCode.CANCELLED);
    expect(stderr).to.contain(`--resume ${state}`);
    expect(existsSync(report), 'no half-written report').to.equal(false);
    expect(existsSync(state)).to.equal(true);

    const run = await cli(emu, args);
    expect(run.code, run.stderr).to.equal(ExitCode.OK);
    const rows = readFileSync(report, 'utf8').trim().split('\r\n');
    expect(rows.length - 1).to.equal(full.size);
  });
});
