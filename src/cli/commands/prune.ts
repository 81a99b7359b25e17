/** `winami prune --family NAME --keep N [--older-than 90d] [--regions …] [--yes]`: retire a config's old images. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, confirm, listOf, sessionFromArgs } from '../aws-options.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { PruneResult } from '../../billing/prune.js';

function print(r: PruneResult): void {
  for (const k of r.kept) process.stdout.write(`kept ${k.imageId} (${k.region}) ${k.name ?? ''}: ${k.reasons.join('; ')}\n`);
  for (const p of r.pruned) {
    process.stdout.write(
      `${r.applied ? 'deregistered' : 'would deregister'} ${p.imageId} (${p.region}) ${p.name ?? ''} created ${p.creationDate ?? '?'}${p.fastLaunchDisabled ? ' (Fast Launch disabled first)' : ''}\n`,
    );
    for (const s of p.deletedSnapshots) process.stdout.write(`  ${r.applied ? 'deleted' : 'would delete'} ${s}\n`);
    for (const s of p.keptSnapshots) process.stdout.write(`  kept ${s.snapshotId}: ${s.reason}\n`);
  }
  for (const f of r.failed) process.stdout.write(`FAILED ${f.imageId} (${f.region}): ${f.error}\n`);
}

export const pruneCommand: CliCommand = {
  command: 'prune',
  describe: "Deregister a config's old images (and their snapshots), keeping the newest and any an instance, launch template or SSM parameter uses",
  builder: (y) =>
    awsOptions(commonOptions(y))
      .option('family', { type: 'string', demandOption: true, describe: 'The config name whose images (tag winami:config) to prune' })
      .option('keep', { type: 'number', demandOption: true, describe: 'How many of the newest images to keep in each region' })
      .option('older-than', { type: 'string', describe: 'Only prune images older than this (90d, 12h)' })
      .option('regions', { type: 'string', array: true, describe: 'Regions to prune in (default: every enabled region)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan; delete nothing, ask nothing' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Delete without asking (required when not on a terminal)' })
      .example('$0 prune --family windows-2022 --keep 3', 'Show what would go, then ask')
      .example('$0 prune --family windows-2022 --keep 3 --older-than 90d --yes', 'In a pipeline'),
  run: (args) =>
    runCommand(args, async () => {
      const { pruneFamily } = await import('../../billing/prune.js');
      const { parseDurationMs } = await import('../../config/duration.js');
      const keep = Number(args.keep);
      if (!Number.isInteger(keep) || keep < 0) throw new UsageError(`--keep must be a whole number, 0 or more (got ${String(args.keep)})`);
      const family = String(args.family);
      let olderThanMs: number | undefined;
      if (args.olderThan !== undefined) {
        try {
          olderThanMs = parseDurationMs(String(args.olderThan));
        } catch {
          throw new UsageError(`--older-than must be a duration such as 90d or 12h (got ${String(args.olderThan)})`);
        }
      }
      const session = await sessionFromArgs(args);
      const account = (await session.sts().getCallerIdentity({})).Account;
      let regions = listOf(args.regions);
      if (regions.length === 0) regions = ((await session.ec2().describeRegions({})).Regions ?? []).map((r) => r.RegionName!).filter(Boolean);
      const base = { session, family, keep, regions, ...(olderThanMs !== undefined ? { olderThanMs } : {}), ...(account ? { ownerAccountId: account } : {}) };
      const plan = await pruneFamily({ ...base, apply: false });
      if (plan.kept.length + plan.pruned.length === 0) process.stderr.write(`no complete images tagged winami:config=${family} in ${regions.join(', ')}\n`);
      if (args.dryRun || plan.pruned.length === 0) {
        if (args.json) process.stdout.write(`${JSON.stringify({ ok: true, ...plan }, null, 2)}\n`);
        else print(plan);
        return ExitCode.OK;
      }
      if (!args.json) print(plan);
      if (!(await confirm(`deregister ${plan.pruned.length} image(s) of ${family} and delete their unshared snapshots`, args))) {
        process.stderr.write('nothing deleted\n');
        return ExitCode.CANCELLED;
      }
      const done = await pruneFamily({ ...base, apply: true });
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: done.failed.length === 0, ...done }, null, 2)}\n`);
      else print({ ...done, kept: [] });
      return done.failed.length ? ExitCode.PARTIAL : ExitCode.OK;
    }),
};
