/**
 * Resolve an unattend.xml tree against the knowledge base once, so rules can
 * ask "which component, which setting, valid where" without walking XML.
 */
import { findComponent, PASSES, UNATTEND_NS, type ComponentSpec, type ListItemSpec, type Pass, type SettingSpec } from '../knowledge/unattend/index.js';
import { nearest } from './suggest.js';
import { attr, type XmlElement } from './xml.js';

/** One `<settings pass="...">`. */
export interface PassNode {
  el: XmlElement;
  /** The `pass` attribute, or `undefined` when missing. */
  name: string | undefined;
  /** True when `name` is one of the seven passes. */
  valid: boolean;
}

/** One `<component>` inside a pass. */
export interface ComponentNode {
  el: XmlElement;
  pass: PassNode;
  name: string | undefined;
  spec: ComponentSpec | undefined;
}

/** One setting element resolved (or not) against the knowledge base. */
export interface SettingNode {
  el: XmlElement;
  component: ComponentNode;
  /** Slash path inside the component, e.g. `UserAccounts/AdministratorPassword/Value`. */
  path: string;
  spec: SettingSpec | undefined;
  /** Passes the setting is valid in (its own, else its parent's). */
  passes: readonly Pass[];
  /** The element (or an ancestor inside the component) is in another namespace: Setup ignores it, unattend-namespace reports it once. */
  foreign?: boolean;
  /** Set when the element is not a known setting here. */
  problem?: { kind: 'case' | 'unknown'; expected?: string; candidates: string[] };
}

/** One item of a list setting (`<RunSynchronousCommand wcm:action="add">`). */
export interface ListItemNode {
  el: XmlElement;
  component: ComponentNode;
  list: SettingNode;
  item: ListItemSpec;
}

/** The resolved document. */
export interface UnattendModel {
  root: XmlElement;
  passes: PassNode[];
  components: ComponentNode[];
  /** Every element below a known component, in document order, including containers. */
  settings: SettingNode[];
  listItems: ListItemNode[];
}

const VALID_PASSES = new Set<string>(PASSES);

/** Build the model of a well-formed document whose root is `<unattend>`. */
export function buildUnattendModel(root: XmlElement): UnattendModel {
  const model: UnattendModel = { root, passes: [], components: [], settings: [], listItems: [] };
  for (const s of root.children) {
    if (s.localName !== 'settings') continue;
    const name = attr(s, 'pass')?.value;
    const pass: PassNode = { el: s, name, valid: name !== undefined && VALID_PASSES.has(name) };
    model.passes.push(pass);
    for (const c of s.children) {
      if (c.localName !== 'component') continue;
      const cname = attr(c, 'name')?.value;
      const component: ComponentNode = { el: c, pass, name: cname, spec: cname ? findComponent(cname) : undefined };
      model.components.push(component);
      if (component.spec) resolveChildren(model, component, c, component.spec.settings, [], '');
    }
  }
  return model;
}

/** True when `el` leaves the unattend namespace: a prefix, or its own default namespace. */
export function isForeignElement(el: XmlElement): boolean {
  const own = attr(el, 'xmlns');
  return el.prefix !== '' || (own !== undefined && own.value !== UNATTEND_NS);
}

function resolveChildren(
  model: UnattendModel,
  component: ComponentNode,
  parent: XmlElement,
  specs: readonly SettingSpec[],
  passes: readonly Pass[],
  prefix: string,
): void {
  for (const el of parent.children) {
    const path = prefix ? `${prefix}/${el.localName}` : el.localName;
    if (isForeignElement(el)) {
      model.settings.push({ el, component, path, spec: undefined, passes, foreign: true });
      continue;
    }
    const spec = el.prefix === '' ? specs.find((s) => s.name === el.localName) : undefined;
    if (!spec) {
      const candidates = specs.map((s) => s.name);
      const expected = nearest(el.localName, candidates);
      const kind = expected !== undefined && expected.toLowerCase() === el.localName.toLowerCase() ? 'case' : 'unknown';
      const node: SettingNode = { el, component, path, spec: undefined, passes, problem: { kind, candidates } };
      if (expected !== undefined) node.problem = { kind, expected, candidates };
      model.settings.push(node);
      continue;
    }
    const own = spec.passes ?? passes;
    const node: SettingNode = { el, component, path, spec, passes: own };
    model.settings.push(node);
    if (spec.open) continue;
    if (spec.type === 'list' && spec.item && spec.item.name === spec.name) {
      // An inline list (Setup's <Disk>, <MetaData>): the element repeats in place and is itself the item.
      model.listItems.push({ el, component, list: inlineListGroup(parent, spec.name, node), item: spec.item });
      resolveChildren(model, component, el, spec.item.children, own, path);
      continue;
    }
    if (spec.type === 'container') resolveChildren(model, component, el, spec.children ?? [], own, path);
    else if (spec.type === 'list' && spec.item) resolveList(model, component, node, spec.item, own, path);
  }
}

const inlineGroups = new WeakMap<XmlElement, Map<string, SettingNode>>();

/** One shared node per parent element and inline-list name, so list-items can group the repeats. */
function inlineListGroup(parent: XmlElement, name: string, first: SettingNode): SettingNode {
  let byName = inlineGroups.get(parent);
  if (!byName) inlineGroups.set(parent, (byName = new Map()));
  let group = byName.get(name);
  if (!group) byName.set(name, (group = { ...first, el: parent, path: first.path }));
  return group;
}

/** True for list settings whose element is itself the repeated item. */
export function isInlineList(spec: SettingSpec | undefined): boolean {
  return spec?.type === 'list' && spec.item?.name === spec.name;
}

function resolveList(model: UnattendModel, component: ComponentNode, list: SettingNode, item: ListItemSpec, passes: readonly Pass[], prefix: string): void {
  for (const el of list.el.children) {
    const path = `${prefix}/${el.localName}`;
    if (isForeignElement(el)) {
      model.settings.push({ el, component, path, spec: undefined, passes, foreign: true });
      continue;
    }
    if (el.localName !== item.name) {
      const expected = nearest(el.localName, [item.name]);
      const kind = expected !== undefined && expected.toLowerCase() === el.localName.toLowerCase() ? 'case' : 'unknown';
      model.settings.push({ el, component, path, spec: undefined, passes, problem: { kind, expected: item.name, candidates: [item.name] } });
      continue;
    }
    model.listItems.push({ el, component, list, item });
    resolveChildren(model, component, el, item.children, passes, path);
  }
}
