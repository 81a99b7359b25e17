/**
 * Small AWS helpers the steps share: tags for TagSpecifications, waiting for
 * an instance state (without the SDK stopped-waiter's failure on `pending`),
 * terminating and waiting, discarding an image with its snapshots, and the
 * console output's tail for error messages.
 */
import type { Instance, Tag, TagSpecification, ResourceType } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { pollUntil } from '../aws/poll-until.js';
import { isAwsCode } from '../aws/errors.js';
import { retryLater } from '../aws/retry.js';
import { StepError } from '../errors.js';
import { reportTo } from '../reporter.js';
import type { BakeContext, StepCtx } from './context.js';
import { discardImage } from '../image/lifecycle.js';
import { delays, EXPECTED_MS, graceEndOf, graceMs, markKept, markRemoved, scaled, track } from './context.js';
import type { BakeState, MadeImage } from './state.js';

export { BUILD_ID_TAG, COMPLETE_TAG, CONFIG_TAG, ROLE_TAG } from '../knowledge/winami-tags.js';
import { BUILD_ID_TAG, COMPLETE_TAG, ROLE_TAG } from '../knowledge/winami-tags.js';

/** Mark an output image complete; a failure is reported, not thrown (the image is good, only the marker is missing). */
export async function tagComplete(ec2: Ec2Port, region: string, imageId: string, ctx: StepCtx): Promise<void> {
  try {
    await ec2.createTags({ Resources: [imageId], Tags: [{ Key: COMPLETE_TAG, Value: 'true' }] }, { abortSignal: ctx.signal });
  } catch (err) {
    reportTo(ctx.reporter).warn(
      'bake.tag-complete',
      `could not tag ${imageId} ${COMPLETE_TAG}=true (${(err as Error).message}); winami cleanup without the journal would take it for an unfinished bake's image. Tag it: aws ec2 create-tags --region ${region} --resources ${imageId} --tags Key=${COMPLETE_TAG},Value=true`,
      { imageId, region },
    );
  }
}

/** Tags for every resource of a build: the user's, then Name, build id and role (which win). */
export function buildTags(buildId: string, name: string, role: string, extra: Record<string, string> = {}): Tag[] {
  const all: Record<string, string> = { ...extra, Name: name, [BUILD_ID_TAG]: buildId, [ROLE_TAG]: role };
  return Object.entries(all).map(([Key, Value]) => ({ Key, Value }));
}

/** TagSpecifications for the given resource types, same tags on each. */
export function tagSpecs(types: ResourceType[], tags: Tag[]): TagSpecification[] {
  return types.map((ResourceType) => ({ ResourceType, Tags: tags }));
}

/** Describe one instance, or undefined when EC2 does not know it (yet, or any more). */
export async function describeInstance(ec2: Ec2Port, instanceId: string, signal?: AbortSignal): Promise<Instance | undefined> {
  try {
    const out = await ec2.describeInstances({ InstanceIds: [instanceId] }, signal ? { abortSignal: signal } : undefined);
    return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  } catch (err) {
    if (isAwsCode(err, 'InvalidInstanceID.NotFound')) return undefined;
    throw err;
  }
}

/**
 * Wait until the instance is in `target`. Unlike the SDK's stopped waiter, a
 * transient `pending` is not a failure (domain-facts §9.1); `terminated` (or
 * `shutting-down` when waiting for anything else) is.
 */
export function waitForInstanceState(
  ctx: BakeContext,
  ec2: Ec2Port,
  instanceId: string,
  target: 'stopped' | 'terminated' | 'running',
  o: { timeoutMs: number; expectedMs?: number; earliestMs?: number; signal?: AbortSignal; what?: string },
): Promise<Instance> {
  const d = delays(ctx, 'instanceState');
  return pollUntil<Instance | undefined>({
    what: o.what ?? `instance ${instanceId} to be ${target}`,
    probe: (signal) => describeInstance(ec2, instanceId, signal),
    acceptor: (inst) => {
      const state = inst?.State?.Name;
      if (!inst) return target === 'terminated' ? { state: 'success', value: inst } : { state: 'retry', observed: 'not visible yet' };
      if (state === target) return { state: 'success', value: inst };
      if (target !== 'terminated' && (state === 'terminated' || state === 'shutting-down')) {
        return {
          state: 'failure',
          reason: `the instance is ${state}${inst.StateTransitionReason ? ` (${inst.StateTransitionReason})` : ''}; something outside winami terminated it`,
        };
      }
      // Already on its way: the last transition is short, so check often from here on.
      const near = (target === 'stopped' && state === 'stopping') || (target === 'running' && state === 'pending');
      return { state: 'retry', observed: `state ${state ?? 'unknown'}`, ...(near ? { etaMs: d.minDelayMs } : {}) };
    },
    timeoutMs: o.timeoutMs,
    ...d,
    // The call that starts a transition returns before it can have finished.
    initialDelayMs: Math.max(d.minDelayMs, o.earliestMs ?? 0),
    ...(o.expectedMs === undefined ? {} : { expectedMs: o.expectedMs }),
    ...(o.signal ? { abortSignal: o.signal } : {}),
    clock: ctx.clock,
    onObservation: (observed) => reportTo(ctx.reporter).debug('bake.wait', `${instanceId}: ${observed}`, { instanceId, target }),
  }) as Promise<Instance>;
}

/** The pause between TerminateInstances calls that answered NotFound (real ms). */
const NOT_FOUND_RETRY_MS = 500;

/**
 * Terminate an instance (idempotent: gone already is fine) and wait until it
 * is terminated; `alreadyTerminating` skips the call when one was made.
 */
export async function terminateAndWait(
  ctx: BakeContext,
  ec2: Ec2Port,
  instanceId: string,
  signal: AbortSignal,
  timeoutMs: number,
  alreadyTerminating = false,
): Promise<void> {
  if (!alreadyTerminating) {
    // An instance launched moments ago can answer InvalidInstanceID.NotFound (eventual consistency): retry for a
    // while before calling it gone, or it would be left running. The grace is real time, as EC2's lag is.
    const graceEnds = ctx.clock.now() + Math.max(timeoutMs, graceMs(ctx));
    for (;;) {
      try {
        await retryLater(() => ec2.terminateInstances({ InstanceIds: [instanceId] }, { abortSignal: signal }), {
          deadlineMs: timeoutMs,
          minDelayMs: scaled(ctx, 1_000),
          signal,
          clock: ctx.clock,
        });
        break;
      } catch (err) {
        if (!isAwsCode(err, 'InvalidInstanceID.NotFound')) throw err;
        if (ctx.clock.now() >= graceEnds) return;
        await ctx.clock.sleep(NOT_FOUND_RETRY_MS, signal);
      }
    }
  }
  await waitForInstanceState(ctx, ec2, instanceId, 'terminated', { timeoutMs, expectedMs: scaled(ctx, EXPECTED_MS.terminate), signal });
}

/** Delete a snapshot; already gone is fine. */
export async function deleteSnapshot(ec2: Ec2Port, snapshotId: string, signal?: AbortSignal): Promise<void> {
  try {
    await ec2.deleteSnapshot({ SnapshotId: snapshotId }, signal ? { abortSignal: signal } : undefined);
  } catch (err) {
    if (!isAwsCode(err, 'InvalidSnapshot.NotFound')) throw err;
  }
}

/** The last lines of the instance's console output, or a note why there is none. */
export async function consoleTail(ec2: Ec2Port, instanceId: string, lines = 15, signal?: AbortSignal): Promise<string> {
  try {
    const out = await ec2.getConsoleOutput({ InstanceId: instanceId, Latest: true }, signal ? { abortSignal: signal } : undefined);
    if (!out.Output) return '(the console output is empty)';
    const text = Buffer.from(out.Output, 'base64').toString('utf8');
    return text.replace(/\s+$/, '').split(/\r?\n/).slice(-lines).join('\n');
  } catch (err) {
    return `(console output unavailable: ${(err as Error).message})`;
  }
}

/**
 * While waiting on a builder just launched: throw a StepError if EC2 shows it
 * terminated (or terminating). An instance EC2 does not list yet is not gone:
 * new ids answer InvalidInstanceID.NotFound for a while (eventual consistency).
 */
export function assertNotTerminated(step: string, instanceId: string, inst: Instance | undefined): void {
  if (inst) assertAlive(step, instanceId, inst);
}

/** Throw a StepError unless the instance still exists and is not terminated. */
export function assertAlive(step: string, instanceId: string, inst: Instance | undefined): void {
  const state = inst?.State?.Name;
  if (!inst || state === 'terminated' || state === 'shutting-down') {
    throw new StepError(step, `the builder ${instanceId} is ${state ?? 'gone'}: something outside winami terminated it`, {
      hint: 'Check CloudTrail for TerminateInstances on this instance, and any automation that terminates untagged or idle instances.',
    });
  }
}

/**
 * The cleanup of an image the bake made (the image or a copy): after a
 * successful bake it is kept as an output and tagged complete; otherwise it is
 * discarded with its snapshots. Returns the snapshots deleted.
 */
export async function keepOrDiscardImage(state: BakeState, ctx: StepCtx, made: MadeImage, role: 'image' | 'copy'): Promise<string[]> {
  const snapshotRole = `${role}-snapshot`;
  if (ctx.outcome === 'ok') {
    const mine = state.resources.filter(
      (r) => r.region === made.region && (r.id === made.imageId || (r.role === snapshotRole && made.snapshotIds.includes(r.id))),
    );
    for (const r of mine) markKept(state, ctx, r, 'output');
    await tagComplete(ctx.session.ec2(made.region), made.region, made.imageId, ctx);
    return [];
  }
  const { deletedSnapshots: deleted } = await discardImage(ctx.session.ec2(made.region), made.imageId, {
    abortSignal: ctx.signal,
    // Made moments ago, EC2 may not know it yet: a NotFound within the grace is its lag, not absence.
    notFoundGraceMs: Math.max(0, graceEndOf(state, ctx, made.imageId, made.region) - ctx.clock.now()),
    // A half-made image lists none of the snapshots CreateImage (or CopyImage) already started.
    snapshotFilters: [
      { Name: `tag:${BUILD_ID_TAG}`, Values: [state.buildId] },
      { Name: `tag:${ROLE_TAG}`, Values: [role] },
    ],
    retry: { deadlineMs: scaled(ctx, state.config.deadlines.cleanup), minDelayMs: scaled(ctx, 1_000), clock: ctx.clock },
    pendingWait: { timeoutMs: scaled(ctx, state.config.deadlines.cleanup), ...delays(ctx, 'image'), clock: ctx.clock },
    // Only a bake that enables Fast Launch can have left it on an image.
    ...(state.config.image.fastLaunch
      ? { fastLaunchWait: { timeoutMs: scaled(ctx, state.config.deadlines.cleanup), ...delays(ctx, 'image'), clock: ctx.clock } }
      : {}),
  });
  markRemoved(state, ctx, made.imageId, made.region);
  for (const s of deleted) {
    if (!state.resources.some((r) => r.id === s)) track(state, ctx, { kind: 'snapshot', id: s, region: made.region, role: snapshotRole });
    markRemoved(state, ctx, s, made.region);
  }
  return deleted;
}
