/** list-items: `wcm:action="add"`, the key present and unique, `Order` starting at 1. */
import { alternativeBranches, hasPlaceholder } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr, type XmlElement } from '../xml.js';
import type { ListItemNode } from '../unattend-model.js';
import { atAttribute, atElement, child, q } from './util.js';

export const listItems: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  const byList = new Map<ListItemNode['list'], ListItemNode[]>();
  for (const it of ctx.unattend?.listItems ?? []) {
    const action = attr(it.el, 'wcm:action');
    if (!action) out.push(atElement(it.el, `<${it.item.name}> has no wcm:action`, 'add wcm:action="add"'));
    else if (action.value !== 'add') {
      const known = action.value === 'modify' || action.value === 'remove';
      out.push({
        ...atAttribute(action, `wcm:action is ${q(action.value)}; new items in an answer file use "add"`, 'use wcm:action="add"'),
        ...(known ? { severity: 'warning' as const } : {}),
      });
    }
    byList.set(it.list, [...(byList.get(it.list) ?? []), it]);
  }
  for (const items of byList.values()) {
    const keys = new Map<string, XmlElement>();
    const orders: number[] = [];
    for (const it of items) {
      const keyName = it.item.key;
      const alt = it.item.altKey;
      const key = (keyName.startsWith('wcm:') ? attr(it.el, keyName)?.value : child(it.el, keyName)?.text) || (alt ? child(it.el, alt)?.text : undefined);
      if (key === undefined || key === '') {
        out.push(atElement(it.el, `<${it.item.name}> has no ${keyName}`, keyName.startsWith('wcm:') ? `add ${keyName}="..."` : `add <${keyName}>`));
        continue;
      }
      // A key a template fills ({{ loop.index }}) is unique or not only once rendered.
      if (ctx.options.allowPlaceholders && hasPlaceholder(key)) continue;
      const seen = keys.get(key);
      // Items on either side of a template's else are alternatives: one is rendered.
      if (seen !== undefined && alternativeBranches(ctx.text, seen.end, it.el.start, ctx.options.allowPlaceholders)) continue;
      if (seen !== undefined)
        out.push(
          atElement(
            it.el,
            `Duplicate ${keyName} ${q(key)} in ${q(it.list.path)} (also at line ${seen.line})`,
            keyName === 'Order' ? 'give each item its own Order: 1, 2, 3, ...' : 'keys must be unique',
          ),
        );
      else keys.set(key, it.el);
      if (keyName === 'Order' && /^\d+$/.test(key)) orders.push(Number(key));
    }
    const first = items[0];
    if (first && orders.length && Math.min(...orders) !== 1) {
      out.push(atElement(first.list.el, `Order in ${q(first.list.path)} starts at ${Math.min(...orders)}, not 1`, 'number the items 1, 2, 3, ...'));
    }
  }
  return out;
};
