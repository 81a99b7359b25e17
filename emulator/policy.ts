/**
 * IAM policy documents: parsing with IAM's own refusals (MalformedPolicyDocument)
 * and the evaluation SimulatePrincipalPolicy and the SSM agent share. An
 * explicit Deny wins, then any Allow, else the implicit deny
 * (IAM User Guide, "Policy evaluation logic": reference_policies_evaluation-logic.html).
 */
import { ApiError } from './world.js';

/** One statement as written, normalised to lists. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  /** Condition keys the statement tests; the emulator has no request context, so such statements never match. */
  conditionKeys: string[];
}

export interface PolicyDocument {
  statements: Statement[];
}

/** Where a policy came from, as SimulatePrincipalPolicy's MatchedStatements name it. */
export interface PolicySource {
  id: string;
  type: 'role' | 'user' | 'aws-managed' | 'user-managed' | 'group' | 'none';
  doc: PolicyDocument;
}

export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface Evaluation {
  decision: EvalDecision;
  matched: Array<{ source: PolicySource; statement: Statement }>;
  missingContextValues: string[];
}

const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;

function malformed(message: string): never {
  throw new ApiError('MalformedPolicyDocument', message);
}

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
  return malformed(`Syntax errors in policy. (${field})`);
}

/**
 * Parse a policy. `kind` is `identity` (permissions: Resource required,
 * Principal refused) or `trust` (AssumeRolePolicyDocument: Principal required,
 * Resource refused), as IAM validates them.
 */
export function parsePolicy(text: string, kind: 'identity' | 'trust'): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return malformed('Syntax errors in policy.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return malformed('Syntax errors in policy.');
  const doc = raw as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (!['Version', 'Id', 'Statement'].includes(k)) malformed(`Syntax errors in policy. (unknown field ${k})`);
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    malformed('The policy failed legacy parsing');
  }
  const list =
    doc.Statement === undefined
      ? malformed('Syntax errors in policy. (Statement is required)')
      : Array.isArray(doc.Statement)
        ? doc.Statement
        : [doc.Statement];
  const statements = list.map((s) => parseStatement(s, kind));
  if (statements.length === 0) malformed('Syntax errors in policy. (Statement is empty)');
  return { statements };
}

function parseStatement(s: unknown, kind: 'identity' | 'trust'): Statement {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return malformed('Syntax errors in policy.');
  const st = s as Record<string, unknown>;
  for (const k of Object.keys(st)) {
    if (!['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition'].includes(k))
      malformed(`Syntax errors in policy. (unknown field ${k})`);
  }
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') malformed('Syntax errors in policy. (Effect must be Allow or Deny)');
  const actions = stringList(st.Action, 'Action');
  const notActions = stringList(st.NotAction, 'NotAction');
  if (!actions === !notActions) malformed('Policy statement must contain actions.');
  for (const a of [...(actions ?? []), ...(notActions ?? [])]) {
    if (a !== '*' && !ACTION.test(a)) malformed(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.`);
  }
  const resources = stringList(st.Resource, 'Resource');
  const notResources = stringList(st.NotResource, 'NotResource');
  if (kind === 'identity') {
    if (st.Principal !== undefined || st.NotPrincipal !== undefined) malformed('Policy document should not specify a principal.');
    if (!resources === !notResources) malformed('Policy statement must contain resources.');
  } else {
    if (resources || notResources) malformed('Has prohibited field Resource');
    if (st.Principal === undefined && st.NotPrincipal === undefined) malformed('Missing required field Principal');
  }
  let conditionKeys: string[] = [];
  if (st.Condition !== undefined) {
    if (typeof st.Condition !== 'object' || st.Condition === null || Array.isArray(st.Condition)) malformed('Syntax errors in policy. (Condition)');
    conditionKeys = Object.values(st.Condition as Record<string, unknown>).flatMap((block) =>
      typeof block === 'object' && block !== null ? Object.keys(block as Record<string, unknown>) : malformed('Syntax errors in policy. (Condition)'),
    );
  }
  return {
    ...(typeof st.Sid === 'string' ? { sid: st.Sid } : {}),
    effect: st.Effect,
    ...(actions ? { actions } : {}),
    ...(notActions ? { notActions } : {}),
    ...(resources ? { resources } : {}),
    ...(notResources ? { notResources } : {}),
    conditionKeys,
  };
}

const patterns = new Map<string, RegExp>();

/** IAM's `*` and `?` wildcards; actions compare case-insensitively, resources case-sensitively. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = patterns.get(key);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      ignoreCase ? 'is' : 's',
    );
    patterns.set(key, re);
  }
  return re.test(value);
}

function statementApplies(st: Statement, action: string, resource: string): boolean {
  const actionOk = st.actions ? st.actions.some((p) => wildcardMatch(p, action, true)) : !st.notActions!.some((p) => wildcardMatch(p, action, true));
  if (!actionOk) return false;
  if (st.resources) return st.resources.some((p) => wildcardMatch(p, resource, false));
  if (st.notResources) return !st.notResources.some((p) => wildcardMatch(p, resource, false));
  return true;
}

/** Evaluate one action on one resource against every policy the principal holds. */
export function evaluate(sources: readonly PolicySource[], action: string, resource = '*'): Evaluation {
  const allows: Evaluation['matched'] = [];
  const denies: Evaluation['matched'] = [];
  const missing = new Set<string>();
  for (const source of sources) {
    for (const statement of source.doc.statements) {
      if (!statementApplies(statement, action, resource)) continue;
      if (statement.conditionKeys.length > 0) {
        for (const k of statement.conditionKeys) missing.add(k);
        continue;
      }
      (statement.effect === 'Deny' ? denies : allows).push({ source, statement });
    }
  }
  if (denies.length) return { decision: 'explicitDeny', matched: denies, missingContextValues: [...missing] };
  if (allows.length) return { decision: 'allowed', matched: allows, missingContextValues: [...missing] };
  return { decision: 'implicitDeny', matched: [], missingContextValues: [...missing] };
}
