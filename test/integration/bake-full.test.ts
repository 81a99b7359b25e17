import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { bakeOn, configFor, leftovers, NOTHING, startBakeEmulator } from './bake-harness.js';

describe('bake: a full bake for each launch agent (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const outputs: string[] = [];
  before(async () => {
    emu = await startBakeEmulator();
  });
  after(async () => emu?.stop());

  const cases = [
    { release: '2012r2', agent: 'ec2config' },
    { release: '2019', agent: 'ec2launch-v1' },
    { release: '2022', agent: 'ec2launch-v2' },
    { release: '2025', agent: 'ec2launch-v2' },
  ];
  for (const c of cases) {
    it(`${c.release} with ${c.agent}: builds, verifies billing, smoke-tests, leaves only the image`, async () => {
      const { result, reporter, wallMs } = await bakeOn(emu, configFor(c.release));
      if (!result.ok)
        throw new Error(
          `bake failed: ${result.error?.message}\n${reporter.events
            .filter((e) => e.level !== 'debug')
            .map((e) => e.message)
            .join('\n')}`,
        );
      expect(result.exitCode).to.equal(0);
      expect(result.images).to.have.length(1);
      const img = result.images[0]!;
      expect(img.platformDetails).to.equal('Windows');
      expect(img.usageOperation).to.equal('RunInstances:0002');
      expect(result.steps.every((s) => s.status === 'ok')).to.equal(true);
      expect(reporter.codes()).to.include.members(['bake.delivered', 'bake.sealed', 'bake.smoke.ok']);
      const images = emu.control.resources({ account: '111111111111' }).images.filter((i) => i.id === img.imageId);
      expect(images[0]?.tags['winami:build-id']).to.equal(result.buildId);
      outputs.push(img.imageId);
      const left = leftovers(emu, outputs);
      expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
      console.log(`      ${c.release}: ${wallMs} ms wall`);
    });
  }
});
