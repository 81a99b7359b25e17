/**
 * local-account-group: a LocalAccount without `Group` is created in no
 * group, so it is neither a user nor an administrator and cannot sign in
 * where the build expects (Microsoft, LocalAccount/Group). When AutoLogon
 * signs in as that account it is an error: an account in no group lacks the
 * right to log on locally, so the logon fails and FirstLogonCommands never run.
 */
import type { Rule, RuleFinding } from '../types.js';
import { atElement, child, q } from './util.js';

export const localAccountGroup: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const it of ctx.unattend?.listItems ?? []) {
    if (it.item.name !== 'LocalAccount' || it.component.name !== 'Microsoft-Windows-Shell-Setup') continue;
    const group = child(it.el, 'Group');
    if (!group || group.text.trim() === '') {
      const name = child(it.el, 'Name')?.text ?? '?';
      const autoLogon = child(it.component.el, 'AutoLogon');
      const enabled = child(autoLogon, 'Enabled')?.text.trim().toLowerCase() !== 'false';
      const signsIn = autoLogon !== undefined && enabled && child(autoLogon, 'Username')?.text.trim().toLowerCase() === name.trim().toLowerCase();
      out.push({
        ...atElement(
          group ?? it.el,
          signsIn
            ? `LocalAccount ${q(name)} has no Group, and AutoLogon signs in as it: an account in no group may not log on locally, so the logon fails`
            : `LocalAccount ${q(name)} has no Group`,
          'add <Group>Administrators</Group> (or Users)',
        ),
        ...(signsIn ? { severity: 'error' as const } : {}),
      });
    }
  }
  return out;
};
