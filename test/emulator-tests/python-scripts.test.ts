/**
 * The warm interpreters behind the emulator's aws:executeScript: each run sees
 * its own environment and a fresh namespace, its errors and exits are its own,
 * a cancel stops it, and the next run still works. Skipped, saying why, where
 * python3 is absent.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { PythonScripts, type ScriptRun } from '../../emulator/python-scripts.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
})();

describe('emulator: aws:executeScript in warm Python interpreters', function () {
  this.timeout(60_000);
  let py: PythonScripts;
  before(function () {
    if (!hasPython) {
      console.log('    (skipped: python3 is not installed)');
      this.skip();
    }
    py = new PythonScripts();
  });
  after(() => py?.close());

  const run = (script: string, o: Partial<ScriptRun> = {}, signal?: AbortSignal) =>
    py.run({ script, handler: 'handler', payload: {}, env: {}, timeScale: 1, ...o }, signal);

  it("runs the handler with the payload and returns its value, the script's prints apart", async () => {
    const out = await run('def handler(event, context):\n    print("working")\n    return {"sum": event["a"] + event["b"], "ctx": context}', {
      payload: { a: 2, b: 40 },
    });
    expect(out).to.deep.equal({ ok: true, result: { sum: 42, ctx: null }, stdout: 'working\n' });
  });

  it('gives each run its own environment and namespace: nothing set by one run reaches the next', async () => {
    const first = await run(
      [
        'import os',
        'LEFT = "from the first run"',
        'def handler(e, c):',
        '    os.environ["WINAMI_LEFT"] = "x"',
        '    return os.environ.get("AWS_DEFAULT_REGION")',
      ].join('\n'),
      { env: { AWS_DEFAULT_REGION: 'eu-west-1' } },
    );
    expect(first).to.include({ ok: true, result: 'eu-west-1' });
    const second = await run(
      [
        'import os',
        'def handler(e, c):',
        '    return {"region": os.environ.get("AWS_DEFAULT_REGION"), "left": os.environ.get("WINAMI_LEFT"), "global": "LEFT" in globals()}',
      ].join('\n'),
      { env: { AWS_DEFAULT_REGION: 'us-west-2' } },
    );
    expect(second).to.deep.include({ ok: true, result: { region: 'us-west-2', left: null, global: false } });
  });

  it("reports a raised exception by its last traceback line, and a script's sys.exit as a failure, the interpreter kept", async () => {
    const raised = await run('def handler(e, c):\n    raise ValueError("billing was wrong")');
    expect(raised.ok).to.equal(false);
    expect(!raised.ok && raised.error.trim().split('\n').at(-1)).to.equal('ValueError: billing was wrong');
    const exited = await run('import sys\ndef handler(e, c):\n    sys.exit(3)');
    expect(exited.ok).to.equal(false);
    expect(!exited.ok && exited.error).to.match(/SystemExit: 3/);
    expect(await run('def handler(e, c):\n    return "still here"')).to.include({ ok: true, result: 'still here' });
  });

  it("runs time.sleep at the run's time scale", async () => {
    const started = Date.now();
    const out = await run('import time\nfrom time import sleep\ndef handler(e, c):\n    time.sleep(600)\n    sleep(600)\n    return "slept"', {
      timeScale: 0.0001,
    });
    expect(out).to.include({ ok: true, result: 'slept' });
    // Twenty simulated minutes; at full scale this would not return within the test's timeout.
    expect(Date.now() - started).to.be.below(30_000);
  });

  it('a cancel stops a running script, and runs after it still work, several at once', async () => {
    const abort = new AbortController();
    const pending = run('import time\ndef handler(e, c):\n    time.sleep(3600)\n    return "never"', {}, abort.signal);
    setTimeout(() => abort.abort(), 200);
    const err = await pending.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.equal('cancelled');
    const results = await Promise.all([1, 2, 3].map((n) => run(`import time\ndef handler(e, c):\n    time.sleep(0.2)\n    return ${n}`)));
    expect(results.map((r) => (r.ok ? r.result : r.error))).to.deep.equal([1, 2, 3]);
  });
});
