/**
 * The bake's typed state. Steps read what earlier steps wrote and write what
 * they learn; a resource id goes in (through `StepContext.track`) the moment
 * AWS returns it, before any wait, so cleanup and the journal always know it.
 */
import type { Inventory } from './inventory.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Expectation } from '../billing/expectations.js';
import type { Bundle } from './bundle-types.js';
import type { PublishedParameter } from './publish-parameter.js';
import type { Image } from '@aws-sdk/client-ec2';
import type { Finding } from '../preflight/types.js';
import { SET_BY, type StateKey } from '../plan/plan.js';
import { StepError } from '../errors.js';
import type { FastLaunchCost } from './steps/enable-fast-launch.js';
import type { SourceImage } from '../events.js';

/** Kinds of AWS resource a bake creates. */
/** `s3-object` ids are `s3://bucket/key` (an engine bake's bundle). */
export type ResourceKind = 'instance' | 'image' | 'snapshot' | 'volume' | 'parameter' | 's3-object';

/** One resource the bake created. */
export interface TrackedResource {
  kind: ResourceKind;
  id: string;
  region: string;
  /** What it is for: `builder`, `image`, `copy`, `smoke-test`, `pre-snapshot`, `secret`. */
  role: string;
  /** Set once the bake removed it (or saw it gone). */
  removed?: boolean;
  /** Set when it is an output (the image and its copies after a successful bake) or kept on request. */
  kept?: 'output' | 'on-error-keep';
}

/** The source image, as resolved in preflight (its type is the `bake.source` event's). */
export type { SourceImage };

/** One image winami made (the original or a copy). */
export interface MadeImage {
  region: string;
  imageId: string;
  name: string;
  snapshotIds: string[];
  platformDetails?: string | undefined;
  usageOperation?: string | undefined;
}

/** Everything the steps share. */
export interface BakeState {
  buildId: string;
  config: ResolvedConfig;
  region: string;
  /** The rendered image name (from the template), fixed at preflight so a retry finds the same image. */
  imageName: string;
  account?: string;
  callerArn?: string;
  source?: SourceImage;
  /** The source image as DescribeImages gave it, for the preflight's checks. */
  sourceImage?: Image;
  /** Why resolveSource found no source image (the preflight reports it with the other problems). */
  sourceProblem?: string;
  /** What the preflight found (problems stop the bake there; warnings are kept here). */
  preflight?: Finding[];
  expectation?: Expectation;
  bundle?: Bundle;
  /** Temporary SecureString parameters holding `env:` secrets, by slot. */
  secretParameters: Record<string, string>;
  builder?: { instanceId: string; computerName?: string | undefined; terminating?: boolean };
  preSnapshotId?: string;
  image?: MadeImage;
  copies: MadeImage[];
  smoke?: { instanceId: string; computerName?: string | undefined };
  /** Every resource created, in order. */
  resources: TrackedResource[];
  /** `image.publishParameter` writes that succeeded. */
  published: PublishedParameter[];
  /** Work left undone after the images were proven (they are kept): the bake ends partial. */
  incomplete: { step: string; message: string; hint: string }[];
  /** What collectInventory found before sealing (config `inventory`). */
  inventory?: Inventory;
  /** Fast Launch on each image, with its cost estimate (config `image.fastLaunch`). */
  fastLaunch?: FastLaunchCost[];
  /** When each resource was recorded (the context clock's ms), by `region/id`: EC2 may not list it for a while after. */
  createdAt: Record<string, number>;
  /**
   * Create calls that failed, or whose answer was lost, with no resource
   * recorded for them since: EC2 may have made one that no answer named and no
   * listing shows yet. `at` is when the call ended (the context clock's ms).
   */
  unconfirmed: { kind: ResourceKind; region: string; role: string; at: number }[];
}

/** A fresh state for a build. */
export function initialState(buildId: string, config: ResolvedConfig, imageName: string): BakeState {
  return {
    buildId,
    config,
    region: config.region,
    imageName,
    secretParameters: {},
    copies: [],
    resources: [],
    published: [],
    incomplete: [],
    createdAt: {},
    unconfirmed: [],
  };
}

/** Resources created and neither removed nor intentionally kept. */
export function leftBehind(state: Pick<BakeState, 'resources'>): TrackedResource[] {
  return state.resources.filter((r) => !r.removed && !r.kept);
}

/**
 * A state field an earlier step sets (`need(state, 'builder', ctx.step)`): the
 * value, or a clear error naming the step that should have set it.
 */
export function need<K extends StateKey>(state: BakeState, key: K, step: string): NonNullable<BakeState[K]> {
  const v = state[key];
  if (v === undefined || v === null) {
    throw new StepError(step, `${step} needs state.${key}, which ${SET_BY[key]} sets, but it is not set: ${SET_BY[key]} did not run before ${step}`, {
      hint: 'The step list is built by plan() in src/plan/plan.ts; a step must come after the step that sets what it needs.',
    });
  }
  return v as NonNullable<BakeState[K]>;
}
