/**
 * The Availability Zones of each emulated region, with AZ ids, and the zone
 * where the newest instance generations are not offered (SPEC.md, "Instance
 * types"). AWS maps AZ names to ids per account; the emulator uses one fixed
 * mapping (letter n → az n) for every account.
 */

// Zone letters per region as most accounts see them (us-west-1 has two, ap-northeast-1 has no b).
const LETTERS: Record<string, string> = {
  'us-east-1': 'abcdef',
  'us-east-2': 'abc',
  'us-west-1': 'bc',
  'us-west-2': 'abcd',
  'ca-central-1': 'abd',
  'eu-west-1': 'abc',
  'eu-west-2': 'abc',
  'eu-west-3': 'abc',
  'eu-central-1': 'abc',
  'eu-north-1': 'abc',
  'ap-northeast-1': 'acd',
  'ap-northeast-2': 'abcd',
  'ap-northeast-3': 'abc',
  'ap-southeast-1': 'abc',
  'ap-southeast-2': 'abc',
  'ap-south-1': 'abc',
  'sa-east-1': 'abc',
};

/** One Availability Zone. */
export interface Zone {
  name: string;
  id: string;
  region: string;
}

/** `us-east-1` → `use1`, `ap-northeast-2` → `apne2`, as AWS abbreviates regions in AZ ids. */
function regionPrefix(region: string): string {
  const [geo, dir, n] = region.split('-') as [string, string, string];
  const d = dir === 'central' ? 'c' : dir.replace('north', 'n').replace('south', 's').replace('east', 'e').replace('west', 'w');
  return `${geo}${d}${n}`;
}

/** The zones of a region, in name order. */
export function zonesOf(region: string): Zone[] {
  const letters = LETTERS[region] ?? 'abc';
  const prefix = regionPrefix(region);
  return [...letters].map((l, i) => ({ name: `${region}${l}`, id: `${prefix}-az${i + 1}`, region }));
}

/** The zone of a region by name or id, or undefined. */
export function zoneByName(region: string, nameOrId: string): Zone | undefined {
  return zonesOf(region).find((z) => z.name === nameOrId || z.id === nameOrId);
}

/**
 * The region's constrained zone, where generation-8-and-later families are not offered: us-east-1e (the zone
 * that, in AWS, lacks many newer types), else the region's last zone.
 */
export function constrainedZone(region: string): Zone {
  const zones = zonesOf(region);
  return zones.find((z) => z.name === 'us-east-1e') ?? zones[zones.length - 1]!;
}
