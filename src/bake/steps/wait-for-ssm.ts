/**
 * Wait until the instance's SSM Agent is Online. Every few checks it also
 * looks at the instance, so a builder terminated from outside fails fast. If
 * the agent never comes online, the error names the likely causes and shows
 * the console output's tail.
 */
import type { InstanceInformation } from '@aws-sdk/client-ssm';
import { pollUntil, PollTimeoutError } from '../../aws/poll-until.js';
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { assertAlive, assertNotTerminated, consoleTail, describeInstance } from '../aws-helpers.js';
import { EARLIEST_MS, EXPECTED_MS, delays, scaled, type BakeContext, type StepCtx } from '../context.js';
import type { BakeState } from '../state.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

/** Wait for SSM Online on an instance; returns its registered computer name. */
export async function waitForAgent(state: BakeState, ctx: StepCtx, instanceId: string, step: string, timeoutMs: number): Promise<string | undefined> {
  const ssm = ctx.session.ssm(state.region);
  const ec2 = ctx.session.ec2(state.region);
  let checks = 0;
  try {
    const info = await pollUntil<InstanceInformation | undefined>({
      what: `SSM Agent on ${instanceId} to be Online`,
      probe: async (signal) => {
        if (++checks % 4 === 0) assertNotTerminated(step, instanceId, await describeInstance(ec2, instanceId, signal));
        const out = await ssm.describeInstanceInformation({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }, { abortSignal: signal });
        return out.InstanceInformationList?.find((i) => i.InstanceId === instanceId);
      },
      acceptor: (info) =>
        info?.PingStatus === 'Online'
          ? { state: 'success', value: info }
          : { state: 'retry', observed: info ? `PingStatus ${info.PingStatus}` : 'not registered with SSM' },
      timeoutMs,
      ...delays(ctx, 'ssmOnline'),
      initialDelayMs: Math.max(delays(ctx, 'ssmOnline').minDelayMs, scaled(ctx, EARLIEST_MS.ssmOnline)),
      expectedMs: scaled(ctx, EXPECTED_MS.ssmOnline),
      abortSignal: ctx.signal,
      clock: ctx.clock,
      onObservation: (observed) => reportTo(ctx.reporter).debug('bake.wait', observed, { step, instanceId }),
    });
    return info?.ComputerName;
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    // Past the deadline already: these looks get a short bound of their own, whatever the network does.
    const bound = AbortSignal.any([ctx.signal, AbortSignal.timeout(scaled(ctx, 30_000))]);
    const inst = await describeInstance(ec2, instanceId, bound).catch(() => 'unknown' as const);
    if (inst !== 'unknown') assertAlive(step, instanceId, inst);
    const profile = state.config.builder.instanceProfile;
    throw new StepError(
      step,
      `SSM Agent on ${instanceId} never came Online within ${Math.round(timeoutMs / 1000)} s (${err.lastObserved}).\nConsole output (tail):\n${await consoleTail(ec2, instanceId, 15, bound)}`,
      {
        hint: [
          profile
            ? `check that the role of instance profile "${profile}" has the AmazonSSMManagedInstanceCore policy`
            : 'set builder.instanceProfile to a profile whose role has AmazonSSMManagedInstanceCore',
          'check the subnet has a route to SSM (a NAT gateway, a public IP with an internet gateway, or VPC endpoints for ssm, ssmmessages and ec2messages)',
        ].join('; '),
        cause: err,
      },
    );
  }
}

export const waitForSsm: BakeStep = {
  name: 'waitForSsm',
  title: 'Wait for SSM Agent',
  actions: ['ssm:DescribeInstanceInformation', 'ec2:DescribeInstances'],
  failureActions: ['ec2:GetConsoleOutput'],
  async run(state, ctx) {
    const id = need(state, 'builder', ctx.step).instanceId;
    const name = await waitForAgent(state, ctx, id, 'waitForSsm', scaled(ctx, state.config.deadlines.ssmOnline));
    need(state, 'builder', ctx.step).computerName = name;
    reportTo(ctx.reporter).info('bake.ssm.online', `SSM Agent on ${id} is Online${name ? ` (computer ${name})` : ''}`, { instanceId: id, computerName: name });
  },
};
export type { BakeContext };
