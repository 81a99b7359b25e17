/** `winami audit`: billing and hygiene findings for owned images across regions and accounts. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, confirm, listOf, sessionFromArgs } from '../aws-options.js';
import { ExitCode, UsageError } from '../../errors.js';
import { rawStderr } from '../streams.js';

const SEVERITY_CHOICES = ['error', 'warning', 'note', 'none'] as const;

/** `key` or `key=value`. */
function parseTag(spec: string): { key: string; value?: string } {
  const i = spec.indexOf('=');
  return i < 0 ? { key: spec } : { key: spec.slice(0, i), value: spec.slice(i + 1) };
}

export const auditCommand: CliCommand = {
  command: 'audit',
  describe: 'Audit owned images (and optionally instances) across regions and accounts for wrong or missing billing and leftovers',
  builder: (y) =>
    awsOptions(commonOptions(y))
      .option('regions', { type: 'string', array: true, describe: 'Regions (default: every enabled region, from DescribeRegions)' })
      .option('role-arn', { type: 'string', array: true, describe: 'Role to assume in each account to audit; repeat or comma-separate' })
      .option('role-arns-file', { type: 'string', describe: 'File with one role ARN per line (# comments)' })
      .option('include-caller-account', { type: 'boolean', describe: "Audit the caller's account too (default: only when no roles are given)" })
      .option('instances', { type: 'boolean', default: false, describe: 'Also check the images running instances were launched from' })
      .option('snapshots', { type: 'boolean', default: true, describe: 'Look for snapshots left behind by deregistered images (--no-snapshots to skip)' })
      .option('approved-image-id', { type: 'string', array: true, describe: 'Approved launch images by id' })
      .option('approved-tag', { type: 'string', array: true, describe: 'Approved launch images by tag key or key=value' })
      .option('approved-owner', { type: 'string', array: true, describe: 'Approved launch images by owner account' })
      .option('organization', {
        type: 'boolean',
        default: false,
        describe: "Audit every ACTIVE account of the caller's organization (AWS Organizations ListAccounts), through --organization-role in each",
      })
      .option('organization-role', {
        type: 'string',
        default: 'OrganizationAccountAccessRole',
        describe: 'With --organization: the role to assume in each member account',
      })
      .option('config', {
        type: 'string',
        describe: 'Read audit settings from the audit: section of this file (a winami config, or a file with only that section)',
      })
      .option('inventory-max-age', {
        type: 'string',
        describe: 'image-inventory-stale: flag images inventoried longer ago than this, in days (default 45d; overrides the file)',
      })
      .option('require-kb', {
        type: 'string',
        array: true,
        describe: "image-inventory-stale: flag inventoried images lacking these KBs; repeat or comma-separate (replaces the file's list)",
      })
      .option('resume', { type: 'string', describe: 'Record progress in this file; resume an interrupted audit from it (removed once the audit completes)' })
      .option('concurrency', { type: 'number', default: 64, describe: 'Account-regions audited at once' })
      .option('account-concurrency', { type: 'number', default: 16, describe: 'Accounts audited at once' })
      .option('pages-in-flight', {
        type: 'number',
        default: 8,
        describe: 'Listing pages (up to 1,000 images each) fetched or judged at once across all account-regions: bounds memory',
      })
      .option('format', {
        choices: ['table', 'text', 'json', 'csv', 'html', 'sarif'],
        describe: 'Output format (default table, also called text as in winami lint; json with --json)',
      })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the report to this file instead of stdout' })
      .option('fail-on', { choices: SEVERITY_CHOICES, default: 'error', describe: 'Exit 9 when a finding is at or above this severity' })
      .option('terminate-unapproved', {
        type: 'boolean',
        default: false,
        describe: 'Terminate instances launched from unapproved images (dry run unless --no-dry-run)',
      })
      .option('dry-run', { type: 'boolean', default: true, describe: 'With --terminate-unapproved: only say what would be terminated' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask before terminating (required when not on a terminal)' })
      .example('$0 audit --role-arn arn:aws:iam::111111111111:role/Audit --format html -o audit.html', 'Audit one account in every region as HTML')
      .example('$0 audit --regions us-east-1,eu-west-1 --instances --approved-tag golden=yes --fail-on warning', 'Gate on warnings, instances included')
      .example('$0 audit --inventory-max-age 35d --require-kb KB5034439', 'Flag images not rebuilt since last month, or without a mandated update')
      .example('$0 audit --organization --format sarif -o org.sarif --resume audit.state', 'Every account of the organization, resumable'),
  run: (args) =>
    runCommand(args, async () => {
      // Garbage, not what the audit keeps, set its peak memory under V8's defaults (heap-tuning.ts); set before the
      // SDK loads, which alone would grow the young generation to its largest.
      const { tuneHeap } = await import('../heap-tuning.js');
      const heap = tuneHeap();
      try {
        return await runAudit(args, heap);
      } finally {
        heap.restore();
      }
    }),
};

async function runAudit(args: Parameters<CliCommand['run']>[0], heap: import('../heap-tuning.js').HeapTuner): Promise<number> {
  const { audit, terminateUnapproved, totalsAtOrAbove, openReportWriter, ruleMetadata, inventorySettings } = await import('../../audit/index.js');
  const { loadAuditSettings } = await import('../../config/load.js');
  const { readFile, rm } = await import('node:fs/promises');
  const { createWriteStream } = await import('node:fs');
  const { VERSION } = await import('../version.js');
  const { textReporter } = await import('../text-reporter.js');
  const roleArns = listOf(args.roleArn);
  if (typeof args.roleArnsFile === 'string') {
    const text = await readFile(args.roleArnsFile, 'utf8').catch((err: Error) => {
      throw new UsageError(`cannot read --role-arns-file: ${err.message}`);
    });
    roleArns.push(
      ...text
        .split(/\r?\n/)
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean),
    );
  }
  const bad = roleArns.filter((a) => !/^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(a));
  if (bad.length) throw new UsageError(`not role ARNs: ${bad.join(', ')}`, { hint: 'Expected arn:aws:iam::<12-digit account>:role/<name>.' });
  const organization = Boolean(args.organization);
  if (organization && roleArns.length)
    throw new UsageError('--organization finds the accounts itself: give it no --role-arn', {
      hint: 'Use --organization-role to name the role assumed in each account.',
    });
  const flagOf = { concurrency: 'concurrency', accountConcurrency: 'account-concurrency', pagesInFlight: 'pages-in-flight' } as const;
  for (const k of ['concurrency', 'accountConcurrency', 'pagesInFlight'] as const) {
    const v = Number(args[k]);
    if (!Number.isInteger(v) || v < 1 || v > 1024) throw new UsageError(`--${flagOf[k]} must be a whole number from 1 to 1024, not ${String(args[k])}`);
  }
  const approvedIds = listOf(args.approvedImageId);
  const approvedTags = listOf(args.approvedTag).map(parseTag);
  const approvedOwners = listOf(args.approvedOwner);
  const approved =
    approvedIds.length + approvedTags.length + approvedOwners.length > 0 ? { imageIds: approvedIds, tags: approvedTags, owners: approvedOwners } : undefined;
  if (args.terminateUnapproved && !approved)
    throw new UsageError('--terminate-unapproved needs an approved list (--approved-image-id, --approved-tag or --approved-owner)');
  const fileSettings = typeof args.config === 'string' ? loadAuditSettings(args.config) : undefined;
  const requireKb = listOf(args.requireKb);
  const inventory = inventorySettings(fileSettings, {
    ...(typeof args.inventoryMaxAge === 'string' ? { maxAge: args.inventoryMaxAge } : {}),
    ...(requireKb.length ? { requireKb } : {}),
  });
  const chosen = (args.format as string | undefined) ?? (args.json ? 'json' : 'table');
  const format = (chosen === 'text' ? 'table' : chosen) as 'table';
  const regions = listOf(args.regions);
  const progress = process.stderr.isTTY && !args.quiet ? progressBar() : undefined;
  const session = await sessionFromArgs(args, { fastListing: true });

  // The report is written as findings come; only the unapproved ones are kept, to terminate.
  const toFile = typeof args.output === 'string' ? args.output : undefined;
  const fileOut = toFile ? createWriteStream(toFile) : undefined;
  const out = fileOut ?? process.stdout;
  // On a terminal the table fits its width; into a pipe or a file it wraps long messages rather than cut them.
  const onTerminal = !fileOut && process.stdout.isTTY === true;
  const writer = await openReportWriter(format, out, {
    rules: ruleMetadata({ inventory }),
    toolVersion: VERSION,
    width: (onTerminal && process.stdout.columns) || 120,
    wrap: !onTerminal,
  });
  const unapproved: import('../../audit/index.js').Finding[] = [];
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(
      `\nwinami: ${sig}: stopping the audit${typeof args.resume === 'string' ? `; resume it with --resume ${args.resume}` : ''} (press Ctrl-C again to exit at once)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: import('../../audit/index.js').AuditResult;
  // Should the event loop ever run dry mid-audit, Node exits with this code, never with a clean 0.
  process.exitCode = ExitCode.INTERNAL;
  try {
    result = await audit({
      session,
      ...(regions.length ? { regions } : {}),
      roleArns,
      ...(organization ? { organization: { roleName: String(args.organizationRole) } } : {}),
      ...(typeof args.includeCallerAccount === 'boolean' ? { includeCallerAccount: args.includeCallerAccount } : {}),
      instances: Boolean(args.instances) || Boolean(approved),
      snapshots: args.snapshots !== false,
      ...(approved ? { approved } : {}),
      inventory,
      concurrency: Number(args.concurrency),
      accountConcurrency: Number(args.accountConcurrency),
      pagesInFlight: Number(args.pagesInFlight),
      keepFindings: false,
      sink: {
        finding: (f) => writer.finding(f),
        drain: () => {
          heap.check();
          return writer.drain();
        },
      },
      onFinding: (f) => {
        if (f.ruleId === 'unapproved-image') unapproved.push(f);
      },
      ...(typeof args.resume === 'string' ? { stateFile: args.resume } : {}),
      abortSignal: controller.signal,
      reporter: textReporter({ json: true, quiet: Boolean(args.quiet) }),
      ...(progress ? { onProgress: progress.update } : {}),
    });
    progress?.done();
    await writer.end(result);
    if (fileOut) await new Promise<void>((resolve, reject) => fileOut.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    progress?.done();
    await writer.abort();
    // An interrupted report is not a report: no half-written file is left to be mistaken for one.
    if (fileOut && toFile) {
      fileOut.destroy();
      await rm(toFile, { force: true });
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (toFile) process.stderr.write(`wrote ${format} report to ${toFile}: ${result.totals.findings} findings\n`);
  for (const a of result.skipped ?? []) process.stderr.write(`skipped: ${a.account}: ${a.reason}\n`);
  for (const f of result.failures)
    process.stderr.write(
      `not audited: ${f.account}${f.region ? ` ${f.region}` : ''} ${f.stage}: ${f.message}${f.iamAction ? ` (grant ${f.iamAction})` : ''}\n`,
    );

  if (args.terminateUnapproved) {
    const dryRun = args.dryRun !== false;
    if (
      unapproved.length > 0 &&
      !dryRun &&
      !(await confirm(
        `terminate ${unapproved.length} instance(s) launched from unapproved images: ${unapproved.map((f) => `${f.resourceId} (${f.account} ${f.region})`).join(', ')}?`,
        args,
      ))
    ) {
      process.stderr.write('nothing terminated\n');
    } else {
      const outcomes = await terminateUnapproved(unapproved, { session, roleArns, dryRun });
      for (const t of outcomes)
        process.stderr.write(
          `${t.status === 'planned' ? 'would terminate' : t.status}: ${t.instanceIds.join(', ')} (${t.account} ${t.region})${t.error ? `: ${t.error}` : ''}\n`,
        );
    }
  }
  if (result.coverage.audited === 0) {
    process.stderr.write('nothing was audited: the result is not clean\n');
    return ExitCode.AWS;
  }
  const failOn = String(args.failOn);
  if (failOn !== 'none' && totalsAtOrAbove(result.totals, failOn as 'error') > 0) return ExitCode.FINDINGS;
  return result.partial ? ExitCode.PARTIAL : ExitCode.OK;
}

/** A one-line progress bar on stderr. */
function progressBar() {
  let last = 0;
  const draw = (p: { scopesTotal: number; scopesDone: number; images: number; findings: number }) => {
    const total = Math.max(1, p.scopesTotal);
    const filled = Math.round((p.scopesDone / total) * 30);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${p.scopesDone}/${p.scopesTotal} account-regions, ${p.images} images, ${p.findings} findings `,
    );
  };
  return {
    update(p: Parameters<typeof draw>[0]) {
      const now = Date.now();
      if (now - last < 100 && p.scopesDone < p.scopesTotal) return;
      last = now;
      draw(p);
    },
    done() {
      // Erases the bar with an escape sequence of its own, past the output guard.
      rawStderr.write('\r\x1b[K');
    },
  };
}
