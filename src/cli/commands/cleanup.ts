/** `winami cleanup --build-id <id> | --journal <file>`: remove everything a build left, in every region. Harmless to run twice. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, listOf, sessionFromArgs } from '../aws-options.js';
import { UsageError } from '../../errors.js';

/** A `--consistency-grace-ms` value: a number of ms, 0 or more. */
function graceOption(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new UsageError(`--consistency-grace-ms must be a number of milliseconds, 0 or more (got ${String(v)})`);
  return v;
}

export const cleanupCommand: CliCommand = {
  command: 'cleanup',
  describe:
    'Remove every instance, image, snapshot, volume and temporary parameter tagged with a build id (or listed in its journal), and the S3 bundle objects its journal lists',
  builder: (y) =>
    awsOptions(commonOptions(y))
      .option('build-id', { type: 'string', describe: 'The build id (winami:build-id tag)' })
      .option('journal', { type: 'string', describe: 'A build journal (.winami/builds/<id>.jsonl)' })
      .option('regions', { type: 'string', array: true, describe: "Regions to search (default: the journal's, and --region; with neither, every region)" })
      .option('include-outputs', {
        type: 'boolean',
        default: false,
        describe: 'Also remove the images a successful bake produced (without a journal: those tagged winami:complete=true)',
      })
      .option('dry-run', { type: 'boolean', default: false, describe: 'List what would be removed' })
      // For the local emulator started with the same --time-scale: the termination wait polls faster.
      .option('time-scale', { type: 'number', hidden: true, describe: "Multiply the poll delay (match the emulator's --time-scale)" })
      // For the local emulator started with a shorter --consistency-window-ms than EC2's lag.
      .option('consistency-grace-ms', {
        type: 'number',
        hidden: true,
        describe: 'How long (ms) after a create EC2 may not list what it made; default 10000',
      }),
  run: (args) =>
    runCommand(args, async () => {
      if (!args.buildId && !args.journal) throw new UsageError('give --build-id <id> or --journal <file>');
      const { cleanupBuild } = await import('../../bake/cleanup.js');
      const { textReporter } = await import('../text-reporter.js');
      const regions = [...listOf(args.regions), ...listOf(args.region)];
      const r = await cleanupBuild({
        session: await sessionFromArgs(args),
        ...(typeof args.buildId === 'string' ? { buildId: args.buildId } : {}),
        ...(typeof args.journal === 'string' ? { journal: args.journal } : {}),
        ...(regions.length ? { regions } : {}),
        includeOutputs: Boolean(args.includeOutputs),
        dryRun: Boolean(args.dryRun),
        ...(typeof args.timeScale === 'number' && args.timeScale > 0 ? { pollMs: Math.max(1, Math.round(5_000 * args.timeScale)) } : {}),
        ...(args.consistencyGraceMs === undefined ? {} : { consistencyGraceMs: graceOption(args.consistencyGraceMs) }),
        reporter: textReporter({ json: Boolean(args.json), quiet: Boolean(args.quiet) }),
      });
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: r.failed.length === 0, ...r })}\n`);
      else {
        const verb = args.dryRun ? 'would remove' : 'removed';
        process.stdout.write(
          r.removed.length
            ? `${r.removed.map((x) => `${verb} ${x.kind} ${x.id} (${x.region})`).join('\n')}\n`
            : `nothing left for build ${r.buildId} in ${r.regions.join(', ')}\n`,
        );
        for (const k of r.kept)
          process.stdout.write(`kept ${k.kind} ${k.id} (${k.region}): an output of a bake that finished (--include-outputs removes it)\n`);
        for (const f of r.failed) process.stderr.write(`could not remove ${f.kind} ${f.id} (${f.region}): ${f.error}\n`);
      }
      return r.failed.length ? 5 : 0;
    }),
};
