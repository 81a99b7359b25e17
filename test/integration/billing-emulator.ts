/** Shared setup for the billing and audit integration tests: an emulator and real SDK sessions pointed at it. */
import { startEmulator, EMULATOR_ACCOUNTS } from '../emulator/index.js';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession } from '../../src/aws/ports.js';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

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

export { startEmulator, EMULATOR_ACCOUNTS };
