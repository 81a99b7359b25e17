/** copy-profile: CopyProfile=true works only with a clean build-time Administrator profile. */
import type { Rule, RuleFinding } from '../types.js';
import { atText, parseBoolean } from './util.js';

export const copyProfile: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (s.spec?.name !== 'CopyProfile' || parseBoolean(s.el.text) !== true) continue;
    out.push(
      atText(
        s.el,
        'CopyProfile=true copies the build-time Administrator profile into the Default profile; a stale or corrupt profile makes specialize fail with "_FindLatestProfile failed (0x80070003)"',
        'remove stale HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList entries before Sysprep, or set CopyProfile to false',
      ),
    );
  }
  return out;
};
