/**
 * seal-v1-schedule-order: EC2Launch v1's SysprepInstance.ps1 must come after
 * `InitializeInstance.ps1 -Schedule`, or the image boots without the task
 * that sets its password, name and routes ("you must run -Schedule before
 * SysprepInstance.ps1": AWS, "Configure a Windows instance using EC2Launch";
 * domain-facts §2).
 */
import type { Rule, RuleFinding } from '../types.js';
import { hasSwitch, INITIALIZE_INSTANCE, runs, SYSPREP_INSTANCE } from './seal-util.js';

export const sealV1ScheduleOrder: Rule = (ctx) => {
  const commands = ctx.script?.commands ?? [];
  const out: RuleFinding[] = [];
  for (const [i, c] of commands.entries()) {
    if (!runs(c, SYSPREP_INSTANCE)) continue;
    const scheduled = commands.slice(0, i).some((p) => runs(p, INITIALIZE_INSTANCE) && (hasSwitch(p, '-Schedule') || hasSwitch(p, '-SchedulePerBoot')));
    if (!scheduled) {
      out.push({
        message:
          'SysprepInstance.ps1 runs without InitializeInstance.ps1 -Schedule before it: instances from the image do not initialise (password, name, routes)',
        hint: 'run & "$env:ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\InitializeInstance.ps1" -Schedule first',
        line: c.line,
        column: c.column,
      });
    }
  }
  return out;
};
