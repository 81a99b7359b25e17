/**
 * The source image exists, is Windows, carries both billing fields, bills as
 * the config expects (the new image inherits the source's billing), matches
 * the `sql` section, and has an architecture the instance type runs.
 */
import { sourceSqlIssues } from '../../sql/preflight.js';
import type { PreflightCheck } from '../types.js';
import { problem } from './helpers.js';

const ID = 'source-image';

export const sourceImageCheck: PreflightCheck = {
  id: ID,
  title: 'The source image exists, is Windows, bills as expected and suits the instance type',
  run(f) {
    const image = f.source.image;
    if (!image)
      return [
        problem(
          ID,
          f.source.problem ?? 'the source image was not found',
          'Check source: the AMI id, SSM parameter or name filter, and that the image is shared with this account in this region.',
          { region: f.region, path: 'source' },
        ),
      ];
    const out = [];
    const label = `source image ${image.ImageId} (${image.Name ?? 'no name'})`;
    const windows = String(image.Platform ?? '').toLowerCase() === 'windows' || (image.PlatformDetails ?? '').startsWith('Windows');
    if (!windows) {
      out.push(
        problem(
          ID,
          `${label} is not Windows: Platform=${image.Platform ?? '-'}, PlatformDetails=${image.PlatformDetails ?? '-'}`,
          'winami builds Windows images; pick a Windows source image.',
          { path: 'source' },
        ),
      );
    } else if (!image.PlatformDetails || !image.UsageOperation) {
      out.push(
        problem(
          ID,
          `${label} has empty billing fields (PlatformDetails "${image.PlatformDetails ?? ''}", UsageOperation "${image.UsageOperation ?? ''}"), so an image made from it would be billed wrongly`,
          'Start from an AWS-provided Windows image or one created from an instance of it.',
          { path: 'source' },
        ),
      );
    } else if (f.config.sql) {
      for (const i of sourceSqlIssues(f.config, image))
        out.push(problem(ID, i.message, i.hint ?? 'Make the sql section and the source image agree.', { path: i.path }));
    } else if (f.expectation && (f.expectation.platformDetails !== image.PlatformDetails || f.expectation.usageOperation !== image.UsageOperation)) {
      out.push(
        problem(
          ID,
          `${label} bills as "${image.PlatformDetails}" (${image.UsageOperation}) but the config expects "${f.expectation.platformDetails}" (${f.expectation.usageOperation}, from ${f.expectation.derivedFrom}); an image made from it keeps the source's billing`,
          'Pick a source image billed as expected, or change licensing.expect.',
          { path: 'licensing.expect' },
        ),
      );
    }
    const type = f.instanceType.ok ? f.instanceType.value : undefined;
    const archs = (type?.ProcessorInfo?.SupportedArchitectures ?? []) as string[];
    if (type && image.Architecture && archs.length > 0 && !archs.includes(image.Architecture)) {
      out.push(
        problem(
          ID,
          `${label} is ${image.Architecture} but ${type.InstanceType} runs ${archs.join(', ')}`,
          `Pick an instance type that runs ${image.Architecture} (builder.instanceType), or a source image for ${archs.join('/')}.`,
          { path: 'builder.instanceType' },
        ),
      );
    }
    return out;
  },
};
