/**
 * What the Automation and Image Builder bakes share around the engine run:
 * the step context for the local bake's own source step, and the Packer
 * manifest they write beside winami's.
 */
import type { AwsSession } from '../aws/ports.js';
import { AWS_POLL_DELAYS, defaultClock, type StepCtx } from '../bake/context.js';
import type { Journal } from '../bake/journal.js';
import type { PackerManifest } from '../bake/manifest.js';
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

/** The Packer manifest of an engine bake's images (empty `builds` when it made none); `customData` adds the engine's own id. */
export function enginePackerManifest(
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
