/**
 * An `awsComponents` customize step on the builder: its version report, then
 * each of AWS's documents (AWS-ConfigureAWSPackage with the component's
 * Distributor package, AWS-UpdateSSMAgent), then the report again; the
 * versions before and after are reported per component.
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import type { PlanCustomizeStep } from '../bundle-types.js';
import type { RunScriptResult } from '../ssm-run.js';
import type { StepCtx } from '../context.js';
import type { BakeState } from '../state.js';
import { outputTail, runOn } from './run-on.js';

/** One component's versions, as the step's report read them on the builder. */
export interface ComponentVersions {
  component: string;
  before: string;
  after: string;
}

function versions(r: RunScriptResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.facts)) if (k.startsWith('awsComponent.')) out[k.slice('awsComponent.'.length)] = v;
  return out;
}

/** Run the step; `runReport` runs its rendered version report. Throws a StepError naming the document that failed. */
export async function runAwsComponents(
  state: BakeState,
  ctx: StepCtx,
  step: PlanCustomizeStep,
  label: string,
  deadlineMs: () => number,
  runReport: () => Promise<RunScriptResult>,
): Promise<ComponentVersions[]> {
  const report = reportTo(ctx.reporter);
  const check = (r: RunScriptResult, what: string) => {
    if (r.status !== 'Success') throw new StepError('customize', `${label}: ${what} failed: ${r.status}, exit code ${r.exitCode}.\n${outputTail(r)}`);
  };
  const before = await runReport();
  check(before, 'the version report');
  for (const doc of step.documents ?? []) {
    const what = `${label}: ${doc.documentName} for ${doc.component}`;
    report.info('bake.awsComponents.document', what, {
      index: step.index - 1,
      component: doc.component,
      document: doc.documentName,
      parameters: doc.parameters,
    });
    const r = await runOn(state, ctx, {
      instanceId: state.builder!.instanceId,
      script: '',
      document: { name: doc.documentName, parameters: doc.parameters },
      what,
      executionTimeoutSeconds: step.timeoutSeconds,
      deadlineMs: deadlineMs(),
    });
    if (r.status !== 'Success') {
      throw new StepError(
        'customize',
        `${what} failed: ${r.status}${r.statusDetails ? ` (${r.statusDetails})` : ''}, exit code ${r.exitCode}.\n${outputTail(r)}`,
        {
          hint: 'Check the package name and version, and that the instance profile can read AWS Distributor packages (AmazonSSMManagedInstanceCore).',
        },
      );
    }
  }
  const after = await runReport();
  check(after, 'the version report');
  const b = versions(before);
  const a = versions(after);
  const out = (step.documents ?? []).map((d) => ({ component: d.component, before: b[d.component] ?? 'unknown', after: a[d.component] ?? 'unknown' }));
  for (const v of out) report.info('bake.awsComponents.version', `${label}: ${v.component} ${v.before} → ${v.after}`, { index: step.index - 1, ...v });
  return out;
}
