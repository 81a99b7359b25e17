/**
 * A dry run names the region it checked: the config's, not the environment's
 * or the SDK's default (the 2016 example builds in eu-west-1; the CLI runs
 * with AWS_REGION=us-east-1).
 */
import { expect } from 'chai';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index.js';
import { runWinami, startBakeEmulator } from './bake-harness.js';

describe('bake --dry-run: the region it names', function () {
  this.timeout(60_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator();
  });
  after(() => emu.stop());

  it("names the config's region (eu-west-1), not AWS_REGION's (us-east-1)", async () => {
    const r = await runWinami(emu, ['bake', join(process.cwd(), 'examples', 'windows-2016-ec2launch-v2.yaml'), '--dry-run']);
    const said = r.stdout + r.stderr;
    expect(said, said).to.contain('region eu-west-1');
    expect(said).to.contain('nothing was created');
    expect(said).to.not.match(/region us-east-1/);
  });
});
