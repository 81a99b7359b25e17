/**
 * Shapes found in public answer files and seal scripts, on fixtures written
 * for them: template conditionals (copies on either side of an `else` are
 * alternatives, one of which is rendered), Windows SIM's catalog note,
 * EC2Launch v1's empty order-1 Path, a LocalAccount in no group, and work
 * after `ec2launch sysprep --shutdown`. Each also keeps the mistake it
 * resembles reported.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, lintTextAsync } from '../../../src/lint/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

const TEMPLATE = readFileSync(join(packageRoot(), 'test/fixtures/lint/templates/firmware-branches.pkrtpl.hcl'), 'utf8');
const errors = (text: string, allowPlaceholders: boolean) =>
  lintText(text, { kind: 'unattend', allowPlaceholders })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId}:${f.line}`);

describe('lint: alternatives of a template conditional', () => {
  it('reports no duplicate between the branches of %{ else } and {% else %}', () => {
    expect(errors(TEMPLATE, true)).to.deep.equal([]);
  });

  it('still reports the copies when no else separates them', () => {
    const noElse = TEMPLATE.replace('%{~ else ~}', '%{~ endif ~}%{~ if bios ~}').replace('{% else %}', '{% endif %}{% if ssh %}');
    expect(errors(noElse, true)).to.have.members(['unattend-duplicate:17', 'list-items:35']);
  });

  it('still reports a duplicate inside one branch', () => {
    const inBranch = TEMPLATE.replace('<Order>2</Order><Type>MSR</Type>', '<Order>1</Order><Type>MSR</Type>');
    expect(errors(inBranch, true)).to.include('list-items:13');
  });

  it('does not look for branches without --allow-placeholders', () => {
    expect(errors(TEMPLATE, false)).to.include('unattend-duplicate:17');
  });
});

describe('lint: a LocalAccount in no group', () => {
  const FILE = readFileSync(join(packageRoot(), 'test/fixtures/lint/templates/autologon-local-account.xml'), 'utf8');
  const groupFindings = (text: string) =>
    lintText(text, { kind: 'unattend', allowPlaceholders: true })
      .filter((f) => f.ruleId === 'local-account-group')
      .map((f) => `${f.severity}:${f.line}`);

  it('finds nothing while both accounts have a group', () => {
    expect(groupFindings(FILE)).to.deep.equal([]);
  });

  it('is an error for the account AutoLogon signs in as', () => {
    expect(groupFindings(FILE.replace('<Group>Administrators</Group>', ''))).to.deep.equal(['error:7']);
  });

  it('stays a warning for an account nobody signs in as, or when AutoLogon is off', () => {
    expect(groupFindings(FILE.replace('<Group>Users</Group>', ''))).to.deep.equal(['warning:12']);
    const off = FILE.replace('<Group>Administrators</Group>', '').replace('<Enabled>true</Enabled>', '<Enabled>false</Enabled>');
    expect(groupFindings(off)).to.deep.equal(['warning:7']);
  });
});

describe('lint: work after ec2launch sysprep --shutdown', () => {
  const seal = async (after: string) =>
    (await lintTextAsync(`& "$Env:ProgramFiles\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown\n${after}\n`, { kind: 'powershell' })).filter(
      (f) => f.ruleId === 'seal-ec2launch-v2-sequence',
    );

  it('reports any command doing work after the shutdown, not only another ec2launch call', async () => {
    expect((await seal('Remove-Item C:\\build -Recurse')).map((f) => `${f.severity}:${f.line}`)).to.deep.equal(['error:2']);
  });

  it('reads --shutdown=true, as AWS writes it, without taking the next line for its arguments', async () => {
    const found = (
      await lintTextAsync('& "C:\\Program Files\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown=true\nRemove-Item C:\\build -Recurse\n', {
        kind: 'powershell',
      })
    ).filter((f) => f.ruleId === 'seal-ec2launch-v2-sequence');
    expect(found.map((f) => `${f.line} ${f.message.slice(0, 24)}`)).to.deep.equal(['2 this runs after ec2launc']);
  });

  it('lets logging and leaving the script follow it', async () => {
    expect(await seal('Write-Output "sealed"\nStop-Transcript\nexit 0')).to.deep.equal([]);
  });
});

describe('lint: what EC2Launch v1 fills in its answer file', () => {
  const FILE = readFileSync(join(packageRoot(), 'test/fixtures/lint/templates/ec2launch-v1-order1-path.xml'), 'utf8');
  const empties = (text: string) =>
    lintText(text, { kind: 'unattend' })
      .filter((f) => f.ruleId === 'setting-value')
      .map((f) => f.line);

  it('accepts the empty order-1 Path and locale of a file naming EC2-Windows\\Launch', () => {
    expect(empties(FILE)).to.deep.equal([]);
  });

  it('still rejects an empty Path at another Order, or without EC2Launch v1', () => {
    expect(empties(FILE.replace('<Path>C:\\build\\after-specialize.cmd</Path>', '<Path></Path>'))).to.deep.equal([13]);
    expect(empties(FILE.replace('EC2-Windows\\Launch', 'Panther'))).to.deep.equal([9, 20]);
  });
});

describe("lint: Windows System Image Manager's catalog note", () => {
  const C = 'processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS"';
  const file = (tail: string) =>
    `<?xml version="1.0" encoding="utf-8"?>\n<unattend xmlns="urn:schemas-microsoft-com:unattend">\n  <settings pass="specialize">\n    <component name="Microsoft-Windows-ServerManager-SvrMgrNc" ${C}>\n      <DoNotOpenServerManagerAtLogon>true</DoNotOpenServerManagerAtLogon>\n    </component>\n  </settings>\n  ${tail}\n</unattend>\n`;
  const namespace = (text: string) =>
    lintText(text, { kind: 'unattend' })
      .filter((f) => f.ruleId === 'unattend-namespace')
      .map((f) => `${f.severity}:${f.line}`);

  it('does not report <cpi:offlineImage>, which Setup ignores by design', () => {
    expect(
      namespace(file('<cpi:offlineImage cpi:source="wim:c:/wim/install.wim#Windows Server 2022 SERVERSTANDARD" xmlns:cpi="urn:schemas-microsoft-com:cpi" />')),
    ).to.deep.equal([]);
  });

  it('still reports another element of that namespace, or an offlineImage bound elsewhere', () => {
    expect(namespace(file('<cpi:settings xmlns:cpi="urn:schemas-microsoft-com:cpi" />'))).to.deep.equal(['warning:8']);
    expect(namespace(file('<x:offlineImage xmlns:x="urn:example" />'))).to.deep.equal(['warning:8']);
  });
});
