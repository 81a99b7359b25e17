/**
 * seal-direct-sysprep: sysprep.exe run directly, outside the launch agent.
 * The agent's own command (`ec2launch sysprep`, SysprepInstance.ps1,
 * `Ec2Config.exe -sysprep`) runs BeforeSysprep.cmd (RDP off while the password
 * is blank), fills its answer file (locale, the order-1 password
 * randomisation) and resets its state so it runs again on first boot
 * (domain-facts §1.3, §2, §3, §13).
 */
import type { Rule, RuleFinding } from '../types.js';
import { SYSPREP_EXE } from './seal-util.js';

export const sealDirectSysprep: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.script?.commands ?? []) {
    const viaStart = /^(Start-Process|saps|start)$/i.test(c.name) && c.args.some((a) => SYSPREP_EXE.test(a));
    if (!SYSPREP_EXE.test(c.name) && !viaStart) continue;
    out.push({
      message: 'sysprep.exe runs directly, outside the launch agent: its BeforeSysprep step, answer-file updates and state reset are skipped',
      hint: 'seal with the agent: ec2launch.exe sysprep (v2), SysprepInstance.ps1 after InitializeInstance.ps1 -Schedule (v1), or Ec2Config.exe -sysprep',
      line: c.line,
      column: c.column,
    });
  }
  return out;
};
