/** Configs for render tests, built from object literals in a temp directory. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import type { ResolvedConfig } from '../../../src/config/types.js';

let dir: string | undefined;

/** A temp directory holding the files the configs point at. */
export function fixtureDir(): string {
  if (dir) return dir;
  dir = mkdtempSync(join(tmpdir(), 'winami-render-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scripts', 'setup.ps1'), '\ufeffparam([string]$Name = \'x\')\nWrite-Output "hello $Name"\nexit 0\n');
  writeFileSync(join(dir, 'app.zip'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3]));
  return dir;
}

/** Parse a written config (an object) as the loader would, relative to the fixture directory. */
export function config(written: Record<string, unknown>, options: { allowPlaintextSecrets?: boolean } = {}): ResolvedConfig {
  return parseConfig(JSON.stringify(written), { configPath: join(fixtureDir(), 'winami.yaml'), ...options });
}

/** A config that uses every section the renderer reads. */
export function richConfig(release: string, agent: string, edition: string): Record<string, unknown> {
  return {
    name: `rich-${release}-${agent}-${edition}`,
    region: 'us-east-1',
    description: 'every section',
    windows: { release, edition, agent },
    customize: [
      { name: 'features', windowsFeatures: ['Web-Server', 'NET-Framework-45-Core'] },
      { script: 'scripts/setup.ps1', validExitCodes: [0, 1641] },
      { name: 'inline', powershell: "Write-Output 'inline'\n", timeout: '20m' },
      { name: 'copy app', file: { source: 'app.zip', destination: 'C:\\Tools\\app.zip' } },
      { reboot: true },
    ],
    windowsSettings: {
      computerName: 'GOLDEN-01',
      timeZone: 'Pacific Standard Time',
      registeredOwner: 'Ops & <Platform>',
      registeredOrganization: `Example "Corp" 'Ltd'`,
      copyProfile: true,
      administrator: { password: { static: 'ssm:/golden/admin' } },
      firstLogonCommands: [{ command: 'cmd /c echo "a & b" > C:\\first.txt', description: 'first' }, { command: 'whoami' }],
      rdp: false,
      productKey: 'ssm:/golden/product-key',
      extraXml: [
        { pass: 'specialize', component: 'Microsoft-Windows-Shell-Setup', xml: '<ShowWindowsLive>false</ShowWindowsLive>' },
        { pass: 'specialize', component: 'Microsoft-Windows-IE-ESC', xml: '<IEHardenAdmin>false</IEHardenAdmin>' },
        { pass: 'oobeSystem', component: 'Microsoft-Windows-Shell-Setup', xml: '<DisableAutoDaylightTimeSet>false</DisableAutoDaylightTimeSet>' },
      ],
    },
    launch: { powershell: "Write-Output 'launched'", persist: true },
    image: { regions: [{ region: 'eu-west-1' }], publishParameter: '/golden/latest', deprecateAfter: '90d' },
  };
}

/** Every release × agent combination winami supports. */
export const COMBINATIONS: readonly [string, string][] = [
  ['2012r2', 'ec2config'],
  ['2016', 'ec2launch-v1'],
  ['2016', 'ec2launch-v2'],
  ['2019', 'ec2launch-v1'],
  ['2019', 'ec2launch-v2'],
  ['2022', 'ec2launch-v2'],
  ['2025', 'ec2launch-v2'],
];
