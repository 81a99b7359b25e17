/**
 * The settings rules read besides their subject, from the `audit:` section of a
 * file (src/config) and the command line: the command line wins, field by field.
 */
import { UsageError } from '../errors.js';
import type { AuditSettings } from '../config/schema.js';
import { INVENTORY_MAX_AGE_DAYS } from './rules/image-inventory-stale.js';

/** What `image-inventory-stale` judges by. Absent fields: 45 days, no required KBs. */
export interface InventorySettings {
  maxAgeDays?: number;
  requiredKbs?: string[];
}

const DAYS = /^([1-9]\d{0,4})d$/;
const KB = /^KB\d{6,8}$/i;

/** `45d` → 45; anything else is a usage error naming `flag`. */
export function parseDays(text: string, flag: string): number {
  const m = DAYS.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a whole number of days such as 45d, not "${text}"`, { hint: `e.g. ${flag} 45d` });
  return Number(m[1]);
}

/** KB numbers, upper-cased; every one that is not `KB` and 6–8 digits is named in one usage error. */
export function parseKbs(values: string[], flag: string): string[] {
  const bad = values.filter((v) => !KB.test(v));
  if (bad.length) throw new UsageError(`${flag}: not KB numbers: ${bad.map((b) => JSON.stringify(b)).join(', ')}`, { hint: 'write them as KB5034439' });
  return [...new Set(values.map((v) => v.toUpperCase()))];
}

/**
 * The inventory rule's settings: the file's, with each option given on the
 * command line replacing the file's value (a `--require-kb` list replaces the
 * file's list rather than adding to it).
 */
export function inventorySettings(file: AuditSettings | undefined, flags: { maxAge?: string; requireKb?: string[] }): InventorySettings {
  const fromFile = file?.inventory;
  const maxAgeDays =
    flags.maxAge !== undefined
      ? parseDays(flags.maxAge, '--inventory-max-age')
      : fromFile?.maxAge !== undefined
        ? parseDays(fromFile.maxAge, 'audit.inventory.maxAge')
        : undefined;
  const requiredKbs = flags.requireKb?.length ? parseKbs(flags.requireKb, '--require-kb') : (fromFile?.requiredKbs ?? []);
  return { ...(maxAgeDays !== undefined ? { maxAgeDays } : {}), ...(requiredKbs.length ? { requiredKbs } : {}) };
}

/** One sentence saying what the inventory rule judges by in this audit, for the reports. */
export function describeInventorySettings(s: InventorySettings | undefined): string {
  const kbs = s?.requiredKbs ?? [];
  return `In this audit: at most ${s?.maxAgeDays ?? INVENTORY_MAX_AGE_DAYS} days${s?.maxAgeDays === undefined ? ' (the default)' : ''}; required updates: ${kbs.length ? kbs.join(', ') : 'none'}.`;
}
