/**
 * EC2 actions about instance types and zones: DescribeInstanceTypes,
 * DescribeInstanceTypeOfferings, DescribeAvailabilityZones.
 */
import { filtersOf, matchAny, nextTokenXml, paginate, type Filter, type Handler } from './ec2.js';
import { INSTANCE_TYPES, offeredIn, type InstanceTypeInfo } from './instance-types.js';
import { el, qList, qStr, set } from './wire.js';
import { ApiError } from './world.js';
import { zonesOf } from './zones.js';

function typeFilterValue(t: InstanceTypeInfo, name: string): string | readonly string[] | undefined {
  switch (name) {
    case 'instance-type':
      return t.name;
    case 'processor-info.supported-architecture':
      return t.architectures;
    case 'vcpu-info.default-vcpus':
      return String(t.vcpus);
    case 'memory-info.size-in-mib':
      return String(t.memoryMiB);
    case 'current-generation':
      return String(t.currentGeneration);
    case 'bare-metal':
      return String(t.bareMetal);
    case 'hypervisor':
      return t.hypervisor;
    case 'supported-usage-class':
      return t.usageClasses;
    case 'free-tier-eligible':
      return String(t.freeTierEligible);
    default:
      throw new ApiError('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
}

function instanceTypeXml(t: InstanceTypeInfo): string {
  return (
    el('instanceType', t.name) +
    el('currentGeneration', t.currentGeneration) +
    el('freeTierEligible', t.freeTierEligible) +
    set('supportedUsageClasses', [...t.usageClasses]) +
    set('supportedRootDeviceTypes', ['ebs']) +
    set('supportedVirtualizationTypes', ['hvm']) +
    el('bareMetal', t.bareMetal) +
    (t.hypervisor ? el('hypervisor', t.hypervisor) : '') +
    `<processorInfo>${set('supportedArchitectures', [...t.architectures])}</processorInfo>` +
    `<vCpuInfo>${el('defaultVCpus', t.vcpus)}</vCpuInfo>` +
    `<memoryInfo>${el('sizeInMiB', t.memoryMiB)}</memoryInfo>` +
    el('instanceStorageSupported', false)
  );
}

const describeInstanceTypes: Handler = (c) => {
  const names = qList(c.q, 'InstanceType');
  const missing = names.filter((n) => !INSTANCE_TYPES.has(n));
  if (missing.length) throw new ApiError('InvalidInstanceType', `The following supplied instance types do not exist: [${missing.join(', ')}]`);
  const filters = filtersOf(c.q);
  const list = (names.length ? names.map((n) => INSTANCE_TYPES.get(n)!) : [...INSTANCE_TYPES.values()]).filter((t) =>
    filters.every((f) => matchAny(f, typeFilterValue(t, f.name))),
  );
  // DescribeInstanceTypes pages at 100 even without MaxResults (its maximum).
  const { page, next } = paginate(list, { ...c.q, MaxResults: qStr(c.q, 'MaxResults') ?? '100' }, 5, 100);
  return set('instanceTypeSet', page.map(instanceTypeXml)) + nextTokenXml(next);
};

const LOCATION_TYPES = ['region', 'availability-zone', 'availability-zone-id'] as const;

const describeInstanceTypeOfferings: Handler = (c) => {
  const locationType = qStr(c.q, 'LocationType') ?? 'region';
  if (!(LOCATION_TYPES as readonly string[]).includes(locationType)) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${locationType}) for parameter locationType is invalid. Valid values are: ${LOCATION_TYPES.join(', ')}`,
    );
  }
  const filters = filtersOf(c.q);
  for (const f of filters)
    if (f.name !== 'location' && f.name !== 'instance-type') throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  const typeFilter = filters.filter((f) => f.name === 'instance-type');
  const locFilter = filters.filter((f) => f.name === 'location');
  const keep = (fs: Filter[], v: string) => fs.every((f) => matchAny(f, v));
  const rows: Array<{ type: string; location: string }> = [];
  const types = [...INSTANCE_TYPES.values()].filter((t) => keep(typeFilter, t.name));
  if (locationType === 'region') {
    if (keep(locFilter, c.region)) for (const t of types) rows.push({ type: t.name, location: c.region });
  } else {
    for (const z of zonesOf(c.region)) {
      const location = locationType === 'availability-zone' ? z.name : z.id;
      if (!keep(locFilter, location)) continue;
      for (const t of types) if (offeredIn(t, z)) rows.push({ type: t.name, location });
    }
  }
  const { page, next } = paginate(rows, { ...c.q, MaxResults: qStr(c.q, 'MaxResults') ?? '1000' }, 5, 1000);
  return (
    set(
      'instanceTypeOfferingSet',
      page.map((r) => el('instanceType', r.type) + el('locationType', locationType) + el('location', r.location)),
    ) + nextTokenXml(next)
  );
};

const describeAvailabilityZones: Handler = (c) => {
  const zones = zonesOf(c.region);
  const names = qList(c.q, 'ZoneName');
  const ids = qList(c.q, 'ZoneId');
  for (const n of names) if (!zones.some((z) => z.name === n)) throw new ApiError('InvalidParameterValue', `The zone '${n}' does not exist.`);
  for (const n of ids) if (!zones.some((z) => z.id === n)) throw new ApiError('InvalidParameterValue', `The zone '${n}' does not exist.`);
  const filters = filtersOf(c.q);
  const list = zones.filter(
    (z) =>
      (!names.length || names.includes(z.name)) &&
      (!ids.length || ids.includes(z.id)) &&
      filters.every((f) => {
        const actual: Record<string, string> = {
          'zone-name': z.name,
          'zone-id': z.id,
          'region-name': z.region,
          state: 'available',
          'zone-type': 'availability-zone',
          'group-name': z.region,
          'opt-in-status': 'opt-in-not-required',
        };
        if (!(f.name in actual)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
        return matchAny(f, actual[f.name]);
      }),
  );
  return set(
    'availabilityZoneInfo',
    list.map(
      (z) =>
        el('zoneName', z.name) +
        el('zoneId', z.id) +
        el('zoneState', 'available') +
        el('regionName', z.region) +
        el('groupName', z.region) +
        el('networkBorderGroup', z.region) +
        el('optInStatus', 'opt-in-not-required') +
        el('zoneType', 'availability-zone') +
        set('messageSet', []),
    ),
  );
};

/** The instance-type and zone actions, merged into the EC2 action table by the server. */
export const INSTANCE_TYPE_HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstanceTypeOfferings: describeInstanceTypeOfferings,
  DescribeAvailabilityZones: describeAvailabilityZones,
};
