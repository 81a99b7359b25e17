/**
 * The user's customize steps, in order, each as one Run Command. Output is
 * reported; an exit of 3010 makes SSM Agent reboot and run the step again
 * (the invocation stays InProgress, so the wait just continues); an exit code
 * outside the step's valid codes stops the bake with the output's tail.
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { tail } from '../ssm-run.js';
import { scaled } from '../context.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';
import { windowsUpdateOutcomes } from '../windows-update-report.js';
import { runAwsComponents } from './aws-components.js';
import { need } from '../state.js';

export const customize: BakeStep = {
  name: 'customize',
  title: 'Customize',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  failureActions: ['ssm:CancelCommand'],
  async run(state, ctx) {
    const steps = need(state, 'bundle', ctx.step).plan.customize ?? [];
    const report = reportTo(ctx.reporter);
    for (const [i, s] of steps.entries()) {
      if (!s.script) continue;
      const label = `customize step ${i + 1} of ${steps.length}${s.name ? ` (${s.name})` : ''}`;
      const file = bundleFile(need(state, 'bundle', ctx.step), s.script, 'customize');
      report.info('bake.customize.start', label, { index: i, name: s.name });
      const deadlineMs = () => Math.max(1, Math.min(scaled(ctx, s.timeoutSeconds * 1000 + 120_000), ctx.timeLeft()));
      const runStep = () =>
        runOn(state, ctx, {
          instanceId: need(state, 'builder', ctx.step).instanceId,
          script: commandFor(file),
          what: label,
          executionTimeoutSeconds: s.timeoutSeconds,
          deadlineMs: deadlineMs(),
        });
      if (s.documents?.length) {
        await runAwsComponents(state, ctx, s, label, deadlineMs, runStep);
        continue;
      }
      const r = await runStep();
      report.info('bake.customize.output', `${label}: exit ${r.exitCode}`, {
        index: i,
        exitCode: r.exitCode,
        status: r.status,
        stdoutTail: tail(r.stdout, 10),
        truncated: r.truncated,
      });
      if (s.kind === 'windowsUpdate') {
        for (const u of windowsUpdateOutcomes(r.stdout))
          report.info('bake.windowsUpdate.update', `${label}: ${u.kb} ${u.result} (${u.hresult}) in round ${u.round}: ${u.title}`, { index: i, ...u });
      }
      const valid = s.validExitCodes.length ? s.validExitCodes : [0];
      if (!valid.includes(r.exitCode) || (r.status !== 'Success' && r.status !== 'Failed')) {
        throw new StepError(
          'customize',
          `${label} failed: ${r.status}${r.statusDetails ? ` (${r.statusDetails})` : ''}, exit code ${r.exitCode} (valid: ${valid.join(', ')}).\n${outputTail(r)}`,
          {
            hint: 'Fix the script and bake again; `--on-error keep` keeps the builder for inspection.',
          },
        );
      }
    }
  },
};

/** The built-in pre-seal clean-up: temp files, Windows Update cache, DISM component store, Optimize-Volume. */
export const cleanUpPreseal: BakeStep = {
  name: 'cleanUpPreseal',
  title: 'Clean up before sealing',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const file = bundleFile(need(state, 'bundle', ctx.step), 'scripts/cleanup-preseal.ps1', 'cleanUpPreseal');
    const r = await runOn(state, ctx, {
      instanceId: need(state, 'builder', ctx.step).instanceId,
      script: commandFor(file),
      what: 'pre-seal clean-up',
      executionTimeoutSeconds: Math.ceil(state.config.deadlines.customize / 1000),
      deadlineMs: scaled(ctx, state.config.deadlines.customize),
    });
    if (r.status !== 'Success') throw new StepError('cleanUpPreseal', `the pre-seal clean-up failed: ${r.status}, exit code ${r.exitCode}.\n${outputTail(r)}`);
  },
};
