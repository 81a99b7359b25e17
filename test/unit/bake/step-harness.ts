/**
 * Run one bake step alone: a StepCtx whose AWS session hands out stub ports
 * (plain objects with only the methods a test scripts), each call recorded
 * with its region and input; a virtual clock whose sleep advances its time
 * and returns at once; a memory journal and a memory reporter.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsSession, Ec2Port, SsmPort } from '../../../src/aws/ports.js';
import { AWS_POLL_DELAYS, type StepCtx } from '../../../src/bake/context.js';
import { memoryJournal, type JournalRecord } from '../../../src/bake/journal.js';
import type { Outcome } from '../../../src/bake/runner.js';
import { initialState, type BakeState } from '../../../src/bake/state.js';
import type { Bundle } from '../../../src/bake/bundle-types.js';
import { parseConfig } from '../../../src/config/load.js';
import { CancelledError } from '../../../src/errors.js';
import { MemoryReporter } from '../../../src/reporter.js';

/** What a stub method answers: an output, or a thrown error. `n` counts the method's calls in that region, from 1. */
export type Handler = (input: any, n: number) => unknown;

/** One recorded call. */
export interface Call {
  service: 'ec2' | 'ssm';
  region: string;
  method: string;
  input: any;
}

/** Methods per service, for every region or keyed by region. */
export type PortScript = Record<string, Handler>;
export interface SessionScript {
  ec2?: PortScript | Record<string, PortScript>;
  ssm?: PortScript | Record<string, PortScript>;
}

/** An error shaped like the SDK's service exceptions: `name` is the AWS code, `$metadata` the HTTP answer. */
export function awsError(code: string, message = code, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts: 1 },
  });
}

/** A handler that gives the answers in turn (the last one again after that); an Error answer is thrown. */
export function answers(...seq: unknown[]): Handler {
  return (_input, n) => {
    const a = seq[Math.min(n, seq.length) - 1];
    if (a instanceof Error) throw a;
    return a;
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** A session whose ec2()/ssm() ports answer from the script; `calls` lists every call in order. */
export function stubSession(script: SessionScript, defaultRegion = 'us-east-1') {
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  const ports = new Map<string, object>();
  const scriptFor = (service: 'ec2' | 'ssm', region: string): PortScript => {
    const s = script[service] ?? {};
    const keys = Object.keys(s);
    if (keys.length && keys.every((k) => REGION.test(k))) return (s as Record<string, PortScript>)[region] ?? {};
    return s as PortScript;
  };
  const port = (service: 'ec2' | 'ssm', region = defaultRegion): object => {
    const key = `${service}/${region}`;
    let p = ports.get(key);
    if (!p) {
      p = Object.fromEntries(
        Object.entries(scriptFor(service, region)).map(([method, handler]) => [
          method,
          async (input: unknown) => {
            calls.push({ service, region, method, input });
            const k = `${key}/${method}`;
            const n = (counts.get(k) ?? 0) + 1;
            counts.set(k, n);
            return handler(input, n);
          },
        ]),
      );
      ports.set(key, p);
    }
    return p;
  };
  const session = {
    defaultRegion,
    ec2: (region?: string) => port('ec2', region) as unknown as Ec2Port,
    ssm: (region?: string) => port('ssm', region) as unknown as SsmPort,
    sts: () => {
      throw new Error('sts is not stubbed');
    },
    iam: () => {
      throw new Error('iam is not stubbed');
    },
    kms: () => {
      throw new Error('kms is not stubbed');
    },
    assumeRole: async () => session,
  } as unknown as AwsSession;
  return {
    session,
    calls,
    /** The calls of one method (in any region unless given), in order. */
    callsTo: (method: string, region?: string) => calls.filter((c) => c.method === method && (region === undefined || c.region === region)),
  };
}

/** A clock of virtual ms: sleep advances it and returns on the next turn of the event loop. */
export function virtualClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new CancelledError();
      sleeps.push(ms);
      t += ms;
      await new Promise<void>((r) => setImmediate(r));
    },
  };
}

/** A config for step tests; `extra` is merged at the top level of the written config. */
export function stepConfig(extra: Record<string, unknown> = {}) {
  return parseConfig(JSON.stringify({ name: 'golden', region: 'us-east-1', windows: { release: '2022' }, builder: { instanceProfile: 'p' }, ...extra }), {
    configPath: join(tmpdir(), 'winami-steps.yaml'),
  });
}

/** A fresh state with build id `b-1` and image name `golden-b-1`. */
export function stepState(extra: Record<string, unknown> = {}): BakeState {
  return initialState('b-1', stepConfig(extra), 'golden-b-1');
}

/** A bundle holding only these files (scripts the SSM steps send). */
export function bundleOf(files: Record<string, string>): Bundle {
  return {
    files: Object.entries(files).map(([path, text]) => ({ path, content: Buffer.from(text, 'utf8'), sha256: '', role: 'script' })),
  } as unknown as Bundle;
}

export interface CtxOptions {
  step: string;
  outcome?: Outcome;
  onError?: 'cleanup' | 'keep';
  /** The step's deadline in ms of the virtual clock (timeLeft counts down from it); none by default. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** A StepCtx as the bake builds it (AWS delays at time scale 1/1000), over the stub session. */
export function stepCtx(session: AwsSession, o: CtxOptions) {
  const clock = virtualClock();
  const reporter = new MemoryReporter();
  const journal = memoryJournal();
  const t0 = clock.now();
  const ctx: StepCtx = {
    session,
    reporter,
    journal,
    timeScale: 0.001,
    delays: AWS_POLL_DELAYS,
    clock,
    onError: o.onError ?? 'cleanup',
    env: {},
    renderBundle: async () => {
      throw new Error('renderBundle is not used by step tests');
    },
    consistencyGraceMs: 0,
    signal: o.signal ?? new AbortController().signal,
    step: o.step,
    outcome: o.outcome,
    timeLeft: () => (o.deadlineMs === undefined ? Infinity : o.deadlineMs - (clock.now() - t0)),
  };
  return { ctx, clock, reporter, journal };
}

/** The same context as a cleanup sees it after the run ended with `outcome`. */
export function cleanupCtx(ctx: StepCtx, outcome: Outcome): StepCtx {
  return { ...ctx, outcome, signal: new AbortController().signal, timeLeft: () => Infinity };
}

/** Journal records as `type kind id@region` strings, for compact assertions. */
export function journalLines(records: JournalRecord[]): string[] {
  return records.map((r) => {
    switch (r.type) {
      case 'creating':
        return `creating ${r.kind} (${r.role})@${r.region}`;
      case 'created':
        return `created ${r.kind} ${r.id} (${r.role})@${r.region}`;
      case 'removed':
        return `removed ${r.kind} ${r.id}@${r.region}`;
      case 'kept':
        return `kept ${r.kind} ${r.id}@${r.region} ${r.reason}`;
      default:
        return r.type;
    }
  });
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}
