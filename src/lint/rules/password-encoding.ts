/**
 * password-encoding: with `PlainText=false` the value must be base64 of
 * UTF-16LE text ending with the setting's suffix: `Password` for
 * LocalAccount/Password and AutoLogon/Password (Microsoft's LocalAccount
 * example decodes to "Password12346" + "Password"), `AdministratorPassword`
 * for AdministratorPassword (what Windows SIM writes; domain-facts §4.1).
 * A placeholder in such a value is an error too, placeholders allowed or
 * not: whatever fills it must already be encoded, and a template that drops a
 * plain password there produces a password nobody can type.
 */
import { hasPlaceholder } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atText, child, parseBoolean } from './util.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The text Windows appends before encoding, by the password setting's name. */
export function passwordSuffix(settingName: string): string {
  return settingName === 'AdministratorPassword' ? 'AdministratorPassword' : 'Password';
}

export const passwordEncoding: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (!s.spec?.password) continue;
    const value = child(s.el, 'Value');
    const plain = child(s.el, 'PlainText');
    if (!value || !plain || parseBoolean(plain.text) !== false || value.text === '') continue;
    const suffix = passwordSuffix(s.spec.name);
    const how = `encode base64(UTF-16LE(password + "${suffix}")), or set PlainText to true`;
    if (hasPlaceholder(value.text)) {
      out.push(
        atText(
          value,
          `${s.path}/Value is a template placeholder although PlainText is false; Setup decodes whatever replaces it as base64`,
          `have the template write the encoded form, ${how}`,
        ),
      );
      continue;
    }
    if (!BASE64.test(value.text)) {
      out.push(atText(value, `${s.path}/Value is not base64 although PlainText is false`, how));
      continue;
    }
    const bytes = Buffer.from(value.text, 'base64');
    if (bytes.length % 2 !== 0) {
      out.push(atText(value, `${s.path}/Value decodes to an odd number of bytes, so it is not UTF-16LE text`, how));
      continue;
    }
    const decoded = bytes.toString('utf16le');
    if (!decoded.endsWith(suffix)) {
      const other = suffix === 'Password' ? 'AdministratorPassword' : 'Password';
      const wrong = decoded.endsWith(other) && suffix === 'AdministratorPassword';
      out.push(
        atText(
          value,
          `${s.path}/Value decodes to text that does not end in "${suffix}"${wrong ? ` (it ends in "${other}", the suffix of other password settings)` : ''}; Windows strips the suffix, so the password set is not the one intended`,
          how,
        ),
      );
    }
  }
  return out;
};
