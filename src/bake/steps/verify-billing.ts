/**
 * The billing gate: the new image's PlatformDetails and UsageOperation must be
 * present and equal to the expectation (the config's, else the source's
 * lineage). Otherwise the bake fails with the verification exit code and
 * `createImage`'s cleanup discards the image and its snapshots.
 */
import { VerificationError } from '../../errors.js';
import { verifyImageBilling } from '../../billing/verify.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

export const verifyBilling: BakeStep = {
  name: 'verifyBilling',
  title: 'Verify billing',
  actions: ['ec2:DescribeImages'],
  async run(state, ctx) {
    const img = need(state, 'image', ctx.step);
    const result = await verifyImageBilling(ctx.session.ec2(state.region), img.imageId, state.expectation, { reporter: ctx.reporter, abortSignal: ctx.signal });
    img.platformDetails = result.fields.PlatformDetails;
    img.usageOperation = result.fields.UsageOperation;
    if (!result.ok) {
      throw new VerificationError(
        `image ${img.imageId} is billed wrongly: ${result.check.problems.map((p) => p.message).join('; ')} (expected "${state.expectation?.platformDetails}" / ${state.expectation?.usageOperation}, from ${state.expectation?.derivedFrom}); it is being discarded`,
        {
          hint: 'An image with wrong billing fields must not be used. Check that the source image is a Windows image created from an instance (not from a snapshot).',
        },
      );
    }
  },
};
