/**
 * `inventory: true` through the real bake: after the updates and AWS's
 * components are in, the inventory before sealing records the OS build with
 * its raised update build revision, the new KBs with titles, the components'
 * new versions and the features, in the manifest and as image tags that the
 * audit's inventory rule reads; a SQL Server image also records its
 * instance's version and edition.
 */
import { expect } from 'chai';
import type { Image } from '@aws-sdk/client-ec2';
import type { Emulator } from '../../emulator/index.js';
import { catalogue } from '../../emulator/windows-update.js';
import { PACKAGES } from '../../emulator/aws-packages.js';
import { imageInventoryStale } from '../../src/audit/rules/image-inventory-stale.js';
import { bakeOn, startBakeEmulator, writeConfig } from './bake-harness.js';

describe('bake: inventory before sealing on the emulator', function () {
  this.timeout(120_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1'] } });
  });
  after(async () => emu?.stop());

  it('records OS build with UBR, updates, components and features in the manifest and on the image', async () => {
    const config = writeConfig(
      [
        'name: inv',
        'region: us-east-1',
        'windows:',
        '  release: "2022"',
        'builder:',
        '  instanceProfile: winami-builder',
        'customize:',
        '  - awsComponents: [ena]',
        '  - windowsFeatures: [Web-Server]',
        '  - windowsUpdate: {}',
        'inventory: true',
        'smokeTest: false',
      ].join('\n'),
    );
    const { result } = await bakeOn(emu, config);
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    expect(result.steps.map((s) => s.name)).to.include('collectInventory');
    const inv = result.manifest.inventory!;
    const newest = catalogue('2022', 0).slice(0, 3);
    // The seeded base has every month but the newest (UBR 1500); its cumulative update raises it.
    expect(inv.osBuild).to.equal('20348.1600');
    for (const u of newest) expect(inv.updates.find((x) => x.kb === u.kb)?.title).to.contain(u.kb);
    expect(inv.components).to.deep.include({ name: 'Amazon Elastic Network Adapter', version: PACKAGES.AwsEnaNetworkDriver!.latest });
    expect(inv.components.map((c) => c.name)).to.include('amazon-ssm-agent.exe');
    expect(inv.features).to.deep.equal(['Web-Server']);
    const image = emu.control.resources({}).images.find((i) => i.id === result.images[0]!.imageId)!;
    expect(image.tags['winami:os-build']).to.equal('20348.1600');
    expect(image.tags['winami:updates']!.split(',').slice(0, 3).sort()).to.deep.equal(newest.map((u) => u.kb).sort());
    const asImage = { ImageId: image.id, Tags: Object.entries(image.tags).map(([Key, Value]) => ({ Key, Value })) } as Image;
    const subject = { kind: 'image' as const, account: '', region: 'us-east-1', image: asImage };
    expect(imageInventoryStale(subject, { now: new Date(), inventory: { requiredKbs: newest.map((u) => u.kb) } })).to.equal(undefined);
    expect(imageInventoryStale(subject, { now: new Date(Date.now() + 60 * 86_400_000) })![0]!.message).to.match(/inventoried 6\d days ago \(at most 45\)/);
  });

  it("records a SQL Server image's instance version and edition", async () => {
    const config = writeConfig(
      [
        'name: invsql',
        'region: us-east-1',
        'windows:',
        '  release: "2022"',
        'builder:',
        '  instanceProfile: winami-builder',
        'sql:',
        '  mode: license-included',
        '  version: "2022"',
        '  edition: standard',
        'inventory: true',
        'smokeTest: false',
      ].join('\n'),
    );
    const { result } = await bakeOn(emu, config);
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    expect(result.manifest.inventory!.sql).to.deep.equal({ version: '16.0.1000.6', edition: 'Standard Edition (64-bit)' });
    // The seeded base lacks the newest month and nothing installed it.
    expect(result.manifest.inventory!.osBuild).to.equal('20348.1500');
  });
});
