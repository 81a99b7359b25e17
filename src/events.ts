/**
 * The registry of event codes whose payload is part of the contract, with its
 * type (as the CDK toolkit's message registry does). `reportTo(r).info(code,
 * message, data)` checks `data` against it for every code listed here;
 * consumers (the CLI's progress display, the text reporter, library users)
 * match on it with `isEvent` and `stepOutcome` instead of taking codes apart.
 *
 * The runner's step events carry the run's prefix (`bake.step.start`,
 * `batch.step.start` …), hence the template keys. Codes not listed here are
 * free-form: their `data` is any record, stable only as far as their docs say.
 */

/** A step's entry in `bake.plan`. */
export interface PlannedStepEvent {
  name: string;
  title: string;
  /** The config deadline that bounds the step, in ms, if any. */
  deadlineMs: number | undefined;
}

/** Payload types by event code. */
export interface EventData {
  /** The plan, before the first step. */
  'bake.plan': { buildId: string; imageName: string; regions: string[]; steps: PlannedStepEvent[] };
  [code: `${string}.step.start`]: { step: string; index: number; total: number };
  [code: `${string}.step.ok`]: { step: string; durationMs: number };
  [code: `${string}.step.failed`]: { step: string; durationMs: number };
  [code: `${string}.step.cancelled`]: { step: string; durationMs: number };
  [code: `${string}.cleanup.failed`]: { step: string };
  [code: `${string}.cleanup.timeout`]: { step: string };
  /** What a wait last observed (debug level). */
  'bake.wait': { step?: string; instanceId?: string; target?: string };
  'bake.resource.created': { kind: string; id: string; region: string; role: string };
  'bake.resource.removed': { kind: string; id: string; region: string };
  'bake.left-behind': { resources: unknown[]; cleanupCommand: string };
  'bake.done': { buildId: string; images: unknown[] };
}

/** The payload for a code: its registered type, or any record for a free-form code. */
export type DataFor<C extends string> = C extends keyof EventData ? EventData[C] : Record<string, unknown>;

/** What the registry needs of an event (a `WinamiEvent` has it; the reporter module imports this one, not the reverse). */
interface CodedEvent {
  code: string;
  data?: Record<string, unknown> | undefined;
}

/** An event whose code is `C`, with its typed payload. */
export type EventOf<E extends CodedEvent, C extends keyof EventData & string> = E & { code: C; data: EventData[C] };

/** True when `e` has code `code` (its data then has that code's type). */
export function isEvent<E extends CodedEvent, C extends keyof EventData & string>(e: E, code: C): e is EventOf<E, C> {
  return e.code === code && e.data !== undefined;
}

/** How a step ended, from a `<prefix>.step.ok|failed|cancelled` event; `undefined` for any other event. */
export function stepOutcome(e: CodedEvent, prefix = 'bake'): 'ok' | 'failed' | 'cancelled' | undefined {
  for (const s of ['ok', 'failed', 'cancelled'] as const) if (e.code === `${prefix}.step.${s}`) return s;
  return undefined;
}
