/**
 * Read-after-create under EC2's eventual consistency: a builder EC2 does not
 * list yet is not "gone". With a window longer than the bake's first waits,
 * the SSM wait's instance checks meet InvalidInstanceID.NotFound and the bake
 * must go on.
 */
import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { bakeOn, configFor, leftovers, startBakeEmulator } from './bake-harness.js';

describe('bake: eventual consistency (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator({ consistencyWindowMs: 1500 });
  });
  after(async () => emu?.stop());

  it('keeps waiting for SSM while DescribeInstances does not know the new builder yet', async () => {
    const run = await bakeOn(emu, configFor('2022'));
    if (!run.result.ok) throw new Error(run.result.error?.message);
    const notFound = emu.control.calls().filter((c) => c.action === 'DescribeInstances' && c.errorCode === 'InvalidInstanceID.NotFound');
    expect(notFound.length, 'the bake met the window').to.be.greaterThan(0);
    expect(
      leftovers(
        emu,
        run.result.images.map((i) => i.imageId),
      ).instances,
    ).to.deep.equal([]);
  });
});
