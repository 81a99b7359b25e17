/**
 * Random series of bakes against the emulator, shared by the small test
 * (bake-chaos.test.ts) and the long script (scripts/chaos-bakes.ts):
 *
 * - kills: the CLI bakes and is killed with SIGKILL at a random moment, then
 *   `cleanupBuild` runs by its journal or by its build id alone; what the
 *   account still holds (besides a finished bake's outputs) is a leftover.
 * - faults: a bake in this process under random faults (throttling, 5xx,
 *   dropped connections, answers lost after the action ran); after it, what
 *   the account holds besides the outputs must be exactly what the bake
 *   reported left behind, and nothing when it reported nothing.
 *
 * Randomness comes from a seeded generator, so a series can be replayed;
 * the emulator's own `probability` faults draw from Math.random.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import type { Emulator } from '../../emulator/index.js';
import type { Fault } from '../../emulator/options.js';
import { consistencyGraceFor } from './billing-emulator.js';
import { bakeOn, CLI, cliEnv, configFor, leftovers, sessionOn, TIME_SCALE } from './bake-harness.js';

/** A small seeded generator (mulberry32): the same seed gives the same series. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** What the account holds, flattened to `kind id` strings. */
function held(emu: Emulator, outputs: string[]): string[] {
  const l = leftovers(emu, outputs);
  return [
    ...l.instances.map((x) => `instance ${x.split(' ')[0]}`),
    ...l.images.map((x) => `image ${x}`),
    ...l.snapshots.map((x) => `snapshot ${x}`),
    ...l.volumes.map((x) => `volume ${x}`),
    ...l.parameters.map((x) => `parameter ${x}`),
  ].sort();
}

export interface KillRun {
  killedAfterMs: number;
  /** The bake's exit: null when the kill landed, else the code it exited with first. */
  exitCode: number | null;
  cleanedBy: 'journal' | 'build-id' | 'nothing to clean';
  removed: number;
  cleanupFailed: number;
  leftovers: string[];
}

/** The outputs a journal records as kept (a bake that finished before the kill). */
function journalOutputs(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        const r = JSON.parse(l) as { type?: string; reason?: string; id?: string };
        return r.type === 'kept' && r.reason === 'output' && r.id ? [r.id] : [];
      } catch {
        return [];
      }
    });
}

/** One bake through the CLI, killed with SIGKILL after `killAfterMs`, then cleaned up. */
export async function killOne(emu: Emulator, killAfterMs: number, by: 'journal' | 'build-id'): Promise<KillRun> {
  await emu.control.reset();
  const cwd = mkdtempSync(join(tmpdir(), 'winami-chaos-'));
  const child = spawn(process.execPath, [CLI, 'bake', configFor('2022'), '--json', '--no-smoke-test', '--time-scale', String(TIME_SCALE)], {
    cwd,
    env: cliEnv(emu),
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const exitCode = await exited;
  clearTimeout(timer);
  const dir = join(cwd, '.winami', 'builds');
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.jsonl')) : undefined;
  if (!file) return { killedAfterMs: killAfterMs, exitCode, cleanedBy: 'nothing to clean', removed: 0, cleanupFailed: 0, leftovers: held(emu, []) };
  const journal = join(dir, file);
  const buildId = file.slice(0, -'.jsonl'.length);
  const outputs = journalOutputs(journal);
  const session = sessionOn(emu);
  const result =
    by === 'journal'
      ? await cleanupBuild({ session, journal, pollMs: 20, timeoutMs: 20_000, consistencyGraceMs: consistencyGraceFor(emu) })
      : await cleanupBuild({
          session,
          buildId,
          regions: ['us-east-1'],
          journalDir: mkdtempSync(join(tmpdir(), 'winami-nojournal-')),
          pollMs: 20,
          timeoutMs: 20_000,
          consistencyGraceMs: consistencyGraceFor(emu),
        });
  const kept = [...outputs, ...result.kept.filter((k) => k.kind === 'image').map((k) => k.id)];
  return {
    killedAfterMs: killAfterMs,
    exitCode,
    cleanedBy: by,
    removed: result.removed.length,
    cleanupFailed: result.failed.length,
    leftovers: held(emu, kept),
  };
}

export interface FaultRun {
  faults: Fault[];
  ok: boolean;
  exitCode: number;
  /** Injected faults the call log shows (errors answered, connections dropped, answers lost). */
  injected: number;
  /** What the account holds besides the outputs. */
  exists: string[];
  /** What the bake reported left behind. */
  reported: string[];
}

const WAITED = ['DescribeInstances', 'DescribeImages', 'DescribeInstanceInformation', 'GetCommandInvocation', 'DescribeSnapshots'];
const MUTATING = ['RunInstances', 'CreateImage', 'SendCommand', 'CreateTags', 'TerminateInstances', 'StopInstances', 'DeregisterImage', 'DeleteSnapshot'];
const INJECTED = new Set(['RequestLimitExceeded', 'ThrottlingException', 'InternalError', 'ServiceUnavailable', 'ConnectionDropped', 'ResponseLost']);

/** A random mix of faults: always some throttling, plus 5xx, a dropped connection and a lost answer, each more often than not. */
export function randomFaults(rnd: () => number): Fault[] {
  const faults: Fault[] = [];
  const throttled = pick(rnd, WAITED);
  faults.push({
    action: throttled,
    errorCode: throttled === 'DescribeInstanceInformation' || throttled === 'GetCommandInvocation' ? 'ThrottlingException' : 'RequestLimitExceeded',
    probability: 0.2 + rnd() * 0.2,
  });
  if (rnd() < 0.7)
    faults.push({
      action: pick(rnd, [...WAITED, ...MUTATING]),
      errorCode: pick(rnd, ['InternalError', 'ServiceUnavailable']),
      times: 1 + Math.floor(rnd() * 3),
    });
  if (rnd() < 0.7) faults.push({ action: pick(rnd, [...WAITED, ...MUTATING]), drop: true, times: 1 });
  if (rnd() < 0.8) faults.push({ action: pick(rnd, MUTATING), loseResponse: true, times: 1 });
  return faults;
}

/** One bake in this process under `faults`. */
export async function faultOne(emu: Emulator, faults: Fault[]): Promise<FaultRun> {
  await emu.control.reset();
  for (const f of faults) emu.control.addFault(f);
  // The SDK's back-off runs in real time while deadlines shrink with the time scale: give the waits room.
  const roomy = 'deadlines:\n  ssmOnline: 2h\n  customize: 2h\n  sysprep: 2h\n  createImage: 2h\n  cleanup: 1h\n';
  const { result } = await bakeOn(emu, configFor('2022', roomy), { smokeTest: false });
  const injected = emu.control.calls().filter((c) => c.errorCode !== undefined && INJECTED.has(c.errorCode)).length;
  emu.control.clearFaults();
  const outputs = result.images.map((i) => i.imageId);
  return {
    faults,
    ok: result.ok,
    exitCode: result.exitCode,
    injected,
    exists: held(emu, outputs),
    reported: result.leftBehind.map((r) => `${r.kind} ${r.id}`).sort(),
  };
}

export interface SeriesSummary {
  seed: number;
  kills: {
    runs: number;
    killedMidBake: number;
    cleanedByJournal: number;
    cleanedByBuildId: number;
    removed: number;
    cleanupFailures: number;
    leftovers: number;
  };
  faults: { runs: number; succeeded: number; failed: number; faultsInjected: number; leftovers: number; misreported: number };
}

/** Run `kills` killed bakes and `faultRuns` faulted ones; `log` gets one line per run. */
export async function runSeries(
  emu: Emulator,
  o: { seed: number; kills: number; faultRuns: number; maxKillMs: number; log?: (line: string) => void },
): Promise<{ summary: SeriesSummary; killRuns: KillRun[]; faultRuns: FaultRun[] }> {
  const rnd = seeded(o.seed);
  const log = o.log ?? (() => undefined);
  const killRuns: KillRun[] = [];
  for (let i = 0; i < o.kills; i++) {
    const r = await killOne(emu, Math.round(rnd() * o.maxKillMs), rnd() < 0.5 ? 'journal' : 'build-id');
    killRuns.push(r);
    log(
      `kill ${i + 1}/${o.kills}: SIGKILL after ${r.killedAfterMs} ms (${r.exitCode === null ? 'mid-bake' : `had exited ${r.exitCode}`}), cleanup by ${r.cleanedBy}: removed ${r.removed}, failed ${r.cleanupFailed}, leftovers ${r.leftovers.length ? r.leftovers.join(', ') : 'none'}`,
    );
  }
  const faultRuns: FaultRun[] = [];
  for (let i = 0; i < o.faultRuns; i++) {
    const r = await faultOne(emu, randomFaults(rnd));
    faultRuns.push(r);
    const what = r.faults
      .map(
        (f) =>
          `${f.action}:${f.errorCode ?? (f.drop ? 'drop' : f.loseResponse ? 'lose' : '?')}${f.times ? `x${f.times}` : ''}${f.probability ? `@${f.probability.toFixed(2)}` : ''}`,
      )
      .join(' ');
    log(
      `faults ${i + 1}/${o.faultRuns}: [${what}] → ${r.ok ? 'ok' : `failed (exit ${r.exitCode})`}, ${r.injected} faults hit, exists ${r.exists.length ? r.exists.join(', ') : 'nothing'}, reported ${r.reported.length ? r.reported.join(', ') : 'nothing'}`,
    );
  }
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const summary: SeriesSummary = {
    seed: o.seed,
    kills: {
      runs: killRuns.length,
      killedMidBake: killRuns.filter((r) => r.exitCode === null).length,
      cleanedByJournal: killRuns.filter((r) => r.cleanedBy === 'journal').length,
      cleanedByBuildId: killRuns.filter((r) => r.cleanedBy === 'build-id').length,
      removed: killRuns.reduce((n, r) => n + r.removed, 0),
      cleanupFailures: killRuns.reduce((n, r) => n + r.cleanupFailed, 0),
      leftovers: killRuns.reduce((n, r) => n + r.leftovers.length, 0),
    },
    faults: {
      runs: faultRuns.length,
      succeeded: faultRuns.filter((r) => r.ok).length,
      failed: faultRuns.filter((r) => !r.ok).length,
      faultsInjected: faultRuns.reduce((n, r) => n + r.injected, 0),
      leftovers: faultRuns.reduce((n, r) => n + r.exists.length, 0),
      misreported: faultRuns.filter((r) => !same(r.exists, r.reported)).length,
    },
  };
  return { summary, killRuns, faultRuns };
}
