/**
 * The unattend knowledge base: every component winami knows, with the passes
 * each setting is valid in and the type of each value. Lookups by name.
 */
import * as DEPLOYMENT from './components/deployment.js';
import * as DEVICES from './components/devices.js';
import * as INTERNATIONAL from './components/international.js';
import * as NETWORK from './components/network.js';
import * as SECURITY from './components/security.js';
import * as SERVER from './components/server.js';
import * as SERVICES from './components/services.js';
import * as SETUP from './components/setup.js';
import * as SHELL_SETUP from './components/shell-setup.js';
import { REFERENCE_COMPONENT_NAMES, REMOVED_COMPONENTS } from './reference.js';
import type { ComponentSpec, Pass } from './types.js';

export * from './types.js';
export { COMPONENT_ALIASES, REFERENCE_COMPONENT_NAMES, REMOVED_COMPONENTS } from './reference.js';

/** Every known component: everything the component modules export. */
export const UNATTEND_COMPONENTS: readonly ComponentSpec[] = [
  DEPLOYMENT,
  DEVICES,
  INTERNATIONAL,
  NETWORK,
  SECURITY,
  SERVER,
  SERVICES,
  SETUP,
  SHELL_SETUP,
].flatMap((m) => Object.values(m) as ComponentSpec[]);

const BY_NAME = new Map(UNATTEND_COMPONENTS.map((c) => [c.name, c]));

/** The component called exactly `name`. */
export function findComponent(name: string): ComponentSpec | undefined {
  return BY_NAME.get(name);
}

const REFERENCE_BY_LOWER = new Map(REFERENCE_COMPONENT_NAMES.map((n) => [n.toLowerCase(), n]));
const REMOVED_BY_LOWER = new Map(Object.entries(REMOVED_COMPONENTS).map(([n, why]) => [n.toLowerCase(), { name: n, why }]));

/** The reference's spelling of a component it documents (compared case-insensitively), or undefined. */
export function referenceComponentName(name: string): string | undefined {
  return REFERENCE_BY_LOWER.get(name.toLowerCase());
}

/** A component the reference lists as removed or deprecated, with what to use instead. */
export function removedComponent(name: string): { name: string; why: string } | undefined {
  return REMOVED_BY_LOWER.get(name.toLowerCase());
}

/** Passes a component is valid in: the union of its settings' passes. */
export function componentPasses(component: ComponentSpec): Pass[] {
  const passes = new Set<Pass>();
  for (const s of component.settings) for (const p of s.passes ?? []) passes.add(p);
  return [...passes];
}
