/**
 * The build journal: an append-only JSON-lines file, one record per event that
 * matters for clean-up (build started, resource created, resource removed,
 * build finished). Each record is written and fsync'd before the bake waits on
 * anything, so even after SIGKILL `winami cleanup --journal <file>` knows what
 * existed. Records hold ids and regions only, never secret values.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResourceKind } from './state.js';

/** One journal line. */
export type JournalRecord =
  | { type: 'build'; buildId: string; region: string; regions: string[]; name: string; time: string }
  /** Written before a create call: if no `created` record of its kind, region and role follows, its answer never came. */
  | { type: 'creating'; kind: ResourceKind; region: string; role: string; time: string }
  | { type: 'created'; kind: ResourceKind; id: string; region: string; role: string; time: string }
  /** A create call AWS refused outright (a client error at its only attempt): it made nothing, and answers its `creating` record. */
  | { type: 'refused'; kind: ResourceKind; region: string; role: string; time: string }
  | { type: 'removed'; kind: ResourceKind; id: string; region: string; time: string }
  | { type: 'kept'; kind: ResourceKind; id: string; region: string; reason: string; time: string }
  | { type: 'finished'; ok: boolean; time: string }
  /** A build an AWS engine runs (`--engine imagebuilder`: the Image Builder image ARN); `winami cleanup` stops it and removes what it made. */
  | { type: 'execution'; engine: 'imagebuilder'; arn: string; region: string; time: string };

/** Default journal location: `.winami/builds/<build-id>.jsonl` under `dir`. */
export function journalPath(dir: string, buildId: string): string {
  return join(dir, '.winami', 'builds', `${buildId}.jsonl`);
}

/** Appends records durably. */
export interface Journal {
  readonly path: string;
  append(record: JournalRecord): void;
}

/** Open (create) a journal file for appending. */
export function openJournal(path: string): Journal {
  mkdirSync(dirname(path), { recursive: true });
  return {
    path,
    append(record) {
      const fd = openSync(path, 'a', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(record)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** A journal that keeps records in memory (dry runs, tests). */
export function memoryJournal(): Journal & { records: JournalRecord[] } {
  const records: JournalRecord[] = [];
  return { path: '<memory>', records, append: (r) => void records.push(r) };
}

/** What a journal says about a build. */
export interface JournalSummary {
  buildId: string | undefined;
  regions: string[];
  /** Resources created and not recorded as removed (or kept as outputs), in creation order; `time` in epoch ms. */
  outstanding: { kind: ResourceKind; id: string; region: string; role: string; time: number }[];
  /**
   * Create calls no `created` record answers: the call failed, or its answer
   * was lost, or the process died during it. What it made (if anything) has an
   * id no record names; `time` (epoch ms) is when the call was made.
   */
  unconfirmed: { kind: ResourceKind; region: string; role: string; time: number }[];
  finished: boolean | undefined;
  /** Engine builds the journal records (`execution` records), in order. */
  executions: { engine: 'imagebuilder'; arn: string; region: string }[];
}

/** Read a journal; a torn last line (the process died mid-write) is ignored. */
export function readJournal(path: string): JournalSummary {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const summary: JournalSummary = { buildId: undefined, regions: [], outstanding: [], unconfirmed: [], finished: undefined, executions: [] };
  const live = new Map<string, JournalSummary['outstanding'][number]>();
  const unconfirmed: JournalSummary['unconfirmed'] = [];
  const sameCall = (a: { kind: string; region: string; role: string }, b: { kind: string; region: string; role: string }) =>
    a.kind === b.kind && a.region === b.region && a.role === b.role;
  const regions = new Set<string>();
  for (const line of lines) {
    let r: JournalRecord;
    try {
      r = JSON.parse(line) as JournalRecord;
    } catch {
      continue;
    }
    switch (r.type) {
      case 'build':
        summary.buildId = r.buildId;
        regions.add(r.region);
        r.regions.forEach((x) => regions.add(x));
        break;
      case 'creating':
        unconfirmed.push({ kind: r.kind, region: r.region, role: r.role, time: Date.parse(r.time) });
        regions.add(r.region);
        break;
      case 'created': {
        live.set(`${r.region}/${r.id}`, { kind: r.kind, id: r.id, region: r.region, role: r.role, time: Date.parse(r.time) });
        regions.add(r.region);
        const answered = unconfirmed.findIndex((u) => sameCall(u, r));
        if (answered >= 0) unconfirmed.splice(answered, 1);
        break;
      }
      case 'refused': {
        const answered = unconfirmed.findIndex((u) => sameCall(u, r));
        if (answered >= 0) unconfirmed.splice(answered, 1);
        break;
      }
      case 'removed':
      case 'kept':
        live.delete(`${r.region}/${r.id}`);
        break;
      case 'finished':
        summary.finished = r.ok;
        break;
      case 'execution':
        summary.executions.push({ engine: r.engine, arn: r.arn, region: r.region });
        regions.add(r.region);
        break;
    }
  }
  summary.regions = [...regions];
  summary.outstanding = [...live.values()];
  summary.unconfirmed = unconfirmed;
  return summary;
}
