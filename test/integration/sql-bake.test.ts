/**
 * SQL Server images end to end on the emulator, with the real SDK: both
 * modes on each launch agent, the product key kept out of everything the
 * bake writes or sends, the preflight refusal, the billing discard, six bakes
 * at once, and publishing the image id.
 */
import { expect } from 'chai';
import {
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, GetParameterCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { bake } from '../../src/bake/index.js';
import { AUTHORIZATION_ONLY_ACTIONS, iamPolicies } from '../../src/bake/iam-policy.js';
import { loadConfig } from '../../src/config/load.js';
import { bakeMany } from '../../src/batch/bake-many.js';
import { runScript } from '../../src/bake/ssm-run.js';
import { MemoryReporter } from '../../src/reporter.js';
import { ACCOUNT, bakeOn, leftovers, NOTHING, sessionOn, startBakeEmulator, TIME_SCALE, writeConfig } from './bake-harness.js';
import { afterConsistencyWindow } from './billing-emulator.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEY = 'QQQQQ-WINAMI-SQL-KEY-77777';
const KEY_PARAMETER = '/winami-test/sql/product-key';
const PREPARED_STATE = 'C:\\Program Files\\Microsoft SQL Server\\.emulator\\instances.json';
const FIRST_BOOT = 'C:\\ProgramData\\winami\\first-boot-cleanup.ps1';
const SUMMARY_2022 = 'C:\\Program Files\\Microsoft SQL Server\\160\\Setup Bootstrap\\Log\\Summary.txt';

const creds = { accessKeyId: EMULATOR_ACCOUNTS[0]!.accessKeyId, secretAccessKey: EMULATOR_ACCOUNTS[0]!.secretAccessKey };
const ec2 = (emu: Emulator, region = 'us-east-1') => new EC2Client({ region, endpoint: emu.endpoint, credentials: creds });
const ssm = (emu: Emulator, region = 'us-east-1') => new SSMClient({ region, endpoint: emu.endpoint, credentials: creds });

interface SqlCase {
  release: string;
  sql: string[];
  source?: string;
  steps?: string[];
  image?: string[];
}

/** A config with a `sql` section; `steps` are customize entries, `image` extra image lines. */
function sqlConfig(c: SqlCase): string {
  return writeConfig(
    [
      'name: sql-golden',
      'region: us-east-1',
      'windows:',
      `  release: "${c.release}"`,
      ...(c.source ? ['source:', `  ${c.source}`] : []),
      'builder:',
      '  instanceProfile: winami-builder',
      'sql:',
      ...c.sql.map((l) => `  ${l}`),
      ...(c.steps?.length ? ['customize:', ...c.steps] : []),
      'image:',
      '  name: "sql-{{release}}-{{buildId}}"',
      ...(c.image ?? []).map((l) => `  ${l}`),
    ].join('\n'),
  );
}

/** A customize step that stages SQL Server 2022 media where `sql.media` points. */
const STAGE_MEDIA = [
  '  - name: stage SQL Server media',
  '    powershell: |',
  "      Set-Content -LiteralPath 'D:\\sqlmedia\\setup.exe' -Value 'SQL Server 2022 Setup'",
];
const BYOL = ['mode: byol-prepare', 'version: "2022"', 'edition: standard', 'media: D:\\sqlmedia', `productKey: ssm:${KEY_PARAMETER}`];

function explain(run: { result: { ok: boolean; error?: { message: string } | undefined }; reporter: MemoryReporter }): string {
  return `${run.result.error?.message ?? ''}\n${run.reporter.events
    .filter((e) => e.level !== 'debug')
    .map((e) => `${e.code}: ${e.message}`)
    .join('\n')}`;
}

/**
 * Launch an instance of `imageId`, read files from its disk, run its
 * first-boot-cleanup.ps1 through Run Command (the emulator's agents do not run
 * it by themselves), read the files again, and terminate the instance.
 */
async function firstBootOf(
  emu: Emulator,
  imageId: string,
  paths: string[],
): Promise<{ before: Record<string, string | undefined>; after: Record<string, string | undefined>; output: string }> {
  const out = await ec2(emu).send(
    new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 'm6i.large', IamInstanceProfile: { Name: 'winami-builder' } }),
  );
  const id = out.Instances![0]!.InstanceId!;
  const read = () => Object.fromEntries(paths.map((p) => [p, emu.control.readGuestFile(id, p)]));
  try {
    const before = read();
    for (let i = 0; ; i++) {
      const info = await ssm(emu).send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
      if (info.InstanceInformationList?.[0]?.PingStatus === 'Online') break;
      if (i > 200) throw new Error(`${id} never came online`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const script = before[FIRST_BOOT] ?? '';
    const r = await runScript(sessionOn(emu).ssm('us-east-1'), {
      instanceId: id,
      script,
      what: 'first boot',
      executionTimeoutSeconds: 600,
      deadlineMs: 30_000,
      minDelayMs: 20,
      maxDelayMs: 100,
    });
    expect(r.status, r.stderr).to.equal('Success');
    return { before, after: read(), output: r.stdout };
  } finally {
    await ec2(emu).send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  }
}

/** Every Run Command text the account sent in a region. */
async function commandTexts(emu: Emulator, region = 'us-east-1'): Promise<string> {
  const texts: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm(emu, region).send(new ListCommandsCommand({ NextToken }));
    for (const c of page.Commands ?? []) texts.push(...(c.Parameters?.commands ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return texts.join('\n');
}

describe('sql: SQL Server images baked end to end (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  const outputs: string[] = [];
  before(async () => {
    emu = await startBakeEmulator();
    emu.control.putParameter({ account: ACCOUNT, region: 'us-east-1', name: KEY_PARAMETER, value: KEY, type: 'SecureString' });
  });
  after(async () => emu?.stop());
  const noLeaks = () => {
    const left = leftovers(emu, outputs);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
  };

  const licenseIncluded = [
    {
      release: '2012r2',
      agent: 'ec2config',
      version: '2016',
      edition: 'web',
      source: 'ssmParameter: /aws/service/ami-windows-latest/Windows_Server-2012-R2_RTM-English-64Bit-SQL_2016_SP3_Web',
      billing: ['Windows with SQL Server Web', 'RunInstances:0202'],
    },
    { release: '2019', agent: 'ec2launch-v1', version: '2019', edition: 'enterprise', billing: ['Windows with SQL Server Enterprise', 'RunInstances:0102'] },
    { release: '2022', agent: 'ec2launch-v2', version: '2022', edition: 'standard', billing: ['Windows with SQL Server Standard', 'RunInstances:0006'] },
  ];
  for (const c of licenseIncluded) {
    it(`license-included SQL Server ${c.version} ${c.edition} on ${c.release} (${c.agent}): checked before sealing, billed ${c.billing[1]}, nothing left`, async () => {
      const run = await bakeOn(
        emu,
        sqlConfig({
          release: c.release,
          ...(c.source ? { source: c.source } : {}),
          sql: ['mode: license-included', `version: "${c.version}"`, `edition: ${c.edition}`],
        }),
      );
      expect(run.result.ok, explain(run)).to.equal(true);
      expect(run.result.exitCode).to.equal(0);
      const img = run.result.images[0]!;
      expect([img.platformDetails, img.usageOperation]).to.deep.equal(c.billing);
      const ready = run.reporter.events.find((e) => e.code === 'bake.sql.ready');
      const facts = (ready!.data as { facts: Record<string, string> }).facts;
      // The pre-seal check read @@SERVERNAME through sqlcmd: AWS's build machine, renamed at first boot.
      expect(facts.sqlServername).to.equal('EC2AMAZ-AMAZON0');
      expect(facts.sqlRenameAtFirstBoot).to.equal('true');
      const steps = run.result.steps.map((s) => s.name);
      expect(steps.indexOf('checkSqlReady')).to.be.lessThan(steps.indexOf('runSysprep'));
      expect(steps).to.not.include('customize');
      outputs.push(img.imageId);
      noLeaks();
    });
  }

  const byol = [
    {
      release: '2012r2',
      agent: 'ec2config',
      source: 'ssmParameter: /aws/service/ami-windows-latest/Windows_Server-2012-R2_RTM-English-64Bit-Base',
      wiredIn: 'C:\\Windows\\Setup\\Scripts\\SetupComplete.cmd',
    },
    { release: '2019', agent: 'ec2launch-v1', wiredIn: 'C:\\Windows\\Setup\\Scripts\\SetupComplete.cmd' },
    { release: '2022', agent: 'ec2launch-v2', wiredIn: 'C:\\ProgramData\\Amazon\\EC2Launch\\config\\agent-config.yml' },
  ];
  for (const c of byol) {
    it(`byol-prepare on ${c.release} (${c.agent}): PrepareImage on the builder, CompleteImage wired at first boot, the key never written, billed as Windows`, async () => {
      const run = await bakeOn(emu, sqlConfig({ release: c.release, ...(c.source ? { source: c.source } : {}), sql: BYOL, steps: STAGE_MEDIA }));
      expect(run.result.ok, explain(run)).to.equal(true);
      const img = run.result.images[0]!;
      expect([img.platformDetails, img.usageOperation]).to.deep.equal(['Windows', 'RunInstances:0002']);
      outputs.push(img.imageId);
      noLeaks();
      const completeIni = 'C:\\ProgramData\\winami\\sql\\CompleteImage.ini';
      const completeScript = 'C:\\ProgramData\\winami\\sql\\complete-image.ps1';
      const repairScript = 'C:\\ProgramData\\winami\\sql\\repair-servername.ps1';
      const {
        before: files,
        after,
        output,
      } = await firstBootOf(emu, img.imageId, [PREPARED_STATE, SUMMARY_2022, completeIni, completeScript, repairScript, FIRST_BOOT, c.wiredIn]);
      // PrepareImage ran once on the builder: a prepared (not completed) instance, Setup's summary.
      expect(JSON.parse(files[PREPARED_STATE] ?? '[]')).to.deep.equal([{ id: 'MSSQLSERVER', version: '2022', state: 'prepared' }]);
      expect(files[SUMMARY_2022])
        .to.match(/Final result:\s+Passed/)
        .and.match(/Requested action:\s+prepareimage/);
      // CompleteImage at first boot: the agent runs first-boot-cleanup.ps1, which runs complete-image.ps1, then the rename repair.
      expect(files[c.wiredIn], c.wiredIn).to.include('first-boot-cleanup.ps1');
      expect(files[FIRST_BOOT]!.indexOf(completeScript)).to.be.greaterThan(0).and.lessThan(files[FIRST_BOOT]!.indexOf(repairScript));
      expect(files[completeScript]).to.include(KEY_PARAMETER);
      expect(files[completeIni]).to.include('PID="@@WINAMI_SECRET:sqlProductKey@@"');
      // Running the first-boot clean-up removes itself but keeps what CompleteImage needs.
      expect(output).to.include('WINAMI sqlFirstBootExit=');
      expect(after[FIRST_BOOT]).to.equal(undefined);
      for (const p of [completeIni, completeScript, repairScript]) expect(after[p], p).to.equal(files[p]);
      // The key's value is nowhere: not in the image, the commands sent, the events or the manifest.
      const everything = [
        Object.values(files).join('\n'),
        await commandTexts(emu),
        JSON.stringify(run.reporter.events),
        JSON.stringify(run.result.manifest),
      ].join('\n');
      expect(everything).to.include('ACTION=PrepareImage');
      expect(everything).to.not.include(KEY);
    });
  }

  it('byol-prepare with licensing windows-byol on a Windows BYOL source: billed RunInstances:0800', async () => {
    // A BYOL source, as an image imported with your own Windows license would be: an instance image whose billing the emulator sets.
    const base = emu.control
      .resources({ account: '801119661308', region: 'us-east-1' })
      .images.find((i) => /^Windows_Server-2022-English-Full-Base/.test(i.name))!;
    const launched = await ec2(emu).send(new RunInstancesCommand({ ImageId: base.id, MinCount: 1, MaxCount: 1, InstanceType: 'm6i.large' }));
    const instanceId = launched.Instances![0]!.InstanceId!;
    await afterConsistencyWindow();
    for (let i = 0; ; i++) {
      const d = await ec2(emu).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      if (d.Reservations?.[0]?.Instances?.[0]?.State?.Name === 'running') break;
      if (i > 200) throw new Error(`${instanceId} never ran`);
      await new Promise((r) => setTimeout(r, 20));
    }
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' } });
    const made = await ec2(emu).send(new CreateImageCommand({ InstanceId: instanceId, Name: 'imported-windows-2022-byol', NoReboot: true }));
    await ec2(emu).send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    const sourceId = made.ImageId!;
    await afterConsistencyWindow();
    for (let i = 0; ; i++) {
      const d = await ec2(emu).send(new DescribeImagesCommand({ ImageIds: [sourceId] }));
      if (d.Images?.[0]?.State === 'available') break;
      if (i > 300) throw new Error(`${sourceId} never became available`);
      await new Promise((r) => setTimeout(r, 20));
    }
    outputs.push(sourceId);
    const run = await bakeOn(emu, sqlConfig({ release: '2022', source: `ami: ${sourceId}`, sql: [...BYOL, 'licensing: windows-byol'], steps: STAGE_MEDIA }), {
      smokeTest: false,
    });
    expect(run.result.ok, explain(run)).to.equal(true);
    const img = run.result.images[0]!;
    expect([img.platformDetails, img.usageOperation]).to.deep.equal(['Windows BYOL', 'RunInstances:0800']);
    outputs.push(img.imageId);
    noLeaks();
  });

  it('byol-prepare without user steps still runs PrepareImage, and a missing setup.exe stops the bake with its output and nothing left', async () => {
    const run = await bakeOn(emu, sqlConfig({ release: '2022', sql: BYOL }));
    expect(run.result.ok).to.equal(false);
    expect(run.result.failedStep).to.equal('customize');
    expect(run.result.exitCode).to.equal(7);
    expect(run.result.error?.message).to.include('SQL Server 2022 PrepareImage').and.include('setup.exe not found in the media at D:\\sqlmedia');
    noLeaks();
  });

  it('stops before Sysprep when the pre-seal check finds a product key written into CompleteImage.ini (exit 7, builder removed)', async () => {
    const leak = [
      '  - name: writes a key where the token belongs',
      '    powershell: |',
      "      Set-Content -LiteralPath 'C:\\ProgramData\\winami\\sql\\CompleteImage.ini' -Value '[OPTIONS]', 'PID=\"11111-22222-33333-44444-55555\"'",
    ];
    const run = await bakeOn(emu, sqlConfig({ release: '2022', sql: BYOL, steps: [...STAGE_MEDIA, ...leak] }));
    expect(run.result.ok).to.equal(false);
    expect(run.result.exitCode).to.equal(7);
    expect(run.result.failedStep).to.equal('checkSqlReady');
    expect(run.result.error?.message).to.include('SQL Server is not ready to seal').and.include('CompleteImage.ini must hold the product key token, not a key');
    expect(run.result.steps.find((st) => st.name === 'runSysprep')?.status).to.equal('not-run');
    noLeaks();
  });

  it('refuses byol-prepare with licensing windows-byol on a license-included Windows source in preflight', async () => {
    const before = emu.control.calls().filter((c) => c.action === 'RunInstances').length;
    const run = await bakeOn(emu, sqlConfig({ release: '2022', sql: [...BYOL, 'licensing: windows-byol'], steps: STAGE_MEDIA }));
    expect(run.result.exitCode).to.equal(10);
    expect(run.result.failedStep).to.equal('preflight');
    expect(JSON.stringify((run.result.error as unknown as { issues: unknown[] }).issues)).to.include(
      'sql.licensing windows-byol bills as \\"Windows BYOL\\" (RunInstances:0800)',
    );
    expect(emu.control.calls().filter((c) => c.action === 'RunInstances').length).to.equal(before);
    noLeaks();
  });

  it('refuses a license-included config whose edition contradicts the source AMI before launching anything (exit 10, preflight)', async () => {
    const standard = emu.control
      .resources({ account: '801119661308', region: 'us-east-1' })
      .images.find((i) => /Windows_Server-2022-English-Full-SQL_2022_Standard/.test(i.name))!;
    const before = emu.control.calls().filter((c) => c.action === 'RunInstances').length;
    const run = await bakeOn(
      emu,
      sqlConfig({ release: '2022', source: `ami: ${standard.id}`, sql: ['mode: license-included', 'version: "2022"', 'edition: enterprise'] }),
    );
    expect(run.result.ok).to.equal(false);
    expect(run.result.exitCode).to.equal(10);
    expect(run.result.failedStep).to.equal('preflight');
    const issues = JSON.stringify((run.result.error as unknown as { issues: unknown[] }).issues);
    expect(issues).to.include('declares SQL Server 2022 enterprise but the source').and.include('SQL Server 2022 standard');
    expect(emu.control.calls().filter((c) => c.action === 'RunInstances').length).to.equal(before);
    noLeaks();
  });

  it('discards an image whose billing comes out wrong (exit 6), leaving nothing', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' } });
    const run = await bakeOn(emu, sqlConfig({ release: '2022', sql: ['mode: license-included', 'version: "2022"', 'edition: enterprise'] }));
    expect(run.result.ok).to.equal(false);
    expect(run.result.exitCode).to.equal(6);
    expect(run.result.failedStep).to.equal('verifyBilling');
    expect(run.result.error?.message).to.include('RunInstances:0102');
    expect(run.result.images).to.deep.equal([]);
    noLeaks();
  });

  it('publishes the image id in every region after the copy, and a failed publish keeps the verified images (exit 8)', async () => {
    // Copies are what this test waits for most; a tenth of the default copy time keeps the order of events.
    emu.control.setDurations({ imageCopy: 60_000 });
    const config = sqlConfig({
      release: '2022',
      sql: ['mode: license-included', 'version: "2022"', 'edition: web'],
      image: ['regions:', '  - region: eu-west-1', 'publishParameter: /golden/sql-web/latest'],
    });
    const run = await bakeOn(emu, config, { smokeTest: false });
    expect(run.result.ok, explain(run)).to.equal(true);
    expect(run.result.exitCode).to.equal(0);
    const byRegion = Object.fromEntries(run.result.images.map((i) => [i.region, i.imageId]));
    expect(Object.keys(byRegion).sort()).to.deep.equal(['eu-west-1', 'us-east-1']);
    for (const [region, imageId] of Object.entries(byRegion)) {
      const p = await ssm(emu, region).send(new GetParameterCommand({ Name: '/golden/sql-web/latest' }));
      expect(p.Parameter?.Value, region).to.equal(imageId);
      expect(p.Parameter?.DataType, region).to.equal('aws:ec2:image');
    }
    expect(run.result.manifest.parameters?.map((p) => [p.region, p.imageId])).to.deep.equal([
      ['us-east-1', byRegion['us-east-1']],
      ['eu-west-1', byRegion['eu-west-1']],
    ]);
    outputs.push(...Object.values(byRegion));

    emu.control.addFault({ action: 'PutParameter', service: 'ssm', region: 'eu-west-1', errorCode: 'AccessDeniedException', status: 400, times: 1 });
    const failed = await bakeOn(emu, config, { smokeTest: false });
    expect(failed.result.ok, explain(failed)).to.equal(true);
    expect(failed.result.exitCode).to.equal(8);
    expect(failed.result.images).to.have.length(2);
    expect(failed.result.manifest.incomplete?.[0]?.message).to.include('eu-west-1');
    expect(failed.result.manifest.incomplete?.[0]?.hint).to.include('aws ssm put-parameter --region eu-west-1');
    expect(failed.reporter.codes()).to.include('bake.publish.failed');
    const kept = failed.result.images.map((i) => i.imageId);
    const existing = new Set(
      [
        ...emu.control.resources({ account: ACCOUNT, region: 'us-east-1' }).images,
        ...emu.control.resources({ account: ACCOUNT, region: 'eu-west-1' }).images,
      ].map((i) => i.id),
    );
    expect(kept.every((id) => existing.has(id))).to.equal(true);
    outputs.push(...kept);
    noLeaks();
  });

  it('the caller policy of a byol-prepare bake that publishes covers exactly the actions it calls', async () => {
    const path = sqlConfig({ release: '2022', sql: BYOL, steps: STAGE_MEDIA, image: ['publishParameter: /golden/sql-byol/latest'] });
    const from = emu.control.calls().length;
    const run = await bakeOn(emu, path, { smokeTest: false });
    expect(run.result.ok, explain(run)).to.equal(true);
    outputs.push(run.result.images[0]!.imageId);
    const called = [
      ...new Set(
        emu.control
          .calls()
          .slice(from)
          .map((c) => `${c.service}:${c.action}`),
      ),
    ].sort();
    const policy = iamPolicies(loadConfig(path), { smokeTest: false });
    expect(called).to.deep.equal(policy.successActions.filter((a) => !AUTHORIZATION_ONLY_ACTIONS.has(a)));
    const publish = policy.caller.Statement.find((st) => st.Sid === 'WinamiPublishImageId');
    expect(publish?.Resource).to.deep.equal(['arn:aws:ssm:us-east-1:*:parameter/golden/sql-byol/latest']);
    noLeaks();
  });

  it('bakes a 2 × 3 matrix of Windows releases and SQL editions at once (concurrency 3): one combined manifest, right billing each, no leaks', async () => {
    const matrix = [
      { release: '2019', version: '2019' },
      { release: '2022', version: '2022' },
    ].flatMap((w) => ['web', 'standard', 'enterprise'].map((edition) => ({ ...w, edition })));
    const billing: Record<string, string> = { web: 'RunInstances:0202', standard: 'RunInstances:0006', enterprise: 'RunInstances:0102' };
    const configs = matrix.map((m) => sqlConfig({ release: m.release, sql: ['mode: license-included', `version: "${m.version}"`, `edition: ${m.edition}`] }));
    const reporter = new MemoryReporter();
    let running = 0;
    let peak = 0;
    const counted: typeof bake = async (o) => {
      running++;
      peak = Math.max(peak, running);
      try {
        return await bake(o);
      } finally {
        running--;
      }
    };
    const result = await bakeMany({
      configs,
      concurrency: 3,
      session: sessionOn(emu),
      reporter,
      bake: counted,
      base: { timeScale: TIME_SCALE, journalDir: mkdtempSync(join(tmpdir(), 'winami-journal-')), smokeTest: false },
    });
    expect(result.summary, JSON.stringify(result.builds.map((b) => b.error))).to.include({ total: 6, ok: 6, failed: 0, exitCode: 0 });
    expect(peak).to.equal(3);
    result.builds.forEach((b, i) => {
      expect(b.images, b.config).to.have.length(1);
      expect(b.images[0]!.usageOperation, `${matrix[i]!.release} ${matrix[i]!.edition}`).to.equal(billing[matrix[i]!.edition]);
      expect(b.manifest?.source?.name).to.include(`SQL_${matrix[i]!.version}_`);
    });
    expect(new Set(result.builds.map((b) => b.images[0]!.imageId)).size).to.equal(6);
    outputs.push(...result.builds.map((b) => b.images[0]!.imageId));
    noLeaks();
  });
});
