/**
 * An `awsComponents` step through the real bake: the version report runs,
 * then AWS-ConfigureAWSPackage for EC2Launch v2, ENA, NVMe and the PV drivers
 * and AWS-UpdateSSMAgent, then the report again; the versions before (the
 * seeded image's) and after (the packages' latest) are reported, and the image
 * carries the new ones. The emulator refuses the document parameters AWS
 * refuses; ec2launch on a release whose agent is not a package is refused
 * before anything is launched.
 */
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { expect } from 'chai';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { AWS_PACKAGES_STATE, PACKAGES, SSM_AGENT } from '../../emulator/aws-packages.js';
import { iamPolicies } from '../../src/bake/iam-policy.js';
import { loadConfig } from '../../src/config/load.js';
import { afterConsistencyWindow } from './billing-emulator.js';
import { bakeOn, leftovers, NOTHING, startBakeEmulator, writeConfig } from './bake-harness.js';

const components = (release: string, list: string) =>
  writeConfig(
    [
      'name: drivers',
      'region: us-east-1',
      'windows:',
      `  release: "${release}"`,
      'builder:',
      '  instanceProfile: winami-builder',
      'customize:',
      '  - name: aws drivers and agents',
      `    awsComponents: [${list}]`,
      'image:',
      '  name: "drivers-{{buildId}}"',
    ].join('\n'),
  );

describe('bake: awsComponents on the emulator', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const a = EMULATOR_ACCOUNTS[0]!;
  const credentials = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1'] } });
  });
  after(async () => emu?.stop());

  it("runs AWS's documents between two version reports, reports before and after, and the image has the new versions", async () => {
    const { result, reporter } = await bakeOn(emu, components('2022', 'ec2launch, ssm-agent, ena, nvme, pv-driver'), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    const docs = reporter.events
      .filter((e) => e.code === 'bake.awsComponents.document')
      .map((e) => e.data as { document: string; parameters: Record<string, string[]> });
    expect(docs.map((d) => `${d.document} ${d.parameters.name?.[0] ?? ''}`.trim())).to.deep.equal([
      'AWS-ConfigureAWSPackage AWSEC2Launch-Agent',
      'AWS-UpdateSSMAgent',
      'AWS-ConfigureAWSPackage AwsEnaNetworkDriver',
      'AWS-ConfigureAWSPackage AWSNVMe',
      'AWS-ConfigureAWSPackage AWSPVDriver',
    ]);
    const versions = reporter.events
      .filter((e) => e.code === 'bake.awsComponents.version')
      .map((e) => {
        const { component, before, after } = e.data as { component: string; before: string; after: string };
        return { component, before, after };
      });
    expect(versions).to.deep.equal([
      { component: 'ec2launch', before: PACKAGES['AWSEC2Launch-Agent']!.seeded, after: PACKAGES['AWSEC2Launch-Agent']!.latest },
      { component: 'ssm-agent', before: SSM_AGENT.seeded, after: SSM_AGENT.latest },
      { component: 'ena', before: PACKAGES.AwsEnaNetworkDriver!.seeded, after: PACKAGES.AwsEnaNetworkDriver!.latest },
      { component: 'nvme', before: PACKAGES.AWSNVMe!.seeded, after: PACKAGES.AWSNVMe!.latest },
      { component: 'pv-driver', before: PACKAGES.AWSPVDriver!.seeded, after: PACKAGES.AWSPVDriver!.latest },
    ]);
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: emu.endpoint, credentials });
    try {
      const id = (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: result.images[0]!.imageId,
            InstanceType: 'm6i.large',
            MinCount: 1,
            MaxCount: 1,
            IamInstanceProfile: { Name: 'winami-builder' },
          }),
        )
      ).Instances![0]!.InstanceId!;
      const state = JSON.parse(emu.control.readGuestFile(id, AWS_PACKAGES_STATE) ?? '{}') as { packages: Record<string, string>; ssmAgent: string };
      expect(state.packages.AwsEnaNetworkDriver).to.equal(PACKAGES.AwsEnaNetworkDriver!.latest);
      expect(state.ssmAgent).to.equal(SSM_AGENT.latest);
      // Launched moments ago: EC2 may not know the id yet (eventual consistency).
      await afterConsistencyWindow();
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
      for (
        let i = 0;
        i < 200 &&
        leftovers(
          emu,
          result.images.map((x) => x.imageId),
        ).instances.length > 0;
        i++
      )
        await new Promise((r) => setTimeout(r, 25));
    } finally {
      ec2.destroy();
    }
    expect(
      leftovers(
        emu,
        result.images.map((x) => x.imageId),
      ),
    ).to.deep.equal(NOTHING);
  });

  it('the IAM policy lets SendCommand run the package documents only when a step needs them', () => {
    const withDocs = JSON.stringify(iamPolicies(loadConfig(components('2022', 'ena, ssm-agent'))));
    expect(withDocs).to.contain('arn:aws:ssm:*::document/AWS-ConfigureAWSPackage');
    expect(withDocs).to.contain('arn:aws:ssm:*::document/AWS-UpdateSSMAgent');
    const without = JSON.stringify(iamPolicies(loadConfig(writeConfig(['name: plain', 'region: us-east-1', 'windows:', '  release: "2022"'].join('\n')))));
    expect(without).not.to.contain('AWS-ConfigureAWSPackage');
  });

  it('ec2launch on 2019 (EC2Launch v1, not a package) is refused before anything is launched', async () => {
    const { result } = await bakeOn(emu, components('2019', 'ec2launch, ena'), { smokeTest: false });
    expect(result.ok).to.equal(false);
    expect(result.error!.message).to.contain('is not an AWS Distributor package');
    expect(emu.control.resources({ account: a.accountId }).instances.filter((i) => i.state !== 'terminated')).to.deep.equal([]);
  });

  it('SendCommand refuses what AWS refuses for the package documents: a missing name, an action or flag outside the allowed values', async () => {
    const ssm = new SSMClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials });
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: emu.endpoint, credentials });
    try {
      const image = (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' }))).Parameter!
        .Value!;
      const id = (
        await ec2.send(
          new RunInstancesCommand({ ImageId: image, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'winami-builder' } }),
        )
      ).Instances![0]!.InstanceId!;
      // Until the agent registers, SendCommand answers InvalidInstanceId; a valid command tells when it has.
      for (let i = 0; i < 200; i++) {
        try {
          await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-UpdateSSMAgent', InstanceIds: [id] }));
          break;
        } catch (e) {
          if ((e as Error).name !== 'InvalidInstanceId') throw e;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      const refused = async (DocumentName: string, Parameters: Record<string, string[]>) => {
        try {
          await ssm.send(new SendCommandCommand({ DocumentName, InstanceIds: [id], Parameters }));
          return 'accepted';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      expect(await refused('AWS-ConfigureAWSPackage', { action: ['Install'] })).to.equal('InvalidParameters: Parameter "name" is required.');
      expect(await refused('AWS-ConfigureAWSPackage', { action: ['Upgrade'], name: ['AWSNVMe'] })).to.equal(
        'InvalidParameters: Parameter "action" "Upgrade" failed to satisfy constraint: allowedValues.',
      );
      expect(await refused('AWS-UpdateSSMAgent', { allowDowngrade: ['yes'] })).to.equal(
        'InvalidParameters: Parameter "allowDowngrade" "yes" failed to satisfy constraint: allowedValues.',
      );
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    } finally {
      ssm.destroy();
      ec2.destroy();
    }
  });
});
