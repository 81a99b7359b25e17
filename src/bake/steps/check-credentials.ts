/** Preflight: prove the credentials work and show the account and region. */
import { reportTo } from '../../reporter.js';
import type { BakeStep } from './types.js';

export const checkCredentials: BakeStep = {
  name: 'checkCredentials',
  title: 'Check credentials',
  actions: ['sts:GetCallerIdentity'],
  async run(state, ctx) {
    const id = await ctx.session.sts(state.region).getCallerIdentity({}, { abortSignal: ctx.signal });
    state.account = id.Account;
    state.callerArn = id.Arn;
    reportTo(ctx.reporter).info('bake.identity', `account ${id.Account} (${id.Arn}), region ${state.region}`, { account: id.Account, arn: id.Arn, region: state.region });
    if (!state.config.builder.instanceProfile) {
      reportTo(ctx.reporter).warn(
        'bake.no-instance-profile',
        'builder.instanceProfile is not set: SSM Agent can only register if the account has Default Host Management Configuration; otherwise give a profile whose role has AmazonSSMManagedInstanceCore',
      );
    }
  },
};
