/**
 * Publish the image id to `image.publishParameter` in every region the image
 * is in, after billing verification, the smoke test, the copies, sharing and
 * deprecation: only a proven image is handed to launch templates. A failed
 * publish does not discard the verified images: the bake ends partial
 * (exit code 8) and says how to publish by hand.
 */
import { CancelledError } from '../../errors.js';
import { publishImageParameter } from '../publish-parameter.js';
import { reportTo } from '../../reporter.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

export const publishParameter: BakeStep = {
  name: 'publishParameter',
  title: 'Publish the image id',
  actions: ['ssm:PutParameter'],
  async run(state, ctx) {
    const name = state.config.image.publishParameter!;
    const images = [need(state, 'image', ctx.step), ...state.copies].map((m) => ({ region: m.region, imageId: m.imageId }));
    const report = reportTo(ctx.reporter);
    const failed: { region: string; imageId: string; error: string }[] = [];
    for (const image of images) {
      try {
        const version = await publishImageParameter(ctx.session.ssm(image.region), name, image.imageId, { abortSignal: ctx.signal });
        state.published.push({ region: image.region, name, imageId: image.imageId, version });
      } catch (err) {
        if (ctx.signal.aborted) throw new CancelledError('cancelled while publishing the image id', { cause: err });
        failed.push({ ...image, error: (err as Error).message });
      }
    }
    if (state.published.length)
      report.info('bake.published', `published ${state.published.map((p) => `${p.region}:${p.imageId}`).join(', ')} to ${name}`, {
        parameters: state.published,
      });
    if (failed.length === 0) return;
    const message = `the images are built and verified, but publishing the image id to ${name} failed in ${failed.map((f) => `${f.region} (${f.error})`).join(', ')}`;
    const command = failed
      .map((i) => `aws ssm put-parameter --region ${i.region} --name ${name} --type String --data-type aws:ec2:image --overwrite --value ${i.imageId}`)
      .join('\n');
    state.incomplete.push({ step: 'publishParameter', message, hint: `The images are kept. Publish by hand:\n${command}` });
    report.warn('bake.publish.failed', `${message}; the images are kept`, { parameter: name, failed, command });
  },
};
