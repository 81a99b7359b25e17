/**
 * seal-ec2config-wait: in `Start-Process … Ec2Config.exe -ArgumentList
 * "-sysprep -Wait"` the -Wait goes to Ec2Config.exe as an argument, and
 * Start-Process itself returns at once, so the script (and the build) goes on
 * while Sysprep runs. -Wait belongs to Start-Process.
 */
import type { Rule, RuleFinding } from '../types.js';
import { EC2CONFIG_EXE, parameterValue, runs } from './seal-util.js';

export const sealEc2configWait: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.script?.commands ?? []) {
    if (!/^(Start-Process|saps|start)$/i.test(c.name) || !runs(c, EC2CONFIG_EXE)) continue;
    const list = parameterValue(c, '-ArgumentList') ?? parameterValue(c, '-Args');
    if (list && /(^|[\s"',])-Wait\b/i.test(list)) {
      out.push({
        message: '-Wait is inside -ArgumentList: Ec2Config.exe receives it, and Start-Process returns before Sysprep has run',
        hint: "Start-Process -FilePath '…\\Ec2Config.exe' -ArgumentList '-sysprep' -Wait",
        line: c.line,
        column: c.column,
      });
    }
  }
  return out;
};
