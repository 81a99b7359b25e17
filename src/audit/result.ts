/** The result of an audit and its totals; shared by `audit()` and every output format. */
import { SEVERITY_RANK, type Finding, type Severity } from './types.js';

/** A part of the audit that could not be done (one account, or one region of one account). */
export interface ScopeFailure {
  account: string;
  region?: string;
  /** What was being done: `assume-role`, `describe-regions`, `images`, `snapshots`, `instances`, `launch-images`. */
  stage: string;
  message: string;
  awsCode?: string;
  /** The IAM action to grant, when the failure was a denial. */
  iamAction?: string;
}

/** An account of the organization not audited by design (not ACTIVE: suspended, closing, closed). */
export interface SkippedAccount {
  account: string;
  reason: string;
}

/** Counts per severity, rule, account and region. */
export interface AuditTotals {
  findings: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
  byAccount: Record<string, number>;
  byRegion: Record<string, number>;
}

/** Rule metadata as reports show it. */
export interface RuleInfo {
  id: string;
  severity: string;
  title: string;
  explanation: string;
}

/** What `audit()` returns. */
export interface AuditResult {
  startedAt: string;
  finishedAt: string;
  accounts: string[];
  regions: string[];
  scanned: { images: number; snapshots: number; instances: number };
  findings: Finding[];
  totals: AuditTotals;
  failures: ScopeFailure[];
  /**
   * Account-regions attempted, and those whose images were read to the end.
   * `audited` 0 means the audit covered nothing: it is never a clean result,
   * whatever `findings` says.
   */
  coverage: { scopes: number; audited: number };
  /** Organization accounts left out because they are not ACTIVE (`organization` audits only). */
  skipped?: SkippedAccount[];
  /**
   * False when the findings were streamed (`keepFindings: false`): `findings`
   * is then empty and `totals` still counts every finding.
   */
  findingsKept?: boolean;
  /** True when some account or region could not be audited (see `failures`), or nothing was. */
  partial: boolean;
  rules: RuleInfo[];
}

/** Totals of no findings. */
export function emptyTotals(): AuditTotals {
  return { findings: 0, bySeverity: { error: 0, warning: 0, note: 0 }, byRule: {}, byAccount: {}, byRegion: {} };
}

/** Count one more finding: totals are kept as findings stream past, the findings need not be. */
export function countFinding(t: AuditTotals, f: Finding): void {
  t.findings++;
  t.bySeverity[f.severity]++;
  t.byRule[f.ruleId] = (t.byRule[f.ruleId] ?? 0) + 1;
  t.byAccount[f.account] = (t.byAccount[f.account] ?? 0) + 1;
  t.byRegion[f.region] = (t.byRegion[f.region] ?? 0) + 1;
}

/** Totals of a list of findings. */
export function totalsOf(findings: readonly Finding[]): AuditTotals {
  const t = emptyTotals();
  for (const f of findings) countFinding(t, f);
  return t;
}

/** Whether the totals hold a finding at or above a severity. */
export function totalsAtOrAbove(t: AuditTotals, severity: Severity): number {
  return (Object.keys(t.bySeverity) as Severity[]).filter((s) => SEVERITY_RANK[s] >= SEVERITY_RANK[severity]).reduce((n, s) => n + t.bySeverity[s], 0);
}

/** Findings at or above a severity. */
export function findingsAtOrAbove(findings: readonly Finding[], severity: Severity): Finding[] {
  return findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[severity]);
}

/** Stable report order: severity (worst first), rule, account, region, resource. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}
