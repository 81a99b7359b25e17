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
import { countFinding, emptyTotals, type AuditResult, type ScopeFailure, type SkippedAccount } from './result.js';
import { AuditStateFile } from './state.js';
import { createHash } from 'node:crypto';
import { scanRegion } from './scan.js';
import type { ApprovedImages, Finding, Rule } from './types.js';
import type { InventorySettings } from './settings.js';
import { AwsError, CancelledError, UsageError } from '../errors.js';

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
  /** What `image-inventory-stale` judges by: maximum age in days (default 45) and KBs every inventoried image must have. */
  inventory?: InventorySettings;
  rules?: readonly Rule<any>[];
  now?: Date;
  /** Account-regions scanned at once. Default 64. */
  concurrency?: number;
  /**
   * Listing pages in hand at once across all account-regions: a listing call
   * and the judging of its page hold one (DescribeImages, DescribeSnapshots,
   * DescribeInstances), so memory holds at most this many pages whatever the
   * concurrency. Default 8.
   */
  pagesInFlight?: number;
  /** DescribeImages page size, 5–1000. Default 1000. */
  pageSize?: number;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  /** Each finding as it is made. */
  onFinding?: (f: Finding) => void;
  /**
   * Every ACTIVE account of the caller's organization (AWS Organizations
   * ListAccounts, run from the management account or a delegated
   * administrator), each through the role `roleName` (default
   * `OrganizationAccountAccessRole`); the caller's own account with its own
   * credentials. Accounts not ACTIVE are skipped and listed in `skipped`.
   */
  organization?: { roleName?: string };
  /**
   * Keep the findings in the result (default true). With false the result's
   * `findings` is empty and only totals are kept: memory does not grow with
   * findings; take them from `sink` or `onFinding`.
   */
  keepFindings?: boolean;
  /** Where findings are written as they come (e.g. `openReportWriter`); the audit waits for `drain()` between pages. */
  sink?: { finding(f: Finding): void; drain?(): Promise<void> };
  /**
   * Record progress in this file, and resume from it when it holds an
   * interrupted run of the same audit: scopes done are not audited again,
   * their recorded findings are replayed. Removed once an audit completes
   * with nothing failed.
   */
  stateFile?: string;
  /** Accounts audited at once (each: AssumeRole, DescribeRegions, its regions). Default 16. */
  accountConcurrency?: number;
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

/** The role organization audits assume in each member account, as AWS Organizations names the one it creates. */
export const DEFAULT_ORGANIZATION_ROLE = 'OrganizationAccountAccessRole';
/** Listing pages in hand at once by default (`pagesInFlight`): enough to keep a CPU busy decoding while others wait on the network. */
export const DEFAULT_PAGES_IN_FLIGHT = 8;

interface AccountScope {
  account: string;
  /** The account's session, or how to get it. */
  session: () => Promise<AwsSession>;
  /** Regions recorded as done by an interrupted run: nothing to audit there. */
  doneRegions?: string[];
}

/** What makes two audits the same audit, for resuming. */
function fingerprint(o: AuditOptions, rules: readonly Rule<any>[]): string {
  const key = {
    organization: o.organization ? (o.organization.roleName ?? DEFAULT_ORGANIZATION_ROLE) : null,
    roleArns: [...(o.roleArns ?? [])].sort(),
    includeCaller: o.includeCallerAccount ?? null,
    regions: o.regions ? [...o.regions].sort() : null,
    instances: o.instances ?? false,
    snapshots: o.snapshots ?? true,
    approved: o.approved ?? null,
    inventory: o.inventory ?? null,
    pageSize: o.pageSize ?? 1000,
    rules: rules.map((r) => r.id),
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
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
  const report = reportTo(o.reporter ?? silentReporter);
  const rules = o.rules ?? RULE_PACK;
  const roleName = o.organization?.roleName ?? DEFAULT_ORGANIZATION_ROLE;
  if (o.organization && !/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new UsageError(`not an IAM role name: ${roleName}`, { hint: 'A role name is 1–64 letters, digits or +=,.@_- (no path, no ARN).' });
  let startedAt = new Date();
  const state = o.stateFile ? await AuditStateFile.open(o.stateFile, fingerprint(o, rules), startedAt.toISOString()) : undefined;
  if (state?.resume) startedAt = new Date(state.resume.startedAt);
  const ctx = { now: o.now ?? startedAt, approved: o.approved, inventory: o.inventory };
  const keep = o.keepFindings ?? true;
  const findings: Finding[] = [];
  const totals = emptyTotals();
  const failures: ScopeFailure[] = [];
  const skipped: SkippedAccount[] = [];
  const scanned = { images: 0, snapshots: 0, instances: 0 };
  const coverage = { scopes: 0, audited: 0 };
  const progress: AuditProgress = { scopesTotal: 0, scopesDone: 0, images: 0, findings: 0 };
  const tick = () => o.onProgress?.({ ...progress });
  const call = o.abortSignal ? { abortSignal: o.abortSignal } : undefined;
  const accounts = new Set<string>();
  const regionsSeen = new Set<string>();

  const emit = (f: Finding) => {
    countFinding(totals, f);
    if (keep) findings.push(f);
    progress.findings++;
    o.onFinding?.(f);
    o.sink?.finding(f);
  };
  const drain = async () => {
    await o.sink?.drain?.();
    await state?.flush();
  };

  try {
    // A resumed audit first gives back what the interrupted run finished.
    if (state?.resume) {
      for (const [key, counts] of state.resume.done) {
        const [account, region] = key.split('/') as [string, string];
        accounts.add(account);
        regionsSeen.add(region);
        coverage.scopes++;
        coverage.audited++;
        scanned.images += counts.images;
        scanned.snapshots += counts.snapshots;
        scanned.instances += counts.instances;
        progress.scopesTotal++;
        progress.scopesDone++;
        progress.images += counts.images;
      }
      let n = 0;
      for await (const f of state.replay()) {
        emit(f);
        if (++n % 1000 === 0) await drain();
      }
      report.info('audit.resumed', `resumed from ${state.path}: ${state.resume.done.size} account-region(s) already audited, ${n} finding(s) recorded`, {
        done: state.resume.done.size,
        findings: n,
      });
      tick();
    }

    const scopeLimit = pLimit(o.concurrency ?? 64);
    const accountLimit = pLimit(o.accountConcurrency ?? 16);
    const pageGate = pLimit(o.pagesInFlight ?? DEFAULT_PAGES_IN_FLIGHT);

    async function scanAccount(a: AccountScope): Promise<void> {
      if (a.doneRegions) return;
      let session: AwsSession;
      try {
        session = await a.session();
      } catch (err) {
        if (o.abortSignal?.aborted) return;
        report.error('audit.account.failed', `cannot reach account ${a.account}: ${(err as Error).message}`, { account: a.account });
        failures.push(scopeFailure(a.account, 'assume-role', err));
        return;
      }
      accounts.add(a.account);
      let regions = o.regions;
      if (!regions) {
        try {
          const out = await session.ec2().describeRegions({}, call);
          regions = (out.Regions ?? []).map((r) => r.RegionName).filter((r): r is string => !!r);
        } catch (err) {
          if (!o.abortSignal?.aborted) failures.push(scopeFailure(a.account, 'describe-regions', err));
          if (session !== o.session) session.destroy?.();
          return;
        }
      }
      const todo = regions.filter((r) => !state?.isDone(a.account, r));
      progress.scopesTotal += todo.length;
      tick();
      const ok = await Promise.all(
        todo.map((region) =>
          scopeLimit(async () => {
            if (o.abortSignal?.aborted) return false;
            regionsSeen.add(region);
            const r = await scanRegion({
              account: a.account,
              region,
              ec2: session.ec2(region),
              rules,
              ctx,
              snapshots: o.snapshots ?? true,
              instances: o.instances ?? false,
              pageSize: o.pageSize ?? 1000,
              abortSignal: o.abortSignal,
              onFinding: (f) => {
                state?.finding(a.account, region, f);
                emit(f);
              },
              onPage: (kind, n) => {
                if (kind === 'images') {
                  progress.images += n;
                  tick();
                }
              },
              afterPage: drain,
              pageGate,
            });
            if (o.abortSignal?.aborted) return false;
            coverage.scopes++;
            if (!r.failures.some((f) => f.stage === 'images')) coverage.audited++;
            scanned.images += r.images;
            scanned.snapshots += r.snapshots;
            scanned.instances += r.instances;
            for (const f of r.failures) {
              report.warn('audit.scope.failed', `${f.account} ${f.region}: ${f.stage}: ${f.message}`, { ...f });
              failures.push(f);
            }
            if (r.failures.length === 0) state?.scopeDone(a.account, region, { images: r.images, snapshots: r.snapshots, instances: r.instances });
            progress.scopesDone++;
            tick();
            return r.failures.length === 0;
          }),
        ),
      );
      if (ok.every(Boolean) && !o.abortSignal?.aborted) state?.accountComplete(a.account, regions);
      // An organization has hundreds of accounts: each assumed session's clients and sockets go when its account is done.
      if (session !== o.session) session.destroy?.();
    }

    const scans: Promise<void>[] = [];
    const start = (a: AccountScope) => scans.push(accountLimit(() => scanAccount(a)));
    const caller = () => o.session.sts().getCallerIdentity({}, call);

    if (o.organization) {
      // Every account of the organization; the caller's own with its own credentials.
      let me: { Account?: string | undefined; Arn?: string | undefined } | undefined;
      try {
        me = await caller();
      } catch (err) {
        failures.push(scopeFailure('caller', 'get-caller-identity', err));
      }
      const partition = /^arn:([\w-]+):/.exec(me?.Arn ?? '')?.[1] ?? 'aws';
      if (me) {
        const orgs = o.session.organizations?.();
        if (!orgs) throw new UsageError('this session has no AWS Organizations client', { hint: 'Create it with createAwsSession.' });
        let token: string | undefined;
        try {
          do {
            const page = await orgs.listAccounts({ ...(token ? { NextToken: token } : {}) }, call);
            for (const acc of page.Accounts ?? []) {
              if (!acc.Id) continue;
              const status = acc.State ?? acc.Status ?? 'UNKNOWN';
              if (status !== 'ACTIVE') {
                skipped.push({ account: acc.Id, reason: `the account is ${status}` });
                report.warn('audit.account.skipped', `skipped account ${acc.Id}: it is ${status}`, { account: acc.Id, status });
                continue;
              }
              const id = acc.Id;
              const doneRegions = state?.accountDone(id);
              if (doneRegions) {
                accounts.add(id);
                continue;
              }
              const arn = `arn:${partition}:iam::${id}:role/${roleName}`;
              start({ account: id, session: id === me.Account ? async () => o.session : () => o.session.assumeRole(arn, 'winami-audit') });
            }
            token = page.NextToken;
          } while (token);
        } catch (err) {
          if (!o.abortSignal?.aborted) {
            report.error('audit.organization.failed', `cannot list the organization's accounts: ${(err as Error).message}`, {});
            failures.push(scopeFailure(me.Account ?? 'caller', 'list-accounts', err));
          }
        }
      }
    } else {
      const roleArns = o.roleArns ?? [];
      if (o.includeCallerAccount ?? roleArns.length === 0) {
        try {
          const id = await caller();
          const account = id.Account ?? 'caller';
          start({ account, session: async () => o.session, ...(state?.accountDone(account) ? { doneRegions: state.accountDone(account)! } : {}) });
        } catch (err) {
          failures.push(scopeFailure('caller', 'get-caller-identity', err));
        }
      }
      for (const arn of roleArns) {
        const account = accountOfRoleArn(arn) ?? arn;
        start({
          account,
          session: () => o.session.assumeRole(arn, 'winami-audit'),
          ...(state?.accountDone(account) ? { doneRegions: state.accountDone(account)! } : {}),
        });
      }
    }
    await Promise.all(scans);
    if (o.abortSignal?.aborted)
      throw new CancelledError('the audit was interrupted', {
        hint: state ? `Resume it with the same options and --resume ${state.path}.` : 'Run it with --resume FILE to be able to resume.',
      });
  } catch (err) {
    await state?.close().catch(() => undefined);
    throw err;
  }

  const partial = failures.length > 0 || coverage.audited === 0;
  if (state) {
    await (partial ? state.close() : state.remove());
  }
  const result: AuditResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    accounts: [...accounts].sort(),
    regions: [...regionsSeen].sort(),
    scanned,
    findings,
    totals,
    failures,
    coverage,
    partial,
    rules: ruleMetadata({ ...(o.inventory ? { inventory: o.inventory } : {}) }),
    ...(o.organization ? { skipped } : {}),
    ...(keep ? {} : { findingsKept: false }),
  };
  if (coverage.audited === 0) {
    report.error(
      'audit.nothing-audited',
      `nothing was audited: no account-region's images could be read${failures.length ? ` (${failures.length} scope(s) failed)` : ''}`,
      { failures: failures.length },
    );
  }
  report.info('audit.done', `audited ${scanned.images} images: ${totals.findings} findings, ${failures.length} scope(s) failed`, { totals });
  return result;
}
