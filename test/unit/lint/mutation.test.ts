import { expect } from 'chai';
import { buildCorpus, evaluateCorpus } from './mutants.js';

describe('lint mutation corpus', () => {
  const corpus = buildCorpus();
  const result = evaluateCorpus(corpus);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

  it(`seeds at least 200 mistakes deterministically (${result.bad} bad, ${result.neutral} neutral)`, () => {
    expect(result.bad).to.be.at.least(200);
    const again = buildCorpus();
    expect(again.map((m) => m.text)).to.deep.equal(corpus.map((m) => m.text));
  });

  it(`catches every seeded mistake (caught ${result.caught}/${result.bad} = ${pct(result.recall)})`, () => {
    const missed = result.missed.map((m) => `${m.id} [${m.cls}] ${m.description}`);
    expect(result.recall, `missed:\n${missed.join('\n')}`).to.equal(1);
  });

  it('covers every mistake class named in the issue', () => {
    for (const cls of [
      'wrong-pass-name',
      'component-wrong-pass',
      'setting-wrong-pass',
      'misspelled-setting',
      'wrong-case',
      'bad-value',
      'duplicate-order',
      'wrong-attribute',
    ]) {
      expect(result.byClass[cls]?.bad ?? 0, cls).to.be.greaterThan(0);
    }
  });

  it(`raises no error on harmless edits (precision ${pct(result.precision)}, ${result.falseAlarms} false alarms)`, () => {
    const alarms = result.falseAlarmMutants.map(
      (a) => `${a.mutant.id} ${a.mutant.description}: ${a.findings.map((f) => `${f.ruleId} ${f.message}`).join('; ')}`,
    );
    expect(result.falseAlarms, alarms.join('\n')).to.equal(0);
  });
});
