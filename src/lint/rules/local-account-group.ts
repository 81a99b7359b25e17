/**
 * local-account-group: a LocalAccount without `Group` is created in no
 * group, so it is neither a user nor an administrator and cannot sign in
 * where the build expects (Microsoft, LocalAccount/Group).
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
      out.push(atElement(group ?? it.el, `LocalAccount ${q(name)} has no Group`, 'add <Group>Administrators</Group> (or Users)'));
    }
  }
  return out;
};
