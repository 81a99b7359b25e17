/**
 * Preflight: before anything is created, check with read-only calls that the
 * bake can succeed (source image, instance type, instance profile and its
 * role, network path to SSM, KMS keys, regions, image name, publish
 * parameter, secrets) and report every problem at once, each with its fix.
 * Problems stop the bake with `PreflightError` (exit 10); warnings, such as
 * a check the caller lacks the permission for, are reported and the bake goes on.
 */
import { PreflightError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import type { ResolvedConfig } from '../../config/types.js';
import { runChecks } from '../../preflight/checks/index.js';
import { gatherFacts, preflightActions } from '../../preflight/gather.js';
import type { BakeStep } from './types.js';

/** The preflight step for a config (its IAM actions depend on the config). */
export function preflight(config: ResolvedConfig): BakeStep {
  return {
    name: 'preflight',
    title: 'Check everything before creating anything',
    actions: preflightActions(config),
    async run(state, ctx) {
      const facts = await gatherFacts({
        session: ctx.session,
        config: state.config,
        buildId: state.buildId,
        region: state.region,
        account: state.account,
        imageName: state.imageName,
        source: { image: state.sourceImage, problem: state.sourceProblem },
        expectation: state.config.expectation,
        env: ctx.env,
        abortSignal: ctx.signal,
      });
      const findings = runChecks(facts);
      state.preflight = findings;
      const report = reportTo(ctx.reporter);
      for (const f of findings) {
        const data = { check: f.check, message: f.message, hint: f.hint, ...(f.region ? { region: f.region } : {}), ...(f.path ? { path: f.path } : {}) };
        if (f.level === 'problem') report.error('bake.preflight.problem', `${f.message} (${f.hint})`, data);
        else report.warn('bake.preflight.warning', `${f.message} (${f.hint})`, data);
      }
      const problems = findings.filter((f) => f.level === 'problem');
      if (problems.length) throw new PreflightError(problems.map(({ level: _level, ...p }) => p));
      report.info('bake.preflight.ok', `preflight: no problems${findings.length ? `, ${findings.length} warning${findings.length === 1 ? '' : 's'}` : ''}`, {
        warnings: findings.length,
      });
    },
  };
}
