/** Run a script on an instance for a step, with the bake's delays, clock and cancel signal. */
import { StepError } from '../../errors.js';
import { PollTimeoutError } from '../../aws/poll-until.js';
import { isAwsCode } from '../../aws/errors.js';
import { reportTo } from '../../reporter.js';
import { runScript, tail, type RunScriptResult } from '../ssm-run.js';
import { assertAlive, describeInstance } from '../aws-helpers.js';
import { delays, type StepCtx } from '../context.js';
import type { BakeState } from '../state.js';

export interface RunOnOptions {
  instanceId: string;
  script: string;
  /** An SSM document to run instead of the script (ssm-run.ts). */
  document?: { name: string; parameters: Record<string, string[]> };
  what: string;
  /** SSM executionTimeout in seconds (on the instance; not scaled). */
  executionTimeoutSeconds: number;
  /** How long winami waits, in ms (already scaled). */
  deadlineMs: number;
  expectedMs?: number;
}

/** Run and wait; a timeout checks whether the instance is still there, so "terminated from outside" is said plainly. */
export async function runOn(state: BakeState, ctx: StepCtx, o: RunOnOptions): Promise<RunScriptResult> {
  try {
    const result = await runScript(ctx.session.ssm(state.region), {
      ...o,
      ...delays(ctx, 'command'),
      abortSignal: ctx.signal,
      clock: ctx.clock,
      onObservation: (observed) => reportTo(ctx.reporter).debug('bake.wait', `${o.what}: ${observed}`, { step: ctx.step }),
    });
    if (result.status !== 'Success' && result.exitCode === -1) {
      assertAlive(ctx.step, o.instanceId, await describeInstance(ctx.session.ec2(state.region), o.instanceId));
    }
    return result;
  } catch (err) {
    // SSM answers InvalidInstanceId when the instance stopped being a managed node, e.g. terminated from outside.
    if (isAwsCode(err, 'InvalidInstanceId')) {
      assertAlive(ctx.step, o.instanceId, await describeInstance(ctx.session.ec2(state.region), o.instanceId));
    }
    if (err instanceof PollTimeoutError) {
      assertAlive(ctx.step, o.instanceId, await describeInstance(ctx.session.ec2(state.region), o.instanceId));
      throw new StepError(ctx.step, `${o.what} did not finish in time: ${err.message}`, {
        cause: err,
        hint: 'Raise the deadline for this phase (deadlines.*) if the work is just slow.',
      });
    }
    throw err;
  }
}

/** The output's tail for an error message, with a note when SSM cut it. */
export function outputTail(r: RunScriptResult, lines = 20): string {
  const parts: string[] = [];
  if (r.stdout.trim()) parts.push(`stdout (tail):\n${tail(r.stdout, lines)}`);
  if (r.stderr.trim()) parts.push(`stderr (tail):\n${tail(r.stderr, lines)}`);
  if (r.truncated) parts.push('(SSM keeps only the first 24,000 characters of stdout and 8,000 of stderr; the end of the output was cut)');
  return parts.join('\n') || '(no output)';
}
