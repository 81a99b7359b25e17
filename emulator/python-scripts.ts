/**
 * aws:executeScript's Python, run in warm interpreters: each script runs in a
 * fresh namespace of a long-lived `python3` that has already imported boto3,
 * with the environment (the caller's keys, the region, the endpoint) set for
 * that run and boto3's default session dropped, so nothing of one run reaches
 * the next but the imported modules. Starting Python and importing boto3 is
 * most of what a short script costs (about half a second of CPU each).
 *
 * A worker runs one script at a time. A cancelled run kills its worker (a
 * script cannot be stopped halfway otherwise); a worker that dies fails the
 * run it had.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The worker: one JSON request per line on stdin, one JSON answer per line on its real stdout. */
const WORKER = `
import contextlib, io, json, os, sys, time, traceback
_real_sleep = time.sleep
_base_env = dict(os.environ)
try:
    import boto3
except Exception:
    boto3 = None
for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear()
    os.environ.update(_base_env)
    os.environ.update(req['env'])
    scale = float(req['timeScale'])
    time.sleep = lambda s, _scale=scale: _real_sleep(s * _scale)
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None
    out, err = io.StringIO(), io.StringIO()
    answer = {}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            scope = {'__name__': '__main__', '__builtins__': __builtins__}
            exec(compile(req['script'], '<script>', 'exec'), scope)
            result = scope[req['handler']](req['payload'], None)
        answer = {'ok': True, 'result': json.dumps(result, default=str)}
    except BaseException:
        answer = {'ok': False, 'error': traceback.format_exc()}
    answer['stdout'] = out.getvalue()
    answer['stderr'] = err.getvalue()
    sys.__stdout__.write(json.dumps(answer) + '\\n')
    sys.__stdout__.flush()
`;

export interface ScriptRun {
  script: string;
  handler: string;
  payload: unknown;
  /** Variables set for this run only, over the worker's own environment. */
  env: Record<string, string>;
  timeScale: number;
}

export type ScriptOutcome = { ok: true; result: unknown; stdout: string } | { ok: false; error: string; stdout: string };

interface Worker {
  child: ChildProcessWithoutNullStreams;
  answer?: (line: string | undefined) => void;
}

/** Idle workers kept for the next script; more run at once when executions overlap, and end when they finish. */
const IDLE = 2;

export class PythonScripts {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();

  constructor(
    private readonly python = 'python3',
    private readonly baseEnv: Record<string, string> = { PATH: process.env.PATH ?? '' },
  ) {}

  /** Run one script's handler; rejects only when Python cannot start or the run is cancelled. */
  async run(r: ScriptRun, signal?: AbortSignal): Promise<ScriptOutcome> {
    if (signal?.aborted) throw new Error('cancelled');
    const w = this.idle.pop() ?? this.start();
    this.busy.add(w);
    try {
      const line = await new Promise<string | undefined>((resolve, reject) => {
        const onAbort = () => {
          w.answer = undefined;
          w.child.kill('SIGKILL');
          reject(new Error('cancelled'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        w.answer = (l) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(l);
        };
        w.child.stdin.write(`${JSON.stringify({ script: r.script, handler: r.handler, payload: r.payload ?? {}, env: r.env, timeScale: r.timeScale })}\n`);
      });
      if (line === undefined) throw new Error('python3 exited before the script finished');
      const a = JSON.parse(line) as { ok: boolean; result?: string; error?: string; stdout: string; stderr: string };
      if (this.idle.length < IDLE && w.child.exitCode === null) this.idle.push(w);
      else w.child.stdin.end();
      return a.ok ? { ok: true, result: JSON.parse(a.result!) as unknown, stdout: a.stdout } : { ok: false, error: a.error ?? '', stdout: a.stdout };
    } finally {
      this.busy.delete(w);
    }
  }

  /** End every worker (the emulator stops). */
  close(): void {
    for (const w of [...this.idle, ...this.busy]) w.child.kill('SIGKILL');
    this.idle.length = 0;
    this.busy.clear();
  }

  private start(): Worker {
    const child = spawn(this.python, ['-c', WORKER], { env: this.baseEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const w: Worker = { child };
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      buf += c;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const answer = w.answer;
        w.answer = undefined;
        answer?.(line);
      }
    });
    // A script's own writes to the process's stderr (outside the redirect) are not the emulator's business.
    child.stderr.resume();
    const gone = () => {
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      const answer = w.answer;
      w.answer = undefined;
      answer?.(undefined);
    };
    child.once('exit', gone);
    child.once('error', gone);
    // Idle interpreters do not keep the emulator's process alive.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    return w;
  }
}
