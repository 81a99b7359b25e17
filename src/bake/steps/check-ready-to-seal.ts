/**
 * Ready to seal: run the bundle's check-ready script until it says ready
 * (ImageState complete, no pending reboot, no TiWorker, the launch agent
 * healthy) or the readyToSeal deadline passes. A pending reboot with nothing
 * else running is resolved by one reboot through SSM (exit 3010 with a marker
 * file, so the rerun after the reboot exits 0).
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { delays, scaled } from '../context.js';
import { ps } from '../scripts.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';
import { backoffDelay } from '../../aws/retry.js';

/** A script that reboots once through SSM and then succeeds. */
export function rebootOnceScript(marker: string): string {
  return [
    `# winami: reboot once for a pending reboot`,
    `if (Test-Path -LiteralPath ${ps(marker)}) {`,
    `  Remove-Item -LiteralPath ${ps(marker)}`,
    `  exit 0`,
    `}`,
    `Set-Content -LiteralPath ${ps(marker)} -Value 'reboot requested by winami'`,
    `exit 3010`,
  ].join('\r\n');
}

export const checkReadyToSeal: BakeStep = {
  name: 'checkReadyToSeal',
  title: 'Check ready to seal',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const file = bundleFile(need(state, 'bundle', ctx.step), 'scripts/check-ready.ps1', 'checkReadyToSeal');
    const report = reportTo(ctx.reporter);
    const deadline = scaled(ctx, state.config.deadlines.readyToSeal);
    const { minDelayMs, maxDelayMs } = delays(ctx, 'instanceState');
    let reboots = 0;
    let last = '';
    for (let attempt = 1; ; attempt++) {
      const left = ctx.timeLeft();
      if (left <= 0) break;
      const r = await runOn(state, ctx, {
        instanceId: need(state, 'builder', ctx.step).instanceId,
        script: commandFor(file),
        what: 'readiness check',
        executionTimeoutSeconds: 300,
        deadlineMs: left,
      });
      const f = r.facts;
      last = ['imageState', 'rebootPending', 'tiWorker', 'agent'].map((k) => `${k}=${f[k] ?? '?'}`).join(', ');
      if (f.ready === 'true' && r.exitCode === 0) {
        report.info('bake.ready', `ready to seal (${last})`, { facts: f });
        return;
      }
      if (r.status !== 'Success' && r.status !== 'Failed')
        throw new StepError('checkReadyToSeal', `the readiness check did not run: ${r.status}.\n${outputTail(r)}`);
      report.info('bake.not-ready', `not ready to seal yet (${last})`, { facts: f, attempt });
      if (f.rebootPending === 'true' && f.tiWorker !== 'true' && reboots < 3) {
        reboots++;
        const marker = `C:\\ProgramData\\winami\\reboot-${reboots}.marker`;
        const rb = await runOn(state, ctx, {
          instanceId: need(state, 'builder', ctx.step).instanceId,
          script: rebootOnceScript(marker),
          what: 'reboot for a pending reboot',
          executionTimeoutSeconds: 900,
          deadlineMs: Math.max(1, ctx.timeLeft()),
        });
        if (rb.status !== 'Success') throw new StepError('checkReadyToSeal', `the reboot for a pending reboot failed: ${rb.status}.\n${outputTail(rb)}`);
        continue;
      }
      await ctx.clock.sleep(backoffDelay(attempt, minDelayMs, maxDelayMs), ctx.signal);
    }
    throw new StepError('checkReadyToSeal', `the builder was not ready to seal within ${Math.round(deadline / 1000)} s; last check: ${last}`, {
      hint: 'Something keeps a reboot pending or servicing running (Windows Update, a customization). Raise deadlines.readyToSeal or fix the customization.',
    });
  },
};
