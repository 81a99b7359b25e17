/**
 * The SQL Server pre-seal check: the bundle's `scripts/sql/preseal-sql.ps1`
 * (services settled, no Setup running, PrepareImage finished and the
 * product key still a token for byol-prepare; no rename blockers or builder
 * logins for license-included). It prints `WINAMI sqlReady=true|false` and a
 * `WINAMI sqlFinding=…` line per problem; anything but ready stops the bake
 * before Sysprep, with the findings and the output's tail.
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { scaled } from '../context.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

/** Every `WINAMI sqlFinding=…` line of the check's output. */
export function sqlFindings(stdout: string): string[] {
  return [...stdout.matchAll(/^WINAMI sqlFinding=(.*)$/gm)].map((m) => m[1]!.trim());
}

export const checkSqlReady: BakeStep = {
  name: 'checkSqlReady',
  title: 'Check SQL Server is ready to seal',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const check = need(state, 'bundle', ctx.step).plan.sql?.presealCheck;
    if (!check)
      throw new StepError('checkSqlReady', 'the bundle has no SQL Server pre-seal check although the config has a sql section', {
        hint: 'This is a bug in the renderer; run `winami prepare` to inspect the bundle.',
      });
    const file = bundleFile(need(state, 'bundle', ctx.step), check.path, 'checkSqlReady');
    const r = await runOn(state, ctx, {
      instanceId: need(state, 'builder', ctx.step).instanceId,
      script: commandFor(file),
      what: 'SQL Server pre-seal check',
      executionTimeoutSeconds: 600,
      deadlineMs: scaled(ctx, state.config.deadlines.readyToSeal),
    });
    const findings = sqlFindings(r.stdout);
    if (r.status === 'Success' && r.exitCode === 0 && r.facts.sqlReady === 'true') {
      reportTo(ctx.reporter).info('bake.sql.ready', 'SQL Server is ready to seal', { facts: r.facts });
      return;
    }
    const why = findings.length
      ? findings.map((f) => `  - ${f}`).join('\n')
      : `  the check ended ${r.status} with exit code ${r.exitCode} and sqlReady=${r.facts.sqlReady ?? '(not printed)'}`;
    throw new StepError('checkSqlReady', `SQL Server is not ready to seal:\n${why}\n${outputTail(r)}`, {
      hint: 'Fix what the findings name (docs/sql.md, "Pre-seal check") and bake again; `--on-error keep` keeps the builder for inspection.',
      data: { findings },
    });
  },
};
