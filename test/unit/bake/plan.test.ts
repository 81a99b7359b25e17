import { expect } from 'chai';
import { join } from 'node:path';
import { plan, SET_BY, STEPS } from '../../../src/plan/plan.js';
import { buildPipeline } from '../../../src/bake/pipeline.js';
import { initialState, need } from '../../../src/bake/state.js';
import { StepError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { sourceFiles } from '../source-files.js';
import { config, richConfig } from '../render/fixtures.js';

describe('plan(config, options)', () => {
  const rich = config(richConfig('2022', 'ec2launch-v2', 'full'));
  const bare = config({ name: 'bare', region: 'us-east-1', windows: { release: '2022' }, smokeTest: false, cleanup: { preSeal: false } });

  it('gives each step the config deadline that bounds it, and the state it needs', () => {
    const p = plan(rich, { smokeTest: true });
    const customize = p.find((s) => s.name === 'customize')!;
    expect(customize.deadline).to.equal('customize');
    expect(customize.deadlineMs).to.equal(rich.deadlines.customize);
    expect(customize.needs).to.deep.equal(['bundle', 'builder']);
    const copy = p.find((s) => s.name === 'copyToRegions')!;
    expect(copy.deadlineMs).to.equal(rich.deadlines.copy);
    expect(p.find((s) => s.name === 'checkCredentials')!.deadline).to.equal(undefined);
  });

  it('marks the read-only steps before the first that creates anything as the dry run', () => {
    expect(
      plan(bare, { smokeTest: false })
        .filter((s) => s.dryRun)
        .map((s) => s.name),
    ).to.deep.equal(['checkCredentials', 'resolveSource', 'renderBundle', 'preflight']);
  });

  it('honours --no-smoke-test over the config', () => {
    expect(plan(rich, { smokeTest: true }).map((s) => s.name)).to.include('smokeTest');
    expect(plan(rich, { smokeTest: false }).map((s) => s.name)).to.not.include('smokeTest');
  });

  it('puts every step after the steps that set the state it needs', () => {
    for (const c of [rich, bare]) {
      const names = plan(c, { smokeTest: true }).map((s) => s.name);
      for (const [i, name] of names.entries()) {
        for (const key of STEPS[name].needs) expect(names.indexOf(SET_BY[key]), `${name} needs ${key}`).to.be.within(0, i - 1);
      }
    }
  });

  it('is the list buildPipeline builds, with the deadlines on the steps', () => {
    const p = plan(rich, { smokeTest: true });
    const steps = buildPipeline(rich, { smokeTest: true });
    expect(steps.map((s) => s.name)).to.deep.equal(p.map((s) => s.name));
    expect(steps.map((s) => s.deadlineMs)).to.deep.equal(p.map((s) => s.deadlineMs));
  });

  it("is the only step list in src/ (STEP_DEADLINE and the bundle's own list are gone)", () => {
    const hits = sourceFiles(join(packageRoot(), 'src')).filter((f) => /STEP_DEADLINE|DRY_RUN_STEPS|function bakeSteps/.test(f.text));
    expect(hits.map((f) => f.path)).to.deep.equal([]);
  });
});

describe('need(state, key, step)', () => {
  const c = config({ name: 'bare', region: 'us-east-1', windows: { release: '2022' } });

  it('returns what an earlier step set', () => {
    const s = initialState('b-1', c, 'img');
    s.builder = { instanceId: 'i-1' };
    expect(need(s, 'builder', 'waitForSsm').instanceId).to.equal('i-1');
  });

  it('names the step that should have set it when it is missing', () => {
    const s = initialState('b-1', c, 'img');
    expect(() => need(s, 'image', 'copyToRegions'))
      .to.throw(StepError, /copyToRegions needs state\.image, which createImage sets/)
      .with.property('step', 'copyToRegions');
  });
});
