import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { ExitCode } from '../../src/errors.js';
import { buildPipeline } from '../../src/bake/pipeline.js';
import { loadConfig } from '../../src/config/load.js';
import { bakeOn, configFor, leftovers, NOTHING, startBakeEmulator } from './bake-harness.js';

/** Every optional step is in this config's pipeline: a secret from the environment, pre-snapshot, a copy, sharing, deprecation, the smoke test. */
const EXTRA = [
  '  regions: [{region: eu-west-1}]',
  '  launchPermissions: {accounts: ["222222222222"]}',
  '  deprecateAfter: 30d',
  'preSnapshot: true',
  'windowsSettings:',
  '  administrator:',
  '    password: {static: "env:WINAMI_TEST_ADMIN"}',
  '',
].join('\n');
const ENV = { WINAMI_TEST_ADMIN: 'Adm1n!pass' };
/** Faster than the harness's scale: some twenty bakes run here. */
const SCALE = 0.0015;

/** A cancel (SIGINT in the library: the abort signal) at the start of each step: exit 130, everything cleaned up. */
describe('bake: cancelled at the start of each step (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator({ timeScale: SCALE, seed: { regions: ['us-east-1', 'eu-west-1'] } });
  });
  after(async () => emu?.stop());

  const path = configFor('2022', EXTRA);
  const steps = buildPipeline(loadConfig(path), { smokeTest: true }).map((s) => s.name);

  it('the pipeline under test holds every step, optional ones included', () => {
    expect(steps).to.include.members([
      'putSecrets',
      'resolveSecrets',
      'customize',
      'cleanUpPreseal',
      'preSnapshot',
      'smokeTest',
      'copyToRegions',
      'setLaunchPermissions',
      'deprecateImage',
    ]);
  });

  for (const step of steps) {
    it(`at ${step}: exit 130, the step (and only it) marked cancelled, nothing left`, async () => {
      const ac = new AbortController();
      const { result } = await bakeOn(emu, path, {
        env: ENV,
        timeScale: SCALE,
        abortSignal: ac.signal,
        reporter: { emit: (e) => (e.code === 'bake.step.start' && (e.data as { step?: string }).step === step ? ac.abort() : undefined) },
      });
      expect(result.outcome, result.error?.message).to.equal('cancelled');
      expect(result.exitCode).to.equal(ExitCode.CANCELLED);
      const i = steps.indexOf(step);
      // A step that makes no AWS call may still finish; the cancel then stops the run before the next one.
      expect(result.steps[i]!.status).to.be.oneOf(['cancelled', 'ok']);
      expect(result.steps.slice(0, i).map((s) => s.status)).to.deep.equal(steps.slice(0, i).map(() => 'ok'));
      expect(result.steps.slice(i + 1).map((s) => s.status)).to.deep.equal(steps.slice(i + 1).map(() => 'not-run'));
      const badCleanups = result.steps.filter((s) => s.cleanup && s.cleanup.status !== 'ok');
      expect(badCleanups, JSON.stringify(badCleanups)).to.deep.equal([]);
      expect(result.leftBehind).to.deep.equal([]);
      const left = leftovers(emu);
      expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    });
  }

  it('--on-error keep: a cancel during customize keeps the builder, reports it, and removes the rest', async () => {
    const ac = new AbortController();
    const { result } = await bakeOn(emu, path, {
      env: ENV,
      timeScale: SCALE,
      onError: 'keep',
      abortSignal: ac.signal,
      reporter: { emit: (e) => (e.code === 'bake.customize.start' ? ac.abort() : undefined) },
    });
    expect(result.exitCode).to.equal(ExitCode.CANCELLED);
    expect(result.leftBehind.map((r) => `${r.kind} ${r.role}`)).to.deep.equal(['instance builder']);
    const left = leftovers(emu);
    expect(left.instances).to.have.length(1);
    // The builder's own volumes stay with it.
    expect({ ...left, instances: [], volumes: [] }, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(result.cleanupCommand).to.contain(`--build-id ${result.buildId}`);
  });
});
