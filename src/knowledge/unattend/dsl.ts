/**
 * Terse constructors for the knowledge tables, so each component reads like
 * its reference page: `bool('CopyProfile', { passes: [SPECIALIZE] })`.
 */
import type { ComponentSpec, ListItemSpec, Pass, SettingSpec } from './types.js';

type Extra = Omit<Partial<SettingSpec>, 'name' | 'type'>;

/** Pass-name constants, short enough for tables. */
export const PE: Pass = 'windowsPE';
export const OFFLINE: Pass = 'offlineServicing';
export const GENERALIZE: Pass = 'generalize';
export const SPECIALIZE: Pass = 'specialize';
export const AUDIT_SYSTEM: Pass = 'auditSystem';
export const AUDIT_USER: Pass = 'auditUser';
export const OOBE: Pass = 'oobeSystem';

/** Learn page URL of a component or setting page name. */
export function page(slug: string): string {
  return `https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/${slug.toLowerCase()}`;
}

export function str(name: string, extra: Extra = {}): SettingSpec {
  return { name, type: 'string', ...extra };
}
export function bool(name: string, extra: Extra = {}): SettingSpec {
  return { name, type: 'boolean', ...extra };
}
export function int(name: string, min: number, max: number, extra: Extra = {}): SettingSpec {
  return { name, type: 'integer', min, max, ...extra };
}
export function oneOf(name: string, values: readonly string[], extra: Extra = {}): SettingSpec {
  return { name, type: 'enum', values, ...extra };
}
export function box(name: string, children: readonly SettingSpec[], extra: Extra = {}): SettingSpec {
  return { name, type: 'container', children, ...extra };
}
/** A list setting whose items are `<itemName wcm:action="add">` keyed by `key`. */
export function list(name: string, item: ListItemSpec, extra: Extra = {}): SettingSpec {
  return { name, type: 'list', item, ...extra };
}
/** A `Value` + `PlainText` password container. */
export function password(name: string, extra: Extra = {}): SettingSpec {
  return box(name, [str('Value', { secret: true, allowEmpty: true }), bool('PlainText')], { password: true, ...extra });
}
/** `Domain` / `Username` / `Password` credentials, with a clear-text password. */
export function credentials(name = 'Credentials', extra: Extra = {}): SettingSpec {
  return box(name, [str('Domain'), str('Username'), str('Password', { secret: true })], extra);
}
/** An ordered command list item (RunSynchronousCommand and friends). */
export function commandItem(name: string, children: readonly SettingSpec[], orderMax = 500): ListItemSpec {
  return { name, key: 'Order', children: [int('Order', 1, orderMax), ...children], orderMax };
}
export function component(name: string, settings: readonly SettingSpec[], extra: Partial<ComponentSpec> = {}): ComponentSpec {
  return { name, source: page(name), settings, ...extra };
}
