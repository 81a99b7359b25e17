/**
 * The emulator's minimal launch templates and SSM DescribeParameters, through
 * the real SDK clients: what they answer and what they refuse.
 */
import { expect } from 'chai';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { Emulator } from '../../emulator/index.js';
import { rejection, sdk, withEmulator } from './helpers.js';

describe('emulator: launch templates and DescribeParameters', function () {
  this.timeout(30_000);
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator();
  });
  after(async () => emu?.stop());

  it('creates, describes (every $Default without a template named), refuses duplicates and unknowns, deletes', async () => {
    const { ec2 } = sdk(emu, 0, 'us-east-1', 4);
    const made = await ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: 'fleet-a', LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 'm6i.large' } }),
    );
    expect(made.LaunchTemplate!.LaunchTemplateId).to.match(/^lt-[0-9a-f]{17}$/);
    expect([made.LaunchTemplate!.DefaultVersionNumber, made.LaunchTemplate!.LatestVersionNumber]).to.deep.equal([1, 1]);
    expect(
      (await rejection(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'fleet-a', LaunchTemplateData: { InstanceType: 't3.micro' } })))).name,
    ).to.equal('InvalidLaunchTemplateName.AlreadyExistsException');
    expect(
      (
        await rejection(
          ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'no spaces allowed', LaunchTemplateData: { InstanceType: 't3.micro' } })),
        )
      ).name,
    ).to.equal('InvalidLaunchTemplateName.MalformedException');
    const all = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Default'] }));
    expect(all.LaunchTemplateVersions!.map((v) => [v.LaunchTemplateName, v.VersionNumber, v.DefaultVersion, v.LaunchTemplateData?.ImageId])).to.deep.equal([
      ['fleet-a', 1, true, 'ami-0123456789abcdef0'],
    ]);
    expect((await rejection(ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['1'] })))).name).to.equal('InvalidParameterCombination');
    expect((await rejection(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'fleet-a', Versions: ['2'] })))).name).to.equal(
      'InvalidLaunchTemplateId.VersionNotFound',
    );
    expect((await rejection(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })))).name).to.equal(
      'InvalidLaunchTemplateName.NotFoundException',
    );
    expect((await rejection(ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: 'lt-00000000000000000' })))).name).to.equal(
      'InvalidLaunchTemplateId.NotFound',
    );
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'fleet-a' }));
    expect((await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates).to.deep.equal([]);
  });

  it('DescribeParameters filters on DataType and Path, pages, and refuses bad keys, options and MaxResults', async () => {
    const { ssm } = sdk(emu, 0, 'us-east-1', 4);
    await ssm.send(new PutParameterCommand({ Name: '/golden/a', Type: 'String', DataType: 'aws:ec2:image', Value: 'ami-0123456789abcdef0' }));
    await ssm.send(new PutParameterCommand({ Name: '/golden/b/c', Type: 'String', Value: 'text' }));
    const images = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'DataType', Option: 'Equals', Values: ['aws:ec2:image'] }] }));
    expect(images.Parameters!.map((p) => [p.Name, p.DataType])).to.deep.equal([['/golden/a', 'aws:ec2:image']]);
    const oneLevel = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: ['/golden'] }] }));
    expect(oneLevel.Parameters!.map((p) => p.Name)).to.deep.equal(['/golden/a']);
    const page = await ssm.send(new DescribeParametersCommand({ MaxResults: 1 }));
    expect(page.Parameters).to.have.length(1);
    const rest = await ssm.send(new DescribeParametersCommand({ MaxResults: 1, NextToken: page.NextToken! }));
    expect(rest.Parameters!.map((p) => p.Name)).to.deep.equal(['/golden/b/c']);
    expect((await rejection(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Colour', Values: ['x'] }] })))).name).to.equal(
      'InvalidFilterKey',
    );
    expect(
      (await rejection(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'DataType', Option: 'BeginsWith', Values: ['aws'] }] })))).name,
    ).to.equal('InvalidFilterOption');
    expect((await rejection(ssm.send(new DescribeParametersCommand({ MaxResults: 51 })))).name).to.equal('ValidationException');
  });
});
