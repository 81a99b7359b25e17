/** unattend-namespace: root `<unattend>` in the unattend namespace, and no element leaving it. */
import { UNATTEND_NS } from '../../knowledge/unattend/index.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr, type XmlElement } from '../xml.js';
import { atAttribute, atElement, q } from './util.js';

export const unattendNamespace: Rule = (ctx) => {
  const root = ctx.xml?.root;
  if (!root) return [];
  const out: RuleFinding[] = [];
  if (root.name !== 'unattend') {
    out.push(
      atElement(
        root,
        `The root element is <${root.name}>, not <unattend>`,
        root.name.toLowerCase() === 'unattend' ? 'element names are case-sensitive: write <unattend>' : undefined,
      ),
    );
    return out;
  }
  const ns = attr(root, 'xmlns');
  if (!ns) out.push(atElement(root, 'The <unattend> root does not declare the unattend namespace', `add xmlns="${UNATTEND_NS}"`));
  else if (ns.value !== UNATTEND_NS)
    out.push(atAttribute(ns, `The default namespace is ${q(ns.value)}, not the unattend namespace`, `use xmlns="${UNATTEND_NS}"`));
  // One warning per foreign subtree: Setup skips it whole, and nothing inside is reported again.
  const walk = (el: XmlElement): void => {
    for (const c of el.children) {
      const own = attr(c, 'xmlns');
      if (own && own.value !== UNATTEND_NS) {
        out.push({
          ...atAttribute(
            own,
            `<${c.name}> moves to namespace ${q(own.value)}; Setup ignores it and everything inside`,
            'remove the xmlns attribute, or the element if it belongs to another tool',
          ),
          severity: 'warning',
        });
        continue;
      }
      if (c.prefix !== '' && !isSimCatalogNote(c)) {
        out.push({
          ...atElement(
            c,
            `<${c.name}> is in the namespace of prefix ${q(c.prefix)}, not the unattend namespace; Setup ignores it and everything inside`,
            'remove it, or the prefix if it is an unattend setting',
          ),
          severity: 'warning',
        });
        continue;
      }
      if (c.prefix !== '') continue;
      walk(c);
    }
  };
  walk(root);
  return out;
};

/** The namespace Windows System Image Manager writes its catalog note in. */
const CPI_NS = 'urn:schemas-microsoft-com:cpi';

/** The namespace `prefix` is bound to at `el`, looking up through its ancestors. */
function namespaceOf(el: XmlElement | undefined, prefix: string): string | undefined {
  for (let e = el; e; e = e.parent) {
    const decl = attr(e, `xmlns:${prefix}`);
    if (decl) return decl.value;
  }
  return undefined;
}

/**
 * `<cpi:offlineImage cpi:source="wim:…">`: the note Windows System Image
 * Manager writes on every file it saves, naming the image whose catalog it
 * used. Setup ignores it by design, so it is no mistake to report.
 */
function isSimCatalogNote(el: XmlElement): boolean {
  return el.localName === 'offlineImage' && namespaceOf(el, el.prefix) === CPI_NS;
}
