/**
 * The guest's PowerShell model, run directly: Install-WindowsFeature's result
 * object and errors, the strictness of winami-rendered scripts outside the
 * user's own code, and built-in accounts named in the image's language.
 */
import { expect } from 'chai';
import type { Parser } from 'web-tree-sitter';
import { powershellParser } from '../../src/powershell/parse.js';
import { GuestFs } from '../../emulator/guest-fs.js';
import { runScript, scriptRegions, USER_CODE_BEGIN, USER_CODE_END } from '../../emulator/guest.js';
import { installedFeatures } from '../../emulator/windows-features.js';
import { languageByToken, setLanguage } from '../../emulator/windows-languages.js';
import { newWindowsState, type WindowsState } from '../../emulator/windows.js';
import type { WindowsRelease } from '../../src/knowledge/releases.js';
import { parseConfig } from '../../src/config/load.js';
import { renderBundle } from '../../src/render/bundle.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let parser: Parser;
function guest(release: WindowsRelease = '2022', language = 'English'): WindowsState {
  const fs = new GuestFs();
  setLanguage(fs, languageByToken(language)!);
  const w = newWindowsState('ec2launch-v2', fs, 'EC2AMAZ-TEST123', 'IMAGE_STATE_COMPLETE', false);
  w.release = release;
  return w;
}
const run = (w: WindowsState, source: string) => runScript(parser, source, w, { scriptPath: 'C:\\t.ps1', now: Date.now() });

describe('emulator guest: the PowerShell model', () => {
  before(async () => {
    parser = await powershellParser();
  });

  describe('Install-WindowsFeature', () => {
    const show =
      "$r = Install-WindowsFeature -Name @(NAMES)\nWrite-Output ('' + $r.Success + '|' + [string]$r.RestartNeeded + '|' + $r.ExitCode + '|' + $r.FeatureResult.Count)";
    it('installs known features: Success, RestartNeeded No, ExitCode Success; again: NoChangeNeeded', () => {
      const w = guest();
      const first = run(w, show.replace('NAMES', "'Web-Server', 'Web-Mgmt-Console'"));
      expect(first.stdout.trim()).to.equal('True|No|Success|2');
      expect(installedFeatures(w.fs)).to.deep.equal(['Web-Mgmt-Console', 'Web-Server']);
      expect(w.pendingReboot).to.equal(false);
      expect(run(w, show.replace('NAMES', "'web-server'")).stdout.trim()).to.equal('True|No|NoChangeNeeded|0');
    });

    it('a feature that needs a restart: RestartNeeded Yes, SuccessRestartRequired, and Windows has a reboot pending', () => {
      const w = guest();
      expect(run(w, show.replace('NAMES', "'Containers'")).stdout.trim()).to.equal('True|Yes|SuccessRestartRequired|1');
      expect(w.pendingReboot).to.equal(true);
    });

    it('a name Windows does not know: ArgumentNotValid (NameDoesNotExist), nothing installed, InvalidArgs', () => {
      const w = guest();
      const r = run(w, show.replace('NAMES', "'Web-Server', 'OpenSSH-Server'"));
      expect(r.stderr).to.contain("ArgumentNotValid: The role, role service, or feature name is not valid: 'OpenSSH-Server'. The name was not found.");
      expect(r.stderr).to.contain('NameDoesNotExist,Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand');
      expect(r.stdout.trim()).to.equal('False|No|InvalidArgs|0');
      expect(installedFeatures(w.fs)).to.deep.equal([]);
      // Under -ErrorAction Stop the error ends the script.
      const stop = run(guest(), "$ErrorActionPreference = 'Stop'\nInstall-WindowsFeature -Name 'No-Such-Feature'\nWrite-Output 'after'");
      expect(stop.exitCode).to.equal(1);
      expect(stop.stdout).not.to.contain('after');
    });

    it('knows which release has a feature: Server-Gui-Shell only on 2012 R2', () => {
      expect(run(guest('2012r2'), show.replace('NAMES', "'Server-Gui-Shell'")).stdout.trim()).to.equal('True|Yes|SuccessRestartRequired|1');
      expect(run(guest('2022'), show.replace('NAMES', "'Server-Gui-Shell'")).stdout.trim()).to.equal('False|No|InvalidArgs|0');
    });
  });

  describe("winami-rendered scripts are held to the model; the user's code is not", () => {
    const body = (inner: string) => `$ErrorActionPreference = 'Stop'\n${inner}\nWrite-Output 'done'\nexit 0`;
    it("an unmodelled command in winami's code fails with 'not modelled: <name>'", () => {
      const r = run(guest(), `# winami: a rendered script\n${body('Set-Frobnication -Level 3')}`);
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.contain('not modelled: Set-Frobnication');
      expect(r.stdout).not.to.contain('done');
    });

    it("the same command inside the user's code, or in a script winami did not render, is a no-op", () => {
      const user = run(guest(), `# winami: a rendered script\n${body(`& {\n${USER_CODE_BEGIN}\nSet-Frobnication -Level 3\n${USER_CODE_END}\n}`)}`);
      expect(user.exitCode, user.stderr).to.equal(0);
      expect(user.stdout).to.contain('done');
      const plain = run(guest(), body('Set-Frobnication -Level 3'));
      expect(plain.exitCode).to.equal(0);
    });

    it("a delivered script called by its path runs from the guest disk, its exit code in $LASTEXITCODE (a large script's call)", () => {
      const w = guest();
      w.fs.write('C:\\ProgramData\\winami\\scripts\\big.ps1', Buffer.from("Write-Output 'big ran'\r\nexit 3010"));
      const r = run(w, "# winami: run scripts/big.ps1\r\n& 'C:\\ProgramData\\winami\\scripts\\big.ps1'\r\nexit $LASTEXITCODE");
      expect(r.stdout).to.contain('big ran');
      expect(r.exitCode).to.equal(3010);
      const missing = run(guest(), "# winami: run\r\n$ErrorActionPreference = 'Stop'\r\n& 'C:\\nowhere\\x.ps1'\r\nexit 0");
      expect(missing.exitCode).to.equal(1);
      expect(missing.stderr).to.contain('is not recognized');
    });

    it('scriptRegions: rendered when the first line is a comment naming winami; user ranges between the markers', () => {
      expect(scriptRegions('# winami: x\nA\n').rendered).to.equal(true);
      expect(scriptRegions('Write-Output 1\n# winami: x').rendered).to.equal(false);
      expect(scriptRegions(`# winami\n${USER_CODE_BEGIN}\nA\n${USER_CODE_END}\n`).user).to.deep.equal([[1, 3]]);
    });
  });

  describe('the language resolve-secrets.ps1 uses', () => {
    it('hashtable literals, param defaults, [char], -f, -replace, -join, StringBuilder, [regex], SecurityElement, UTF8Encoding', () => {
      const w = guest();
      const r = run(
        w,
        [
          "param([string]$Id = 'b-1')",
          "$h = @{ Slot = 'pw'; Files = @( @{ Path = 'C:\\a.txt'; Bom = $true } ) }",
          "Write-Output ($h.Slot + '|' + $h.Files[0].Path + '|' + $h['Slot'] + '|' + $Id)",
          "Write-Output ('\\u{0:x4}' -f [int][char]0x1F)",
          'Write-Output ("it\'s" -replace "[\'\u2019]", \'$0$0\')',
          "Write-Output (@('a', 'b') -join ',')",
          '$sb = New-Object System.Text.StringBuilder',
          "foreach ($ch in 'a\"b'.ToCharArray()) { if ($ch -eq [char]0x22) { [void]$sb.Append([char]0x5C).Append($ch) } else { [void]$sb.Append($ch) } }",
          'Write-Output $sb.ToString()',
          "Write-Output ([regex]::Matches('x @@T:a@@ y @@T:b@@', '@@T:[a-z]+@@').Count)",
          'Write-Output ([System.Security.SecurityElement]::Escape(\'<a & "b">\'))',
          "[IO.File]::WriteAllText('C:\\a.txt', 'v', (New-Object System.Text.UTF8Encoding($h.Files[0].Bom)))",
          "Write-Output ([IO.File]::ReadAllText('C:\\a.txt'))",
        ].join('\n'),
      );
      expect(r.stderr).to.equal('');
      expect(r.stdout.split('\n').slice(0, 8)).to.deep.equal([
        'pw|C:\\a.txt|pw|b-1',
        '\\u001f',
        "it''s",
        'a,b',
        'a\\"b',
        '2',
        '&lt;a &amp; &quot;b&quot;&gt;',
        'v',
      ]);
      expect([...w.fs.read('C:\\a.txt')!.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    });
  });

  describe('Get-SSMParameter', () => {
    const script = "$ErrorActionPreference = 'Stop'\nWrite-Output (Get-SSMParameter -Name '/p/x' -WithDecryption $true).Value";
    it('reads through the lookup the instance profile gives; without one it finds no credentials', () => {
      const w = guest();
      const seen: [string, boolean][] = [];
      const ok = runScript(parser, script, w, {
        scriptPath: 'C:\\t.ps1',
        now: 0,
        getParameter: (n, d) => (seen.push([n, d]), { name: n, type: 'SecureString', value: 'v1', version: 3 }),
      });
      expect(ok.stdout.trim()).to.equal('v1');
      expect(seen).to.deep.equal([['/p/x', true]]);
      const none = run(guest(), script);
      expect(none.exitCode).to.equal(1);
      expect(none.stderr).to.contain('Get-SSMParameter : No credentials specified or obtained from persisted/shell defaults.');
      const regions: (string | undefined)[] = [];
      runScript(parser, "Get-SSMParameter -Name '/p/x' -Region 'eu-west-1'", guest(), {
        scriptPath: 'C:\\t.ps1',
        now: 0,
        getParameter: (n, _d, r) => (regions.push(r), { name: n, type: 'String', value: 'v', version: 1 }),
      });
      expect(regions).to.deep.equal(['eu-west-1']);
      const missing = runScript(parser, script, guest(), {
        scriptPath: 'C:\\t.ps1',
        now: 0,
        getParameter: () => ({ error: "Exception of type 'Amazon.SimpleSystemsManagement.Model.ParameterNotFoundException' was thrown." }),
      });
      expect(missing.stderr).to.contain('ParameterNotFoundException');
    });
  });

  describe('built-in accounts in the image language', () => {
    const admin =
      "$a = Get-CimInstance -ClassName Win32_UserAccount -Filter 'LocalAccount = TRUE' | Where-Object { $_.SID -like 'S-1-5-21-*-500' }\nWrite-Output $a.Name";
    it('names the RID-500 account per language', () => {
      expect(run(guest('2022', 'French'), admin).stdout.trim()).to.equal('Administrateur');
      expect(run(guest('2022', 'Russian'), admin).stdout.trim()).to.equal('Администратор');
      expect(run(guest('2022', 'English'), admin).stdout.trim()).to.equal('Administrator');
    });

    const register = (user: string) =>
      `$ErrorActionPreference = 'Stop'\n$action = New-ScheduledTaskAction -Execute 'C:\\x.exe' -Argument 'y'\n$p = New-ScheduledTaskPrincipal -UserId ${user} -LogonType S4U -RunLevel Highest\nRegister-ScheduledTask -TaskName 't' -Action $action -Principal $p -Force | Out-Null\nexit 0`;
    it("refuses a Sysprep task for 'Administrator' on a French image, as Task Scheduler does, and takes the RID-500 account's name", () => {
      const fr = guest('2022', 'French');
      const byName = run(fr, register("'Administrator'"));
      expect(byName.exitCode).to.equal(1);
      expect(byName.stderr).to.contain('No mapping between account names and security IDs was done.');
      expect(fr.tasks.has('t')).to.equal(false);
      const byRid = run(fr, `${admin.replace('Write-Output $a.Name', '')}\n${register('$a.Name')}`);
      expect(byRid.exitCode, byRid.stderr).to.equal(0);
      expect(fr.tasks.has('t')).to.equal(true);
      expect(run(guest('2022', 'English'), register("'Administrator'")).exitCode).to.equal(0);
    });
  });

  describe("EC2Config's seal script keeps the image's culture", () => {
    it("rewrites the oobeSystem locale of sysprep2008.xml from the OS's LocaleName before Sysprep, and nothing else", async () => {
      const config = parseConfig('name: t\nregion: us-east-1\nwindows:\n  release: "2012r2"\n', { configPath: join(tmpdir(), 'c.yaml') });
      const bundle = await renderBundle(config, { buildId: 'b1' });
      const text = (path: string) => bundle.files.find((f) => f.path === path)!.content.toString();
      const unattend = text('unattend.xml');
      const sysprep = text('scripts/sysprep.ps1');
      // The rewrite, as the rendered script has it (held to the model: its first line names winami).
      const lines = sysprep.split(/\r?\n/);
      const block = lines.slice(
        lines.findIndex((l) => l.startsWith('$answerFile =')),
        lines.findIndex((l) => l.startsWith('Write-Output "WINAMI oobeLocale')) + 1,
      );
      expect(block.length).to.be.greaterThan(3);
      const w = guest('2022', 'German');
      const answerFile = 'C:\\Program Files\\Amazon\\Ec2ConfigService\\sysprep2008.xml';
      w.fs.write(answerFile, Buffer.from(unattend));
      const r = run(w, ['# rendered by winami', ...block].join('\n'));
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.include('WINAMI oobeLocale=de-DE');
      const after = w.fs.read(answerFile)!.toString('utf8');
      for (const name of ['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale']) expect(after).to.include(`<${name}>de-DE</${name}>`);
      expect(after).not.to.include('en-US');
      // Only those four values changed.
      expect(after.replace(/de-DE/g, 'en-US')).to.equal(unattend.replace(/^\uFEFF/, ''));
    });
  });
});
