/**
 * The state file of a resumable audit: JSON lines, appended as the audit
 * goes. A header names the audit (its options, so a resume of a different
 * audit is refused) and its start; then each finding tagged with its scope
 * (`account/region`), a `done` line when a scope was audited without failure
 * (after all of its findings), and an `accountDone` line when every region of
 * an account was. One append-only stream keeps that order on disk, so after a
 * crash (even SIGKILL) a `done` line implies its findings are there; a torn
 * last line is ignored. A resume skips what is done and replays the recorded
 * findings of done scopes, reading the file twice instead of holding it.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import type { Finding } from './types.js';

export const STATE_VERSION = 1;

export interface ScopeCounts {
  images: number;
  snapshots: number;
  instances: number;
}

interface Header {
  winamiAuditState: number;
  fingerprint: string;
  startedAt: string;
}

/** What a resume learned from the file: scopes and accounts done, and their counts. */
export interface ResumePoint {
  startedAt: string;
  done: Map<string, ScopeCounts>;
  accountsDone: Map<string, string[]>;
}

export const scopeKey = (account: string, region: string): string => `${account}/${region}`;

async function* lines(path: string): AsyncGenerator<unknown> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    try {
      yield JSON.parse(line) as unknown;
    } catch {
      // A line torn by a crash mid-write: its scope has no `done` line after it.
    }
  }
}

/** A state file, open for appending. */
export class AuditStateFile {
  private out: WriteStream | undefined;
  private failed: Error | undefined;

  private constructor(
    readonly path: string,
    readonly resume: ResumePoint | undefined,
  ) {}

  /**
   * Open `path`: resume from it when it holds this audit's progress, start it
   * when it is absent or empty. A file of another audit (other options) or
   * not a state file is refused, never overwritten.
   */
  static async open(path: string, fingerprint: string, startedAt: string): Promise<AuditStateFile> {
    const size = await stat(path).then(
      (s) => s.size,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return 0;
        throw new UsageError(`cannot read the audit state file ${path}: ${err.message}`);
      },
    );
    let resume: ResumePoint | undefined;
    if (size > 0) {
      const done = new Map<string, ScopeCounts>();
      const accountsDone = new Map<string, string[]>();
      let header: Header | undefined;
      for await (const rec of lines(path)) {
        const r = rec as Record<string, unknown>;
        if (!header) {
          if (typeof r?.winamiAuditState !== 'number') break;
          header = r as unknown as Header;
          continue;
        }
        if (typeof r.done === 'string') done.set(r.done, r.counts as ScopeCounts);
        else if (typeof r.accountDone === 'string') accountsDone.set(r.accountDone, (r.regions as string[]) ?? []);
      }
      if (!header)
        throw new UsageError(`${path} is not a winami audit state file`, { hint: 'Give --resume a new file name, or the file an interrupted audit wrote.' });
      if (header.winamiAuditState !== STATE_VERSION)
        throw new UsageError(`${path} was written by another version of winami (state version ${header.winamiAuditState})`, {
          hint: 'Start the audit again with a new state file.',
        });
      if (header.fingerprint !== fingerprint) {
        throw new UsageError(`${path} records another audit (other accounts, regions, roles or rules)`, {
          hint: 'Resume with the same options as the interrupted run, or give a new state file.',
        });
      }
      resume = { startedAt: header.startedAt, done, accountsDone };
    }
    const state = new AuditStateFile(path, resume);
    if (!resume) {
      // A new file, exclusive: two audits never share one.
      const fh = await open(path, 'w');
      await fh.writeFile(`${JSON.stringify({ winamiAuditState: STATE_VERSION, fingerprint, startedAt } satisfies Header)}\n`);
      await fh.sync();
      await fh.close();
    } else {
      await state.truncateTornTail();
    }
    state.out = createWriteStream(path, { flags: 'a' });
    state.out.on('error', (err) => (state.failed = err));
    return state;
  }

  /** End the file at its last complete line, so appended lines never join a torn one. */
  private async truncateTornTail(): Promise<void> {
    const fh = await open(this.path, 'r+');
    try {
      const { size } = await fh.stat();
      const tail = Buffer.alloc(Math.min(size, 65536));
      await fh.read(tail, 0, tail.length, size - tail.length);
      if (tail.length === 0 || tail[tail.length - 1] === 0x0a) return;
      const nl = tail.lastIndexOf(0x0a);
      await fh.truncate(nl < 0 ? size - tail.length : size - tail.length + nl + 1);
    } finally {
      await fh.close();
    }
  }

  isDone(account: string, region: string): boolean {
    return this.resume?.done.has(scopeKey(account, region)) ?? false;
  }

  accountDone(account: string): string[] | undefined {
    return this.resume?.accountsDone.get(account);
  }

  /** The recorded findings of done scopes, in file order. */
  async *replay(): AsyncGenerator<Finding> {
    if (!this.resume) return;
    const done = this.resume.done;
    let headerSeen = false;
    for await (const rec of lines(this.path)) {
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      const r = rec as { s?: string; f?: Finding };
      if (r.f && r.s && done.has(r.s)) yield r.f;
    }
  }

  private write(obj: unknown): void {
    if (this.failed) throw new UsageError(`cannot write the audit state file ${this.path}: ${this.failed.message}`);
    this.out!.write(`${JSON.stringify(obj)}\n`);
  }

  finding(account: string, region: string, f: Finding): void {
    this.write({ s: scopeKey(account, region), f });
  }

  scopeDone(account: string, region: string, counts: ScopeCounts): void {
    this.write({ done: scopeKey(account, region), counts });
  }

  accountComplete(account: string, regions: string[]): void {
    this.write({ accountDone: account, regions });
  }

  /** Wait until what was written reached the file. */
  async flush(): Promise<void> {
    const out = this.out;
    if (!out || !out.writableNeedDrain) return;
    await new Promise<void>((resolve) => out.once('drain', resolve));
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    this.out = undefined;
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failed) throw new UsageError(`cannot write the audit state file ${this.path}: ${this.failed.message}`);
  }

  /** Remove the file once the audit it records is complete. */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}
