/**
 * ec2-agent-requirements: what AWS's launch agents set in their own answer
 * files and rely on after Sysprep (domain-facts §1.6, §2, §3). Runs only when
 * the agent is known (`agent` option).
 */
import type { Rule, RuleFinding } from '../types.js';
import type { SettingNode, UnattendModel } from '../unattend-model.js';
import { atElement, parseBoolean } from './util.js';

function find(m: UnattendModel, pass: string, component: string, path: string): SettingNode | undefined {
  return m.settings.find((s) => s.component.pass.name === pass && s.component.name === component && s.path === path);
}

function commandTexts(m: UnattendModel): string[] {
  return m.settings.filter((s) => s.spec && (s.spec.name === 'Path' || s.spec.name === 'CommandLine')).map((s) => s.el.text);
}

export const ec2AgentRequirements: Rule = (ctx) => {
  const m = ctx.unattend;
  const agent = ctx.options.agent;
  if (!m || !agent) return [];
  const out: RuleFinding[] = [];
  const anchor = (pass: string) => m.passes.find((p) => p.name === pass)?.el ?? m.root;
  const persist = find(m, 'generalize', 'Microsoft-Windows-PnpSysprep', 'PersistAllDeviceInstalls');
  if (!persist || parseBoolean(persist.el.text) !== true) {
    out.push(
      atElement(
        persist?.el ?? anchor('generalize'),
        `${agent} keeps Microsoft-Windows-PnpSysprep/PersistAllDeviceInstalls=true in generalize; without it Sysprep removes the ENA/NVMe drivers the instance boots with`,
        'set <PersistAllDeviceInstalls>true</PersistAllDeviceInstalls> in the generalize pass',
      ),
    );
  }
  const skipMachine = find(m, 'oobeSystem', 'Microsoft-Windows-Shell-Setup', 'OOBE/SkipMachineOOBE');
  const eula = find(m, 'oobeSystem', 'Microsoft-Windows-Shell-Setup', 'OOBE/HideEULAPage');
  if (parseBoolean(skipMachine?.el.text ?? '') !== true && parseBoolean(eula?.el.text ?? '') !== true) {
    out.push(
      atElement(
        eula?.el ?? anchor('oobeSystem'),
        'OOBE is not unattended: without OOBE/HideEULAPage=true the instance waits at the licence page and never reports "Windows is ready"',
        'set <HideEULAPage>true</HideEULAPage> under Shell-Setup/OOBE in oobeSystem',
      ),
    );
  }
  const locale = m.settings.some((s) => s.component.name === 'Microsoft-Windows-International-Core' && s.spec?.name === 'UILanguage');
  if (!locale)
    out.push(
      atElement(
        anchor('oobeSystem'),
        'No Microsoft-Windows-International-Core/UILanguage: OOBE stops at the region and language page',
        'add International-Core with InputLocale, SystemLocale, UILanguage and UserLocale in oobeSystem',
      ),
    );
  const commands = commandTexts(m);
  const adminPassword = m.settings.some((s) => s.path === 'UserAccounts/AdministratorPassword/Value' && s.el.text !== '');
  // By name (AWS's own answer files) or by the account's RID 500 (winami's: the name is localized).
  const activates = commands.some((c) => /(administrator\b|-500\b).*\/active:yes/i.test(c));
  if (!adminPassword && !activates) {
    out.push(
      atElement(
        anchor('specialize'),
        'Nothing enables the built-in Administrator: with no AdministratorPassword it stays disabled after Sysprep',
        "keep the specialize RunSynchronous command `net user Administrator /ACTIVE:YES ...` from the agent's answer file",
      ),
    );
  }
  if (agent !== 'ec2config') {
    const lsm = find(m, 'specialize', 'Microsoft-Windows-TerminalServices-LocalSessionManager', 'fDenyTSConnections');
    const reenables = parseBoolean(lsm?.el.text ?? '') === false || commands.some((c) => /fDenyTSConnections|Specialize(Phase)?\.cmd/i.test(c));
    if (!reenables) {
      out.push(
        atElement(
          anchor('specialize'),
          `${agent} turns RDP off before Sysprep (fDenyTSConnections=1); nothing in specialize turns it back on`,
          "keep the agent's specialize command that sets fDenyTSConnections=0, or set TerminalServices-LocalSessionManager/fDenyTSConnections=false",
        ),
      );
    }
  }
  return out;
};
