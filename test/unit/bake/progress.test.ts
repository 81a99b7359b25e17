import { expect } from 'chai';
import xterm from '@xterm/headless';
import { fitLine, progressReporter } from '../../../src/cli/progress.js';

const { Terminal } = xterm;
import type { WinamiEvent } from '../../../src/reporter.js';
import type { EventCode } from '../../../src/events.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, write: (s: string) => (chunks.push(s), true), text: () => chunks.join('') };
}

const ev = (code: EventCode, message: string, data: Record<string, unknown> = {}, level: WinamiEvent['level'] = 'info'): WinamiEvent => ({
  code,
  level,
  message,
  data,
});

const PLAN = ev('bake.plan', 'build b1: 2 steps', {
  steps: [
    { name: 'launchBuilder', title: 'Launch the builder' },
    { name: 'waitForSsm', title: 'Wait for SSM Agent' },
  ],
});

describe('bake progress (CLI)', () => {
  it('on a TTY: the step list with a marker, elapsed time per step and the latest AWS state of the running one', () => {
    const out = sink();
    let now = 1_000;
    const r = progressReporter({ mode: 'tty', out, now: () => now });
    r.emit(PLAN);
    r.emit(ev('bake.step.start', 'Launch the builder', { step: 'launchBuilder' }));
    now += 3_000;
    r.emit(ev('bake.step.ok', 'Launch the builder: done', { step: 'launchBuilder', durationMs: 3_000 }));
    r.emit(ev('bake.step.start', 'Wait for SSM Agent', { step: 'waitForSsm' }));
    now += 75_000;
    r.emit(ev('bake.wait', 'PingStatus ConnectionLost', { step: 'waitForSsm' }, 'debug'));
    r.stop();
    const last = out.text().split('\x1b[J').at(-1)!;
    expect(last).to.contain(' ✓ Launch the builder 3 s');
    expect(last).to.contain(' > Wait for SSM Agent 1 min 15 s  (PingStatus ConnectionLost)');
  });

  it('on a TTY with several bakes at once: one line per bake with its current step, time and state', () => {
    const out = sink();
    let now = 0;
    const r = progressReporter({ mode: 'tty', out, now: () => now });
    const tag = (i: number, e: WinamiEvent): WinamiEvent => ({ ...e, data: { ...e.data, batchIndex: i, config: `c${i}.yaml` } });
    for (const i of [0, 1]) r.emit(tag(i, PLAN));
    r.emit(tag(0, ev('bake.step.start', 'Launch the builder', { step: 'launchBuilder' })));
    r.emit(tag(0, ev('bake.step.ok', 'Launch the builder: done', { step: 'launchBuilder', durationMs: 1_000 })));
    r.emit(tag(0, ev('bake.step.start', 'Wait for SSM Agent', { step: 'waitForSsm' })));
    r.emit(tag(1, ev('bake.step.start', 'Launch the builder', { step: 'launchBuilder' })));
    now += 40_000;
    r.emit(tag(0, ev('bake.wait', 'not registered with SSM', {}, 'debug')));
    r.emit(tag(1, ev('bake.left-behind', 'left behind: instance i-9', {}, 'warn')));
    r.stop();
    const last = out.text().split('\x1b[J').at(-1)!.trimEnd().split('\n');
    expect(last.slice(-2)).to.deep.equal([
      ' > Wait for SSM Agent 40 s  (not registered with SSM)  [c0.yaml, step 2 of 2]',
      ' > Launch the builder 40 s  [c1.yaml, step 1 of 2]',
    ]);
    expect(out.text()).to.contain('[c1.yaml] warn: left behind: instance i-9');
  });

  it("without a TTY: one plain line per event worth reading, with each step's duration, no debug lines", () => {
    const out = sink();
    const r = progressReporter({ mode: 'plain', out });
    r.emit(ev('bake.step.start', 'Wait for SSM Agent', { step: 'waitForSsm' }));
    r.emit(ev('bake.wait', 'PingStatus ConnectionLost', {}, 'debug'));
    r.emit(ev('bake.resource.created', 'created instance i-1', {}));
    r.emit(ev('bake.step.ok', 'Wait for SSM Agent: done', { step: 'waitForSsm', durationMs: 62_400 }));
    r.emit(ev('bake.left-behind', 'left behind: instance i-1', {}, 'warn'));
    const lines = out.text().trimEnd().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d Wait for SSM Agent$/);
    expect(lines[1]).to.match(/^\d\d:\d\d:\d\d Wait for SSM Agent: done \(1 min 02 s\)$/);
    expect(lines[2]).to.match(/^\d\d:\d\d:\d\d warn: left behind: instance i-1$/);
    expect(out.text()).to.not.contain('\x1b[');
  });

  it('--json: every event, debug included, as one JSON object per line', () => {
    const jsonOut = sink();
    const out = sink();
    const r = progressReporter({ mode: 'json', out, jsonOut });
    r.emit(PLAN);
    r.emit(ev('bake.wait', 'state "pending"\nnext line', { step: 'createImage' }, 'debug'));
    const lines = jsonOut.text().trimEnd().split('\n');
    expect(lines).to.have.length(2);
    const parsed = lines.map((l) => JSON.parse(l) as { code: string; time: string; message: string });
    expect(parsed.map((p) => p.code)).to.deep.equal(['bake.plan', 'bake.wait']);
    expect(parsed[1]!.message).to.equal('state "pending"\nnext line');
    expect(Number.isNaN(Date.parse(parsed[0]!.time))).to.equal(false);
    expect(out.text()).to.equal('');
  });
});

/**
 * The display as a terminal shows it: the bytes the CLI writes to stderr (the
 * display) and stdout (the result) replayed, in the CLI's order, through a
 * terminal emulator (xterm.js, headless) of the given width; returns the
 * screen's non-empty lines.
 */
async function screenAfterBake(cols: number): Promise<string[]> {
  const term = new Terminal({ cols, rows: 60, allowProposedApi: true, convertEol: true });
  const pending: Promise<void>[] = [];
  const write = (s: string) => (pending.push(new Promise<void>((resolve) => term.write(s, resolve))), true);
  let now = 0;
  const r = progressReporter({ mode: 'tty', out: { write }, now: () => now, columns: cols });
  const steps = ['checkCredentials', 'resolveSource', 'renderBundle', 'preflight', 'launchBuilder', 'waitForSsm'];
  const long = 'x'.repeat(cols); // a title wider than the terminal must not wrap
  r.emit(
    ev('bake.plan', `build b1: ${steps.length} steps, image "windows-2016-ec2launch-v2-20261203" in eu-west-1`, {
      steps: steps.map((name, i) => ({ name, title: i === 3 ? `Preflight ${long}` : `Step ${name}` })),
    }),
  );
  for (const step of steps.slice(0, 4)) {
    r.emit(ev('bake.step.start', step, { step }));
    now += 1_000;
    r.emit(ev('bake.wait', `still waiting on ${long}`, { step }, 'debug'));
    r.emit(ev('bake.step.ok', `${step}: done`, { step, durationMs: 1_000 }));
  }
  // What commands/bake.ts does: stop the display, print the result on stdout, and stop again in `finally`.
  r.stop();
  write('dry run of windows-2016-ec2launch-v2: account 123456789012, region eu-west-1\nnothing was created\n');
  r.stop();
  r.emit(ev('bake.sweep.failed', 'a warning after the end', {}, 'warn'));
  await Promise.all(pending);
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)!.translateToString(true));
  term.dispose();
  return lines.filter((l) => l.trim() !== '');
}

describe('bake progress on a terminal, replayed through a terminal emulator', () => {
  for (const cols of [80, 160, 260]) {
    it(`at ${cols} columns: the result line stays below the final step list, and no step is drawn twice`, async () => {
      const lines = await screenAfterBake(cols);
      const steps = lines.filter((l) => /^ [✓> -] /.test(l));
      expect(steps, lines.join('\n')).to.have.length(6);
      for (const name of ['checkCredentials', 'resolveSource', 'renderBundle'])
        expect(
          lines.filter((l) => l.includes(`Step ${name}`)),
          name,
        ).to.have.length(1);
      expect(steps[3]).to.match(/^ ✓ Preflight x+…$/);
      const result = lines.indexOf('dry run of windows-2016-ec2launch-v2: account 123456789012, region eu-west-1');
      expect(result, lines.join('\n')).to.equal(lines.indexOf(steps[5]!) + 1);
      expect(lines[result + 1]).to.equal('nothing was created');
      expect(lines.at(-1)).to.equal('warn: a warning after the end');
      for (const l of lines) expect(l.length, l).to.be.at.most(cols - 1);
    });
  }

  it('fitLine cuts a line to the width less one column, counting wide characters twice', () => {
    expect(fitLine('abc', 10)).to.equal('abc');
    expect(fitLine('abcdefghijk', 6)).to.equal('abcd…');
    expect(fitLine('日本語テキスト', 7)).to.equal('日本…');
  });
});
