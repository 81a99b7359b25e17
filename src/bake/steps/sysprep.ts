/**
 * Seal the builder. The bundle's sysprep script registers a one-shot
 * scheduled task that runs the launch agent's own Sysprep command as the
 * built-in Administrator (logon type S4U, highest privileges) and starts it:
 * Microsoft does not support Sysprep as LocalSystem, which Run Command runs
 * as (docs/bake.md). The script returns at once; `waitForStopped` then waits
 * for the instance to stop, the success signal.
 */
import { StepError } from '../../errors.js';
import { PollFailureError, PollTimeoutError } from '../../aws/poll-until.js';
import { reportTo } from '../../reporter.js';
import { describeInstance, waitForInstanceState } from '../aws-helpers.js';
import { EARLIEST_MS, EXPECTED_MS, scaled } from '../context.js';
import { readSysprepLogsScript, splitSysprepLogs } from '../scripts.js';
import { tail } from '../ssm-run.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

export const runSysprep: BakeStep = {
  name: 'runSysprep',
  title: 'Start Sysprep',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const file = bundleFile(need(state, 'bundle', ctx.step), 'scripts/sysprep.ps1', 'runSysprep');
    const r = await runOn(state, ctx, {
      instanceId: need(state, 'builder', ctx.step).instanceId,
      script: commandFor(file),
      what: 'start Sysprep',
      executionTimeoutSeconds: 600,
      deadlineMs: scaled(ctx, state.config.deadlines.sysprep),
    });
    if (r.facts.sysprep !== 'started') {
      throw new StepError('runSysprep', `the Sysprep task did not start: ${r.status}, exit code ${r.exitCode}.\n${outputTail(r)}`, {
        hint: 'Check that the built-in Administrator account is enabled on the builder.',
      });
    }
    reportTo(ctx.reporter).info('bake.sysprep.started', 'Sysprep started as the built-in Administrator through a scheduled task', {});
  },
};

/** How long the look at a builder that did not stop may take. */
const DIAGNOSE_MS = 30_000;

export const waitForStopped: BakeStep = {
  name: 'waitForStopped',
  title: 'Wait for Sysprep to stop the builder',
  actions: ['ec2:DescribeInstances'],
  failureActions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const id = need(state, 'builder', ctx.step).instanceId;
    const ec2 = ctx.session.ec2(state.region);
    const timeoutMs = scaled(ctx, state.config.deadlines.sysprep);
    try {
      await waitForInstanceState(ctx, ec2, id, 'stopped', {
        timeoutMs,
        expectedMs: scaled(ctx, EXPECTED_MS.sysprepStop),
        earliestMs: scaled(ctx, EARLIEST_MS.sysprepStop),
        signal: ctx.signal,
        what: `Sysprep to stop ${id}`,
      });
    } catch (err) {
      if (!(err instanceof PollTimeoutError)) {
        if (err instanceof PollFailureError)
          throw new StepError('waitForStopped', `the builder ${id} went away during Sysprep: ${(err as Error).message}`, { cause: err });
        throw err;
      }
      // Past the deadline already: the look at the instance gets a short bound of its own, whatever the network does.
      const inst = await describeInstance(ec2, id, AbortSignal.any([ctx.signal, AbortSignal.timeout(scaled(ctx, DIAGNOSE_MS))])).catch(() => undefined);
      let logs = '(the logs could not be read: the instance is not running)';
      if (inst?.State?.Name === 'running') {
        try {
          const r = await runOn(state, ctx, {
            instanceId: id,
            script: readSysprepLogsScript(),
            what: 'read the Sysprep logs',
            executionTimeoutSeconds: 120,
            deadlineMs: scaled(ctx, 180_000),
          });
          const { setuperr, setupact } = splitSysprepLogs(r.stdout);
          logs = `setuperr.log (tail):\n${tail(setuperr, 20) || '(empty)'}\nsetupact.log (tail):\n${tail(setupact, 20) || '(empty)'}`;
        } catch (readErr) {
          logs = `(the logs could not be read: ${(readErr as Error).message})`;
        }
      }
      throw new StepError('waitForStopped', `Sysprep did not stop ${id} within ${Math.round(timeoutMs / 1000)} s (${err.lastObserved}).\n${logs}`, {
        hint: 'Sysprep failed or is still running: see setuperr.log above (per-user AppX packages and pending servicing are the usual causes). `--on-error keep` keeps the builder for inspection.',
        cause: err,
      });
    }
    reportTo(ctx.reporter).info('bake.sealed', `${id} stopped: Sysprep sealed it`, { instanceId: id });
  },
};
