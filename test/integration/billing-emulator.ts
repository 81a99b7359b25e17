/** Shared setup for the billing and audit integration tests: an emulator and real SDK sessions pointed at it. */
import { startEmulator as startPlainEmulator, EMULATOR_ACCOUNTS, type EmulatorOptions } from '../../emulator/index.js';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession } from '../../src/aws/ports.js';
import { copyImageToRegion } from '../../src/billing/copy.js';
import { resolveExpectation } from '../../src/billing/expectations.js';

export type Emulator = Awaited<ReturnType<typeof startPlainEmulator>>;

/**
 * How long new instance and image ids answer NotFound in the integration tests
 * (real ms): AWS's eventual consistency, on by default so every read after a
 * create in winami meets it and has to retry. Benchmarks start the emulator
 * without it, so their figures stay comparable.
 */
export const TEST_CONSISTENCY_WINDOW_MS = 300;

/**
 * Wait out the consistency window, for test set-up that creates resources and
 * then reads them itself (as a person would wait before looking them up).
 */
export function afterConsistencyWindow(): Promise<void> {
  return new Promise((r) => setTimeout(r, TEST_CONSISTENCY_WINDOW_MS + 50));
}

const windows = new WeakMap<Emulator, number>();

/** `startEmulator` with eventual consistency on unless the test says otherwise. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startPlainEmulator({ consistencyWindowMs: TEST_CONSISTENCY_WINDOW_MS, ...options });
  windows.set(emu, options.consistencyWindowMs ?? TEST_CONSISTENCY_WINDOW_MS);
  return emu;
}

/**
 * The consistency grace winami is given against this emulator (real ms): well
 * past its window, so a NotFound after it means absent, and far shorter than
 * the 10 s default meant for AWS, so tests stay fast.
 */
export function consistencyGraceFor(emu: Emulator): number {
  return Math.max(1_000, 2 * (windows.get(emu) ?? TEST_CONSISTENCY_WINDOW_MS) + 200);
}

/** A session for one of the emulator's accounts (index 0..2). */
export function sessionFor(emu: Emulator, accountIndex = 0, region = 'us-east-1'): AwsSession {
  const a = EMULATOR_ACCOUNTS[accountIndex]!;
  return createAwsSession({ region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 8 });
}

/** Fast polling for tests on a scaled-down emulator. */
export const FAST_WAIT = { timeoutMs: 20_000, minDelayMs: 20, maxDelayMs: 100 };

/** Live (not deregistered/deleted) images and snapshots an account holds in a region, from the emulator's own view. */
export function liveResources(emu: Emulator, account: string, region?: string): { images: string[]; snapshots: string[] } {
  const r = emu.control.resources({ account, ...(region ? { region } : {}) }) as unknown as {
    images?: { id?: string; ImageId?: string }[];
    snapshots?: { id?: string; SnapshotId?: string }[];
  };
  return {
    images: (r.images ?? []).map((i) => i.id ?? i.ImageId ?? '?'),
    snapshots: (r.snapshots ?? []).map((s) => s.id ?? s.SnapshotId ?? '?'),
  };
}

/**
 * Leave billed snapshots with no image in us-east-1 of an account: copy its first own image, then deregister the
 * copy without deleting its snapshots (what the audit reports as orphaned).
 */
export async function orphanSnapshots(emu: Emulator, accountIndex: number): Promise<void> {
  const s = sessionFor(emu, accountIndex);
  const src = (await s.ec2('us-east-1').describeImages({ Owners: ['self'] })).Images![0]!;
  const copy = await copyImageToRegion(
    s,
    { region: 'us-east-1' },
    {
      sourceImageId: src.ImageId!,
      sourceRegion: 'us-east-1',
      name: 'to-orphan',
      expectation: resolveExpectation({ lineage: src }),
      clientTokenPrefix: 'orphan',
      wait: FAST_WAIT,
    },
  );
  await s.ec2('us-east-1').deregisterImage({ ImageId: copy.imageId! });
}

export { EMULATOR_ACCOUNTS };
