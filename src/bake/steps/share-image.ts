/** Launch permissions and deprecation, on the image and every copy, where configured. */
import type { LaunchPermission } from '@aws-sdk/client-ec2';
import { parseDurationMs } from '../../config/duration.js';
import type { BakeState, MadeImage } from '../state.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

function allImages(state: BakeState, step: string): MadeImage[] {
  return [need(state, 'image', step), ...state.copies];
}

export const setLaunchPermissions: BakeStep = {
  name: 'setLaunchPermissions',
  title: 'Set launch permissions',
  actions: ['ec2:ModifyImageAttribute'],
  async run(state, ctx) {
    const lp = state.config.image.launchPermissions!;
    const add: LaunchPermission[] = [
      ...lp.accounts.map((UserId) => ({ UserId })),
      ...lp.organizationArns.map((OrganizationArn) => ({ OrganizationArn })),
      ...lp.organizationalUnitArns.map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
    ];
    await Promise.all(
      allImages(state, ctx.step).map((img) =>
        ctx.session.ec2(img.region).modifyImageAttribute({ ImageId: img.imageId, LaunchPermission: { Add: add } }, { abortSignal: ctx.signal }),
      ),
    );
  },
};

export const deprecateImage: BakeStep = {
  name: 'deprecateImage',
  title: 'Schedule deprecation',
  actions: ['ec2:EnableImageDeprecation'],
  async run(state, ctx) {
    const at = new Date(Date.now() + parseDurationMs(state.config.image.deprecateAfter!));
    at.setUTCSeconds(0, 0);
    await Promise.all(
      allImages(state, ctx.step).map((img) =>
        ctx.session.ec2(img.region).enableImageDeprecation({ ImageId: img.imageId, DeprecateAt: at }, { abortSignal: ctx.signal }),
      ),
    );
  },
};
