import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { renderBundle } from '../../../src/render/bundle.js';
import { bundleFile, commandFor } from '../../../src/bake/steps/bundle-script.js';

const AGENTS = [
  { release: '2012r2', exe: 'Ec2Config.exe' },
  { release: '2019', exe: 'SysprepInstance.ps1' },
  { release: '2022', exe: 'EC2Launch.exe' },
] as const;

describe('the sysprep command the bake sends', () => {
  for (const a of AGENTS) {
    it(`${a.release}: registers a one-shot S4U task as the built-in Administrator and never runs Sysprep itself as SYSTEM`, async () => {
      const config = parseConfig(`name: t\nregion: us-east-1\nwindows:\n  release: "${a.release}"\n`, { configPath: join(tmpdir(), 'c.yaml') });
      const bundle = await renderBundle(config, { buildId: 'b1' });
      const script = commandFor(bundleFile(bundle, 'scripts/sysprep.ps1', 'runSysprep'));
      const code = script.split(/\r?\n/).filter((l) => !l.trim().startsWith('#'));
      const text = code.join('\n');
      // The built-in Administrator by its RID 500, never by its (localized) name.
      expect(text).to.match(
        /\$administrator = Get-CimInstance -ClassName Win32_UserAccount -Filter 'LocalAccount = TRUE' \| Where-Object \{ \$_\.SID -like 'S-1-5-21-\*-500' \}/,
      );
      expect(text).to.match(/New-ScheduledTaskPrincipal -UserId \$administrator\.Name -LogonType S4U -RunLevel Highest/);
      expect(text).not.to.match(/'Administrator'/);
      expect(text).to.match(/Register-ScheduledTask -TaskName 'winami-sysprep' -Action \$action -Principal \$principal/);
      expect(text).to.match(/Start-ScheduledTask -TaskName 'winami-sysprep'/);
      expect(text).to.contain(a.exe);
      // The agent's Sysprep command appears only as the task's action, never invoked directly.
      const direct = code.filter(
        (l) =>
          /sysprep\.exe|EC2Launch\.exe'?\s+sysprep|Ec2Config\.exe'?\s+-sysprep|^\s*&.*SysprepInstance\.ps1/i.test(l) &&
          !/^\s*\$(execute|arguments)\s*=/.test(l),
      );
      expect(direct, direct.join('\n')).to.deep.equal([]);
      expect(text).to.contain("Write-Output 'WINAMI sysprep=started'");
    });
  }
});
