/** Replace the secret tokens in the delivered files, on the instance, from SSM Parameter Store. */
import { StepError } from '../../errors.js';
import { scaled } from '../context.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';

export const resolveSecrets: BakeStep = {
  name: 'resolveSecrets',
  title: 'Resolve secrets on the builder',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const file = bundleFile(state.bundle!, 'scripts/resolve-secrets.ps1', 'resolveSecrets');
    const r = await runOn(state, ctx, {
      instanceId: state.builder!.instanceId,
      script: commandFor(file),
      what: 'resolve secrets',
      executionTimeoutSeconds: 600,
      deadlineMs: scaled(ctx, state.config.deadlines.deliver),
    });
    if (r.status !== 'Success') {
      throw new StepError('resolveSecrets', `resolving secrets on the builder failed (exit ${r.exitCode}).\n${outputTail(r)}`, {
        hint: "The builder's instance profile needs ssm:GetParameter on each secret parameter and kms:Decrypt on its key (see `winami iam-policy`).",
      });
    }
  },
};
