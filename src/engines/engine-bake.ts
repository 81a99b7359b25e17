/**
 * What the Automation and Image Builder bakes share around the engine run:
 * the step context for the local bake's own source step, and the Packer
 * manifest they write beside winami's.
 */
import type { AwsSession } from '../aws/ports.js';
import { AWS_POLL_DELAYS, defaultClock, type StepCtx } from '../bake/context.js';
import type { Journal } from '../bake/journal.js';
import type { BakeManifest, PackerManifest } from '../bake/manifest.js';
import type { BakeState } from '../bake/state.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Bundle } from '../render/bundle.js';
import { silentReporter, type Reporter } from '../reporter.js';

/** A step context for running `resolveSource` before an engine bake: no deadline, the engine keeps time. */
export function sourceStepCtx(
  o: { session: AwsSession; reporter?: Reporter | undefined; timeScale?: number | undefined; abortSignal?: AbortSignal | undefined },
  journal: Journal,
  bundle: Bundle,
): StepCtx {
  return {
    session: o.session,
    reporter: o.reporter ?? silentReporter,
    journal,
    timeScale: o.timeScale ?? 1,
    delays: AWS_POLL_DELAYS,
    clock: defaultClock,
    onError: 'cleanup',
    env: {},
    renderBundle: async () => bundle,
    signal: o.abortSignal ?? new AbortController().signal,
    step: 'resolveSource',
    outcome: undefined,
    timeLeft: () => Number.POSITIVE_INFINITY,
  } as StepCtx;
}

/** What an engine bake's manifests are made of: its outcome, its images and what it knew of the source. */
export interface EngineOutcome {
  ok: boolean;
  buildId: string;
  images: readonly { region: string; imageId: string; platformDetails?: string; usageOperation?: string }[];
  config?: Pick<ResolvedConfig, 'name' | 'region'>;
  source?: BakeState['source'];
  expectation?: BakeState['expectation'];
  names?: Record<string, string>;
}

/**
 * The manifest and Packer manifest of an engine bake: its images only when it
 * succeeded, the engine's steps as given, and `customData` naming the
 * engine's own run in the Packer manifest.
 */
export function engineManifests(
  r: EngineOutcome,
  steps: BakeManifest['steps'],
  startedAt: Date,
  finishedAt: Date,
  customData: Record<string, string>,
): { manifest: BakeManifest; packerManifest: PackerManifest } {
  const made = r.ok ? r.images : [];
  const manifest: BakeManifest = {
    winami: 1,
    buildId: r.buildId,
    name: r.config?.name ?? '',
    ok: r.ok,
    region: r.config?.region ?? '',
    account: undefined,
    source: r.source,
    expectation: r.expectation,
    images: made.map((m) => ({
      region: m.region,
      imageId: m.imageId,
      name: r.names?.[m.imageId] ?? '',
      platformDetails: m.platformDetails,
      usageOperation: m.usageOperation,
      snapshots: [],
    })),
    steps,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
  return { manifest, packerManifest: enginePackerManifest(manifest.name, made, finishedAt, r.buildId, r.source?.imageId ?? '', customData) };
}

/** The Packer manifest of an engine bake's images (empty `builds` when it made none); `customData` adds the engine's own id. */
function enginePackerManifest(
  name: string,
  made: readonly { region: string; imageId: string }[],
  finishedAt: Date,
  buildId: string,
  sourceAmi: string,
  customData: Record<string, string>,
): PackerManifest {
  return {
    builds: made.length
      ? [
          {
            name,
            builder_type: 'amazon-ebs',
            build_time: Math.floor(finishedAt.getTime() / 1000),
            files: null,
            artifact_id: made.map((m) => `${m.region}:${m.imageId}`).join(','),
            packer_run_uuid: buildId,
            custom_data: { 'winami:build-id': buildId, source_ami: sourceAmi, ...customData },
          },
        ]
      : [],
    last_run_uuid: buildId,
  };
}
