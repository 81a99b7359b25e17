import { expect } from 'chai';
import { isEvent, stepOutcome } from '../../src/events.js';
import { MemoryReporter, reportTo } from '../../src/reporter.js';
import { runSteps } from '../../src/bake/runner.js';
import { progressReporter } from '../../src/cli/progress.js';

describe('typed events: the registry of codes and payloads', () => {
  it('types the payload of a registered code at the call site, and takes no other code', () => {
    const r = new MemoryReporter();
    const report = reportTo(r);
    report.info('bake.step.ok', 'done', { step: 'launchBuilder', durationMs: 5 });
    // @ts-expect-error a registered code's payload is checked: durationMs is a number
    report.info('bake.step.ok', 'done', { step: 'launchBuilder', durationMs: 'five' });
    // @ts-expect-error and its fields are required
    report.info('bake.resource.removed', 'gone', { id: 'i-1' });
    // @ts-expect-error a code that is not in the registry (here a misspelt one) does not compile
    report.info('bake.step.okay', 'misspelt', { step: 'launchBuilder', durationMs: 5 });
    // @ts-expect-error nor does a step event with a prefix the runner never uses
    report.info('bkae.step.ok', 'misspelt', { step: 'launchBuilder', durationMs: 5 });
    report.warn('bake.no-instance-profile', 'a code registered without a payload takes none');
    // @ts-expect-error and refuses one
    report.warn('bake.no-instance-profile', 'with a payload', { region: 'eu-west-1' });
    expect(r.codes()).to.deep.equal([
      'bake.step.ok',
      'bake.step.ok',
      'bake.resource.removed',
      'bake.step.okay',
      'bkae.step.ok',
      'bake.no-instance-profile',
      'bake.no-instance-profile',
    ]);
    expect(r.events[5]).to.not.have.property('data');
  });

  it('lets consumers match on the code and read the typed payload', () => {
    const e = { code: 'bake.step.start', level: 'info' as const, message: 'Launch', data: { step: 'launchBuilder', index: 4, total: 20 } };
    expect(isEvent(e, 'bake.step.start')).to.equal(true);
    if (isEvent(e, 'bake.step.start')) expect(e.data.index + 1).to.equal(5);
    expect(isEvent(e, 'bake.plan')).to.equal(false);
  });

  it("says how a step ended for the runner's events, whatever the prefix, and nothing for others", async () => {
    const r = new MemoryReporter();
    await runSteps(
      [
        { name: 'a', title: 'A', async run() {} },
        {
          name: 'b',
          title: 'B',
          async run() {
            throw new Error('broke');
          },
        },
      ],
      {},
      {},
      { cleanupDeadlineMs: 100, reporter: r, eventPrefix: 'bake' },
    );
    expect(r.events.map((e) => stepOutcome(e))).to.deep.equal([undefined, 'ok', undefined, 'failed']);
    expect(stepOutcome({ code: 'run.step.cancelled' }, 'run')).to.equal('cancelled');
    expect(stepOutcome({ code: 'bake.step.oktoberfest' })).to.equal(undefined);
  });

  it('drives the progress display: a failed step is marked failed, an ok one ok', () => {
    let text = '';
    const p = progressReporter({ mode: 'tty', out: { write: (s: string) => ((text += s), true) }, columns: 120, now: () => 0 });
    const report = reportTo(p);
    report.info('bake.plan', 'plan', {
      buildId: 'b',
      imageName: 'img',
      regions: ['us-east-1'],
      steps: [
        { name: 'a', title: 'Step A', deadlineMs: undefined },
        { name: 'b', title: 'Step B', deadlineMs: 1000 },
      ],
    });
    report.info('bake.step.start', 'Step A', { step: 'a', index: 0, total: 2 });
    report.info('bake.step.ok', 'Step A: done', { step: 'a', durationMs: 1000 });
    report.info('bake.step.start', 'Step B', { step: 'b', index: 1, total: 2 });
    report.error('bake.step.failed', 'Step B: broke', { step: 'b', durationMs: 2000 });
    p.stop();
    const last = text.split('\x1b[J').pop()!;
    expect(last).to.contain('✓ Step A 1 s');
    expect(last).to.contain('✗ Step B 2 s');
  });
});
