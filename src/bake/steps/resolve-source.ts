/**
 * Resolve the source image (an AMI id, an SSM public parameter, or the newest
 * image by owner and name) and fix the billing expectation (the config's,
 * else the source's lineage). Whether the image suits the bake (found,
 * Windows, billed as expected, matching the `sql` section and the instance
 * type) is the preflight's to say, together with every other problem.
 */
import type { Image } from '@aws-sdk/client-ec2';
import { resolveExpectation } from '../../billing/expectations.js';
import { awsErrorCode } from '../../aws/errors.js';
import { reportTo } from '../../reporter.js';
import type { BakeState } from '../state.js';
import type { BakeContext } from '../context.js';
import type { BakeStep } from './types.js';

/** Codes that mean "no such image or parameter" rather than a failed call. */
const NOT_FOUND = new Set(['ParameterNotFound', 'InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable']);

async function findImage(state: BakeState, ctx: BakeContext & { signal: AbortSignal }): Promise<{ image?: Image; problem?: string }> {
  const ec2 = ctx.session.ec2(state.region);
  const opt = { abortSignal: ctx.signal };
  const src = state.config.source;
  if (src.kind === 'filter') {
    const out = await ec2.describeImages(
      {
        Owners: src.owners,
        Filters: [
          { Name: 'name', Values: [src.name] },
          { Name: 'state', Values: ['available'] },
        ],
      },
      opt,
    );
    const image = (out.Images ?? []).sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
    return image ? { image } : { problem: `no available image named "${src.name}" owned by ${src.owners.join(', ')} in ${state.region}` };
  }
  let imageId: string;
  if (src.kind === 'ssm-parameter') {
    const p = await ctx.session.ssm(state.region).getParameter({ Name: src.parameter }, opt);
    imageId = p.Parameter?.Value ?? '';
    if (!/^ami-[0-9a-f]+$/.test(imageId))
      return { problem: `SSM parameter ${src.parameter} in ${state.region} does not hold an AMI id (it holds "${imageId.slice(0, 40)}")` };
  } else imageId = src.imageId;
  const out = await ec2.describeImages({ ImageIds: [imageId] }, opt);
  const image = out.Images?.find((i) => i.ImageId === imageId);
  return image ? { image } : { problem: `source image ${imageId} is not visible in ${state.region}` };
}

export const resolveSource: BakeStep = {
  name: 'resolveSource',
  title: 'Resolve the source image',
  actions: ['ec2:DescribeImages', 'ssm:GetParameter'],
  async run(state, ctx) {
    let found: { image?: Image; problem?: string };
    try {
      found = await findImage(state, ctx);
    } catch (err) {
      const code = awsErrorCode(err);
      if (code === undefined || !NOT_FOUND.has(code)) throw err;
      const src = state.config.source;
      const what = src.kind === 'ssm-parameter' ? `SSM parameter ${src.parameter}` : src.kind === 'ami' ? `source image ${src.imageId}` : 'the source image';
      found = { problem: `${what} does not exist in ${state.region} (${code})` };
    }
    const image = found.image;
    if (!image) {
      state.sourceProblem = found.problem;
      reportTo(ctx.reporter).warn('bake.source.missing', found.problem ?? 'no source image', { region: state.region });
      return;
    }
    state.sourceImage = image;
    const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName);
    state.source = {
      imageId: image.ImageId!,
      name: image.Name,
      platformDetails: image.PlatformDetails,
      usageOperation: image.UsageOperation,
      rootDeviceName: image.RootDeviceName,
      rootVolumeSize: root?.Ebs?.VolumeSize,
    };
    // An image without billing fields has no lineage to inherit; the preflight refuses it.
    const billed = Boolean(image.PlatformDetails && image.UsageOperation);
    state.expectation = state.config.expectation ?? (billed ? resolveExpectation({ lineage: image }) : undefined);
    const expecting = state.expectation
      ? `; expecting "${state.expectation.platformDetails}" / ${state.expectation.usageOperation} (${state.expectation.derivedFrom})`
      : '';
    reportTo(ctx.reporter).info(
      'bake.source',
      `source ${image.ImageId} (${image.Name}), billed as "${image.PlatformDetails ?? ''}" / ${image.UsageOperation ?? ''}${expecting}`,
      {
        source: state.source,
        expectation: state.expectation,
      },
    );
  },
};
