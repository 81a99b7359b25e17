import { expect } from 'chai';
import { EMULATOR_ACCOUNTS, liveResources, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { discardImage, imageAvailability } from '../../src/image/lifecycle.js';

const ACCOUNT = EMULATOR_ACCOUNTS[0]!.accountId;

describe('image lifecycle: one discard for the bake and the commands', function () {
  this.timeout(60_000);
  let emu: Emulator;

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1'], images: 1, imageAccounts: [ACCOUNT] } });
  });
  after(async () => emu?.stop());

  it('deletes the snapshots a half-made image left (found by tag) once no other image uses them, and keeps them while one does', async () => {
    const ec2 = sessionFor(emu).ec2('us-east-1');
    const image = (await ec2.describeImages({ Owners: ['self'] })).Images![0]!;
    const snap = image.BlockDeviceMappings!.find((m) => m.Ebs?.SnapshotId)!.Ebs!.SnapshotId!;
    await ec2.createTags({
      Resources: [snap],
      Tags: [
        { Key: 'winami:build-id', Value: 'b-half' },
        { Key: 'winami:role', Value: 'image' },
      ],
    });
    const filters = [
      { Name: 'tag:winami:build-id', Values: ['b-half'] },
      { Name: 'tag:winami:role', Values: ['image'] },
    ];
    const gone = 'ami-0123456789abcdef0';

    const whileUsed = await discardImage(ec2, gone, { snapshotFilters: filters });
    expect(whileUsed.status).to.equal('absent');
    expect(whileUsed.deletedSnapshots).to.deep.equal([]);
    expect(whileUsed.keptSnapshots.map((k) => k.snapshotId)).to.deep.equal([snap]);
    expect(whileUsed.keptSnapshots[0]!.reason).to.contain(image.ImageId!);
    expect(liveResources(emu, ACCOUNT, 'us-east-1').snapshots).to.include(snap);

    await ec2.deregisterImage({ ImageId: image.ImageId! });
    const after = await discardImage(ec2, gone, { snapshotFilters: filters });
    expect(after.deletedSnapshots).to.deep.equal([snap]);
    expect(liveResources(emu, ACCOUNT, 'us-east-1').snapshots).to.not.include(snap);
  });

  it("classifies image states with the SDK waiter's acceptors", () => {
    expect(imageAvailability({ State: 'available' }).state).to.equal('success');
    expect(imageAvailability({ State: 'pending' })).to.deep.equal({ state: 'retry', observed: 'state pending' });
    const failed = imageAvailability({ State: 'failed', StateReason: { Message: 'InternalError' } });
    expect(failed).to.deep.equal({ state: 'failure', reason: 'its state is failed (InternalError)' });
  });
});
