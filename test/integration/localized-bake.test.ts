/**
 * Localized base images bake end to end: AWS's French and Japanese Windows
 * Server images (their built-in Administrator named in the image's language)
 * go through the real bake, whose Sysprep task finds the account by its RID.
 */
import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { bakeOn, leftovers, NOTHING, startBakeEmulator, writeConfig } from './bake-harness.js';

describe('bake: localized base images (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const outputs: string[] = [];
  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1'] } });
  });
  after(async () => emu?.stop());

  for (const c of [
    { language: 'French', release: '2022' },
    { language: 'Japanese', release: '2019' },
  ]) {
    it(`${c.language} ${c.release}: resolves AWS's ${c.language} image, seals through the built-in Administrator, bills as Windows`, async () => {
      const config = writeConfig(
        [
          'name: localized',
          'region: us-east-1',
          'windows:',
          `  release: "${c.release}"`,
          `  language: ${c.language}`,
          'builder:',
          '  instanceProfile: winami-builder',
          'customize:',
          '  - name: marker',
          "    powershell: \"Set-Content -LiteralPath 'C:\\\\Golden\\\\lang.txt' -Value 'localized'\"",
          'image:',
          `  name: "localized-${c.language}-{{buildId}}"`,
          'licensing:',
          '  expect: windows',
        ].join('\n'),
      );
      const { result, reporter } = await bakeOn(emu, config);
      if (!result.ok)
        throw new Error(
          `bake failed: ${result.error?.message}\n${reporter.events
            .filter((e) => e.level !== 'debug')
            .map((e) => e.message)
            .join('\n')}`,
        );
      expect(result.manifest.source?.name).to.match(new RegExp(`^Windows_Server-${c.release}-${c.language}-Full-Base-`));
      expect(result.images[0]!.usageOperation).to.equal('RunInstances:0002');
      expect(reporter.codes()).to.include.members(['bake.sysprep.started', 'bake.sealed', 'bake.smoke.ok']);
      outputs.push(...result.images.map((i) => i.imageId));
      const left = leftovers(emu, outputs);
      expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    });
  }
});
