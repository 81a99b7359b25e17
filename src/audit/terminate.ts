/**
 * Terminate instances the audit found running from unapproved images. Only
 * what the caller passes (the `unapproved-image` findings it chose), only
 * with `dryRun: false`; the CLI asks first. Each account is reached through
 * the same role the audit used.
 */
import type { AwsSession } from '../aws/ports.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { accountOfRoleArn } from './audit.js';
import type { Finding } from './types.js';

export interface TerminateOptions {
  session: AwsSession;
  roleArns?: string[];
  /** Default true: report what would be terminated. */
  dryRun?: boolean;
  reporter?: Reporter;
}

export interface TerminateOutcome {
  account: string;
  region: string;
  instanceIds: string[];
  status: 'planned' | 'terminated' | 'failed';
  error?: string;
}

/** Terminate the instances of `unapproved-image` findings, grouped by account and region. */
export async function terminateUnapproved(findings: readonly Finding[], o: TerminateOptions): Promise<TerminateOutcome[]> {
  const report = reportTo(o.reporter ?? silentReporter);
  const groups = new Map<string, { account: string; region: string; ids: string[] }>();
  for (const f of findings) {
    if (f.ruleId !== 'unapproved-image' || f.resourceType !== 'instance') continue;
    const key = `${f.account}/${f.region}`;
    const g = groups.get(key) ?? { account: f.account, region: f.region, ids: [] };
    g.ids.push(f.resourceId);
    groups.set(key, g);
  }
  const sessions = new Map<string, Promise<AwsSession>>();
  const sessionFor = (account: string): Promise<AwsSession> => {
    let s = sessions.get(account);
    if (!s) {
      const arn = o.roleArns?.find((a) => accountOfRoleArn(a) === account);
      s = arn ? o.session.assumeRole(arn, 'winami-audit') : Promise.resolve(o.session);
      sessions.set(account, s);
    }
    return s;
  };
  const out: TerminateOutcome[] = [];
  for (const g of groups.values()) {
    if (o.dryRun !== false) {
      report.info('audit.terminate.plan', `would terminate ${g.ids.length} instance(s) in ${g.account} ${g.region}: ${g.ids.join(', ')}`, { ...g });
      out.push({ account: g.account, region: g.region, instanceIds: g.ids, status: 'planned' });
      continue;
    }
    try {
      const session = await sessionFor(g.account);
      for (let i = 0; i < g.ids.length; i += 100) await session.ec2(g.region).terminateInstances({ InstanceIds: g.ids.slice(i, i + 100) });
      report.warn('audit.terminate.done', `terminated ${g.ids.length} instance(s) in ${g.account} ${g.region}`, { ...g });
      out.push({ account: g.account, region: g.region, instanceIds: g.ids, status: 'terminated' });
    } catch (err) {
      out.push({ account: g.account, region: g.region, instanceIds: g.ids, status: 'failed', error: (err as Error).message });
    }
  }
  return out;
}
