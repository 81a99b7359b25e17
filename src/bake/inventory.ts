/**
 * What is in an image, as the inventory script printed it before sealing
 * (templates/scripts/inventory.ps1.hbs), and the image tags that carry a
 * summary of it so `winami audit` can judge images without the manifest.
 */

/** The manifest's `inventory`. */
export interface Inventory {
  /** When it was collected (ISO-8601). */
  collectedAt: string;
  /** `CurrentBuild.UBR`, e.g. `20348.2849`. */
  osBuild: string;
  updates: { kb: string; title: string; installedOn: string }[];
  components: { name: string; version: string }[];
  features: string[];
  /** SQL Server images: the instance's version (PatchLevel) and edition, from its Setup key. */
  sql?: { version: string; edition: string };
}

/** Image tags with the inventory: when, the OS build, and the installed KBs (newest first, cut to the 256-character tag value limit). */
export const INVENTORY_AT_TAG = 'winami:inventory-at';
export const OS_BUILD_TAG = 'winami:os-build';
export const UPDATES_TAG = 'winami:updates';

/** Parse the script's lines; undefined when it printed no OS build (not an inventory). */
export function parseInventory(stdout: string, collectedAt: Date): Inventory | undefined {
  const inv: Inventory = { collectedAt: collectedAt.toISOString(), osBuild: '', updates: [], components: [], features: [] };
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^WINAMI inventory osBuild=(\d+\.\d+)$/.exec(line))) inv.osBuild = m[1]!;
    else if ((m = /^WINAMI inventory update kb=(KB\d+) installedOn=(\S*) title=(.*)$/.exec(line))) {
      if (!inv.updates.some((u) => u.kb === m![1])) inv.updates.push({ kb: m[1]!, installedOn: m[2]!, title: m[3]! });
    } else if ((m = /^WINAMI inventory component name=(.+) version=(.*)$/.exec(line))) inv.components.push({ name: m[1]!, version: m[2]! });
    else if ((m = /^WINAMI inventory feature name=(\S+)$/.exec(line))) inv.features.push(m[1]!);
    else if ((m = /^WINAMI inventory sql version=(\S+) edition=(.+)$/.exec(line))) inv.sql = { version: m[1]!, edition: m[2]! };
  }
  return inv.osBuild ? inv : undefined;
}

/** The inventory's image tags. */
export function inventoryTags(inv: Inventory | undefined): Record<string, string> {
  if (!inv) return {};
  const kbs: string[] = [];
  let len = 0;
  for (const u of [...inv.updates].sort((a, b) => b.installedOn.localeCompare(a.installedOn) || b.kb.localeCompare(a.kb))) {
    if (len + u.kb.length + (kbs.length ? 1 : 0) > 256) break;
    len += u.kb.length + (kbs.length ? 1 : 0);
    kbs.push(u.kb);
  }
  return { [INVENTORY_AT_TAG]: inv.collectedAt, [OS_BUILD_TAG]: inv.osBuild, [UPDATES_TAG]: kbs.join(',') };
}
