import { expect } from 'chai';
import { afterConsistencyWindow, EMULATOR_ACCOUNTS, liveResources, orphanSnapshots, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { audit, formatAudit, terminateUnapproved } from '../../src/audit/index.js';
import { discardImage } from '../../src/image/lifecycle.js';

const [A1, A2, A3] = EMULATOR_ACCOUNTS.map((a) => a.accountId) as [string, string, string];
const role = (account: string) => `arn:aws:iam::${account}:role/WinamiAudit`;

describe('audit on the emulator: rules end to end, cross-account, faults', function () {
  this.timeout(90_000);
  let emu: Emulator;
  const made: { account: number; region: string; imageId: string }[] = [];

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1', 'eu-west-1'], images: 2, imageAccounts: [A1, A2, A3] } });
    // Account 2 gets images with bad billing, made the way they happen: a copy whose billing came out wrong.
    const s2 = sessionFor(emu, 1);
    const source = (await s2.ec2('us-east-1').describeImages({ Owners: ['self'] })).Images![0]!;
    const copy = async (name: string, outcome: 'empty' | { platformDetails: string; usageOperation: string } | undefined, tags?: Record<string, string>) => {
      if (outcome) emu.control.setImageOutcome({ account: A2, region: 'us-east-1', actions: ['CopyImage'], billing: outcome });
      const ec2 = s2.ec2('us-east-1');
      const out = await ec2.copyImage({
        Name: name,
        SourceImageId: source.ImageId!,
        SourceRegion: 'us-east-1',
        ...(tags ? { TagSpecifications: [{ ResourceType: 'image', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] } : {}),
      });
      made.push({ account: 1, region: 'us-east-1', imageId: out.ImageId! });
      return out.ImageId!;
    };
    await copy('empty-billing', 'empty');
    await copy('billed-as-linux', { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' });
    await copy('tagged-standard', undefined, { 'winami:expect': 'windows-sql-standard' });
    await copy('Windows_Server-2022-English-Full-SQL_2022_Enterprise-2025.01.01', undefined);
    await copy('inconsistent', { platformDetails: 'Windows', usageOperation: 'RunInstances:0006' });
    // Account 3: an image deregistered without its snapshots leaves them billed.
    await orphanSnapshots(emu, 2);
  });
  after(async () => emu?.stop());

  it('finds each kind of problem across three accounts via AssumeRole', async () => {
    const s1 = sessionFor(emu, 0);
    const result = await audit({ session: s1, regions: ['us-east-1', 'eu-west-1'], roleArns: [role(A2), role(A3)], includeCallerAccount: true });
    expect(result.accounts).to.deep.equal([A1, A2, A3]);
    expect(result.failures).to.deep.equal([]);
    expect(result.partial).to.equal(false);
    const by = (rule: string) => result.findings.filter((f) => f.ruleId === rule);
    expect(by('billing-fields-empty').map((f) => f.evidence.name)).to.deep.equal(['empty-billing']);
    expect(by('windows-billed-as-linux').map((f) => f.evidence.name)).to.deep.equal(['billed-as-linux']);
    expect(by('declared-expectation-mismatch').map((f) => f.evidence.name)).to.deep.equal(['tagged-standard']);
    expect(by('sql-edition-mismatch').map((f) => f.evidence.name)).to.deep.equal(['Windows_Server-2022-English-Full-SQL_2022_Enterprise-2025.01.01']);
    expect(by('billing-pair-inconsistent').map((f) => f.evidence.name)).to.deep.equal(['inconsistent']);
    expect(by('orphaned-snapshot').map((f) => f.account)).to.deep.equal([A3]);
    expect(by('orphaned-snapshot')[0]!.evidence.volumeSizeGiB).to.be.a('number');
    expect(by('unencrypted-snapshot').length).to.be.greaterThan(0);
    for (const f of [...by('billing-fields-empty'), ...by('windows-billed-as-linux')]) expect(f.account).to.equal(A2);
    expect(result.scanned.images).to.equal(2 * 2 * 3 + 5);
    const html = formatAudit(result, 'html');
    expect(html).to.contain('empty-billing');
  });

  it('reports a denied region and an unassumable role as partial, audits the rest, and survives throttling', async () => {
    emu.control.addFault({
      action: 'DescribeImages',
      account: A3,
      region: 'eu-west-1',
      errorCode: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation.',
    });
    emu.control.addFault({ action: 'DescribeSnapshots', errorCode: 'RequestLimitExceeded', times: 4 });
    try {
      const result = await audit({
        session: sessionFor(emu, 0),
        regions: ['us-east-1', 'eu-west-1'],
        roleArns: [role(A2), role(A3), 'arn:aws:iam::444444444444:role/Nope'],
      });
      expect(result.partial).to.equal(true);
      const denied = result.failures.find((f) => f.account === A3 && f.region === 'eu-west-1' && f.stage === 'images');
      expect(denied?.iamAction).to.equal('ec2:DescribeImages');
      expect(result.failures.some((f) => f.account === '444444444444' && f.stage === 'assume-role')).to.equal(true);
      expect(result.failures.some((f) => f.stage === 'snapshots' && f.awsCode === 'RequestLimitExceeded')).to.equal(false, 'throttling is retried');
      expect(result.findings.some((f) => f.ruleId === 'billing-fields-empty' && f.account === A2)).to.equal(true);
      expect(result.accounts).to.deep.equal([A2, A3]);
      const calls = emu.control.calls() as { action: string; errorCode?: string }[];
      expect(calls.filter((c) => c.action === 'DescribeSnapshots' && c.errorCode === 'RequestLimitExceeded').length).to.equal(4);
    } finally {
      emu.control.clearFaults();
    }
  });

  it('flags instances from unapproved images and terminates them only when told', async () => {
    const s1 = sessionFor(emu, 0);
    const ec2 = s1.ec2('us-east-1');
    const amazon = (await ec2.describeImages({ Owners: ['amazon'], MaxResults: 5 })).Images![0]!;
    const run = await ec2.runInstances({ ImageId: amazon.ImageId!, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 });
    const instanceId = run.Instances![0]!.InstanceId!;
    await afterConsistencyWindow();
    const result = await audit({ session: s1, regions: ['us-east-1'], instances: true, approved: { owners: [A1] } });
    const unapproved = result.findings.filter((f) => f.ruleId === 'unapproved-image');
    expect(unapproved.map((f) => f.resourceId)).to.deep.equal([instanceId]);
    const plan = await terminateUnapproved(unapproved, { session: s1 });
    expect(plan[0]!.status).to.equal('planned');
    const state = async () => (await ec2.describeInstances({ InstanceIds: [instanceId] })).Reservations![0]!.Instances![0]!.State!.Name;
    expect(await state()).to.not.match(/shutting-down|terminated/);
    const done = await terminateUnapproved(unapproved, { session: s1, dryRun: false });
    expect(done[0]!.status).to.equal('terminated');
    expect(await state()).to.match(/shutting-down|terminated/);
    const clean = await audit({ session: s1, regions: ['us-east-1'], instances: true, approved: { imageIds: [amazon.ImageId!] } });
    expect(clean.findings.filter((f) => f.ruleId === 'unapproved-image')).to.deep.equal([]);
  });

  it('leaves nothing behind once the test images are discarded', async () => {
    const s2 = sessionFor(emu, 1);
    for (const m of made) await discardImage(s2.ec2(m.region), m.imageId, { ownerAccountId: A2 });
    const s3 = sessionFor(emu, 2);
    const orphans = (await audit({ session: s3, regions: ['us-east-1'] })).findings.filter((f) => f.ruleId === 'orphaned-snapshot');
    for (const o of orphans) await s3.ec2('us-east-1').deleteSnapshot({ SnapshotId: o.resourceId });
    expect(liveResources(emu, A2, 'us-east-1').images).to.have.length(2);
    expect(liveResources(emu, A3, 'us-east-1').images).to.have.length(2);
    expect(liveResources(emu, A3, 'us-east-1').snapshots).to.have.length(2);
  });
});
