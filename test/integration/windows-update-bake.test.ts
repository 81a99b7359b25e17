import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { catalogue } from '../../emulator/windows-update.js';
import { REGISTRY_FILE } from '../../emulator/registry.js';
import { bakeOn, installedUpdatesIn, leftovers, NOTHING, readFromImage, startBakeEmulator, writeConfig } from './bake-harness.js';

// KB numbers do not depend on the catalogue's epoch; month 0 is the newest of the first three.
const newest = catalogue('2022', 0).slice(0, 3);
const kb = (kind: string) => newest.find((u) => u.kind === kind)!.kb;

const updates = (body: string[]) =>
  writeConfig(
    [
      'name: monthly',
      'region: us-east-1',
      'windows:',
      '  release: "2022"',
      'builder:',
      '  instanceProfile: winami-builder',
      'customize:',
      '  - name: patch tuesday',
      '    timeout: 3h',
      '    windowsUpdate:',
      ...body.map((l) => `      ${l}`),
      'image:',
      '  name: "monthly-{{buildId}}"',
    ].join('\n'),
  );

const outputOf = (events: { code: string; data?: unknown; message: string }[]) =>
  events
    .filter((e) => e.code === 'bake.customize.output')
    .map((e) => JSON.stringify(e.data ?? {}))
    .join('\n');

describe('bake: windowsUpdate on the emulator', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const outputs: string[] = [];
  beforeEach(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1'] } });
  });
  afterEach(async () => emu?.stop());

  it('installs the month in rounds across a restart, reports each KB, and the image has them', async () => {
    const { result, reporter } = await bakeOn(emu, updates(['categories: [SecurityUpdates, CriticalUpdates]']), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    outputs.push(...result.images.map((i) => i.imageId));
    const out = outputOf(reporter.events);
    // The last run prints the log of every round: SSU, then the cumulative update (restart), then .NET after the restart.
    expect(out).to.contain(`kb=${kb('ssu')} round=1 result=Succeeded hresult=0x00000000`);
    expect(out).to.contain(`kb=${kb('lcu')} round=2 result=Succeeded hresult=0x00000000`);
    expect(out).to.contain(`kb=${kb('dotnet')} round=3 result=Succeeded hresult=0x00000000`);
    expect(out).to.contain('WINAMI windowsUpdate applicable=0');
    const reported = reporter.events
      .filter((e) => e.code === 'bake.windowsUpdate.update')
      .map((e) => e.data as { kb: string; round: number; result: string; hresult: string });
    expect(reported.map((u) => [u.kb, u.round, u.result, u.hresult])).to.deep.equal([
      [kb('ssu'), 1, 'Succeeded', '0x00000000'],
      [kb('lcu'), 2, 'Succeeded', '0x00000000'],
      [kb('dotnet'), 3, 'Succeeded', '0x00000000'],
    ]);
    expect(await installedUpdatesIn(emu, result.images[0]!.imageId)).to.include.members([kb('ssu'), kb('lcu'), kb('dotnet')]);
    for (let i = 0; i < 200 && leftovers(emu, outputs).instances.length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(leftovers(emu, outputs)).to.deep.equal(NOTHING);
  });

  it('an excluded KB is skipped and reported as skipped', async () => {
    const { result, reporter } = await bakeOn(emu, updates([`exclude: [${kb('dotnet')}]`]), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    outputs.push(...result.images.map((i) => i.imageId));
    const out = outputOf(reporter.events);
    expect(out).to.contain(`skipped=${kb('dotnet')}`);
    expect(out).not.to.contain(`kb=${kb('dotnet')} round=`);
    expect(out).to.contain(`kb=${kb('lcu')} round=2 result=Succeeded`);
  });

  it('severities keep updates without a rating (servicing stack) and skip the others outside the list', async () => {
    const { result, reporter } = await bakeOn(emu, updates(['severities: [Critical]']), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    const out = outputOf(reporter.events);
    expect(out).to.contain(`kb=${kb('ssu')} round=1 result=Succeeded`);
    expect(out).to.contain(`kb=${kb('lcu')} round=2 result=Succeeded`);
    expect(out).to.contain(`skipped=${kb('dotnet')}`);
  });

  it('an update that fails stops the bake naming the KB and its HRESULT (exit 7), nothing left', async () => {
    emu.control.setGuestDefaults({ failUpdates: { [kb('lcu')]: '0x80240022' } });
    const { result } = await bakeOn(emu, updates(['categories: [SecurityUpdates, CriticalUpdates]']), { smokeTest: false });
    expect(result.exitCode).to.equal(7);
    expect(result.failedStep).to.equal('customize');
    expect(result.error!.message).to.contain(`${kb('lcu')} (`);
    expect(result.error!.message).to.contain('failed with HRESULT 0x80240022');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  const installedIn = (imageId: string) => installedUpdatesIn(emu, imageId);
  const WSUS = 'http://wsus.corp.example:8530';

  it('wsus: searches the WSUS server, installs only what it approved, and removes the policy before sealing', async () => {
    emu.control.setGuestDefaults({ wsusServers: { [WSUS]: { approved: [kb('ssu'), kb('lcu')], groups: { 'Golden images': [kb('dotnet')] } } } });
    const { result, reporter } = await bakeOn(emu, updates([`wsus: { server: "${WSUS}" }`]), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    const out = outputOf(reporter.events);
    expect(out).to.contain(`WINAMI windowsUpdate wsus=${WSUS}`);
    expect(out).to.contain(`kb=${kb('ssu')} round=1 result=Succeeded`);
    expect(out).to.contain(`kb=${kb('lcu')} round=2 result=Succeeded`);
    // Not approved for all computers, and this computer names no group: never offered.
    expect(out).not.to.contain(kb('dotnet'));
    expect(out).to.contain('WINAMI windowsUpdate wsus=removed');
    const image = result.images[0]!.imageId;
    expect(await installedIn(image))
      .to.include.members([kb('ssu'), kb('lcu')])
      .and.not.include(kb('dotnet'));
    // The image carries no WSUS policy: the keys the step created are empty of the values it set.
    const registry = JSON.parse((await readFromImage(emu, image, REGISTRY_FILE)) ?? '{}') as Record<string, Record<string, unknown>>;
    expect(Object.values(registry).flatMap((values) => Object.keys(values))).to.deep.equal([]);
  });

  it("wsus with a target group gets that group's approvals too, and keepPolicy leaves the policy in the image", async () => {
    emu.control.setGuestDefaults({ wsusServers: { [WSUS]: { approved: [kb('ssu'), kb('lcu')], groups: { 'Golden images': [kb('dotnet')] } } } });
    const { result, reporter } = await bakeOn(emu, updates([`wsus: { server: "${WSUS}", targetGroup: Golden images, keepPolicy: true }`]), {
      smokeTest: false,
    });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    const out = outputOf(reporter.events);
    expect(out).to.contain(`kb=${kb('dotnet')} round=3 result=Succeeded`);
    expect(out).not.to.contain('wsus=removed');
    const registry = JSON.parse((await readFromImage(emu, result.images[0]!.imageId, REGISTRY_FILE)) ?? '{}') as Record<
      string,
      Record<string, { name: string; value: unknown; kind: string }>
    >;
    const policy = registry['hklm:\\software\\policies\\microsoft\\windows\\windowsupdate']!;
    expect(Object.values(policy).map((v) => [v.name, v.value, v.kind])).to.deep.equal([
      ['WUServer', WSUS, 'String'],
      ['WUStatusServer', WSUS, 'String'],
      ['TargetGroup', 'Golden images', 'String'],
      ['TargetGroupEnabled', 1, 'DWord'],
    ]);
    expect(Object.values(registry['hklm:\\software\\policies\\microsoft\\windows\\windowsupdate\\au']!).map((v) => [v.name, v.value])).to.deep.equal([
      ['UseWUServer', 1],
    ]);
  });

  it('wsus with nothing approved yet installs nothing: the agent searches the WSUS server from the first round', async () => {
    emu.control.setGuestDefaults({ wsusServers: { [`${WSUS}/`]: { approved: [] } } });
    const { result, reporter } = await bakeOn(emu, updates([`wsus: { server: "${WSUS}" }`]), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    const out = outputOf(reporter.events);
    expect(out).to.contain('WINAMI windowsUpdate applicable=0');
    expect(out).not.to.match(/kb=KB\d+ round=/);
    expect(reporter.events.filter((e) => e.code === 'bake.windowsUpdate.update')).to.deep.equal([]);
  });

  it('a WSUS server the builder cannot reach stops the bake with HRESULT 0x8024402C (exit 7), nothing left', async () => {
    emu.control.setGuestDefaults({ wsusServers: { 'http://other.corp.example:8530': { approved: [] } } });
    const { result } = await bakeOn(emu, updates([`wsus: { server: "${WSUS}" }`]), { smokeTest: false });
    expect(result.exitCode).to.equal(7);
    expect(result.failedStep).to.equal('customize');
    expect(result.error!.message).to.contain('0x8024402C');
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('updates still applicable after maxRounds stop the bake, naming them (exit 7), nothing left', async () => {
    const { result } = await bakeOn(emu, updates(['maxRounds: 2']), { smokeTest: false });
    expect(result.exitCode).to.equal(7);
    expect(result.failedStep).to.equal('customize');
    expect(result.error!.message).to.contain(`still applicable after 2 rounds: ${kb('dotnet')}`);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });
});
