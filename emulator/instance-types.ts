/**
 * EC2 instance types as the emulator knows them (the generated table), where
 * each is offered, and the checks RunInstances makes of a type.
 */
import { INSTANCE_TYPE_TABLE } from './instance-types-table.js';
import { splitFamily } from './instance-type-derive.js';
import { constrainedZone, zonesOf, type Zone } from './zones.js';
import { ApiError } from './world.js';

/** One type, as DescribeInstanceTypes describes it. */
export interface InstanceTypeInfo {
  name: string;
  architectures: readonly string[];
  vcpus: number;
  memoryMiB: number;
  currentGeneration: boolean;
  hypervisor?: 'xen' | 'nitro';
  bareMetal: boolean;
  usageClasses: readonly string[];
  freeTierEligible: boolean;
  /** Generation 8 and later: not offered in the region's constrained zone. */
  newest: boolean;
}

/** Every known type by name, in botocore's order. */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeInfo> = new Map(
  INSTANCE_TYPE_TABLE.map(([name, archs, vcpus, memoryMiB, current, hypervisor, onDemandOnly]) => [
    name,
    {
      name,
      architectures: archs.split(' '),
      vcpus,
      memoryMiB,
      currentGeneration: current === 1,
      ...(hypervisor ? { hypervisor } : {}),
      bareMetal: name.split('.')[1]!.startsWith('metal'),
      usageClasses: onDemandOnly ? ['on-demand'] : ['on-demand', 'spot'],
      freeTierEligible: name === 't2.micro' || name === 't3.micro',
      newest: splitFamily(name.split('.')[0]!).gen >= 8,
    },
  ]),
);

/** Whether the type is offered in the zone (every type everywhere, except the newest in the constrained zone). */
export function offeredIn(t: InstanceTypeInfo, zone: Zone): boolean {
  return !(t.newest && constrainedZone(zone.region).name === zone.name);
}

/** The zones of a region that offer the type. */
export function zonesOffering(t: InstanceTypeInfo, region: string): Zone[] {
  return zonesOf(region).filter((z) => offeredIn(t, z));
}

/** RunInstances' InstanceType, known or `InvalidParameterValue` as EC2 answers an unknown one. */
export function launchType(name: string): InstanceTypeInfo {
  const t = INSTANCE_TYPES.get(name);
  if (!t) throw new ApiError('InvalidParameterValue', `Invalid value '${name}' for InstanceType.`);
  return t;
}

/** EC2's refusal of an image whose architecture the type cannot run. */
export function checkArchitecture(t: InstanceTypeInfo, imageArchitecture: string): void {
  if (t.architectures.includes(imageArchitecture)) return;
  const typeArch = t.architectures[t.architectures.length - 1]!;
  throw new ApiError(
    'InvalidParameterValue',
    `The architecture '${typeArch}' of the specified instance type does not match the architecture '${imageArchitecture}' of the specified AMI. ` +
      `Specify an instance type and an AMI that have matching architectures, and try again. ` +
      `You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
  );
}

/** EC2's refusal of a type that the chosen zone does not offer, naming the zones that do. */
export function checkOffered(t: InstanceTypeInfo, zone: Zone): void {
  if (offeredIn(t, zone)) return;
  const others = zonesOffering(t, zone.region).map((z) => z.name);
  throw new ApiError(
    'Unsupported',
    `Your requested instance type (${t.name}) is not supported in your requested Availability Zone (${zone.name}). ` +
      `Please retry your request by not specifying an Availability Zone or choosing ${others.join(', ')}.`,
  );
}
