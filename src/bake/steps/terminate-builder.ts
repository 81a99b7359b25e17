/**
 * Start terminating the builder as soon as the image is safe, so it does not
 * run (and cost) during copies and the smoke test. `launchBuilder`'s cleanup
 * waits for the termination at the end.
 */
import type { BakeStep } from './types.js';
import { need } from '../state.js';

export const terminateBuilder: BakeStep = {
  name: 'terminateBuilder',
  title: 'Terminate the builder',
  actions: ['ec2:TerminateInstances'],
  async run(state, ctx) {
    await ctx.session.ec2(state.region).terminateInstances({ InstanceIds: [need(state, 'builder', ctx.step).instanceId] }, { abortSignal: ctx.signal });
    need(state, 'builder', ctx.step).terminating = true;
  },
};
