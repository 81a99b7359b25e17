/**
 * `winami bake <config..>`: build the image. The first SIGINT/SIGTERM cancels
 * (the bake cleans up in reverse, with deadlines); the second exits at once,
 * printing what exists and the command that removes it.
 */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand, sourceRootOption, sourceRoots } from '../command.js';
import { awsOptions, sessionFromArgs } from '../aws-options.js';
import type { BakeResult } from '../../bake/index.js';

/** Where `--manifest FILE` puts the Packer-format manifest: `m.json` → `m.packer.json`, `m` → `m.packer.json`. */
export function packerManifestPath(manifest: string): string {
  return `${manifest.replace(/\.json$/i, '')}.packer.json`;
}

export const bakeCommand: CliCommand = {
  command: 'bake <configs..>',
  describe: 'Build the AMI end to end through SSM Run Command: launch, deliver, customize, sysprep, create, verify billing, copy, smoke test',
  builder: (y) =>
    sourceRootOption(awsOptions(commonOptions(y)))
      .positional('configs', { type: 'string', array: true, describe: 'Config files (each is baked in turn)' })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Check everything with read-only calls (credentials, source, bundle, preflight) and create nothing; exit 10 on problems',
      })
      .option('on-error', {
        choices: ['cleanup', 'keep'] as const,
        default: 'cleanup',
        describe: 'After a failure: remove everything, or keep the builder for inspection',
      })
      .option('smoke-test', {
        type: 'boolean',
        describe: 'Launch one instance from the new image and prove it specialized (default: the config; --no-smoke-test skips)',
      })
      .option('allow-plaintext-secrets', { type: 'boolean', default: false, describe: 'Accept literal secrets in the config (throwaway tests only)' })
      .option('manifest', { type: 'string', describe: 'Write the manifest here, and the Packer-format manifest beside it: m.json → m.packer.json' })
      .option('journal-dir', { type: 'string', describe: 'Directory for .winami/builds/<build-id>.jsonl (default: the working directory)' })
      .option('engine', {
        choices: ['local', 'automation', 'imagebuilder'] as const,
        default: 'local',
        describe:
          'Where the bake runs: this process, SSM Automation (the runbook `winami export automation` renders) or EC2 Image Builder (the pipeline `winami export imagebuilder` renders)',
      })
      .option('role-arn', { type: 'string', describe: 'With --engine automation: the role the runbook assumes' })
      .option('bundle-bucket', {
        type: 'string',
        describe:
          'S3 bucket (config region, default engine.bundleBucket): --engine automation delivers the bundle from it when it cannot go inline; --engine imagebuilder stores the component documents in it (CreateComponent uri)',
      })
      .option('keep-bundle', {
        type: 'boolean',
        describe: 'With --engine automation or imagebuilder: keep the objects uploaded to S3 (default: deleted once used)',
      })
      .option('concurrency', {
        type: 'number',
        default: 1,
        describe: 'With several configs: how many bakes run at once (one session, so one throttling limiter)',
      })
      .option('fail-fast', { type: 'boolean', default: false, describe: 'With several configs: cancel the others (they clean up) after the first failure' })
      // For the local emulator started with the same --time-scale: poll delays and deadlines shrink with its clock.
      .option('time-scale', { type: 'number', hidden: true, describe: "Multiply poll delays and deadlines (match the emulator's --time-scale)" })
      .example('$0 bake examples/windows-2022-base.yaml', 'Bake one image')
      .example('$0 bake image.yaml --dry-run', 'Find every problem before anything is created'),
  run: (args) =>
    runCommand(args, async () => {
      const { bake } = await import('../../bake/index.js');
      const { progressReporter } = await import('../progress.js');
      const { writeFileSync } = await import('node:fs');
      const json = Boolean(args.json);
      const reporter = progressReporter({ mode: json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain' });
      const timeScale = typeof args.timeScale === 'number' && args.timeScale > 0 ? { timeScale: args.timeScale } : {};
      const controller = new AbortController();
      let live: import('../../bake/index.js').BakeState | undefined;
      let engineJournal: string | undefined;
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          process.stderr.write(`\nwinami: ${sig}: cancelling; cleaning up (press Ctrl-C again to exit at once)\n`);
          controller.abort();
          return;
        }
        if (engineJournal) {
          process.stderr.write(
            `\nwinami: exiting at once; the Image Builder build may still be running. Stop it and remove what it made with: winami cleanup --journal ${engineJournal}\n`,
          );
          process.exit(130);
        }
        const left = live ? live.resources.filter((r) => !r.removed && !r.kept) : [];
        process.stderr.write(
          `\nwinami: exiting at once. Left: ${left.length ? left.map((r) => `${r.kind} ${r.id} (${r.region})`).join(', ') : 'nothing recorded'}\n`,
        );
        if (live)
          process.stderr.write(
            `Remove it with: winami cleanup --build-id ${live.buildId} --region ${[...new Set([live.region, ...live.config.image.regions.map((r) => r.region)])].join(',')}\n`,
          );
        process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        // A dry run talks to AWS too, with read-only calls only.
        const session = await sessionFromArgs(args);
        const configs = (args.configs as string[]).map(String);
        // The options every bake of this run shares, alone or several at once.
        const base = {
          allowPlaintextSecrets: Boolean(args.allowPlaintextSecrets),
          allowSourceRoots: sourceRoots(args),
          dryRun: Boolean(args.dryRun),
          onError: args.onError === 'keep' ? ('keep' as const) : ('cleanup' as const),
          ...(typeof args.smokeTest === 'boolean' ? { smokeTest: args.smokeTest } : {}),
          ...(typeof args.journalDir === 'string' ? { journalDir: args.journalDir } : {}),
          ...timeScale,
          env: process.env,
        };
        if (args.engine !== 'local' && args.engine !== undefined && args.dryRun) {
          const { UsageError } = await import('../../errors.js');
          throw new UsageError(`--dry-run checks a local bake; --engine ${String(args.engine)} would deploy and start a build`, {
            hint: `See what the engine would run with: winami export ${String(args.engine)} CONFIG --out DIR`,
          });
        }
        if (args.engine === 'automation' && session) {
          const { bakeConfigsOnAutomation } = await import('../engine-bake.js');
          return await bakeConfigsOnAutomation({
            configs,
            session,
            roleArn: args.roleArn,
            bundleBucket: args.bundleBucket,
            keepBundle: args.keepBundle,
            reporter,
            abortSignal: controller.signal,
            allowSourceRoots: sourceRoots(args),
            json,
            manifest: args.manifest,
            journalDir: args.journalDir,
            ...timeScale,
          });
        }
        if (args.engine === 'imagebuilder' && session) {
          const { bakeConfigsOnImageBuilder } = await import('../engine-bake.js');
          return await bakeConfigsOnImageBuilder({
            configs,
            session,
            onJournal: (path) => (engineJournal = path),
            reporter,
            abortSignal: controller.signal,
            allowSourceRoots: sourceRoots(args),
            json,
            manifest: args.manifest,
            journalDir: args.journalDir,
            ...timeScale,
          });
        }
        if (configs.length > 1) {
          const { bakeMany, formatSummaryTable } = await import('../../batch/bake-many.js');
          const batch = await bakeMany({
            configs,
            concurrency: Number(args.concurrency) || 1,
            failFast: Boolean(args.failFast),
            ...(session ? { session } : {}),
            reporter,
            abortSignal: controller.signal,
            bake,
            base,
          });
          reporter.stop();
          if (typeof args.manifest === 'string' && !args.dryRun) writeFileSync(args.manifest, `${JSON.stringify(batch, null, 2)}\n`);
          if (json) process.stdout.write(`${JSON.stringify({ ok: batch.summary.exitCode === 0, ...batch })}\n`);
          else process.stdout.write(formatSummaryTable(batch));
          return batch.summary.exitCode;
        }
        let code = 0;
        for (const path of configs) {
          const result = await bake({
            ...base,
            config: path,
            ...(session ? { session } : {}),
            reporter,
            abortSignal: controller.signal,
            onState: (s) => {
              live = s;
            },
          });
          reporter.stop();
          if (typeof args.manifest === 'string' && !args.dryRun) {
            writeFileSync(args.manifest, `${JSON.stringify(result.manifest, null, 2)}\n`);
            writeFileSync(packerManifestPath(args.manifest), `${JSON.stringify(result.packerManifest, null, 2)}\n`);
          }
          if (json)
            process.stdout.write(
              `${JSON.stringify({ ok: result.ok, buildId: result.buildId, exitCode: result.exitCode, region: result.manifest.region, images: result.manifest.images, leftBehind: result.leftBehind, incomplete: result.manifest.incomplete, preflight: result.preflight, journal: args.dryRun ? undefined : result.journalPath, error: result.error ? { code: result.error.code, message: result.error.message, hint: result.error.hint } : undefined })}\n`,
            );
          else if (args.dryRun) (result.ok ? process.stdout : process.stderr).write(dryRunText(result));
          else if (result.ok) process.stdout.write(`${result.manifest.images.map((i) => `${i.region}\t${i.imageId}\t${i.name}`).join('\n')}\n`);
          else {
            process.stderr.write(`winami: bake failed at ${result.failedStep ?? 'start'}: ${result.error?.message ?? 'unknown error'}\n`);
            if (result.error?.hint) process.stderr.write(`hint: ${result.error.hint}\n`);
          }
          if (result.leftBehind.length && !json)
            process.stderr.write(
              `left behind: ${result.leftBehind.map((r) => `${r.kind} ${r.id} (${r.region})`).join(', ')}\nremove with: ${result.cleanupCommand}\n`,
            );
          for (const u of result.manifest.incomplete ?? []) if (!json) process.stderr.write(`winami: ${u.message}\n${u.hint}\n`);
          if (result.exitCode !== 0) {
            code = result.exitCode;
            break;
          }
        }
        return code;
      } finally {
        reporter.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }),
};

/** What a dry run says: where it looked, what it found, and that nothing was created. */
function dryRunText(r: BakeResult): string {
  const m = r.manifest;
  const lines = [`dry run of ${m.name}: account ${m.account ?? 'unknown'}, region ${m.region}`];
  const ran = r.steps.filter((s) => s.status !== 'not-run');
  lines.push(`checked: ${ran.map((s) => `${s.name} ${s.status}`).join(', ')}`);
  for (const f of r.preflight) lines.push(`${f.level}: ${f.message}${f.region && !f.message.includes(f.region) ? ` (${f.region})` : ''}`, `  fix: ${f.hint}`);
  if (r.ok)
    lines.push(
      `no problems; the bake would run: ${r.steps
        .filter((s) => s.status === 'not-run')
        .map((s) => s.name)
        .join(' → ')}`,
    );
  else if (r.preflight.every((f) => f.level !== 'problem'))
    lines.push(`failed at ${r.failedStep ?? 'start'}: ${r.error?.message ?? 'unknown error'}`, ...(r.error?.hint ? [`hint: ${r.error.hint}`] : []));
  lines.push('nothing was created');
  return `${lines.join('\n')}\n`;
}
