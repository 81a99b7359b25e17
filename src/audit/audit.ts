/**
 * `audit()`: owned images (and optionally snapshots and the launch images of
 * instances) across regions and accounts, judged by the rule pack. Accounts
 * and regions run in parallel; images stream page by page through the rules,
 * so memory holds findings, not images. A failing account or region is
 * recorded and the rest is audited (`partial`).
 */
import pLimit from 'p-limit';
import type { AwsSession } from '../aws/ports.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { RULE_PACK, ruleMetadata } from './pack.js';
import { totalsOf, type AuditResult, type ScopeFailure } from './result.js';
import { scanRegion } from './scan.js';
import type { ApprovedImages, Finding, Rule } from './types.js';
import { AwsError } from '../errors.js';

export interface AuditOptions {
  /** The caller's session. */
  session: AwsSession;
  /** Regions to audit; default every region DescribeRegions lists as enabled, per account. */
  regions?: string[];
  /** Roles to assume, one per account (`arn:aws:iam::<account>:role/<name>`). */
  roleArns?: string[];
  /** Audit the caller's own account too. Default: true without `roleArns`, false with them. */
  includeCallerAccount?: boolean;
  /** Also judge instances by their launch images (deprecated, unapproved). Default false. */
  instances?: boolean;
  /** Look for snapshots left behind by deregistered images. Default true. */
  snapshots?: boolean;
  approved?: ApprovedImages;
  rules?: readonly Rule<any>[];
  now?: Date;
  /** Account-regions scanned at once. Default 64. */
  concurrency?: number;
  /** DescribeImages page size, 5–1000. Default 1000. */
  pageSize?: number;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  /** Each finding as it is made. */
  onFinding?: (f: Finding) => void;
  /** Progress after each page and each finished scope. */
  onProgress?: (p: AuditProgress) => void;
}

export interface AuditProgress {
  scopesTotal: number;
  scopesDone: number;
  images: number;
  findings: number;
}

/** The account id of a role ARN, if it has one. */
export function accountOfRoleArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(arn)?.[1];
}

interface AccountScope {
  account: string;
  session: AwsSession;
}

function scopeFailure(account: string, stage: string, err: unknown, region?: string): ScopeFailure {
  const e = err as Error;
  return {
    account,
    ...(region ? { region } : {}),
    stage,
    message: e?.message ?? String(err),
    ...(err instanceof AwsError && err.awsCode ? { awsCode: err.awsCode } : {}),
    ...(err instanceof AwsError && err.iamAction ? { iamAction: err.iamAction } : {}),
  };
}

/** Run the audit. Never throws for an AWS failure in one account or region; those land in `failures`. */
export async function audit(o: AuditOptions): Promise<AuditResult> {
  const startedAt = new Date();
  const report = reportTo(o.reporter ?? silentReporter);
  const rules = o.rules ?? RULE_PACK;
  const ctx = { now: o.now ?? startedAt, approved: o.approved };
  const findings: Finding[] = [];
  const failures: ScopeFailure[] = [];
  const scanned = { images: 0, snapshots: 0, instances: 0 };
  const coverage = { scopes: 0, audited: 0 };
  const progress: AuditProgress = { scopesTotal: 0, scopesDone: 0, images: 0, findings: 0 };
  const tick = () => o.onProgress?.({ ...progress });

  const limit = pLimit(o.concurrency ?? 64);
  const regionsSeen = new Set<string>();
  const scans: Promise<void>[] = [];
  // Each account's scan starts as soon as its credentials arrive.
  const startAccount = (a: AccountScope): void => {
    accounts.push(a);
    scans.push(scanAccount(a));
  };

  // Accounts: the caller's and/or one per role.
  const accounts: AccountScope[] = [];
  const roleArns = o.roleArns ?? [];
  const includeCaller = o.includeCallerAccount ?? roleArns.length === 0;
  const accountSetups: Promise<void>[] = [];
  if (includeCaller) {
    accountSetups.push(
      o.session
        .sts()
        .getCallerIdentity({})
        .then(
          (id) => startAccount({ account: id.Account ?? 'caller', session: o.session }),
          (err) => void failures.push(scopeFailure('caller', 'get-caller-identity', err)),
        ),
    );
  }
  for (const arn of roleArns) {
    const account = accountOfRoleArn(arn) ?? arn;
    accountSetups.push(
      o.session.assumeRole(arn, 'winami-audit').then(
        (session) => startAccount({ account, session }),
        (err) => {
          report.error('audit.account.failed', `cannot assume ${arn}: ${(err as Error).message}`, { account, roleArn: arn });
          failures.push(scopeFailure(account, 'assume-role', err));
        },
      ),
    );
  }

  async function scanAccount(a: AccountScope): Promise<void> {
    let regions = o.regions;
    if (!regions) {
      try {
        const out = await a.session.ec2().describeRegions({}, o.abortSignal ? { abortSignal: o.abortSignal } : undefined);
        regions = (out.Regions ?? []).map((r) => r.RegionName).filter((r): r is string => !!r);
      } catch (err) {
        failures.push(scopeFailure(a.account, 'describe-regions', err));
        return;
      }
    }
    progress.scopesTotal += regions.length;
    tick();
    await Promise.all(
      regions.map((region) =>
        limit(async () => {
          regionsSeen.add(region);
          const r = await scanRegion({
            account: a.account,
            region,
            ec2: a.session.ec2(region),
            rules,
            ctx,
            snapshots: o.snapshots ?? true,
            instances: o.instances ?? false,
            pageSize: o.pageSize ?? 1000,
            abortSignal: o.abortSignal,
            onFinding: (f) => {
              findings.push(f);
              progress.findings++;
              o.onFinding?.(f);
            },
            onPage: (kind, n) => {
              if (kind === 'images') {
                progress.images += n;
                tick();
              }
            },
          });
          coverage.scopes++;
          if (!r.failures.some((f) => f.stage === 'images')) coverage.audited++;
          scanned.images += r.images;
          scanned.snapshots += r.snapshots;
          scanned.instances += r.instances;
          for (const f of r.failures) {
            report.warn('audit.scope.failed', `${f.account} ${f.region}: ${f.stage}: ${f.message}`, { ...f });
            failures.push(f);
          }
          progress.scopesDone++;
          tick();
        }),
      ),
    );
  }
  await Promise.all(accountSetups);
  await Promise.all(scans);

  const result: AuditResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    accounts: accounts.map((a) => a.account).sort(),
    regions: [...regionsSeen].sort(),
    scanned,
    findings,
    totals: totalsOf(findings),
    failures,
    coverage,
    partial: failures.length > 0 || coverage.audited === 0,
    rules: ruleMetadata(),
  };
  if (coverage.audited === 0) {
    report.error('audit.nothing-audited', `nothing was audited: no account-region's images could be read${failures.length ? ` (${failures.length} scope(s) failed)` : ''}`, { failures: failures.length });
  }
  report.info('audit.done', `audited ${scanned.images} images: ${findings.length} findings, ${failures.length} scope(s) failed`, { totals: result.totals });
  return result;
}
