/**
 * seal-ec2launch-v2-sequence: the EC2Launch v2 commands AWS documents for
 * sealing ("Configure EC2Launch v2 using the CLI"; domain-facts §1.3):
 * subcommands and flags as documented; `sysprep` with `--shutdown` (AWS's own
 * invocation is `ec2launch.exe sysprep --shutdown=true`); `reset` followed by
 * `sysprep`, since reset alone leaves the image ungeneralised; nothing of the
 * agent's after `sysprep --shutdown`, which ends the session.
 */
import type { Rule, RuleFinding } from '../types.js';
import type { ScriptCommand } from '../script-model.js';
import { EC2LAUNCH_V2, parameterValue, runs } from './seal-util.js';

const SUBCOMMANDS = ['sysprep', 'reset', 'run', 'status', 'validate', 'get-agent-config', 'collect-logs', 'list-volumes', 'version', 'wallpaper', 'help'];
const FLAGS: Readonly<Record<string, readonly string[]>> = {
  sysprep: ['-b', '--block', '-c', '--clean', '-s', '--shutdown', '-h', '--help'],
  reset: ['-b', '--block', '-c', '--clean', '-h', '--help'],
};

/** The ec2launch.exe invocation `c` is, as `{sub, flags}`, or undefined. */
function invocation(c: ScriptCommand): { sub: string; flags: string[] } | undefined {
  let rest: string[];
  if (EC2LAUNCH_V2.test(c.name)) rest = c.args;
  else if (/^(Start-Process|saps|start)$/i.test(c.name) && c.args.some((a) => EC2LAUNCH_V2.test(a))) {
    const list = parameterValue(c, '-ArgumentList') ?? parameterValue(c, '-Args') ?? '';
    rest = list
      .replace(/^["']|["']$/g, '')
      .split(/[\s,'"]+/)
      .filter(Boolean);
  } else if (runs(c, EC2LAUNCH_V2)) {
    rest = c.args.slice(c.args.findIndex((a) => EC2LAUNCH_V2.test(a)) + 1);
  } else return undefined;
  const sub = rest.find((a) => !a.startsWith('-'));
  return sub === undefined ? undefined : { sub: sub.toLowerCase(), flags: rest.filter((a) => a.startsWith('-')) };
}

/** Commands that may follow the shutdown harmlessly: logging, waiting, leaving the script. */
const HARMLESS_AFTER_SHUTDOWN = /^(Stop-Transcript|Write-(Host|Output|Verbose|Information)|echo|Start-Sleep|sleep|exit|return)$/i;

/** The first command after `sysprep` that does real work: it never runs, or runs against a sealed image. */
function commandAfter(commands: readonly ScriptCommand[], sysprep: ScriptCommand): ScriptCommand | undefined {
  return commands.slice(commands.indexOf(sysprep) + 1).find((c) => !HARMLESS_AFTER_SHUTDOWN.test(c.name));
}

export const sealEc2launchV2Sequence: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  const calls = (ctx.script?.commands ?? [])
    .map((c) => ({ c, inv: invocation(c) }))
    .filter((x): x is { c: ScriptCommand; inv: { sub: string; flags: string[] } } => x.inv !== undefined);
  calls.forEach(({ c, inv }, k) => {
    const at = { line: c.line, column: c.column };
    if (!SUBCOMMANDS.includes(inv.sub)) {
      out.push({ ...at, message: `ec2launch.exe has no subcommand "${inv.sub}"`, hint: `use one of: ${SUBCOMMANDS.join(', ')}` });
      return;
    }
    for (const f of inv.flags) {
      const name = f.split('=')[0]!.toLowerCase();
      const value = f.includes('=') ? f.slice(f.indexOf('=') + 1).toLowerCase() : undefined;
      const allowed = FLAGS[inv.sub];
      if (allowed && !allowed.includes(name)) out.push({ ...at, message: `ec2launch.exe ${inv.sub} has no flag ${f}`, hint: `flags: ${allowed.join(' ')}` });
      else if (value !== undefined && value !== 'true' && value !== 'false') out.push({ ...at, message: `${name} takes true or false, not "${value}"` });
    }
    const flag = (names: string[]) => inv.flags.some((f) => names.includes(f.split('=')[0]!.toLowerCase()) && !/=false$/i.test(f));
    if (inv.sub === 'sysprep') {
      if (!flag(['-s', '--shutdown']))
        out.push({
          ...at,
          severity: 'warning',
          message: 'ec2launch.exe sysprep without --shutdown leaves the instance running after Sysprep, where anything that runs next changes the sealed image',
          hint: 'use sysprep --shutdown=true, as AWS documents, and let the build wait for the instance to stop',
        });
      const next = flag(['-s', '--shutdown']) ? commandAfter(ctx.script?.commands ?? [], c) : undefined;
      if (next)
        out.push({
          line: next.line,
          column: next.column,
          message: 'this runs after ec2launch.exe sysprep --shutdown, which ends the session; it never runs, or runs against a sealed image',
          hint: 'move it before the sysprep call',
        });
    }
    if (inv.sub === 'reset' && !calls.slice(k + 1).some((x) => x.inv.sub === 'sysprep')) {
      out.push({
        ...at,
        severity: 'warning',
        message:
          'ec2launch.exe reset without a sysprep after it: the agent runs again on first boot, but the image is not generalised (same SID and computer identity in every instance)',
        hint: 'follow it with ec2launch.exe sysprep --shutdown=true, unless an ungeneralised image is intended',
      });
    }
  });
  return out;
};
