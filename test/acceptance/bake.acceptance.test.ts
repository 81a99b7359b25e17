/**
 * Real-AWS acceptance: one Windows Server 2022 base bake with the SDK's
 * default endpoint and credentials, its billing checked, then nothing left by
 * build tag. Runs only with WINAMI_ACCEPTANCE=1 and working credentials;
 * otherwise every test is skipped with the reason. docs/bake.md says what it
 * needs and what it costs.
 *
 *   WINAMI_ACCEPTANCE=1 WINAMI_ACCEPTANCE_INSTANCE_PROFILE=<profile with AmazonSSMManagedInstanceCore> \
 *   AWS_REGION=us-east-1 npx mocha dist/test/acceptance/bake.acceptance.test.js
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession } from '../../src/aws/ports.js';
import { bake, type BakeResult } from '../../src/bake/index.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { BUILD_ID_TAG } from '../../src/bake/aws-helpers.js';
import { MemoryReporter } from '../../src/reporter.js';

const env = process.env;
const region = env.WINAMI_ACCEPTANCE_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';

/** Why the acceptance tests cannot run here, or undefined when they can. */
async function whyNot(session: AwsSession): Promise<string | undefined> {
  if (env.WINAMI_ACCEPTANCE !== '1') return 'set WINAMI_ACCEPTANCE=1 to run the real-AWS acceptance tests (they cost money; see docs/bake.md)';
  if (!env.WINAMI_ACCEPTANCE_INSTANCE_PROFILE)
    return 'set WINAMI_ACCEPTANCE_INSTANCE_PROFILE to an instance profile whose role has AmazonSSMManagedInstanceCore';
  try {
    await session.sts().getCallerIdentity({});
    return undefined;
  } catch (err) {
    return `no usable AWS credentials (the SDK's default chain): ${(err as Error).message}`;
  }
}

describe('acceptance: bake on real AWS', function () {
  this.timeout(90 * 60_000);
  const session = createAwsSession({ region });
  let result: BakeResult | undefined;

  before(async function () {
    const reason = await whyNot(session);
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  after(async function () {
    // Whatever happened, remove everything of the build, outputs included.
    if (!result) return;
    const r = await cleanupBuild({ session, buildId: result.buildId, regions: [region], includeOutputs: true, journal: result.journalPath });
    if (r.failed.length) console.log(`      cleanup failed for: ${r.failed.map((f) => `${f.kind} ${f.id}: ${f.error}`).join('; ')}`);
  });

  it('bakes Windows Server 2022 base, billed as Windows (RunInstances:0002), with nothing left but the image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-acceptance-'));
    const config = join(dir, 'image.yaml');
    writeFileSync(
      config,
      [
        'name: winami-acceptance',
        `region: ${region}`,
        'windows:',
        '  release: "2022"',
        'builder:',
        `  instanceProfile: ${JSON.stringify(env.WINAMI_ACCEPTANCE_INSTANCE_PROFILE)}`,
        ...(env.WINAMI_ACCEPTANCE_SUBNET ? [`  subnetId: ${env.WINAMI_ACCEPTANCE_SUBNET}`] : []),
        'customize:',
        '  - name: marker',
        "    powershell: \"Set-Content -LiteralPath 'C:\\\\ProgramData\\\\winami-acceptance.txt' -Value 'ok'\"",
        'image:',
        '  name: "winami-acceptance-{{buildId}}"',
        '',
      ].join('\n'),
    );
    const reporter = new MemoryReporter();
    result = await bake({ config, session, reporter, journalDir: dir });
    if (!result.ok)
      throw new Error(
        `bake failed at ${result.failedStep}: ${result.error?.message}\n${reporter.events
          .filter((e) => e.level !== 'debug')
          .map((e) => e.message)
          .join('\n')}`,
      );

    const image = result.images[0]!;
    const ec2 = session.ec2(region);
    const described = (await ec2.describeImages({ ImageIds: [image.imageId] })).Images?.[0];
    expect(described?.State).to.equal('available');
    expect([described?.PlatformDetails, described?.UsageOperation]).to.deep.equal(['Windows', 'RunInstances:0002']);
    expect(described?.Tags?.find((t) => t.Key === BUILD_ID_TAG)?.Value).to.equal(result.buildId);

    const tag = [{ Name: `tag:${BUILD_ID_TAG}`, Values: [result.buildId] }];
    const instances =
      (
        await ec2.describeInstances({
          Filters: [...tag, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }],
        })
      ).Reservations ?? [];
    expect(instances.flatMap((r) => r.Instances ?? []).map((i) => `${i.InstanceId} ${i.State?.Name}`)).to.deep.equal([]);
    const volumes = (await ec2.describeVolumes({ Filters: tag })).Volumes ?? [];
    expect(volumes.map((v) => v.VolumeId)).to.deep.equal([]);
    const snapshots = (await ec2.describeSnapshots({ OwnerIds: ['self'], Filters: tag })).Snapshots ?? [];
    expect(snapshots.map((s) => s.SnapshotId).sort()).to.deep.equal([...image.snapshotIds].sort());
    const images = (await ec2.describeImages({ Owners: ['self'], Filters: tag })).Images ?? [];
    expect(images.map((i) => i.ImageId)).to.deep.equal([image.imageId]);
    expect(result.leftBehind).to.deep.equal([]);
  });
});
