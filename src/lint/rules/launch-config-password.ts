/** launch-config-password: adminPassword only with Specify, and Specify needs one (kept in clear text). */
import { isScalar, type Node } from 'yaml';
import { entries, nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const launchConfigPassword: Rule = (ctx) => {
  const tree = ctx.tree;
  if (!tree?.document) return [];
  const es = entries(tree.document.contents as Node | null);
  if (!es) return [];
  const type = es.find((e) => e.key === 'adminPasswordType');
  const password = es.find((e) => e.key === 'adminPassword');
  const typeValue = isScalar(type?.value) ? type?.value.value : undefined;
  const pw = isScalar(password?.value) && typeof password?.value.value === 'string' ? password.value.value : '';
  const out: RuleFinding[] = [];
  if (typeValue === 'Specify') {
    if (pw === '')
      out.push({
        message: 'adminPasswordType is Specify but adminPassword is empty or missing',
        hint: 'set adminPassword, or use Random',
        ...nodePos(tree, type?.value),
      });
    else
      out.push({
        message: 'adminPassword is kept in clear text in LaunchConfig.json until Sysprep sets it (and replaced by a random one if it fails complexity rules)',
        hint: 'render it at build time from a secret reference, or use Random',
        severity: 'warning',
        ...nodePos(tree, password?.value),
      });
  } else if (pw !== '' && typeof typeValue === 'string') {
    out.push({
      message: `adminPassword is ignored with adminPasswordType ${JSON.stringify(typeValue)}, yet it sits in clear text in the file`,
      hint: 'remove it, or set adminPasswordType to Specify',
      severity: 'warning',
      ...nodePos(tree, password?.value),
    });
  }
  return out;
};
