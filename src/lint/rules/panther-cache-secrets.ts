/** panther-cache-secrets: one warning per file that holds secrets Setup will cache in C:\Windows\Panther. */
import type { Rule } from '../types.js';
import { q } from './util.js';

export const pantherCacheSecrets: Rule = (ctx) => {
  const secrets = (ctx.unattend?.settings ?? []).filter((s) => s.spec?.secret && s.spec.type !== 'container' && s.el.text !== '');
  const first = secrets[0];
  if (!first) return [];
  const names = [...new Set(secrets.map((s) => `${s.component.name ?? ''}/${s.path}`))];
  return [
    {
      message: `The answer file holds secrets (${names.map(q).join(', ')}); Setup caches it in C:\\Windows\\Panther, where it persists between reboots`,
      hint: 'delete C:\\Windows\\Panther\\unattend.xml (and Unattend\\Unattend.xml) from SetupComplete.cmd, or keep secrets out of the answer file',
      line: first.el.line,
      column: first.el.column,
    },
  ];
};
