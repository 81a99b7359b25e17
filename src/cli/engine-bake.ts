/** The `bake --engine automation|imagebuilder` branches of the bake command: one config after another, on the AWS engine. */
import { writeFileSync } from 'node:fs';
import type { AwsSession } from '../aws/ports.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../reporter.js';

export interface EngineBakeArgs {
  configs: string[];
  session: AwsSession;
  roleArn: unknown;
  bundleBucket?: unknown;
  keepBundle?: unknown;
  reporter: Reporter & { stop(): void };
  abortSignal: AbortSignal;
  allowSourceRoots: readonly string[];
  timeScale?: number;
  manifest?: unknown;
  journalDir?: unknown;
  json: boolean;
  /** Told the journal of each bake before it starts (the CLI names it if the user exits at once). */
  onJournal?: (path: string) => void;
}

/** Bake each config on SSM Automation; returns the exit code of the first failure, else 0. */
export async function bakeConfigsOnAutomation(a: EngineBakeArgs): Promise<number> {
  if (typeof a.roleArn !== 'string' || !a.roleArn.startsWith('arn:')) {
    throw new UsageError('--engine automation needs --role-arn: the role the runbook assumes', {
      hint: 'Deploy the template `winami export automation` writes and pass its RunbookRoleArn output.',
    });
  }
  const { bakeOnAutomation } = await import('../engines/run-automation.js');
  for (const config of a.configs) {
    const r = await bakeOnAutomation({
      config,
      session: a.session,
      roleArn: a.roleArn,
      reporter: a.reporter,
      abortSignal: a.abortSignal,
      allowSourceRoots: a.allowSourceRoots,
      ...(typeof a.bundleBucket === 'string' ? { bundleBucket: a.bundleBucket } : {}),
      ...(typeof a.keepBundle === 'boolean' ? { keepBundle: a.keepBundle } : {}),
      ...(a.timeScale ? { timeScale: a.timeScale } : {}),
      ...(typeof a.journalDir === 'string' ? { journalDir: a.journalDir } : {}),
    });
    a.reporter.stop();
    const manifest = {
      winami: 1,
      engine: 'automation',
      buildId: r.buildId,
      journal: r.journalPath,
      ok: r.ok,
      documentName: r.documentName,
      documentVersion: r.documentVersion,
      deploy: r.deploy,
      executionId: r.executionId,
      status: r.status,
      images: r.images,
      discarded: r.discarded,
      delivery: r.delivery,
      ...(r.bundle ? { bundle: r.bundle } : {}),
    };
    if (typeof a.manifest === 'string') {
      // The same manifest files as a local bake.
      writeFileSync(a.manifest, `${JSON.stringify(r.manifest, null, 2)}\n`);
      writeFileSync(a.manifest.replace(/\.json$/, '') + '.packer.json', `${JSON.stringify(r.packerManifest, null, 2)}\n`);
    }
    if (a.json)
      process.stdout.write(
        `${JSON.stringify({ ...manifest, exitCode: r.exitCode, error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : undefined })}\n`,
      );
    else if (r.ok) process.stdout.write(`${r.images.map((i) => `${i.region}\t${i.imageId}`).join('\n')}\n`);
    else
      process.stderr.write(
        `winami: the execution ${r.executionId ?? ''} failed: ${r.error?.message ?? r.status}\n${r.error?.hint ? `hint: ${r.error.hint}\n` : ''}`,
      );
    if (r.exitCode !== 0) return r.exitCode;
  }
  return 0;
}

/** Bake each config on EC2 Image Builder; returns the exit code of the first failure, else 0. */
export async function bakeConfigsOnImageBuilder(a: Omit<EngineBakeArgs, 'roleArn'>): Promise<number> {
  const { bakeOnImageBuilder } = await import('../engines/run-imagebuilder.js');
  const { newBuildId } = await import('../bake/index.js');
  const { journalPath } = await import('../bake/journal.js');
  for (const config of a.configs) {
    const buildId = newBuildId();
    a.onJournal?.(journalPath(typeof a.journalDir === 'string' ? a.journalDir : process.cwd(), buildId));
    const r = await bakeOnImageBuilder({
      config,
      buildId,
      session: a.session,
      reporter: a.reporter,
      abortSignal: a.abortSignal,
      allowSourceRoots: a.allowSourceRoots,
      ...(typeof a.bundleBucket === 'string' ? { bundleBucket: a.bundleBucket } : {}),
      ...(typeof a.keepBundle === 'boolean' ? { keepBundle: a.keepBundle } : {}),
      ...(a.timeScale ? { timeScale: a.timeScale } : {}),
      ...(typeof a.journalDir === 'string' ? { journalDir: a.journalDir } : {}),
    });
    a.reporter.stop();
    if (typeof a.manifest === 'string') {
      // The same manifest files as a local bake.
      writeFileSync(a.manifest, `${JSON.stringify(r.manifest, null, 2)}\n`);
      writeFileSync(a.manifest.replace(/\.json$/, '') + '.packer.json', `${JSON.stringify(r.packerManifest, null, 2)}\n`);
    }
    if (a.json)
      process.stdout.write(
        `${JSON.stringify({
          winami: 1,
          engine: 'imagebuilder',
          buildId: r.buildId,
          journal: r.journalPath,
          ok: r.ok,
          deploy: r.deploy,
          pipelineArn: r.pipelineArn,
          recipeArn: r.recipeArn,
          resources: r.resources,
          imageBuildVersionArn: r.imageBuildVersionArn,
          status: r.status,
          images: r.images,
          discarded: r.discarded,
          ...(r.bundle ? { bundle: r.bundle } : {}),
          exitCode: r.exitCode,
          error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : undefined,
        })}\n`,
      );
    else if (r.ok) process.stdout.write(`${r.images.map((i) => `${i.region}\t${i.imageId}`).join('\n')}\n`);
    else
      process.stderr.write(
        `winami: the image ${r.imageBuildVersionArn ?? ''} failed: ${r.error?.message ?? r.status}\n${r.error?.hint ? `hint: ${r.error.hint}\n` : ''}`,
      );
    if (r.exitCode !== 0) return r.exitCode;
  }
  return 0;
}
