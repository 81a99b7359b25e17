import { expect } from 'chai';
import { runSteps, type Step } from '../../../src/bake/runner.js';
import { CancelledError, StepError } from '../../../src/errors.js';
import { MemoryReporter } from '../../../src/reporter.js';

type S = { log: string[]; made: string[]; removed: string[] };
const fresh = (): S => ({ log: [], made: [], removed: [] });

function step(name: string, o: { fail?: boolean; cleanup?: boolean; cleanupThrows?: boolean; hang?: boolean; cleanupHang?: boolean } = {}): Step<S, object> {
  return {
    name,
    title: `Step ${name}`,
    async run(s, ctx) {
      s.log.push(`run ${name}`);
      s.made.push(name);
      if (o.hang) {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new CancelledError(`cancelled in ${name}`))));
      }
      if (o.fail) throw new StepError(name, `${name} broke`);
    },
    ...(o.cleanup === false
      ? {}
      : {
          async cleanup(s: S, ctx) {
            s.log.push(`cleanup ${name} (${ctx.outcome})`);
            if (o.cleanupHang) {
              await new Promise((r) => ctx.signal.addEventListener('abort', r));
              throw new Error('cleanup aborted at its deadline');
            }
            if (o.cleanupThrows) throw new Error(`cleanup of ${name} broke`);
            s.removed.push(name);
          },
        }),
  };
}

const left = (s: S) => s.made.filter((m) => !s.removed.includes(m));

describe('bake step runner', () => {
  it('runs every step in order, then cleans up in reverse with outcome ok', async () => {
    const s = fresh();
    const r = await runSteps([step('a'), step('b'), step('c')], s, {}, { cleanupDeadlineMs: 1000, leftBehind: left });
    expect(r.outcome).to.equal('ok');
    expect(s.log).to.deep.equal(['run a', 'run b', 'run c', 'cleanup c (ok)', 'cleanup b (ok)', 'cleanup a (ok)']);
    expect(r.steps.map((x) => x.status)).to.deep.equal(['ok', 'ok', 'ok']);
    expect(r.leftBehind).to.deep.equal([]);
  });

  it('stops at the first failure and cleans up the failed step too, in reverse', async () => {
    const s = fresh();
    const r = await runSteps([step('a'), step('b', { fail: true }), step('c')], s, {}, { cleanupDeadlineMs: 1000, leftBehind: left });
    expect(r.outcome).to.equal('failed');
    expect(r.failedStep).to.equal('b');
    expect(r.error).to.be.instanceOf(StepError);
    expect(s.log).to.deep.equal(['run a', 'run b', 'cleanup b (failed)', 'cleanup a (failed)']);
    expect(r.steps.map((x) => x.status)).to.deep.equal(['ok', 'failed', 'not-run']);
    expect(r.steps[1]!.error).to.contain('b broke');
  });

  it('keeps cleaning up after a cleanup throws, and reports what was left', async () => {
    const s = fresh();
    const r = await runSteps([step('a'), step('b', { cleanupThrows: true }), step('c', { fail: true })], s, {}, { cleanupDeadlineMs: 1000, leftBehind: left });
    expect(s.log.filter((l) => l.startsWith('cleanup'))).to.have.length(3);
    expect(r.cleanupErrors.map((e) => e.step)).to.deep.equal(['b']);
    expect(r.steps[1]!.cleanup?.status).to.equal('failed');
    expect(r.leftBehind).to.deep.equal(['b']);
  });

  it('cancels: the running step sees the abort, cleanup runs with a fresh signal and outcome cancelled', async () => {
    const s = fresh();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const r = await runSteps([step('a'), step('b', { hang: true }), step('c')], s, {}, { signal: ac.signal, cleanupDeadlineMs: 1000, leftBehind: left });
    expect(r.outcome).to.equal('cancelled');
    expect(r.error).to.be.instanceOf(CancelledError);
    expect(s.log).to.deep.equal(['run a', 'run b', 'cleanup b (cancelled)', 'cleanup a (cancelled)']);
    expect(r.leftBehind).to.deep.equal([]);
  });

  it('does not start a step after a cancel that came between steps', async () => {
    const s = fresh();
    const ac = new AbortController();
    const stopper: Step<S, object> = {
      name: 'stop',
      title: 'Stop',
      async run() {
        ac.abort();
      },
    };
    const r = await runSteps([step('a'), stopper, step('c')], s, {}, { signal: ac.signal, cleanupDeadlineMs: 1000 });
    expect(r.outcome).to.equal('cancelled');
    expect(s.log).to.not.include('run c');
    expect(r.steps[2]!.status).to.equal('not-run');
  });

  it('gives each cleanup its own deadline and moves on when it passes', async () => {
    const s = fresh();
    const t0 = Date.now();
    const r = await runSteps([step('a'), step('b', { cleanupHang: true, fail: true })], s, {}, { cleanupDeadlineMs: 50, leftBehind: left });
    expect(Date.now() - t0).to.be.lessThan(1000);
    expect(r.steps[1]!.cleanup?.status).to.equal('timed-out');
    expect(s.log).to.include('cleanup a (failed)');
    expect(r.leftBehind).to.deep.equal(['b']);
  });

  it('emits coded events for start, ok, failed and cleanup failures', async () => {
    const rep = new MemoryReporter();
    await runSteps([step('a'), step('b', { fail: true, cleanupThrows: true })], fresh(), {}, { cleanupDeadlineMs: 100, reporter: rep, eventPrefix: 'bake' });
    expect(rep.codes()).to.deep.equal(['bake.step.start', 'bake.step.ok', 'bake.step.start', 'bake.step.failed', 'bake.cleanup.failed']);
  });

  it('offers each step the time left before its deadline, and none to a step without one', async () => {
    let t = 1_000;
    const seen: number[] = [];
    const timed: Step<S, object> = {
      name: 'timed',
      title: 'Timed',
      deadlineMs: 500,
      async run(_s, ctx) {
        t += 120;
        seen.push(ctx.timeLeft());
      },
    };
    const free: Step<S, object> = {
      name: 'free',
      title: 'Free',
      async run(_s, ctx) {
        seen.push(ctx.timeLeft());
      },
    };
    const r = await runSteps([timed, free], fresh(), {}, { cleanupDeadlineMs: 1_000, now: () => t, scaleDeadline: (ms) => ms * 2 });
    expect(r.outcome).to.equal('ok');
    expect(seen).to.deep.equal([1_000 - 120, Infinity]);
  });

  it('stops a step that overruns its deadline and grace, as a failure naming the step', async () => {
    let aborted = false;
    const slow: Step<S, object> = {
      name: 'slow',
      title: 'Slow',
      deadlineMs: 20,
      async run(_s, ctx) {
        await new Promise((r) => setTimeout(r, 2_000));
        aborted = ctx.signal.aborted;
      },
    };
    const s = fresh();
    const r = await runSteps([slow, step('after')], s, {}, { cleanupDeadlineMs: 1_000, deadlineGraceMs: 10 });
    expect(r.outcome).to.equal('failed');
    expect(r.failedStep).to.equal('slow');
    expect(r.error).to.be.instanceOf(StepError).with.property('step', 'slow');
    expect(r.steps[0]!.error).to.match(/did not finish within its deadline/);
    expect(r.steps[1]!.status).to.equal('not-run');
    expect(s.log).to.not.include('run after');
    expect(aborted).to.equal(false);
  });
});
