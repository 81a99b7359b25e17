/**
 * Reports written as findings come, in every format, so an audit's memory
 * does not grow with its findings. JSON and SARIF open their document, write
 * each finding into the findings/results array and close with the totals and
 * failures (still one valid document); CSV writes rows; the table and the
 * HTML report, whose totals come first, spool their rows to a temporary file
 * and write totals, then the spooled rows, at the end (the HTML report one
 * spool per rule, so its findings come out grouped by rule). Findings appear
 * in the order they were made, not sorted (`formatAudit` sorts a kept result).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditResult, RuleInfo } from '../result.js';
import type { Finding } from '../types.js';
import { CSV_HEAD, csvRow } from './csv.js';
import type { AuditFormat } from './index.js';
import { htmlGroupHead, htmlGroupTail, htmlHead, htmlRow, htmlTail, OTHER_RULES, rulesBySeverity, ScopeTally } from './html.js';
import { JSON_HEAD, jsonItem, jsonTail } from './json.js';
import { sarifStream } from './sarif.js';
import { tableHead, tableRow, tableTail } from './table.js';

/** A writable byte sink: a file stream, or the process's stdout. */
export interface ReportOutput {
  write(chunk: string | Buffer): boolean;
  /** Node's writables say whether they are full; without it, the last write's answer is trusted. */
  readonly writableNeedDrain?: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface ReportWriterOptions {
  rules: readonly RuleInfo[];
  toolVersion?: string;
  width?: number;
  /** The table wraps long messages instead of cutting them (for a pipe or a file, where nothing should be lost). */
  wrap?: boolean;
  /** Directory for the table's and HTML's spool; default the OS's temporary directory. */
  spoolDir?: string;
}

/** Writes one report as the audit runs. */
export interface AuditReportWriter {
  /** Write one finding. */
  finding(f: Finding): void;
  /** Resolves when the output (or spool) has room again: call it between pages. */
  drain(): Promise<void>;
  /** Write what needs the whole audit (totals, failures) and finish; `result.findings` is not read. */
  end(result: AuditResult): Promise<void>;
  /** Give up (the audit was interrupted): remove the spool; the output is left incomplete. */
  abort(): Promise<void>;
}

async function writeAll(out: ReportOutput, text: string | Buffer): Promise<void> {
  if (!out.write(text) && out.writableNeedDrain !== false) await once(out as unknown as NodeJS.EventEmitter, 'drain');
}

/** A writer for the formats whose text can go straight out (JSON, SARIF, CSV). */
function direct(
  out: ReportOutput,
  head: string,
  item: (f: Finding, first: boolean) => string,
  tail: (r: AuditResult, any: boolean) => string,
): AuditReportWriter {
  let first = true;
  let headWritten = false;
  let pressure = false;
  const put = (s: string) => {
    if (!out.write(s)) pressure = true;
  };
  // Whether the output is still full now: its 'drain' may have come and gone since the write that filled it.
  const full = () => (typeof out.writableNeedDrain === 'boolean' ? out.writableNeedDrain : pressure);
  return {
    finding(f) {
      if (!headWritten) {
        put(head);
        headWritten = true;
      }
      put(item(f, first));
      first = false;
    },
    async drain() {
      if (!full()) return;
      pressure = false;
      await once(out as unknown as NodeJS.EventEmitter, 'drain');
    },
    async end(result) {
      if (!headWritten) put(head);
      await writeAll(out, tail(result, !first));
    },
    async abort() {},
  };
}

/** A writer that spools rows and writes head, rows, tail at the end (table, HTML). */
async function spooled(
  out: ReportOutput,
  dir: string | undefined,
  row: (f: Finding) => string,
  head: (r: AuditResult) => string,
  tail: (r: AuditResult) => string,
): Promise<AuditReportWriter> {
  const tmp = await mkdtemp(join(dir ?? tmpdir(), 'winami-audit-'));
  const path = join(tmp, 'rows');
  const spool: WriteStream = createWriteStream(path);
  let failed: Error | undefined;
  spool.on('error', (err) => (failed = err));
  const done = async () => {
    if (!spool.closed) await new Promise<void>((resolve) => spool.end(() => resolve()));
    await rm(tmp, { recursive: true, force: true });
  };
  return {
    finding(f) {
      spool.write(row(f));
    },
    async drain() {
      if (failed) throw failed;
      if (spool.writableNeedDrain) await once(spool, 'drain');
    },
    async end(result) {
      await new Promise<void>((resolve, reject) => spool.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (failed) throw failed;
      try {
        await writeAll(out, head(result));
        for await (const chunk of createReadStream(path)) await writeAll(out, chunk as Buffer);
        await writeAll(out, tail(result));
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
    abort: done,
  };
}

/**
 * The HTML report: one spool per rule (the pack's dozen, plus one for a rule
 * it does not list), written worst severity first after the head, so the
 * findings come out grouped by rule while memory holds only the matrix's
 * counts per account and region.
 */
async function htmlWriter(out: ReportOutput, dir: string | undefined, rules: readonly RuleInfo[]): Promise<AuditReportWriter> {
  const tally = new ScopeTally();
  const groups = new Map<string, AuditReportWriter>();
  const order = [...rulesBySeverity(rules), OTHER_RULES];
  try {
    for (const rule of order) groups.set(rule.id, await spooled(out, dir, htmlRow, (r) => htmlGroupHead(r, rule), htmlGroupTail));
  } catch (err) {
    await Promise.all([...groups.values()].map((g) => g.abort()));
    throw err;
  }
  const other = groups.get(OTHER_RULES.id)!;
  const abortAll = async () => void (await Promise.all([...groups.values()].map((g) => g.abort())));
  return {
    finding(f) {
      tally.add(f);
      (groups.get(f.ruleId) ?? other).finding(f);
    },
    async drain() {
      await Promise.all([...groups.values()].map((g) => g.drain()));
    },
    async end(result) {
      try {
        await writeAll(out, htmlHead(result, tally));
        const known = new Set(result.rules.map((r) => r.id));
        for (const rule of order) {
          const g = groups.get(rule.id)!;
          const any = rule === OTHER_RULES ? Object.keys(result.totals.byRule).some((id) => !known.has(id)) : (result.totals.byRule[rule.id] ?? 0) > 0;
          if (any) await g.end(result);
          else await g.abort();
        }
        await writeAll(out, htmlTail(result));
      } finally {
        await abortAll();
      }
    },
    abort: abortAll,
  };
}

/** Open a streamed report in a format on an output. */
export async function openReportWriter(format: AuditFormat, out: ReportOutput, o: ReportWriterOptions): Promise<AuditReportWriter> {
  switch (format) {
    case 'json':
      return direct(out, JSON_HEAD, jsonItem, jsonTail);
    case 'sarif': {
      const s = sarifStream(o.rules, o.toolVersion);
      return direct(out, s.head, s.item, s.tail);
    }
    case 'csv':
      return direct(
        out,
        CSV_HEAD,
        (f) => csvRow(f),
        () => '',
      );
    case 'html':
      return htmlWriter(out, o.spoolDir, o.rules);
    case 'table':
      return spooled(out, o.spoolDir, (f) => tableRow(f, o.width, o.wrap), tableHead, tableTail);
  }
}
