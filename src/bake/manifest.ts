/**
 * The bake's manifests: winami's own JSON, and a file in the shape of
 * Packer's manifest post-processor for pipelines that already read one
 * (`builds[].artifact_id` = `region:ami,region:ami`).
 */
import type { StepRecord } from './runner.js';
import type { BakeState, MadeImage } from './state.js';
import { FAST_LAUNCH_PRICING_BASIS } from '../knowledge/fast-launch.js';

/** winami's manifest. No secret values: only references and ids. */
export interface BakeManifest {
  winami: 1;
  buildId: string;
  name: string;
  ok: boolean;
  region: string;
  account: string | undefined;
  source: BakeState['source'];
  expectation: BakeState['expectation'];
  images: { region: string; imageId: string; name: string; platformDetails?: string | undefined; usageOperation?: string | undefined; snapshots: string[] }[];
  steps: { name: string; status: StepRecord['status']; durationMs: number; cleanup?: StepRecord['cleanup'] }[];
  /** `image.publishParameter` writes (region, name, image id, version); present when the config publishes. */
  parameters?: BakeState['published'];
  /** What was in the image before sealing (config `inventory`). */
  inventory?: BakeState['inventory'];
  /** Fast Launch on each image, with the estimated monthly cost of its pre-provisioned snapshots and the basis of the estimate. */
  fastLaunch?: { images: NonNullable<BakeState['fastLaunch']>; estimatedMonthlyUsd: number; pricingBasis: string };
  /** Work left undone although the images are good (the bake exits 8). */
  incomplete?: BakeState['incomplete'];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** Packer's manifest post-processor format. */
export interface PackerManifest {
  builds: {
    name: string;
    builder_type: string;
    build_time: number;
    files: null;
    artifact_id: string;
    packer_run_uuid: string;
    custom_data: Record<string, string>;
  }[];
  last_run_uuid: string;
}

/** Build both manifests. Images are listed only after a successful bake (a failed bake leaves none). */
export function buildManifests(
  state: BakeState,
  ok: boolean,
  steps: StepRecord[],
  startedAt: Date,
  finishedAt: Date,
): { manifest: BakeManifest; packer: PackerManifest } {
  const made: MadeImage[] = ok && state.image ? [state.image, ...state.copies] : [];
  const manifest: BakeManifest = {
    winami: 1,
    buildId: state.buildId,
    name: state.config.name,
    ok,
    region: state.region,
    account: state.account,
    source: state.source,
    expectation: state.expectation,
    images: made.map((m) => ({
      region: m.region,
      imageId: m.imageId,
      name: m.name,
      platformDetails: m.platformDetails,
      usageOperation: m.usageOperation,
      snapshots: m.snapshotIds,
    })),
    steps: steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs, ...(s.cleanup ? { cleanup: s.cleanup } : {}) })),
    ...(state.config.image.publishParameter ? { parameters: state.published } : {}),
    ...(state.incomplete.length ? { incomplete: state.incomplete } : {}),
    ...(state.inventory ? { inventory: state.inventory } : {}),
    ...(ok && state.fastLaunch
      ? {
          fastLaunch: {
            images: state.fastLaunch,
            estimatedMonthlyUsd: Math.round(state.fastLaunch.reduce((t, c) => t + c.estimatedMonthlyUsd, 0) * 100) / 100,
            pricingBasis: FAST_LAUNCH_PRICING_BASIS,
          },
        }
      : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
  const packer: PackerManifest = {
    builds: made.length
      ? [
          {
            name: state.config.name,
            builder_type: 'amazon-ebs',
            build_time: Math.floor(finishedAt.getTime() / 1000),
            files: null,
            artifact_id: made.map((m) => `${m.region}:${m.imageId}`).join(','),
            packer_run_uuid: state.buildId,
            custom_data: { 'winami:build-id': state.buildId, source_ami: state.source?.imageId ?? '' },
          },
        ]
      : [],
    last_run_uuid: state.buildId,
  };
  return { manifest, packer };
}
