/**
 * autologon: AutoLogon enabled needs a Password (Setup cannot sign in with
 * none unless the account's password is empty) and an account that exists:
 * the built-in Administrator, a LocalAccount the file creates, or a domain
 * account (Domain set). Microsoft, Shell-Setup/AutoLogon.
 */
import { hasPlaceholder } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atElement, child, parseBoolean, q } from './util.js';

export const autologon: Rule = (ctx) => {
  const m = ctx.unattend;
  if (!m) return [];
  const out: RuleFinding[] = [];
  const created = new Set(m.listItems.filter((it) => it.item.name === 'LocalAccount').map((it) => (child(it.el, 'Name')?.text ?? '').toLowerCase()));
  for (const s of m.settings) {
    if (s.path !== 'AutoLogon' || s.component.name !== 'Microsoft-Windows-Shell-Setup' || !s.spec) continue;
    const enabled = child(s.el, 'Enabled');
    if (!enabled || parseBoolean(enabled.text) !== true) continue;
    const password = child(child(s.el, 'Password'), 'Value');
    if (!child(s.el, 'Password'))
      out.push(
        atElement(s.el, 'AutoLogon is enabled without a Password', 'add <Password><Value>…</Value><PlainText>…</PlainText></Password>, or disable AutoLogon'),
      );
    else if (!password) out.push(atElement(child(s.el, 'Password')!, 'AutoLogon/Password has no Value'));
    const user = child(s.el, 'Username')?.text ?? '';
    const domain = child(s.el, 'Domain')?.text ?? '';
    if (user === '') out.push(atElement(s.el, 'AutoLogon is enabled without a Username', 'add <Username>Administrator</Username>'));
    else if ((domain === '' || domain === '.') && user.toLowerCase() !== 'administrator' && !created.has(user.toLowerCase()) && !hasPlaceholder(user)) {
      out.push({
        ...atElement(
          child(s.el, 'Username')!,
          `AutoLogon signs in as ${q(user)}, an account this file does not create`,
          'create it under UserAccounts/LocalAccounts, or sign in as Administrator',
        ),
        severity: 'warning',
      });
    }
  }
  return out;
};
