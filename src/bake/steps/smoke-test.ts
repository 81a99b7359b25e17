/**
 * Smoke test: launch one instance from the new image, wait for SSM, and prove
 * it specialized: a new computer name, ImageState complete, the launch agent
 * ran. Cleanup terminates it whatever the outcome.
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { terminateAndWait } from '../aws-helpers.js';
import { markRemoved, scaled } from '../context.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { launchInstance } from './launch-builder.js';
import { outputTail, runOn } from './run-on.js';
import { waitForAgent } from './wait-for-ssm.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

/** `WIN-ABC.WORKGROUP` → `win-abc`: SSM reports the name with its domain, the instance without. */
const hostPart = (name: string) => name.split('.')[0]!.toLowerCase();

export const smokeTest: BakeStep = {
  name: 'smokeTest',
  title: 'Smoke test',
  actions: [
    'ec2:RunInstances',
    'ec2:CreateTags',
    'ssm:DescribeInstanceInformation',
    'ssm:SendCommand',
    'ssm:GetCommandInvocation',
    'ec2:TerminateInstances',
    'ec2:DescribeInstances',
  ],
  async run(state, ctx) {
    const deadline = scaled(ctx, state.config.deadlines.smokeTest);
    const id = await launchInstance(state, ctx, need(state, 'image', ctx.step).imageId, 'smoke-test');
    state.smoke = { instanceId: id };
    const name = await waitForAgent(state, ctx, id, 'smokeTest', deadline);
    state.smoke.computerName = name;
    const file = bundleFile(need(state, 'bundle', ctx.step), 'scripts/smoke-test.ps1', 'smokeTest');
    const r = await runOn(state, ctx, {
      instanceId: id,
      script: commandFor(file),
      what: 'smoke test',
      executionTimeoutSeconds: 600,
      deadlineMs: Math.max(1, ctx.timeLeft()),
    });
    const f = r.facts;
    const problems: string[] = [];
    if (!f.computerName) problems.push('it reported no computer name');
    else if (state.builder?.computerName && hostPart(f.computerName) === hostPart(state.builder.computerName))
      problems.push(`its computer name ${f.computerName} is the builder's: it did not specialize`);
    if (f.imageState !== 'IMAGE_STATE_COMPLETE') problems.push(`ImageState is ${f.imageState ?? 'unknown'}, not IMAGE_STATE_COMPLETE`);
    if (f.agentRan !== 'true') problems.push('the launch agent did not run at first boot');
    if (problems.length) {
      throw new StepError('smokeTest', `the smoke-test instance ${id} did not come up as a specialized instance: ${problems.join('; ')}.\n${outputTail(r)}`, {
        hint: 'Check the unattend file and the launch agent settings (`winami prepare` shows them); the image was discarded.',
      });
    }
    reportTo(ctx.reporter).info('bake.smoke.ok', `smoke test passed: ${f.computerName}, ${f.imageState}, launch agent ran`, {
      instanceId: id,
      computerName: f.computerName,
    });
  },
  async cleanup(state, ctx) {
    const r = state.resources.find((x) => x.role === 'smoke-test' && x.kind === 'instance');
    if (!r || r.removed) return;
    await terminateAndWait(ctx, ctx.session.ec2(state.region), r.id, ctx.signal, scaled(ctx, state.config.deadlines.cleanup));
    markRemoved(state, ctx, r.id, state.region);
  },
};
