/**
 * windowsUpdate.wsus: the config's checks on the server URL and group, and the
 * rendered script run by the emulator's PowerShell interpreter: it writes the
 * policy values with hostile text intact and nothing else run, restarts the
 * Windows Update service, and removes the values again when it is done.
 */
import { expect } from 'chai';
import type { Parser } from 'web-tree-sitter';
import { renderBundle } from '../../../src/render/bundle.js';
import { powershellParser, powershellSyntaxErrors } from '../../../src/powershell/parse.js';
import { runScript } from '../../../emulator/guest.js';
import { GuestFs } from '../../../emulator/guest-fs.js';
import { newWindowsState } from '../../../emulator/windows.js';
import { seedWindowsUpdates } from '../../../emulator/windows-update.js';
import { getValue, registryKey } from '../../../emulator/registry.js';
import { config } from '../render/fixtures.js';

const base = { name: 'wu', region: 'us-east-1', windows: { release: '2022' } };
const KEY = registryKey('HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate')!;
const AU = `${KEY}\\au`;

const problems = (wsus: unknown): string[] => {
  try {
    config({ ...base, customize: [{ windowsUpdate: { wsus } }] });
  } catch (e) {
    return ((e as { issues?: { path: string; message: string }[] }).issues ?? []).map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};

const scriptFor = async (wsus: Record<string, unknown>): Promise<string> => {
  const bundle = await renderBundle(config({ ...base, customize: [{ name: 'patch', windowsUpdate: { wsus } }] }));
  const step = bundle.plan.customize[0]!;
  return bundle.files.find((f) => f.path === step.script)!.content.toString('utf8');
};

describe('windowsUpdate.wsus', () => {
  let parser: Parser;
  before(async () => {
    parser = await powershellParser();
  });

  it('takes an http or https URL with a host, a port and a path', () => {
    for (const ok of ['http://wsus.corp.example:8530', 'https://wsus.corp.example:8531', 'http://10.0.0.5:8530/', 'https://wsus/path-1'])
      expect(problems({ server: ok }), ok).to.deep.equal([]);
  });

  it('refuses a URL that is not http(s), names no host, or carries quotes, spaces, credentials or a query, saying how to write it', () => {
    const one = (server: string) => problems({ server })[0] ?? '';
    expect(one('wsus.corp.example:8530')).to.match(/^customize\.0\.windowsUpdate\.wsus\.server: (is not a URL|uses wsus\.corp\.example)/);
    expect(one('ftp://wsus.corp.example')).to.equal('customize.0.windowsUpdate.wsus.server: uses ftp; WSUS is reached over http or https');
    expect(one("http://wsus'; Restart-Computer; '")).to.contain(`contains "'" at position 12`);
    expect(one('http://wsus"')).to.contain('contains "\\"" at position 12');
    expect(one('http://ws us:8530')).to.contain('contains " " at position 10');
    expect(one('http://wsus\\share')).to.contain('contains "\\\\"');
    expect(one('http://admin:secret@wsus:8530')).to.contain('holds credentials');
    expect(one('http://wsus:8530/?x=1')).to.contain('query or fragment');
    expect(one('http://wsus:8530\n')).to.contain('control character');
    expect(problems({ server: 'http://wsus', targetGroup: 'Ring\u00071' })[0]).to.match(/targetGroup: contains the control character/);
    expect(problems({ server: 'http://wsus', keep: true })[0]).to.contain('unknown key "keep"');
  });

  it('renders no policy without wsus', async () => {
    const bundle = await renderBundle(config({ ...base, customize: [{ windowsUpdate: {} }] }));
    const text = bundle.files.find((f) => f.path === bundle.plan.customize[0]!.script)!.content.toString('utf8');
    expect(text).not.to.contain('WUServer');
    expect(text).not.to.contain('wuauserv');
  });

  it('writes hostile values intact as single-quoted literals, runs nothing they hold, and removes the policy when done', async () => {
    const server = 'https://wsus.corp.example:8531/$(Remove-Item-C)/${env:x}/@(1);&x';
    const group = `Ring 1'; Restart-Computer -Force; '$(whoami) "\`n" -- <# #>`;
    const text = await scriptFor({ server, targetGroup: group });
    expect(await powershellSyntaxErrors(text)).to.deep.equal([]);
    expect(text).to.contain(`$wsusServer = '${server}'`);
    expect(text).to.contain(`-Name 'TargetGroup' -Value '${group.replace(/'/g, "''")}' -Type String`);

    const fs = seedWindowsUpdates(new GuestFs(), '2022', Date.now(), Date.now());
    const win = newWindowsState('ec2launch-v2', fs, 'EC2AMAZ-TEST', 'IMAGE_STATE_COMPLETE', false);
    // Before the removal: stop the script where the search would start, by making the agent unreachable.
    const before = runScript(parser, text, win, { scriptPath: 'C:\\wu.ps1', now: Date.now(), wsusServers: {} });
    expect(before.exitCode).to.equal(1);
    expect(before.stderr).to.contain('0x8024402C');
    expect(getValue(fs, KEY, 'WUServer')).to.deep.equal({ name: 'WUServer', value: server, kind: 'String' });
    expect(getValue(fs, KEY, 'WUStatusServer')?.value).to.equal(server);
    expect(getValue(fs, KEY, 'TargetGroup')).to.deep.equal({ name: 'TargetGroup', value: group, kind: 'String' });
    expect(getValue(fs, KEY, 'TargetGroupEnabled')).to.deep.equal({ name: 'TargetGroupEnabled', value: 1, kind: 'DWord' });
    expect(getValue(fs, AU, 'UseWUServer')).to.deep.equal({ name: 'UseWUServer', value: 1, kind: 'DWord' });
    expect(win.pendingReboot).to.equal(false); // Restart-Computer in the group name did not run

    // Reachable, nothing approved: the step ends at once and removes every value it set.
    const after = runScript(parser, text, win, { scriptPath: 'C:\\wu.ps1', now: Date.now(), wsusServers: { [server]: { approved: [] } } });
    expect(after.exitCode, after.stderr).to.equal(0);
    expect(after.stdout).to.contain('WINAMI windowsUpdate wsus=removed');
    for (const name of ['WUServer', 'WUStatusServer', 'TargetGroup', 'TargetGroupEnabled']) expect(getValue(fs, KEY, name), name).to.equal(undefined);
    expect(getValue(fs, AU, 'UseWUServer')).to.equal(undefined);
  });

  it('keepPolicy leaves the values in place', async () => {
    const text = await scriptFor({ server: 'http://wsus:8530', keepPolicy: true });
    expect(text).not.to.contain('Remove-ItemProperty');
    const fs = seedWindowsUpdates(new GuestFs(), '2022', Date.now(), Date.now());
    const win = newWindowsState('ec2launch-v2', fs, 'EC2AMAZ-TEST', 'IMAGE_STATE_COMPLETE', false);
    const run = runScript(parser, text, win, { scriptPath: 'C:\\wu.ps1', now: Date.now(), wsusServers: { 'http://wsus:8530': { approved: [] } } });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(getValue(fs, KEY, 'WUServer')?.value).to.equal('http://wsus:8530');
    expect(getValue(fs, KEY, 'TargetGroup')).to.equal(undefined);
  });
});
