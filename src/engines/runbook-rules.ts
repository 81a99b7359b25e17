/**
 * The rules of an Automation document (schemaVersion 0.3) that winami can
 * check offline, and the actions it models. The export refuses a runbook that
 * breaks one; the emulator's CreateDocument applies the same rules.
 */
import { stringify } from 'yaml';
import type { Runbook, RunbookStep } from './automation.js';

/** The Automation actions winami's runbooks use (and the only ones the emulator interprets). */
export const MODELED_ACTIONS: ReadonlySet<string> = new Set([
  'aws:runInstances',
  'aws:waitForAwsResourceProperty',
  'aws:runCommand',
  'aws:changeInstanceState',
  'aws:createImage',
  'aws:createTags',
  'aws:assertAwsResourceProperty',
  'aws:executeAwsApi',
  'aws:executeScript',
]);

/** SSM's limit on a document, parameters included (CreateDocument `Content`). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
/** StartAutomationExecution: at most this many characters per parameter value. */
export const MAX_PARAMETER_VALUE_CHARS = 512;
/** Actions that may not carry onCancel (automation-actions.md). */
const NO_ON_CANCEL = new Set(['aws:runInstances', 'aws:createImage']);
const STEP_NAME = /^[a-zA-Z0-9_]+$/;

function targets(step: RunbookStep): string[] {
  const out: string[] = [];
  for (const v of [step.onFailure, step.onCancel]) if (v?.startsWith('step:')) out.push(v.slice(5));
  if (step.nextStep) out.push(step.nextStep);
  return out;
}

/** Every problem of a runbook, as messages naming the step; empty when it follows the rules. */
export function runbookProblems(doc: Runbook, content = stringify(doc)): string[] {
  const problems: string[] = [];
  if (doc.schemaVersion !== '0.3') problems.push(`schemaVersion must be '0.3' for an Automation document, not ${String(doc.schemaVersion)}`);
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) problems.push(`the document is ${bytes} bytes; SSM accepts at most ${MAX_DOCUMENT_BYTES}`);
  if (!Array.isArray(doc.mainSteps) || doc.mainSteps.length === 0) return [...problems, 'mainSteps must hold at least one step'];
  const names = new Set<string>();
  for (const s of doc.mainSteps) {
    if (!STEP_NAME.test(s.name ?? '')) problems.push(`step name "${s.name}" must be letters, digits and underscores`);
    if (names.has(s.name)) problems.push(`step name ${s.name} is used twice`);
    names.add(s.name);
  }
  doc.mainSteps.forEach((s, i) => {
    if (!MODELED_ACTIONS.has(s.action)) problems.push(`step ${s.name}: action ${s.action} is not one winami models`);
    for (const t of targets(s)) if (!names.has(t)) problems.push(`step ${s.name}: target step ${t} does not exist`);
    for (const v of [s.onFailure, s.onCancel]) {
      if (v !== undefined && v !== 'Abort' && v !== 'Continue' && !v.startsWith('step:'))
        problems.push(`step ${s.name}: "${v}" must be Abort, Continue or step:<name>`);
    }
    if (s.onCancel !== undefined && NO_ON_CANCEL.has(s.action)) problems.push(`step ${s.name}: ${s.action} does not support onCancel`);
    if (s.isEnd && s.nextStep) problems.push(`step ${s.name}: isEnd and nextStep exclude each other`);
    if (i === doc.mainSteps.length - 1 && s.nextStep === undefined && !s.isEnd) problems.push(`step ${s.name}: the last step must be isEnd or name a nextStep`);
    if (s.maxAttempts !== undefined && (s.maxAttempts < 1 || !Number.isInteger(s.maxAttempts)))
      problems.push(`step ${s.name}: maxAttempts must be a positive integer`);
    if (s.action === 'aws:executeScript' && (s.timeoutSeconds ?? 600) > 600) problems.push(`step ${s.name}: aws:executeScript runs at most 600 s`);
    for (const ref of JSON.stringify(s.inputs).matchAll(/\{\{\s*([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\s*\}\}/g)) {
      const [, step] = ref;
      if (!['global', 'automation'].includes(step!) && !doc.mainSteps.slice(0, i).some((p) => p.name === step))
        problems.push(`step ${s.name}: {{ ${ref[1]}.${ref[2]} }} names no earlier step`);
    }
    for (const ref of JSON.stringify(s.inputs).matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
      if (!(ref[1]! in (doc.parameters ?? {}))) problems.push(`step ${s.name}: parameter {{ ${ref[1]} }} is not declared`);
    }
  });
  for (const [name, p] of Object.entries(doc.parameters ?? {})) {
    if (typeof p.default === 'string' && p.default.length > MAX_PARAMETER_VALUE_CHARS)
      problems.push(`parameter ${name}: its default is ${p.default.length} characters; a value may have at most ${MAX_PARAMETER_VALUE_CHARS}`);
  }
  for (const o of doc.outputs ?? []) if (!names.has(o.split('.')[0]!)) problems.push(`output ${o} names no step`);
  return problems;
}

/** The successor of a cancel during a step that cannot carry onCancel (aws:runInstances, aws:createImage). */
export const UNCOVERABLE = '<cancel ends the execution>';

/** The RunInstances request an aws:runInstances step makes (its inputs use the action's own names for three members). */
export function runInstancesRequest(inputs: Record<string, unknown>): Record<string, unknown> {
  const { MinInstanceCount, MaxInstanceCount, IamInstanceProfileName, IamInstanceProfileArn, ...rest } = inputs;
  return {
    ...rest,
    MinCount: MinInstanceCount ?? 1,
    MaxCount: MaxInstanceCount ?? 1,
    ...(IamInstanceProfileName
      ? { IamInstanceProfile: { Name: IamInstanceProfileName } }
      : IamInstanceProfileArn
        ? { IamInstanceProfile: { Arn: IamInstanceProfileArn } }
        : {}),
  };
}

/** The CreateImage request an aws:createImage step makes (ImageName and ImageDescription are the action's names). */
export function createImageRequest(inputs: Record<string, unknown>): Record<string, unknown> {
  const { ImageName, ImageDescription, ...rest } = inputs;
  return { ...rest, Name: ImageName, ...(ImageDescription === undefined ? {} : { Description: ImageDescription }) };
}

/** The step after `s` on each of its outcomes (success, failure, cancel); `undefined` = the execution ends. */
export function successors(doc: Runbook, s: RunbookStep): { outcome: 'success' | 'failure' | 'cancel'; next: string | undefined }[] {
  const i = doc.mainSteps.indexOf(s);
  const after = s.isEnd ? undefined : (s.nextStep ?? doc.mainSteps[i + 1]?.name);
  const jump = (v: string | undefined, dflt: string | undefined) => (v?.startsWith('step:') ? v.slice(5) : v === 'Continue' ? after : dflt);
  return [
    { outcome: 'success', next: after },
    { outcome: 'failure', next: jump(s.onFailure, undefined) },
    // A step that cannot carry onCancel ends the execution when cancelled: `uncoverable` marks that path.
    { outcome: 'cancel', next: NO_ON_CANCEL.has(s.action) ? UNCOVERABLE : jump(s.onCancel, undefined) },
  ];
}

/**
 * Paths from a step that launches an instance to the end of the execution on
 * which no step terminates it: each as the list of step names and outcomes.
 * A cancel during aws:createImage cannot be routed (AWS allows no onCancel
 * there); the builder carries the execution's `winami:build` tag for the
 * caller's clean-up, and such paths are left out here.
 */
export function pathsLeavingBuilder(doc: Runbook): string[][] {
  const byName = new Map(doc.mainSteps.map((s) => [s.name, s]));
  const terminates = (s: RunbookStep) =>
    s.action === 'aws:changeInstanceState' &&
    (s.inputs as { DesiredState?: string }).DesiredState === 'terminated' &&
    !(s.inputs as { CheckStateOnly?: boolean }).CheckStateOnly;
  const leaks: string[][] = [];
  const walk = (name: string, path: string[], seen: Set<string>) => {
    const s = byName.get(name)!;
    if (terminates(s)) {
      // A terminate that fails and aborts is the one path AWS leaves to the caller's cleanup.
      return;
    }
    for (const { outcome, next } of successors(doc, s)) {
      const p = [...path, `${s.name}:${outcome}`];
      if (next === UNCOVERABLE) continue;
      if (next === undefined) leaks.push(p);
      else if (!seen.has(next)) walk(next, p, new Set([...seen, next]));
    }
  };
  for (const s of doc.mainSteps) {
    if (s.action !== 'aws:runInstances') continue;
    const next = successors(doc, s).find((x) => x.outcome === 'success')!.next;
    if (next) walk(next, [`${s.name}:success`], new Set([next]));
  }
  return leaks;
}
