import { expect } from 'chai';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { DeleteTagsCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { consistencyGraceFor } from './billing-emulator.js';
import { bakeOn, configFor, leftovers, NOTHING, runWinami, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

function ec2On(emu: Emulator, region: string): EC2Client {
  const a = EMULATOR_ACCOUNTS[0]!;
  return new EC2Client({ region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
}

/** `winami <args>` against the emulator, at its time scale and with a grace past its consistency window, in a directory with no journal. */
const winami = (emu: Emulator, args: string[]) =>
  runWinami(emu, [...args, '--time-scale', String(TIME_SCALE), '--consistency-grace-ms', String(consistencyGraceFor(emu))]);

describe('bake: `winami cleanup --build-id` searches every region by tag (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1', 'eu-west-1'] } });
  });
  after(async () => emu?.stop());

  it('finds an image and its copy in two regions without a journal, keeps them unless --include-outputs, and a second run is harmless', async () => {
    const { result } = await bakeOn(emu, configFor('2022', '  regions: [{region: eu-west-1}]\n'), { smokeTest: false });
    if (!result.ok) throw new Error(result.error?.message);
    const [original, copy] = result.images;
    expect([original!.region, copy!.region]).to.deep.equal(['us-east-1', 'eu-west-1']);
    const snapshots = [...original!.snapshotIds, ...copy!.snapshotIds];
    expect(snapshots).to.have.length.greaterThan(1);

    // No journal and no --region: every region is searched, and available images are kept.
    const guarded = await winami(emu, ['cleanup', '--build-id', result.buildId]);
    expect(guarded.code, guarded.stderr).to.equal(0);
    expect(guarded.stdout).to.contain(`nothing left for build ${result.buildId} in `).and.contain('eu-west-1').and.contain('ap-southeast-2');
    for (const img of [original!, copy!]) expect(guarded.stdout).to.contain(`kept image ${img.imageId} (${img.region})`);
    expect(
      emu.control
        .resources({ account: EMULATOR_ACCOUNTS[0]!.accountId })
        .images.map((i) => i.id)
        .sort(),
    ).to.deep.equal([original!.imageId, copy!.imageId].sort());

    const first = await winami(emu, ['cleanup', '--build-id', result.buildId, '--include-outputs']);
    expect(first.code, first.stderr).to.equal(0);
    for (const img of [original!, copy!]) expect(first.stdout).to.contain(`removed image ${img.imageId} (${img.region})`);
    for (const s of original!.snapshotIds) expect(first.stdout).to.contain(`removed snapshot ${s} (us-east-1)`);
    for (const s of copy!.snapshotIds) expect(first.stdout).to.contain(`removed snapshot ${s} (eu-west-1)`);
    expect(leftovers(emu)).to.deep.equal(NOTHING);

    const second = await winami(emu, ['cleanup', '--build-id', result.buildId, '--include-outputs']);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(new RegExp(`^nothing left for build ${result.buildId} in `));
    expect(second.stderr).to.not.match(/could not remove/);
  });

  it('without a journal, removes an available image that lacks the completion tag (a bake that never finished) and keeps the tagged one', async () => {
    const { result } = await bakeOn(emu, configFor('2022', '  regions: [{region: eu-west-1}]\n'), { smokeTest: false });
    if (!result.ok) throw new Error(result.error?.message);
    const [original, copy] = result.images;
    // A successful bake marks every output as its last act.
    for (const img of [original!, copy!]) {
      const out = await ec2On(emu, img.region).send(new DescribeImagesCommand({ ImageIds: [img.imageId] }));
      expect(out.Images?.[0]?.Tags, img.imageId).to.deep.include({ Key: 'winami:complete', Value: 'true' });
    }
    // The copy stands for an image of a bake killed before it finished: available, tagged with the build, not complete.
    await ec2On(emu, 'eu-west-1').send(new DeleteTagsCommand({ Resources: [copy!.imageId], Tags: [{ Key: 'winami:complete' }] }));

    const r = await winami(emu, ['cleanup', '--build-id', result.buildId]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`kept image ${original!.imageId} (us-east-1)`);
    expect(r.stdout).to.contain(`removed image ${copy!.imageId} (eu-west-1)`);
    for (const s of copy!.snapshotIds) expect(r.stdout).to.contain(`removed snapshot ${s} (eu-west-1)`);
    const images = emu.control.resources({ account: EMULATOR_ACCOUNTS[0]!.accountId }).images.map((i) => i.id);
    expect(images).to.include(original!.imageId).and.not.include(copy!.imageId);

    const rest = await winami(emu, ['cleanup', '--build-id', result.buildId, '--include-outputs']);
    expect(rest.code, rest.stderr).to.equal(0);
  });

  it('refuses to run without --build-id or --journal, saying which to give', async () => {
    const r = await winami(emu, ['cleanup']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--build-id <id> or --journal <file>/);
  });
});
