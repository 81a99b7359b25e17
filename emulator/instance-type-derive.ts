/**
 * What the emulator derives about an EC2 instance type from its name alone
 * (the names themselves come from botocore's ec2 `InstanceType` enum). Used by
 * `scripts/instance-types.ts` to write `instance-types-table.ts`, and by a test
 * that checks the committed table still equals this derivation. Architecture
 * follows AWS's family naming; vCPUs, memory, generation, hypervisor and usage
 * classes are approximations (SPEC.md, "Instance types", says which).
 */

/** One derived row: the fields DescribeInstanceTypes answers with. */
export interface InstanceTypeRow {
  name: string;
  architectures: readonly string[];
  vcpus: number;
  memoryMiB: number;
  currentGeneration: boolean;
  /** `xen`, `nitro`, or undefined for bare metal (AWS omits Hypervisor there). */
  hypervisor?: 'xen' | 'nitro';
  bareMetal: boolean;
  usageClasses: readonly string[];
  /** The family's generation digit (m6i → 6), 0 when the name has none (u-6tb1). */
  generation: number;
}

/** A family name split as AWS builds it: class letters, generation, attribute letters, `-suffix`. */
export function splitFamily(family: string): { cls: string; gen: number; attrs: string; suffix: string } {
  const m = /^([a-z]+)(\d+)([a-z]*)(?:-(.+))?$/.exec(family);
  if (!m) {
    const dash = family.indexOf('-');
    return { cls: dash < 0 ? family : family.slice(0, dash), gen: 0, attrs: '', suffix: dash < 0 ? '' : family.slice(dash + 1) };
  }
  return { cls: m[1]!, gen: Number(m[2]), attrs: m[3]!, suffix: m[4] ?? '' };
}

// Families on the Xen hypervisor (AWS: every family before the Nitro System, as DescribeInstanceTypes lists them).
const XEN = new Set([
  't1',
  't2',
  'm1',
  'm2',
  'm3',
  'm4',
  'c1',
  'c3',
  'c4',
  'r3',
  'r4',
  'i2',
  'i3',
  'd2',
  'g2',
  'g3',
  'g3s',
  'p2',
  'p3',
  'x1',
  'x1e',
  'h1',
  'f1',
  'cc1',
  'cc2',
  'cg1',
  'cr1',
  'hi1',
  'hs1',
]);
// AWS's "previous generation" families (instance-types.html#previous-gen-instances, the oldest ones).
const PREVIOUS = new Set(['t1', 'm1', 'm2', 'm3', 'c1', 'c3', 'cc1', 'cc2', 'cg1', 'cr1', 'g2', 'hi1', 'hs1', 'i2', 'r3']);
// Sizes that still run 32-bit AMIs: the small sizes of the oldest families and of t2.
const I386 = new Set(['t1.micro', 'm1.small', 'm1.medium', 'c1.medium', 't2.nano', 't2.micro', 't2.small', 't2.medium', 'm3.medium']);
// Burstable sizes: [vCPUs, MiB] (t2 has 1 vCPU below medium; t3/t3a/t4g have 2).
const BURSTABLE: Record<string, [number, number]> = {
  nano: [2, 512],
  micro: [2, 1024],
  small: [2, 2048],
  medium: [2, 4096],
  large: [2, 8192],
  xlarge: [4, 16384],
  '2xlarge': [8, 32768],
};
// MiB per vCPU by the family's class letter (c compute, m general, r/z/i/d memory or storage, x extra memory).
const MIB_PER_VCPU: Record<string, number> = { c: 2048, m: 4096, r: 8192, z: 8192, i: 8192, d: 8192, x: 16384 };

/** The architectures AWS lists for a type, by its family naming. */
export function architecturesOf(name: string): string[] {
  const family = name.split('.')[0]!;
  if (family === 'mac1') return ['x86_64_mac'];
  if (family.startsWith('mac')) return ['arm64_mac'];
  const { cls, attrs, suffix } = splitFamily(family);
  // Graviton families carry a `g` as their first attribute letter (c6g, im4gn, is4gen, x2gd, g5g); a1 is the first
  // Graviton; p6e-gb200 pairs Blackwell GPUs with Grace (Arm) CPUs.
  if (cls === 'a' || attrs.startsWith('g') || suffix.startsWith('gb')) return ['arm64'];
  return I386.has(name) ? ['i386', 'x86_64'] : ['x86_64'];
}

function sizeVcpus(size: string): number | undefined {
  if (size === 'nano' || size === 'micro' || size === 'small' || size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const n = /^(\d+)xlarge$/.exec(size);
  if (n) return Number(n[1]) * 4;
  const metal = /^metal-(\d+)xl$/.exec(size);
  return metal ? Number(metal[1]) * 4 : undefined;
}

/** Derive every row for a list of type names (bare `metal` takes the family's largest size). */
export function deriveRows(names: readonly string[]): InstanceTypeRow[] {
  const largest = new Map<string, number>();
  for (const n of names) {
    const [family, size] = n.split('.') as [string, string];
    const v = sizeVcpus(size);
    if (v !== undefined) largest.set(family, Math.max(largest.get(family) ?? 0, v));
  }
  return names.map((name) => {
    const [family, size] = name.split('.') as [string, string];
    const { cls, gen } = splitFamily(family);
    const metal = size.startsWith('metal');
    let vcpus = size === 'metal' ? (largest.get(family) ?? (family.startsWith('mac') ? 12 : 96)) : (sizeVcpus(size) ?? 2);
    let memoryMiB: number;
    const burst = cls === 't' ? BURSTABLE[size] : undefined;
    if (burst) {
      vcpus = family === 't2' && ['nano', 'micro', 'small'].includes(size) ? 1 : family === 't1' ? 1 : burst[0];
      memoryMiB = family === 't1' ? 627 : burst[1];
    } else if (cls === 'u') {
      const tb = /(\d+)tb/.exec(family);
      memoryMiB = (tb ? Number(tb[1]) : 6) * 1024 * 1024;
    } else {
      memoryMiB = vcpus * (MIB_PER_VCPU[cls.charAt(0)] ?? 4096);
    }
    // Mac and High Memory (u-*) types run only on Dedicated Hosts: no Spot.
    const hosted = family.startsWith('mac') || cls === 'u';
    return {
      name,
      architectures: architecturesOf(name),
      vcpus,
      memoryMiB,
      currentGeneration: !PREVIOUS.has(family),
      ...(metal || family.startsWith('mac') ? {} : { hypervisor: XEN.has(family) ? ('xen' as const) : ('nitro' as const) }),
      bareMetal: metal,
      usageClasses: hosted ? ['on-demand'] : ['on-demand', 'spot'],
      generation: gen,
    };
  });
}
