/**
 * Resolve the source image (an AMI id, an SSM public parameter, or the newest
 * image by owner and name), check it is Windows with billing fields, and fix
 * the billing expectation (the config's, else the source's lineage).
 */
import type { Image } from '@aws-sdk/client-ec2';
import { ConfigError, VerificationError } from '../../errors.js';
import { resolveExpectation } from '../../billing/expectations.js';
import { reportTo } from '../../reporter.js';
import { assertSourceMatchesSql } from '../../sql/preflight.js';
import type { BakeStep } from './types.js';

export const resolveSource: BakeStep = {
  name: 'resolveSource',
  title: 'Resolve the source image',
  actions: ['ec2:DescribeImages', 'ssm:GetParameter'],
  async run(state, ctx) {
    const ec2 = ctx.session.ec2(state.region);
    const opt = { abortSignal: ctx.signal };
    const src = state.config.source;
    let image: Image | undefined;
    if (src.kind === 'filter') {
      const out = await ec2.describeImages({ Owners: src.owners, Filters: [{ Name: 'name', Values: [src.name] }, { Name: 'state', Values: ['available'] }] }, opt);
      image = (out.Images ?? []).sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
      if (!image) throw new ConfigError(`no available image named "${src.name}" owned by ${src.owners.join(', ')} in ${state.region}`, [{ path: 'source.filter', message: 'matched no image' }]);
    } else {
      let imageId: string;
      if (src.kind === 'ssm-parameter') {
        const p = await ctx.session.ssm(state.region).getParameter({ Name: src.parameter }, opt);
        imageId = p.Parameter?.Value ?? '';
        if (!/^ami-[0-9a-f]+$/.test(imageId)) throw new ConfigError(`SSM parameter ${src.parameter} does not hold an AMI id`, [{ path: 'source.ssmParameter', message: `holds "${imageId.slice(0, 40)}"` }]);
      } else imageId = src.imageId;
      const out = await ec2.describeImages({ ImageIds: [imageId] }, opt);
      image = out.Images?.find((i) => i.ImageId === imageId);
      if (!image) throw new ConfigError(`source image ${imageId} is not visible in ${state.region}`, [{ path: 'source', message: 'image not found' }]);
    }
    const windows = String(image.Platform ?? '').toLowerCase() === 'windows' || (image.PlatformDetails ?? '').startsWith('Windows');
    if (!windows) {
      throw new VerificationError(`source image ${image.ImageId} (${image.Name}) is not Windows: Platform=${image.Platform ?? '-'}, PlatformDetails=${image.PlatformDetails ?? '-'}`, {
        hint: 'winami builds Windows images; pick a Windows source image.',
      });
    }
    if (!image.PlatformDetails || !image.UsageOperation) {
      throw new VerificationError(`source image ${image.ImageId} has empty billing fields (PlatformDetails "${image.PlatformDetails ?? ''}", UsageOperation "${image.UsageOperation ?? ''}"), so an image made from it would be billed wrongly`, {
        hint: 'Start from an AWS-provided Windows image or one created from an instance of it.',
      });
    }
    // Only the resolved image tells the edition of `source: { ami }`: refuse a mismatch before launching anything.
    if (state.config.sql) assertSourceMatchesSql(state.config, image);
    const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === image!.RootDeviceName);
    state.source = {
      imageId: image.ImageId!,
      name: image.Name,
      platformDetails: image.PlatformDetails,
      usageOperation: image.UsageOperation,
      rootDeviceName: image.RootDeviceName,
      rootVolumeSize: root?.Ebs?.VolumeSize,
    };
    state.expectation = state.config.expectation ?? resolveExpectation({ lineage: image });
    reportTo(ctx.reporter).info('bake.source', `source ${image.ImageId} (${image.Name}), billed as "${image.PlatformDetails}" / ${image.UsageOperation}; expecting "${state.expectation.platformDetails}" / ${state.expectation.usageOperation} (${state.expectation.derivedFrom})`, {
      source: state.source,
      expectation: state.expectation,
    });
  },
};
