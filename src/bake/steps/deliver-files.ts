/**
 * Deliver the bundle (answer file, agent settings, scripts, files) in base64
 * chunks within SSM's limits, and check every file's SHA-256 on the instance.
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { deliveryScripts, type Delivery } from '../scripts.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

export const deliverFiles: BakeStep = {
  name: 'deliverFiles',
  title: 'Deliver the bundle',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  failureActions: ['ssm:CancelCommand'],
  async run(state, ctx) {
    const files: Delivery[] = need(state, 'bundle', ctx.step)
      .files.filter((f) => f.destination)
      .map((f) => ({ destination: f.destination!, content: f.content, sha256: f.sha256 }));
    const scripts = deliveryScripts(files);
    const seen: Record<string, string> = {};
    for (const [i, script] of scripts.entries()) {
      const r = await runOn(state, ctx, {
        instanceId: need(state, 'builder', ctx.step).instanceId,
        script,
        what: `deliver the bundle (part ${i + 1} of ${scripts.length})`,
        executionTimeoutSeconds: 600,
        deadlineMs: Math.max(1, ctx.timeLeft()),
      });
      if (r.status !== 'Success')
        throw new StepError('deliverFiles', `delivering the bundle failed (part ${i + 1}, ${r.status}, exit ${r.exitCode}).\n${outputTail(r)}`);
      for (const [k, v] of Object.entries(r.facts)) if (k.startsWith('sha256.')) seen[k.slice(7)] = v.toLowerCase();
    }
    const bad = files.flatMap((f, n) =>
      seen[String(n)] === f.sha256.toLowerCase() ? [] : [`${f.destination}: expected ${f.sha256}, instance has ${seen[String(n)] ?? 'nothing'}`],
    );
    if (bad.length)
      throw new StepError('deliverFiles', `files arrived damaged or missing:\n${bad.join('\n')}`, {
        hint: 'Run the bake again; if it repeats, check disk space and antivirus on the builder.',
      });
    reportTo(ctx.reporter).info('bake.delivered', `${files.length} files delivered in ${scripts.length} commands, every SHA-256 checked`, {
      files: files.length,
      commands: scripts.length,
    });
  },
};
