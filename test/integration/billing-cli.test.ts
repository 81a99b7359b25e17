/**
 * The billing and audit commands as users run them: the real CLI in a child
 * process against the emulator, checked by exit code, --json output, stderr
 * and what is left in the emulator.
 */
import { expect } from 'chai';
import { DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterConsistencyWindow, EMULATOR_ACCOUNTS, liveResources, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { ExitCode } from '../../src/errors.js';

const CLI = join(process.cwd(), 'dist/src/cli/launcher.js');
const [A1, A2, A3] = EMULATOR_ACCOUNTS.map((a) => a.accountId) as [string, string, string];
const role = (account: string) => `arn:aws:iam::${account}:role/WinamiAudit`;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI as account 0, stdin not a terminal. */
function cli(emu: Emulator, args: string[], viaTty = false): Promise<CliRun> {
  const a = EMULATOR_ACCOUNTS[0]!;
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: emu.endpoint,
    AWS_ACCESS_KEY_ID: a.accessKeyId,
    AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  // `script` gives the child a pseudo-terminal, so stderr is a TTY as for a person at a shell.
  const quoted = [process.execPath, CLI, ...args].map((s) => `'${s.replace(/'/g, `'\\''`)}'`).join(' ');
  const [cmd, argv] = viaTty ? ['script', ['-qec', quoted, '/dev/null']] : [process.execPath, [CLI, ...args]];
  return new Promise((resolve) => {
    const child = spawn(cmd as string, argv as string[], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('billing and audit CLI on the emulator: exit codes, --json, confirmation, denials', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let sqlStandard: string; // Amazon's Windows_Server-2022-English-Full-SQL_2022_Standard-<date>
  let owned: string; // a synthetic image account 1 owns in us-east-1

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1', 'eu-west-1'], images: 1, imageAccounts: [A1] } });
    const ec2 = sessionFor(emu, 0).ec2('us-east-1');
    const amazon = await ec2.describeImages({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['Windows_Server-2022-English-Full-SQL_2022_Standard-*'] }],
    });
    sqlStandard = amazon.Images![0]!.ImageId!;
    owned = (await ec2.describeImages({ Owners: ['self'] })).Images![0]!.ImageId!;
  });
  after(async () => emu?.stop());

  describe('verify', () => {
    it('derives the expectation from a SQL edition in the name and exits 0, or 6 against --expect', async () => {
      const ok = await cli(emu, ['verify', sqlStandard, '--json']);
      expect(ok.code, ok.stderr).to.equal(ExitCode.OK);
      const okOut = JSON.parse(ok.stdout);
      expect(okOut.ok).to.equal(true);
      expect(okOut.images[0].expected.usageOperation).to.equal('RunInstances:0006');
      expect(okOut.images[0].expected.derivedFrom).to.match(/name/i);

      const wrong = await cli(emu, ['verify', sqlStandard, '--expect', 'windows', '--json']);
      expect(wrong.code).to.equal(ExitCode.VERIFICATION);
      const out = JSON.parse(wrong.stdout);
      expect(out.ok).to.equal(false);
      expect(out.images[0].problems.length).to.be.greaterThan(0);
    });

    it('reads the winami:expect tag, and reports an unknown image in the JSON with a non-zero exit', async () => {
      const ec2 = sessionFor(emu, 0).ec2('us-east-1');
      await ec2.createTags({ Resources: [owned], Tags: [{ Key: 'winami:expect', Value: 'windows-sql-web' }] });
      try {
        const tagged = await cli(emu, ['verify', owned, 'ami-0123456789abcdef0', '--json']);
        expect(tagged.code).to.equal(ExitCode.VERIFICATION);
        const out = JSON.parse(tagged.stdout);
        expect(out.images[0].expected.derivedFrom).to.contain('winami:expect=windows-sql-web');
        expect(out.images[0].ok).to.equal(false);
        expect(out.images[1].error.message).to.contain('ami-0123456789abcdef0');
      } finally {
        // winami never deletes tags, so its port has no DeleteTags: the test uses the SDK client directly.
        const a = EMULATOR_ACCOUNTS[0]!;
        const sdk = new EC2Client({
          region: 'us-east-1',
          endpoint: emu.endpoint,
          credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
        });
        await sdk.send(new DeleteTagsCommand({ Resources: [owned], Tags: [{ Key: 'winami:expect' }] }));
        sdk.destroy();
      }
    });

    it('names the choices for an unknown --expect', async () => {
      const r = await cli(emu, ['verify', owned, '--expect', 'windoze']);
      expect(r.code).to.equal(ExitCode.USAGE);
      expect(r.stderr).to.contain('windoze').and.to.contain('windows-sql-standard');
    });
  });

  describe('discard', () => {
    let east: string;
    let west: string;
    let sharer: string;
    let sharedSnapshot: string;

    before(async () => {
      const s = sessionFor(emu, 0);
      const tags = [{ ResourceType: 'image' as const, Tags: [{ Key: 'winami:build-id', Value: 'build-42' }] }];
      east = (await s.ec2('us-east-1').copyImage({ Name: 'b42-east', SourceImageId: owned, SourceRegion: 'us-east-1', TagSpecifications: tags })).ImageId!;
      west = (await s.ec2('eu-west-1').copyImage({ Name: 'b42-west', SourceImageId: owned, SourceRegion: 'us-east-1', TagSpecifications: tags })).ImageId!;
      await afterConsistencyWindow();
      for (const [region, id] of [
        ['us-east-1', east],
        ['eu-west-1', west],
      ] as const) {
        for (let i = 0; i < 200; i++) {
          const img = (await s.ec2(region).describeImages({ ImageIds: [id] })).Images![0]!;
          if (img.State === 'available') break;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      const eastImage = (await s.ec2('us-east-1').describeImages({ ImageIds: [east] })).Images![0]!;
      sharedSnapshot = eastImage.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
      // A second image on the same snapshot: discarding `east` must keep the snapshot.
      sharer = (
        await s.ec2('us-east-1').registerImage({
          Name: 'shares-b42-east-snapshot',
          Architecture: 'x86_64',
          VirtualizationType: 'hvm',
          RootDeviceName: '/dev/sda1',
          BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: sharedSnapshot } }],
        })
      ).ImageId!;
    });

    it('refuses without --yes when not on a terminal, and deletes nothing', async () => {
      const r = await cli(emu, ['discard', '--build-id', 'build-42']);
      expect(r.code).to.equal(ExitCode.USAGE);
      expect(r.stderr).to.contain('--yes');
      expect(liveResources(emu, A1, 'us-east-1').images).to.include(east);
      expect(liveResources(emu, A1, 'eu-west-1').images).to.include(west);
    });

    it('--dry-run finds the build in every region, keeps a shared snapshot, and deletes nothing', async () => {
      const r = await cli(emu, ['discard', '--build-id', 'build-42', '--dry-run', '--json']);
      expect(r.code, r.stderr).to.equal(ExitCode.OK);
      const out = JSON.parse(r.stdout);
      expect(out.dryRun).to.equal(true);
      const byRegion = Object.fromEntries(out.results.map((x: { region: string }) => [x.region, x]));
      expect(byRegion['us-east-1'].status).to.equal('planned');
      expect(byRegion['eu-west-1'].status).to.equal('planned');
      expect(byRegion['us-east-1'].deletedSnapshots).to.deep.equal([]);
      expect(byRegion['us-east-1'].keptSnapshots[0].reason).to.contain(sharer);
      expect(byRegion['eu-west-1'].deletedSnapshots).to.have.length(1);
      expect(liveResources(emu, A1, 'us-east-1').images).to.include(east);
      expect(liveResources(emu, A1, 'eu-west-1').images).to.include(west);
    });

    it('refuses an image the account does not own, with the partial exit code', async () => {
      const r = await cli(emu, ['discard', sqlStandard, '--yes', '--json']);
      expect(r.code).to.equal(ExitCode.PARTIAL);
      const out = JSON.parse(r.stdout);
      expect(out.results[0].status).to.equal('refused');
      expect(out.results[0].reason).to.contain('801119661308');
    });

    it('with --yes discards the build in both regions and deletes only the unshared snapshot', async () => {
      const westSnapshot = liveResources(emu, A1, 'eu-west-1').snapshots;
      const r = await cli(emu, ['discard', '--build-id', 'build-42', '--yes', '--json']);
      expect(r.code, r.stderr).to.equal(ExitCode.OK);
      expect(liveResources(emu, A1, 'us-east-1').images).to.not.include(east);
      expect(liveResources(emu, A1, 'eu-west-1').images).to.not.include(west);
      expect(liveResources(emu, A1, 'us-east-1').snapshots).to.include(sharedSnapshot);
      expect(liveResources(emu, A1, 'eu-west-1').snapshots.length).to.equal(westSnapshot.length - 1);
      // Tidy: the sharer goes too, and with it the snapshot no one else uses now.
      const tidy = await cli(emu, ['discard', sharer, '--yes']);
      expect(tidy.code).to.equal(ExitCode.OK);
      expect(liveResources(emu, A1, 'us-east-1').snapshots).to.not.include(sharedSnapshot);
    });
  });

  describe('audit', () => {
    it('takes roles as a list and from a file, and lists regions with DescribeRegions by default', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'winami-audit-'));
      const file = join(dir, 'roles.txt');
      writeFileSync(file, `# accounts to audit\n${role(A3)}\n\n`);
      const r = await cli(emu, [
        'audit',
        '--role-arn',
        role(A2),
        '--role-arns-file',
        file,
        '--include-caller-account',
        '--format',
        'json',
        '--fail-on',
        'none',
      ]);
      expect(r.code, r.stderr).to.equal(ExitCode.OK);
      const out = JSON.parse(r.stdout);
      expect(out.accounts).to.deep.equal([A1, A2, A3]);
      expect(out.regions).to.have.length(17);
    });

    it('exits 9 with --fail-on at or below a finding, 0 above it', async () => {
      const warn = await cli(emu, ['audit', '--regions', 'us-east-1', '--fail-on', 'warning', '--format', 'json']);
      expect(warn.code).to.equal(ExitCode.FINDINGS);
      expect(JSON.parse(warn.stdout).totals.bySeverity.warning).to.be.greaterThan(0);
      const err = await cli(emu, ['audit', '--regions', 'us-east-1', '--fail-on', 'error', '--format', 'json']);
      expect(JSON.parse(err.stdout).totals.bySeverity.error).to.equal(0);
      expect(err.code).to.equal(ExitCode.OK);
    });

    it('exits 8 when an account or region could not be audited, naming the IAM action to grant', async () => {
      emu.control.denyRole(role(A3));
      emu.control.addFault({
        action: 'DescribeSnapshots',
        account: A2,
        region: 'eu-west-1',
        errorCode: 'UnauthorizedOperation',
        status: 403,
        message: 'You are not authorized to perform this operation.',
      });
      try {
        const r = await cli(emu, ['audit', '--regions', 'us-east-1,eu-west-1', '--role-arn', `${role(A2)},${role(A3)}`, '--fail-on', 'none']);
        expect(r.code).to.equal(ExitCode.PARTIAL);
        expect(r.stderr).to.match(/not audited: 333333333333 assume-role/);
        expect(r.stderr).to.match(/not audited: 222222222222 eu-west-1 snapshots: .*\(grant ec2:DescribeSnapshots\)/);
      } finally {
        emu.control.clearFaults();
      }
    });

    it('draws a progress bar on a terminal and none otherwise', async () => {
      const plain = await cli(emu, ['audit', '--regions', 'us-east-1', '--fail-on', 'none', '-o', join(mkdtempSync(join(tmpdir(), 'winami-audit-')), 'r.txt')]);
      expect(plain.code).to.equal(ExitCode.OK);
      expect(plain.stderr).to.not.contain('account-regions');
      const tty = await cli(
        emu,
        ['audit', '--regions', 'us-east-1', '--fail-on', 'none', '-o', join(mkdtempSync(join(tmpdir(), 'winami-audit-')), 'r.txt')],
        true,
      );
      expect(tty.code).to.equal(ExitCode.OK);
      expect(tty.stdout).to.match(/\[#+\.*\] 1\/1 account-regions, \d+ images/); // `script` merges the pty's output
    });

    it('--terminate-unapproved is a dry run by default and needs --yes off a terminal', async () => {
      const ec2 = sessionFor(emu, 0).ec2('us-east-1');
      const run = await ec2.runInstances({ ImageId: sqlStandard, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 });
      const id = run.Instances![0]!.InstanceId!;
      const state = async () => (await ec2.describeInstances({ InstanceIds: [id] })).Reservations![0]!.Instances![0]!.State!.Name;
      const base = ['audit', '--regions', 'us-east-1', '--approved-owner', A1, '--terminate-unapproved', '--fail-on', 'none'];

      const dry = await cli(emu, base);
      expect(dry.stderr).to.contain(`would terminate: ${id}`);
      expect(await state()).to.not.match(/shutting-down|terminated/);

      const unconfirmed = await cli(emu, [...base, '--no-dry-run']);
      expect(unconfirmed.code).to.equal(ExitCode.USAGE);
      expect(unconfirmed.stderr).to.contain('--yes');
      expect(await state()).to.not.match(/shutting-down|terminated/);

      const done = await cli(emu, [...base, '--no-dry-run', '--yes']);
      expect(done.stderr).to.contain(`terminated: ${id}`);
      expect(await state()).to.match(/shutting-down|terminated/);
    });

    describe('image-inventory-stale settings, from the command line and from a file', () => {
      const DAY = 86_400_000;
      const stale = (out: { findings: { ruleId: string; resourceId: string; message: string }[] }) =>
        out.findings.filter((f) => f.ruleId === 'image-inventory-stale' && f.resourceId === owned).map((f) => f.message);
      const base = ['audit', '--regions', 'us-east-1', '--fail-on', 'none', '--format', 'json'];
      let dir: string;
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'winami-audit-settings-'));
        // An image inventoried 60 days ago with two updates: stale by the default 45 days.
        const at = new Date(Date.now() - 60 * DAY).toISOString();
        await sessionFor(emu, 0)
          .ec2('us-east-1')
          .createTags({
            Resources: [owned],
            Tags: [
              { Key: 'winami:inventory-at', Value: at },
              { Key: 'winami:updates', Value: 'KB5034439,KB5034122' },
            ],
          });
        await afterConsistencyWindow();
      });
      after(async () => {
        const a = EMULATOR_ACCOUNTS[0]!;
        const sdk = new EC2Client({
          region: 'us-east-1',
          endpoint: emu.endpoint,
          credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
        });
        await sdk.send(new DeleteTagsCommand({ Resources: [owned], Tags: [{ Key: 'winami:inventory-at' }, { Key: 'winami:updates' }] }));
        sdk.destroy();
      });

      it('judges by 45 days and no KBs by default, and by --inventory-max-age and --require-kb when given', async () => {
        const dflt = await cli(emu, base);
        expect(dflt.code, dflt.stderr).to.equal(ExitCode.OK);
        expect(stale(JSON.parse(dflt.stdout))).to.deep.equal([`${owned} was inventoried 60 days ago (at most 45); rebuild it with this month's updates`]);

        const flags = await cli(emu, [...base, '--inventory-max-age', '90d', '--require-kb', 'KB5034439,kb5099999', '--require-kb', 'KB5088888']);
        expect(flags.code, flags.stderr).to.equal(ExitCode.OK);
        expect(stale(JSON.parse(flags.stdout))).to.deep.equal([`${owned} lacks required updates KB5099999, KB5088888`]);
      });

      it('reads the audit: section of a file (a small one, or a winami config); command-line options override it', async () => {
        const small = join(dir, 'audit.yaml');
        writeFileSync(small, 'audit:\n  inventory:\n    maxAge: 30d\n    requiredKbs: [KB5077777]\n');
        const fromFile = await cli(emu, [...base, '--config', small]);
        expect(fromFile.code, fromFile.stderr).to.equal(ExitCode.OK);
        expect(stale(JSON.parse(fromFile.stdout))).to.deep.equal([
          `${owned} was inventoried 60 days ago (at most 30); rebuild it with this month's updates`,
          `${owned} lacks required update KB5077777`,
        ]);
        const overridden = await cli(emu, [...base, '--config', small, '--inventory-max-age', '61d', '--require-kb', 'KB5034122']);
        expect(stale(JSON.parse(overridden.stdout))).to.deep.equal([]);

        // The shipped monthly example's audit: section (35 days); the rest of the config is not read by the audit.
        const fromConfig = await cli(emu, [...base, '--config', join(process.cwd(), 'examples/windows-2022-monthly.yaml')]);
        expect(fromConfig.code, fromConfig.stderr).to.equal(ExitCode.OK);
        expect(stale(JSON.parse(fromConfig.stdout))).to.deep.equal([`${owned} was inventoried 60 days ago (at most 35); rebuild it with this month's updates`]);
      });

      it('shows the rule and what it judged by in the HTML report', async () => {
        const small = join(dir, 'audit-html.yaml');
        writeFileSync(small, 'audit:\n  inventory:\n    requiredKbs: [KB5077777]\n');
        const file = join(dir, 'report.html');
        const r = await cli(emu, [
          'audit',
          '--regions',
          'us-east-1',
          '--fail-on',
          'none',
          '--format',
          'html',
          '-o',
          file,
          '--config',
          small,
          '--inventory-max-age',
          '50d',
        ]);
        expect(r.code, r.stderr).to.equal(ExitCode.OK);
        const html = readFileSync(file, 'utf8');
        expect(html).to.contain('<td>image-inventory-stale</td>');
        expect(html).to.contain('In this audit: at most 50 days; required updates: KB5077777.');
        expect(html).to.contain(`${owned} was inventoried 60 days ago (at most 50)`);
        expect(html).to.contain(`${owned} lacks required update KB5077777`);
      });

      it('refuses bad settings with the problem and the fix, and audits nothing', async () => {
        const badFlag = await cli(emu, [...base, '--inventory-max-age', '45']);
        expect(badFlag.code).to.equal(ExitCode.USAGE);
        expect(badFlag.stderr).to.contain('--inventory-max-age must be a whole number of days such as 45d, not "45"');
        const badKb = await cli(emu, [...base, '--require-kb', 'KB5034439,5034440']);
        expect(badKb.code).to.equal(ExitCode.USAGE);
        expect(badKb.stderr).to.contain('--require-kb: not KB numbers: "5034440"');
        const bad = join(dir, 'bad.yaml');
        writeFileSync(bad, 'audit:\n  inventory:\n    maxAge: 45 days\n    requiredKb: [KB5034439]\n');
        const badFile = await cli(emu, [...base, '--config', bad]);
        expect(badFile.code).to.equal(ExitCode.CONFIG);
        expect(badFile.stderr).to.match(/bad\.yaml:3:\d+.*a number of days such as 45d/);
        expect(badFile.stderr)
          .to.match(/bad\.yaml:4:\d+.*unknown key "requiredKb"/)
          .and.to.contain('did you mean "requiredKbs"');
        const none = join(dir, 'none.yaml');
        writeFileSync(none, 'inventory:\n  maxAge: 45d\n');
        const noSection = await cli(emu, [...base, '--config', none]);
        expect(noSection.code).to.equal(ExitCode.CONFIG);
        expect(noSection.stderr).to.contain('has no audit: section');
        for (const r of [badFlag, badKb, badFile, noSection]) expect(r.stdout).to.equal('');
      });
    });
  });
});
