/**
 * Bake progress for people and pipelines. On a TTY: the step list with a
 * marker and elapsed time per step and the latest AWS state, redrawn in place
 * (several bakes at once: one line per bake, its current step).
 * Not a TTY: one plain line per event worth reading. `--json`: every event as
 * one JSON line on stdout.
 */
import type { Reporter, WinamiEvent } from '../reporter.js';
import { isEvent, stepOutcome, type EventCode } from '../events.js';
import { safeJson, visibleLine } from '../util/visible-text.js';
import { rawStderr } from './streams.js';
import textWidth from './text-width.js';

/**
 * `line` cut to fit `columns - 1` terminal columns, ending in `…` when cut. A
 * line that wrapped would take two rows while the redraw moves the cursor up
 * one per line: the rows above would be left behind, or overwritten.
 */
export function fitLine(line: string, columns: number): string {
  const max = Math.max(1, columns - 1);
  if (textWidth(line) <= max) return line;
  let out = '';
  for (const ch of line) {
    if (textWidth(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export interface ProgressOptions {
  mode: 'tty' | 'plain' | 'json';
  /** Where the step list and plain lines go; default stderr. */
  out?: Pick<NodeJS.WritableStream, 'write'>;
  /** Where `--json` events go; default stdout. */
  jsonOut?: Pick<NodeJS.WritableStream, 'write'>;
  now?: () => number;
  /** The terminal's width in columns (tty mode); default stderr's, else 80. */
  columns?: number;
}

interface Row {
  name: string;
  title: string;
  status: 'pending' | 'running' | 'ok' | 'failed' | 'cancelled';
  startedAt?: number;
  durationMs?: number;
}

const MARK: Record<Row['status'], string> = { pending: ' ', running: '>', ok: '✓', failed: '✗', cancelled: '-' };
const QUIET_CODES: ReadonlySet<EventCode> = new Set<EventCode>(['bake.wait', 'bake.resource.created', 'bake.resource.removed']);

/** `42 s`, `3 min 05 s`. */
function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** A reporter that renders bake progress; `stop()` ends the redraw timer. */
export function progressReporter(o: ProgressOptions): Reporter & { stop(): void } {
  const out = o.out ?? rawStderr;
  const now = o.now ?? Date.now;
  if (o.mode === 'json') {
    const jsonOut = o.jsonOut ?? process.stdout;
    return { emit: (e) => void jsonOut.write(`${safeJson({ time: new Date().toISOString(), ...e })}\n`), stop() {} };
  }
  if (o.mode === 'plain') {
    return {
      emit(e: WinamiEvent) {
        if (e.level === 'debug' || (QUIET_CODES.has(e.code) && e.level === 'info')) return;
        const t = new Date().toISOString().slice(11, 19);
        const d = (e.data ?? {}) as { durationMs?: unknown; batchIndex?: unknown; config?: unknown };
        const took = stepOutcome(e) && typeof d.durationMs === 'number' ? ` (${seconds(d.durationMs)})` : '';
        const of = typeof d.batchIndex === 'number' && typeof d.config === 'string' ? `[${visibleLine(d.config)}] ` : '';
        out.write(`${t} ${of}${e.level === 'info' ? '' : `${e.level}: `}${visibleLine(e.message)}${took}\n`);
      },
      stop() {},
    };
  }
  // One step list per bake; with several bakes at once (events tagged with
  // `batchIndex` by bakeMany), one line per bake: its current step.
  const bakes = new Map<number, { label: string; rows: Row[]; observed: string }>();
  const bakeOf = (d: Record<string, unknown>) => {
    const key = typeof d.batchIndex === 'number' ? d.batchIndex : -1;
    let b = bakes.get(key);
    if (!b) bakes.set(key, (b = { label: typeof d.config === 'string' ? visibleLine(d.config) : '', rows: [], observed: '' }));
    return b;
  };
  const notes: string[] = [];
  const columns = o.columns ?? (process.stderr.columns || 80);
  let drawn = 0;
  let stopped = false;
  const elapsed = (r: Row) => {
    const ms = r.status === 'running' && r.startedAt !== undefined ? now() - r.startedAt : r.durationMs;
    return ms === undefined ? '' : ` ${seconds(ms)}`;
  };
  const rowLine = (r: Row, observed: string) => ` ${MARK[r.status]} ${r.title}${elapsed(r)}${r.status === 'running' && observed ? `  (${observed})` : ''}`;
  const bakeLine = (b: { label: string; rows: Row[]; observed: string }) => {
    const current =
      b.rows.find((r) => r.status === 'running' || r.status === 'failed' || r.status === 'cancelled') ?? [...b.rows].reverse().find((r) => r.status === 'ok');
    const done = b.rows.filter((r) => r.status === 'ok').length;
    if (!current) return `   ${b.label}: waiting`;
    return `${rowLine(current, b.observed)}  [${b.label}, step ${done + (current.status === 'ok' ? 0 : 1)} of ${b.rows.length}]`;
  };
  // Redraws the rows it drew last in place. Once stopped it only appends notes: the command prints its
  // result below the last drawing, and moving up over that would overwrite it.
  const draw = () => {
    if (stopped) {
      for (const n of notes.splice(0)) out.write(`${n}\n`);
      return;
    }
    const all = [...bakes.values()];
    const lines = (
      all.length > 1 || (all.length === 1 && all[0]!.label) ? all.map(bakeLine) : all.flatMap((b) => b.rows.map((r) => rowLine(r, b.observed)))
    ).map((l) => fitLine(l, columns));
    if (drawn) out.write(`\x1b[${drawn}F\x1b[J`);
    for (const n of notes.splice(0)) out.write(`${n}\n`);
    if (lines.length) out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    emit(raw: WinamiEvent) {
      // The display draws with ESC sequences of its own: what it shows from events is made visible first.
      const e = { ...raw, message: visibleLine(raw.message) };
      const d = (e.data ?? {}) as Record<string, unknown>;
      const of = typeof d.batchIndex === 'number' && typeof d.config === 'string' ? `[${visibleLine(d.config)}] ` : '';
      const outcome = stepOutcome(e);
      if (isEvent(e, 'bake.plan') && Array.isArray(e.data.steps)) {
        const b = bakeOf(d);
        for (const s of e.data.steps) b.rows.push({ name: s.name, title: visibleLine(s.title), status: 'pending' });
        notes.push(`${of}${e.message}`);
      } else if (isEvent(e, 'bake.step.start')) {
        const b = bakeOf(d);
        const r = b.rows.find((x) => x.name === e.data.step);
        if (r) Object.assign(r, { status: 'running', startedAt: now() });
        b.observed = '';
      } else if (outcome) {
        const r = bakeOf(d).rows.find((x) => x.name === d.step);
        if (r) Object.assign(r, { status: outcome, durationMs: d.durationMs as number });
        if (e.level === 'error') notes.push(`${of}error: ${e.message}`);
      } else if (isEvent(e, 'bake.wait')) {
        bakeOf(d).observed = e.message;
      } else if (e.level === 'warn' || e.level === 'error') {
        notes.push(`${of}${e.level}: ${e.message}`);
      } else if (e.level === 'info' && !QUIET_CODES.has(e.code) && !e.code.startsWith('bake.step')) {
        notes.push(`  ${of}${e.message}`);
      }
      draw();
    },
    stop() {
      clearInterval(timer);
      draw();
      stopped = true;
    },
  };
}
