/**
 * The unattend knowledge base against the reference's list of components,
 * and what `component-unknown` says for each kind of name it does not model.
 */
import { expect } from 'chai';
import { lintText, type Finding } from '../../../src/lint/index.js';
import {
  COMPONENT_ALIASES,
  PASSES,
  REFERENCE_COMPONENT_NAMES,
  REMOVED_COMPONENTS,
  UNATTEND_COMPONENTS,
  type SettingSpec,
} from '../../../src/knowledge/unattend/index.js';

const fileWith = (component: string, pass: string, body: string) =>
  [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<unattend xmlns="urn:schemas-microsoft-com:unattend">',
    `  <settings pass="${pass}">`,
    `    <component name="${component}" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State">`,
    `      ${body}`,
    '    </component>',
    '  </settings>',
    '</unattend>',
  ].join('\n');

const lint = (text: string): Finding[] => lintText(text, { kind: 'unattend', architecture: 'amd64' });
const of = (findings: Finding[], rule: string) => findings.filter((f) => f.ruleId === rule);

describe('unattend knowledge base', () => {
  it('models only components of the reference, each citing its learn.microsoft.com page', () => {
    const reference = new Set(REFERENCE_COMPONENT_NAMES);
    for (const c of UNATTEND_COMPONENTS) {
      expect(reference.has(c.name) || reference.has(COMPONENT_ALIASES[c.name] ?? ''), c.name).to.equal(true);
      expect(c.source, c.name).to.match(/^https:\/\/learn\.microsoft\.com\/en-us\/windows-hardware\/customize\/desktop\/unattend\//);
    }
    expect(new Set(UNATTEND_COMPONENTS.map((c) => c.name)).size).to.equal(UNATTEND_COMPONENTS.length);
  });

  it('models every one of the 80 components the reference documents', () => {
    const modelled = new Set(UNATTEND_COMPONENTS.map((c) => c.name));
    expect(REFERENCE_COMPONENT_NAMES.filter((n) => !modelled.has(n))).to.deep.equal([]);
    expect(REFERENCE_COMPONENT_NAMES.length).to.equal(80);
    expect(new Set(REFERENCE_COMPONENT_NAMES).size).to.equal(80);
  });

  it('gives every setting passes, and every pass list only real passes', () => {
    const walk = (specs: readonly SettingSpec[], inherited: readonly string[] | undefined, where: string): void => {
      for (const s of specs) {
        const passes = s.passes ?? inherited;
        expect(passes, `${where}/${s.name}`).to.not.equal(undefined);
        for (const p of passes ?? []) expect(PASSES, `${where}/${s.name}`).to.include(p);
        if (s.type === 'enum') expect(s.values, `${where}/${s.name}`).to.not.be.empty;
        if (s.type === 'integer') expect(s.min! <= s.max!, `${where}/${s.name}`).to.equal(true);
        walk(s.children ?? [], passes, `${where}/${s.name}`);
        if (s.item) walk(s.item.children, passes, `${where}/${s.name}/${s.item.name}`);
      }
    };
    for (const c of UNATTEND_COMPONENTS) walk(c.settings, undefined, c.name);
  });

  it('checks the settings of a newly modelled server component (NetBT, SNMP, SanPolicy)', () => {
    const netbt = fileWith(
      'Microsoft-Windows-NetBT',
      'specialize',
      '<Interfaces><Interface wcm:action="add"><Identifier>Ethernet</Identifier><NetbiosOptions>2</NetbiosOptions></Interface></Interfaces>',
    );
    expect(lint(netbt).filter((f) => f.severity === 'error')).to.deep.equal([]);
    expect(of(lint(netbt.replace('<NetbiosOptions>2<', '<NetbiosOptions>3<')), 'setting-value')).to.have.length(1);
    expect(of(lint(netbt.replace('pass="specialize"', 'pass="oobeSystem"')), 'component-pass')).to.have.length(1);

    const snmp = fileWith(
      'Microsoft-Windows-SNMP-Agent-Service',
      'specialize',
      '<ValidCommunities><ValidCommunity wcm:action="add" wcm:keyValue="public">4</ValidCommunity></ValidCommunities>',
    );
    expect(lint(snmp).filter((f) => f.severity === 'error')).to.deep.equal([]);
    expect(of(lint(snmp.replace('ValidCommunities>', 'ValidCommunitys>').replace('</ValidCommunities>', '</ValidCommunitys>')), 'setting-unknown')).to.not.be
      .empty;

    const san = fileWith('Microsoft-Windows-PartitionManager', 'offlineServicing', '<SanPolicy>1</SanPolicy>');
    expect(lint(san).filter((f) => f.severity === 'error')).to.deep.equal([]);
    expect(of(lint(san.replace('>1<', '>4<')), 'setting-value')).to.have.length(1);
  });

  describe('component-unknown', () => {
    const unknown = (name: string) => {
      const found = of(lint(fileWith(name, 'specialize', '<Anything>1</Anything>')), 'component-unknown');
      expect(found, name).to.have.length(1);
      return found[0]!;
    };

    it('is an error for a name outside the reference, since every reference component is modelled', () => {
      const f = unknown('Contoso-Agent-Settings');
      expect(f.severity).to.equal('error');
      expect(f.message).to.include("not in Microsoft's Unattended Windows Setup Reference");
      expect(f.hint).to.equal(undefined);
    });

    it('names what replaces a removed component, as a warning', () => {
      const f = unknown('Microsoft-Windows-Security-Licensing-SLC-UX');
      expect(f.severity).to.equal('warning');
      expect(f.message).to.include('use Microsoft-Windows-Security-SPP-UX');
    });

    it('gives the reference spelling of a name that differs in case', () => {
      const f = unknown('Microsoft-Windows-shell-setup');
      expect(f.severity).to.equal('error');
      expect(f.hint).to.equal('write `Microsoft-Windows-Shell-Setup`');
    });

    it('suggests the nearest known name for a misspelled component', () => {
      expect(unknown('Microsoft-Windows-Shell-Setp').hint).to.equal('did you mean `Microsoft-Windows-Shell-Setup`?');
      expect(unknown('Microsoft-Windows-Fax-Servce').hint).to.equal('did you mean `Microsoft-Windows-Fax-Service`?');
      expect(unknown('Microsoft-Windows-TerminalServices-LocalSessionManger').hint).to.equal(
        'did you mean `Microsoft-Windows-TerminalServices-LocalSessionManager`?',
      );
    });
  });

  it('warns of a client-only component in an answer file', () => {
    const f = of(
      lint(fileWith('Microsoft-Windows-DeviceAccess', 'specialize', '<SetRegionSpecificPrivacyAccessPolicy>zh</SetRegionSpecificPrivacyAccessPolicy>')),
      'component-client-only',
    );
    expect(f).to.have.length(1);
    expect(f[0]!.severity).to.equal('warning');
    expect(of(lint(fileWith('Microsoft-Windows-NetBT', 'specialize', '<Interfaces/>')), 'component-client-only')).to.deep.equal([]);
  });

  it('lists the reference removed components apart from the documented ones', () => {
    for (const name of Object.keys(REMOVED_COMPONENTS)) expect(REFERENCE_COMPONENT_NAMES).to.not.include(name);
  });
});
