/**
 * EC2 VPC actions: VPCs, subnets, route tables, internet and NAT gateways,
 * Elastic IP allocation (for NAT gateways), VPC endpoints and security groups,
 * over the model in vpc.ts. Every change first settles the region's
 * instances (`touchNetwork`), so agents waiting for a path see it from then on.
 */
import { filtersOf, matchAny, nextTokenXml, paginate, requireParam, tagFilter, tagSpecs, type Ec2Context, type Filter, type Handler } from './ec2.js';
import { el, iso, newId, qBool, qInt, qList, qObj, qObjects, qStr, set, tagSetXml, type QueryObject } from './wire.js';
import { ApiError } from './world.js';
import {
  cidrContains,
  cidrIsCanonical,
  cidrsOverlap,
  networkOf,
  newPublicIp,
  parseCidr,
  touchNetwork,
  type InternetGateway,
  type NatGateway,
  type Network,
  type Permission,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from './vpc.js';
import { zoneByName, zonesOf } from './zones.js';

// ---- lookups ----

const MALFORMED: Record<string, string> = {
  vpc: 'InvalidVpcID.Malformed',
  subnet: 'InvalidSubnetID.Malformed',
  sg: 'InvalidGroupId.Malformed',
  rtb: 'InvalidRouteTableId.Malformed',
  igw: 'InvalidInternetGatewayId.Malformed',
  nat: 'InvalidNatGatewayId.Malformed',
  vpce: 'InvalidVpcEndpointId.Malformed',
};

function checkId(prefix: string, id: string): void {
  if (!new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`).test(id)) throw new ApiError(MALFORMED[prefix]!, `Invalid id: "${id}" (expecting "${prefix}-...")`);
}

function net(c: Ec2Context): Network {
  return networkOf(c.world, c.account, c.region);
}

/** The network, with its instances settled up to now before it changes. */
function changing(c: Ec2Context): Network {
  const n = net(c);
  touchNetwork(c.world, n, c.now);
  return n;
}

function vpcById(n: Network, id: string): Vpc {
  checkId('vpc', id);
  const v = n.vpcs.get(id);
  if (!v) throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  return v;
}

function subnetById(n: Network, id: string): Subnet {
  checkId('subnet', id);
  const s = n.subnets.get(id);
  if (!s) throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
  return s;
}

function tableById(n: Network, id: string): RouteTable {
  checkId('rtb', id);
  const t = n.routeTables.get(id);
  if (!t) throw new ApiError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
  return t;
}

function igwById(n: Network, id: string): InternetGateway {
  checkId('igw', id);
  const g = n.internetGateways.get(id);
  if (!g) throw new ApiError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
  return g;
}

function natById(n: Network, id: string): NatGateway {
  checkId('nat', id);
  const g = n.natGateways.get(id);
  if (!g) throw new ApiError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
  return g;
}

function groupById(n: Network, id: string): SecurityGroup {
  checkId('sg', id);
  const g = n.groups.get(id);
  if (!g) throw new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return g;
}

/** Filter rows by their named values; a filter name not in `values` is `InvalidParameterValue`. */
function matches(f: Filter, tags: ReadonlyMap<string, string>, values: Record<string, string | readonly string[] | undefined>): boolean {
  const t = tagFilter(f, tags);
  if (t !== undefined) return t;
  if (!(f.name in values)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  return matchAny(f, values[f.name]);
}

function byIdsOrAll<T extends { id: string }>(all: Iterable<T>, ids: string[], lookup: (id: string) => T): T[] {
  return ids.length ? ids.map(lookup) : [...all];
}

function describe<T extends { id: string; tags: Map<string, string> }>(
  c: Ec2Context,
  all: Iterable<T>,
  ids: string[],
  lookup: (id: string) => T,
  values: (x: T) => Record<string, string | readonly string[] | undefined>,
  tag: string,
  xml: (x: T) => string,
): string {
  const filters = filtersOf(c.q);
  const list = byIdsOrAll(all, ids, lookup).filter((x) => filters.every((f) => matches(f, x.tags, values(x))));
  const { page, next } = paginate(list, c.q, 5, 1000);
  return set(tag, page.map(xml)) + nextTokenXml(next);
}

function tagsOn(q: QueryObject, type: string): Map<string, string> {
  return new Map(tagSpecs(q, [type]).get(type) ?? []);
}

function tagXml(tags: Map<string, string>): string {
  return tags.size ? tagSetXml(tags) : '';
}

function checkBlock(cidr: string | undefined, param: string): string {
  if (cidr === undefined || cidr === '') throw new ApiError('MissingParameter', `The request must contain the parameter ${param}`);
  if (!parseCidr(cidr) || !cidrIsCanonical(cidr)) throw new ApiError('InvalidParameterValue', `Value (${cidr}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  return cidr;
}

function prefixLength(cidr: string): number {
  return parseCidr(cidr)!.bits;
}

// ---- VPCs ----

function vpcXml(c: Ec2Context, v: Vpc, state = 'available'): string {
  return (
    el('vpcId', v.id) +
    el('ownerId', c.account) +
    el('state', state) +
    el('cidrBlock', v.cidr) +
    set('cidrBlockAssociationSet', [el('associationId', `vpc-cidr-assoc-${v.id.slice(4)}`) + el('cidrBlock', v.cidr) + `<cidrBlockState>${el('state', 'associated')}</cidrBlockState>`]) +
    el('dhcpOptionsId', `dopt-${v.id.slice(4, 12)}`) +
    el('instanceTenancy', 'default') +
    el('isDefault', v.isDefault) +
    tagXml(v.tags)
  );
}

const createVpc: Handler = (c) => {
  const cidr = checkBlock(qStr(c.q, 'CidrBlock'), 'cidrBlock');
  const bits = prefixLength(cidr);
  if (bits < 16 || bits > 28) throw new ApiError('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`);
  const tags = tagsOn(c.q, 'vpc');
  const v = changing(c).addVpc(cidr, false);
  v.tags = tags;
  return `<vpc>${vpcXml(c, v, 'pending')}</vpc>`;
};

const describeVpcs: Handler = (c) => {
  const n = net(c);
  return describe(
    c,
    n.vpcs.values(),
    qList(c.q, 'VpcId'),
    (id) => vpcById(n, id),
    (v) => ({
      'vpc-id': v.id,
      'is-default': String(v.isDefault),
      'cidr-block-association.cidr-block': v.cidr,
      cidr: v.cidr,
      state: 'available',
      'owner-id': c.account,
    }),
    'vpcSet',
    (v) => vpcXml(c, v),
  );
};

const deleteVpc: Handler = (c) => {
  const n = changing(c);
  const v = vpcById(n, requireParam(c.q, 'VpcId'));
  const deps =
    [...n.subnets.values()].some((s) => s.vpcId === v.id) ||
    [...n.internetGateways.values()].some((g) => g.vpcId === v.id) ||
    [...n.routeTables.values()].some((t) => t.vpcId === v.id && !t.mainAssociationId) ||
    [...n.groups.values()].some((g) => g.vpcId === v.id && g.name !== 'default') ||
    [...n.endpoints.values()].some((e) => e.vpcId === v.id && !e.deleted);
  if (deps) throw new ApiError('DependencyViolation', `The vpc '${v.id}' has dependencies and cannot be deleted.`);
  for (const [id, t] of n.routeTables) if (t.vpcId === v.id) n.routeTables.delete(id);
  for (const [id, g] of n.groups) if (g.vpcId === v.id) n.groups.delete(id);
  n.vpcs.delete(v.id);
  return el('return', true);
};

const modifyVpcAttribute: Handler = (c) => {
  const n = changing(c);
  const v = vpcById(n, requireParam(c.q, 'VpcId'));
  const support = qBool(qObj(c.q, 'EnableDnsSupport'), 'Value');
  const hostnames = qBool(qObj(c.q, 'EnableDnsHostnames'), 'Value');
  if (support !== undefined && hostnames !== undefined) {
    throw new ApiError('InvalidParameterCombination', 'Fields for multiple attribute types specified: enableDnsSupport, enableDnsHostnames');
  }
  if (support !== undefined) v.dnsSupport = support;
  if (hostnames !== undefined) v.dnsHostnames = hostnames;
  return el('return', true);
};

const describeVpcAttribute: Handler = (c) => {
  const v = vpcById(net(c), requireParam(c.q, 'VpcId'));
  const attribute = requireParam(c.q, 'Attribute');
  if (attribute !== 'enableDnsSupport' && attribute !== 'enableDnsHostnames') {
    throw new ApiError('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
  }
  return el('vpcId', v.id) + `<${attribute}>${el('value', attribute === 'enableDnsSupport' ? v.dnsSupport : v.dnsHostnames)}</${attribute}>`;
};

// ---- subnets ----

function subnetXml(c: Ec2Context, s: Subnet): string {
  const size = 2 ** (32 - prefixLength(s.cidr));
  return (
    el('subnetId', s.id) +
    el('subnetArn', `arn:aws:ec2:${c.region}:${c.account}:subnet/${s.id}`) +
    el('state', 'available') +
    el('vpcId', s.vpcId) +
    el('cidrBlock', s.cidr) +
    el('availableIpAddressCount', Math.max(0, size - 5 - (s.nextHost - 4))) +
    el('availabilityZone', s.zone.name) +
    el('availabilityZoneId', s.zone.id) +
    el('defaultForAz', s.defaultForAz) +
    el('mapPublicIpOnLaunch', s.mapPublicIp) +
    el('ownerId', c.account) +
    el('assignIpv6AddressOnCreation', false) +
    set('ipv6CidrBlockAssociationSet', []) +
    tagXml(s.tags)
  );
}

const createSubnet: Handler = (c) => {
  const n = changing(c);
  const vpc = vpcById(n, requireParam(c.q, 'VpcId'));
  const cidr = checkBlock(qStr(c.q, 'CidrBlock'), 'cidrBlock');
  const bits = prefixLength(cidr);
  if (!cidrContains(vpc.cidr, cidr) || bits < 16 || bits > 28) throw new ApiError('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
  for (const s of n.subnets.values()) {
    if (s.vpcId === vpc.id && cidrsOverlap(s.cidr, cidr)) throw new ApiError('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);
  }
  const asked = qStr(c.q, 'AvailabilityZone') ?? qStr(c.q, 'AvailabilityZoneId');
  const zone = asked ? zoneByName(c.region, asked) : zonesOf(c.region)[0];
  if (!zone) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${asked}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zonesOf(c.region).map((z) => z.name).join(', ')}.`,
    );
  }
  const s = n.addSubnet(vpc.id, cidr, zone, false);
  s.tags = tagsOn(c.q, 'subnet');
  return `<subnet>${subnetXml(c, s)}</subnet>`;
};

const describeSubnets: Handler = (c) => {
  const n = net(c);
  return describe(
    c,
    n.subnets.values(),
    qList(c.q, 'SubnetId'),
    (id) => subnetById(n, id),
    (s) => ({
      'subnet-id': s.id,
      'vpc-id': s.vpcId,
      'availability-zone': s.zone.name,
      'availability-zone-id': s.zone.id,
      'default-for-az': String(s.defaultForAz),
      defaultForAz: String(s.defaultForAz),
      'cidr-block': s.cidr,
      cidr: s.cidr,
      cidrBlock: s.cidr,
      'map-public-ip-on-launch': String(s.mapPublicIp),
      state: 'available',
      'owner-id': c.account,
    }),
    'subnetSet',
    (s) => subnetXml(c, s),
  );
};

const deleteSubnet: Handler = (c) => {
  const n = changing(c);
  const s = subnetById(n, requireParam(c.q, 'SubnetId'));
  const busy =
    [...c.world.instances.values()].some((i) => i.subnetId === s.id && i.state !== 'terminated') ||
    [...n.natGateways.values()].some((g) => g.subnetId === s.id && !g.deleted) ||
    [...n.endpoints.values()].some((e) => !e.deleted && e.subnetIds.includes(s.id));
  if (busy) throw new ApiError('DependencyViolation', `The subnet '${s.id}' has dependencies and cannot be deleted.`);
  for (const t of n.routeTables.values()) t.associations = t.associations.filter((a) => a.subnetId !== s.id);
  n.subnets.delete(s.id);
  return el('return', true);
};

const modifySubnetAttribute: Handler = (c) => {
  const n = changing(c);
  const s = subnetById(n, requireParam(c.q, 'SubnetId'));
  const map = qBool(qObj(c.q, 'MapPublicIpOnLaunch'), 'Value');
  if (map !== undefined) s.mapPublicIp = map;
  return el('return', true);
};

// ---- route tables ----

function routeState(n: Network, vpcId: string, r: RouteTable['routes'][number]): string {
  if (r.gatewayId?.startsWith('igw-')) return n.internetGateways.get(r.gatewayId)?.vpcId === vpcId ? 'active' : 'blackhole';
  if (r.natGatewayId) return n.natGateways.get(r.natGatewayId)?.deleted === false ? 'active' : 'blackhole';
  return 'active';
}

function tableXml(c: Ec2Context, n: Network, t: RouteTable): string {
  const assoc = (id: string, extra: string) => el('routeTableAssociationId', id) + el('routeTableId', t.id) + extra + `<associationState>${el('state', 'associated')}</associationState>`;
  return (
    el('routeTableId', t.id) +
    el('vpcId', t.vpcId) +
    el('ownerId', c.account) +
    set(
      'routeSet',
      t.routes.map(
        (r) =>
          el('destinationCidrBlock', r.destination) +
          (r.gatewayId ? el('gatewayId', r.gatewayId) : '') +
          (r.natGatewayId ? el('natGatewayId', r.natGatewayId) : '') +
          el('state', routeState(n, t.vpcId, r)) +
          el('origin', r.origin),
      ),
    ) +
    set('associationSet', [
      ...(t.mainAssociationId ? [assoc(t.mainAssociationId, el('main', true))] : []),
      ...t.associations.map((a) => assoc(a.id, el('main', false) + el('subnetId', a.subnetId))),
    ]) +
    set('propagatingVgwSet', []) +
    tagXml(t.tags)
  );
}

const createRouteTable: Handler = (c) => {
  const n = changing(c);
  const vpc = vpcById(n, requireParam(c.q, 'VpcId'));
  const t: RouteTable = { id: newId('rtb'), vpcId: vpc.id, routes: [{ destination: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable' }], associations: [], tags: tagsOn(c.q, 'route-table') };
  n.routeTables.set(t.id, t);
  return `<routeTable>${tableXml(c, n, t)}</routeTable>`;
};

const describeRouteTables: Handler = (c) => {
  const n = net(c);
  return describe(
    c,
    n.routeTables.values(),
    qList(c.q, 'RouteTableId'),
    (id) => tableById(n, id),
    (t) => ({
      'route-table-id': t.id,
      'vpc-id': t.vpcId,
      'association.subnet-id': t.associations.map((a) => a.subnetId),
      'association.main': t.mainAssociationId ? 'true' : t.associations.length ? 'false' : undefined,
      'association.route-table-association-id': [...(t.mainAssociationId ? [t.mainAssociationId] : []), ...t.associations.map((a) => a.id)],
      'route.destination-cidr-block': t.routes.map((r) => r.destination),
      'route.gateway-id': t.routes.flatMap((r) => (r.gatewayId ? [r.gatewayId] : [])),
      'route.nat-gateway-id': t.routes.flatMap((r) => (r.natGatewayId ? [r.natGatewayId] : [])),
      'route.state': t.routes.map((r) => routeState(n, t.vpcId, r)),
      'owner-id': c.account,
    }),
    'routeTableSet',
    (t) => tableXml(c, n, t),
  );
};

const deleteRouteTable: Handler = (c) => {
  const n = changing(c);
  const t = tableById(n, requireParam(c.q, 'RouteTableId'));
  if (t.mainAssociationId || t.associations.length) throw new ApiError('DependencyViolation', `The routeTable '${t.id}' has dependencies and cannot be deleted.`);
  n.routeTables.delete(t.id);
  return el('return', true);
};

const createRoute: Handler = (c) => {
  const n = changing(c);
  const t = tableById(n, requireParam(c.q, 'RouteTableId'));
  const destination = checkBlock(qStr(c.q, 'DestinationCidrBlock'), 'destinationCidrBlock');
  const gatewayId = qStr(c.q, 'GatewayId');
  const natGatewayId = qStr(c.q, 'NatGatewayId');
  if ((gatewayId ? 1 : 0) + (natGatewayId ? 1 : 0) !== 1) {
    throw new ApiError('InvalidParameterCombination', 'The parameter gatewayId or natGatewayId (exactly one target) must be specified.');
  }
  if (t.routes.some((r) => r.destination === destination)) throw new ApiError('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
  if (gatewayId) {
    const igw = igwById(n, gatewayId);
    if (igw.vpcId !== t.vpcId) throw new ApiError('InvalidParameterValue', `route table ${t.id} and network gateway ${igw.id} belong to different networks`);
  } else {
    const nat = n.natGateways.get(natGatewayId!);
    if (!nat || nat.deleted) throw new ApiError('InvalidNatGatewayID.NotFound', `The natGateway ID '${natGatewayId}' does not exist`);
    if (nat.vpcId !== t.vpcId) throw new ApiError('InvalidParameterValue', `route table ${t.id} and network gateway ${nat.id} belong to different networks`);
  }
  t.routes.push({ destination, ...(gatewayId ? { gatewayId } : { natGatewayId: natGatewayId! }), origin: 'CreateRoute' });
  return el('return', true);
};

const deleteRoute: Handler = (c) => {
  const n = changing(c);
  const t = tableById(n, requireParam(c.q, 'RouteTableId'));
  const destination = requireParam(c.q, 'DestinationCidrBlock');
  const i = t.routes.findIndex((r) => r.destination === destination);
  if (i < 0) throw new ApiError('InvalidRoute.NotFound', `no route with destination-cidr-block ${destination} in route table ${t.id}`);
  if (t.routes[i]!.gatewayId === 'local') throw new ApiError('InvalidParameterValue', `cannot remove local route ${destination} in route table ${t.id}`);
  t.routes.splice(i, 1);
  return el('return', true);
};

const associateRouteTable: Handler = (c) => {
  const n = changing(c);
  const t = tableById(n, requireParam(c.q, 'RouteTableId'));
  const s = subnetById(n, requireParam(c.q, 'SubnetId'));
  if (s.vpcId !== t.vpcId) throw new ApiError('InvalidParameterValue', `Route table ${t.id} and subnet ${s.id} belong to different networks`);
  for (const other of n.routeTables.values()) {
    if (other.associations.some((a) => a.subnetId === s.id)) {
      throw new ApiError('Resource.AlreadyAssociated', `the specified association for route table ${other.id} conflicts with an existing association`);
    }
  }
  const id = newId('rtbassoc');
  t.associations.push({ id, subnetId: s.id });
  return el('associationId', id) + `<associationState>${el('state', 'associated')}</associationState>`;
};

const disassociateRouteTable: Handler = (c) => {
  const n = changing(c);
  const id = requireParam(c.q, 'AssociationId');
  for (const t of n.routeTables.values()) {
    if (t.mainAssociationId === id) throw new ApiError('InvalidParameterValue', `cannot disassociate the main route table association ${id}`);
    const i = t.associations.findIndex((a) => a.id === id);
    if (i >= 0) {
      t.associations.splice(i, 1);
      return el('return', true);
    }
  }
  throw new ApiError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
};

// ---- internet gateways ----

function igwXml(c: Ec2Context, g: InternetGateway): string {
  return (
    el('internetGatewayId', g.id) +
    el('ownerId', c.account) +
    set('attachmentSet', g.vpcId ? [el('vpcId', g.vpcId) + el('state', 'available')] : []) +
    tagXml(g.tags)
  );
}

const createInternetGateway: Handler = (c) => {
  const g: InternetGateway = { id: newId('igw'), tags: tagsOn(c.q, 'internet-gateway') };
  changing(c).internetGateways.set(g.id, g);
  return `<internetGateway>${igwXml(c, g)}</internetGateway>`;
};

const attachInternetGateway: Handler = (c) => {
  const n = changing(c);
  const g = igwById(n, requireParam(c.q, 'InternetGatewayId'));
  const v = vpcById(n, requireParam(c.q, 'VpcId'));
  if (g.vpcId) throw new ApiError('Resource.AlreadyAssociated', `resource ${g.id} is already attached to network ${g.vpcId}`);
  const other = [...n.internetGateways.values()].find((x) => x.vpcId === v.id);
  if (other) throw new ApiError('InvalidParameterValue', `Network ${v.id} already has an internet gateway attached`);
  g.vpcId = v.id;
  return el('return', true);
};

const detachInternetGateway: Handler = (c) => {
  const n = changing(c);
  const g = igwById(n, requireParam(c.q, 'InternetGatewayId'));
  const vpcId = requireParam(c.q, 'VpcId');
  vpcById(n, vpcId);
  if (g.vpcId !== vpcId) throw new ApiError('Gateway.NotAttached', `resource ${g.id} is not attached to network ${vpcId}`);
  const mapped =
    [...c.world.instances.values()].some((i) => i.account === c.account && i.region === c.region && i.vpcId === vpcId && i.publicIp !== undefined) ||
    [...n.natGateways.values()].some((x) => x.vpcId === vpcId && !x.deleted && x.publicIp !== undefined);
  if (mapped) {
    throw new ApiError('DependencyViolation', `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
  }
  g.vpcId = undefined;
  return el('return', true);
};

const describeInternetGateways: Handler = (c) => {
  const n = net(c);
  return describe(
    c,
    n.internetGateways.values(),
    qList(c.q, 'InternetGatewayId'),
    (id) => igwById(n, id),
    (g) => ({ 'internet-gateway-id': g.id, 'attachment.vpc-id': g.vpcId, 'attachment.state': g.vpcId ? 'available' : undefined, 'owner-id': c.account }),
    'internetGatewaySet',
    (g) => igwXml(c, g),
  );
};

const deleteInternetGateway: Handler = (c) => {
  const n = changing(c);
  const g = igwById(n, requireParam(c.q, 'InternetGatewayId'));
  if (g.vpcId) throw new ApiError('DependencyViolation', `The internetGateway '${g.id}' has dependencies and cannot be deleted.`);
  n.internetGateways.delete(g.id);
  return el('return', true);
};

// ---- Elastic IPs (only what NAT gateways need) ----

const allocateAddress: Handler = (c) => {
  const n = changing(c);
  const id = newId('eipalloc');
  const ip = newPublicIp();
  n.addresses.set(id, { id, publicIp: ip, tags: tagsOn(c.q, 'elastic-ip') });
  return el('publicIp', ip) + el('domain', 'vpc') + el('allocationId', id) + el('publicIpv4Pool', 'amazon') + el('networkBorderGroup', c.region);
};

const describeAddresses: Handler = (c) => {
  const n = net(c);
  const ids = qList(c.q, 'AllocationId');
  for (const id of ids) if (!n.addresses.has(id)) throw new ApiError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`);
  const list = [...n.addresses.values()].filter((a) => !ids.length || ids.includes(a.id));
  return set(
    'addressesSet',
    list.map((a) => {
      const nat = [...n.natGateways.values()].find((g) => g.allocationId === a.id && !g.deleted);
      return el('publicIp', a.publicIp) + el('allocationId', a.id) + el('domain', 'vpc') + (nat ? el('privateIpAddress', nat.privateIp) : '') + tagXml(a.tags) + el('networkBorderGroup', c.region);
    }),
  );
};

// ---- NAT gateways ----

function natState(c: Ec2Context, g: NatGateway): string {
  if (g.deleted) return 'deleted';
  return c.now < g.availableAt ? 'pending' : 'available';
}

function natXml(c: Ec2Context, g: NatGateway): string {
  return (
    el('natGatewayId', g.id) +
    el('subnetId', g.subnetId) +
    el('vpcId', g.vpcId) +
    el('state', natState(c, g)) +
    el('createTime', iso(g.createdAt)) +
    el('connectivityType', g.connectivity) +
    set('natGatewayAddressSet', [
      (g.allocationId ? el('allocationId', g.allocationId) : '') +
        el('networkInterfaceId', `eni-${g.id.slice(4)}`) +
        el('privateIp', g.privateIp) +
        (g.publicIp ? el('publicIp', g.publicIp) : '') +
        el('isPrimary', true) +
        el('status', 'succeeded'),
    ]) +
    tagXml(g.tags)
  );
}

const createNatGateway: Handler = (c) => {
  const n = changing(c);
  const s = subnetById(n, requireParam(c.q, 'SubnetId'));
  const connectivity = qStr(c.q, 'ConnectivityType') ?? 'public';
  if (connectivity !== 'public' && connectivity !== 'private') throw new ApiError('InvalidParameterValue', `Value (${connectivity}) for parameter connectivityType is invalid.`);
  const allocationId = qStr(c.q, 'AllocationId');
  let publicIp: string | undefined;
  if (connectivity === 'public') {
    if (!allocationId) throw new ApiError('MissingParameter', 'The request must contain the parameter AllocationId');
    const a = n.addresses.get(allocationId);
    if (!a) throw new ApiError('InvalidAllocationID.NotFound', `The allocation ID '${allocationId}' does not exist`);
    if ([...n.natGateways.values()].some((g) => g.allocationId === allocationId && !g.deleted)) {
      throw new ApiError('Resource.AlreadyAssociated', `Elastic IP address [${allocationId}] is already associated`);
    }
    publicIp = a.publicIp;
  }
  const g: NatGateway = {
    id: newId('nat'),
    vpcId: s.vpcId,
    subnetId: s.id,
    connectivity,
    createdAt: c.now,
    availableAt: c.now + c.world.d('natGateway'),
    deleted: false,
    privateIp: n.allocateIp(s),
    ...(publicIp ? { publicIp, allocationId: allocationId! } : {}),
    tags: tagsOn(c.q, 'natgateway'),
  };
  n.natGateways.set(g.id, g);
  return `<natGateway>${natXml(c, g)}</natGateway>`;
};

const describeNatGateways: Handler = (c) => {
  const n = net(c);
  return describe(
    c,
    n.natGateways.values(),
    qList(c.q, 'NatGatewayId'),
    (id) => natById(n, id),
    (g) => ({ 'nat-gateway-id': g.id, state: natState(c, g), 'subnet-id': g.subnetId, 'vpc-id': g.vpcId }),
    'natGatewaySet',
    (g) => natXml(c, g),
  );
};

const deleteNatGateway: Handler = (c) => {
  const n = changing(c);
  const g = natById(n, requireParam(c.q, 'NatGatewayId'));
  g.deleted = true;
  return el('natGatewayId', g.id);
};

// ---- VPC endpoints ----

// AWS services the emulator offers endpoints for, with their endpoint types (Gateway only for S3 and DynamoDB).
const ENDPOINT_SERVICES: Record<string, Array<'Interface' | 'Gateway'>> = {
  ssm: ['Interface'],
  ssmmessages: ['Interface'],
  ec2messages: ['Interface'],
  ec2: ['Interface'],
  kms: ['Interface'],
  logs: ['Interface'],
  sts: ['Interface'],
  monitoring: ['Interface'],
  secretsmanager: ['Interface'],
  s3: ['Interface', 'Gateway'],
  dynamodb: ['Interface', 'Gateway'],
};

function serviceOf(region: string, serviceName: string): string | undefined {
  const prefix = `com.amazonaws.${region}.`;
  const svc = serviceName.startsWith(prefix) ? serviceName.slice(prefix.length) : undefined;
  return svc && ENDPOINT_SERVICES[svc] ? svc : undefined;
}

function endpointState(c: Ec2Context, e: VpcEndpoint): string {
  if (e.deleted) return 'deleted';
  return c.now < e.availableAt ? 'pending' : 'available';
}

const FULL_ACCESS_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

function endpointXml(c: Ec2Context, n: Network, e: VpcEndpoint): string {
  const svc = serviceOf(c.region, e.serviceName) ?? '';
  const dns = e.type === 'Interface' ? [`${e.id}-${e.id.slice(5, 13)}.${svc}.${c.region}.vpce.amazonaws.com`, ...(e.privateDns ? [`${svc}.${c.region}.amazonaws.com`] : [])] : [];
  return (
    el('vpcEndpointId', e.id) +
    el('vpcEndpointType', e.type) +
    el('vpcId', e.vpcId) +
    el('serviceName', e.serviceName) +
    el('state', endpointState(c, e)) +
    el('policyDocument', FULL_ACCESS_POLICY) +
    set('routeTableIdSet', [...e.routeTableIds]) +
    set('subnetIdSet', [...e.subnetIds]) +
    set('groupSet', e.groupIds.map((id) => el('groupId', id) + el('groupName', n.groups.get(id)?.name ?? ''))) +
    el('ipAddressType', 'ipv4') +
    el('privateDnsEnabled', e.privateDns) +
    el('requesterManaged', false) +
    set('networkInterfaceIdSet', e.type === 'Interface' ? e.subnetIds.map((s) => `eni-${s.slice(7)}`) : []) +
    set('dnsEntrySet', dns.map((d) => el('dnsName', d) + el('hostedZoneId', 'Z7HUB22UULQXV'))) +
    el('creationTimestamp', iso(e.createdAt)) +
    tagXml(e.tags) +
    el('ownerId', c.account)
  );
}

const createVpcEndpoint: Handler = (c) => {
  const n = changing(c);
  const vpc = vpcById(n, requireParam(c.q, 'VpcId'));
  const serviceName = requireParam(c.q, 'ServiceName');
  const svc = serviceOf(c.region, serviceName);
  if (!svc) throw new ApiError('InvalidServiceName', `The Vpc Endpoint Service '${serviceName}' does not exist`);
  // The API's default endpoint type is Gateway (CreateVpcEndpoint, VpcEndpointType).
  const type = (qStr(c.q, 'VpcEndpointType') ?? 'Gateway') as 'Interface' | 'Gateway';
  if (!ENDPOINT_SERVICES[svc]!.includes(type)) throw new ApiError('InvalidParameter', `The Vpc Endpoint Service '${serviceName}' does not support endpoint type '${type}'.`);
  const e: VpcEndpoint = {
    id: newId('vpce'),
    vpcId: vpc.id,
    serviceName,
    type,
    subnetIds: [],
    groupIds: [],
    routeTableIds: [],
    privateDns: false,
    ips: [],
    createdAt: c.now,
    availableAt: c.now,
    deleted: false,
    tags: tagsOn(c.q, 'vpc-endpoint'),
  };
  if (type === 'Gateway') {
    for (const id of qList(c.q, 'RouteTableId')) {
      if (tableById(n, id).vpcId !== vpc.id) throw new ApiError('InvalidParameter', `Route table ${id} does not belong to ${vpc.id}`);
      e.routeTableIds.push(id);
    }
  } else {
    const subnets = qList(c.q, 'SubnetId').map((id) => subnetById(n, id));
    const zones = new Set<string>();
    for (const s of subnets) {
      if (s.vpcId !== vpc.id) throw new ApiError('InvalidParameter', `The subnet ID '${s.id}' does not belong to ${vpc.id}`);
      if (zones.has(s.zone.name)) {
        throw new ApiError(
          'DuplicateSubnetsInSameZone',
          `Found another VPC endpoint subnet in the availability zone of ${s.id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
        );
      }
      zones.add(s.zone.name);
    }
    const groups = qList(c.q, 'SecurityGroupId').map((id) => groupById(n, id));
    for (const g of groups) if (g.vpcId !== vpc.id) throw new ApiError('InvalidParameter', `Security group ${g.id} and VPC ${vpc.id} belong to different networks.`);
    e.privateDns = qBool(c.q, 'PrivateDnsEnabled') ?? true;
    if (e.privateDns && !(vpc.dnsSupport && vpc.dnsHostnames)) {
      throw new ApiError('InvalidParameter', `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`);
    }
    if (e.privateDns && [...n.endpoints.values()].some((x) => !x.deleted && x.vpcId === vpc.id && x.serviceName === serviceName && x.privateDns)) {
      throw new ApiError(
        'InvalidParameter',
        `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${svc}.${c.region}.amazonaws.com in the VPC ${vpc.id}`,
      );
    }
    e.subnetIds = subnets.map((s) => s.id);
    e.groupIds = groups.length ? groups.map((g) => g.id) : [n.defaultGroup(vpc.id)!.id];
    e.ips = subnets.map((s) => n.allocateIp(s));
    e.availableAt = c.now + c.world.d('vpcEndpoint');
  }
  n.endpoints.set(e.id, e);
  return `<vpcEndpoint>${endpointXml(c, n, e)}</vpcEndpoint>`;
};

const describeVpcEndpoints: Handler = (c) => {
  const n = net(c);
  return describe(
    c,
    [...n.endpoints.values()].filter((e) => !e.deleted),
    qList(c.q, 'VpcEndpointId'),
    (id) => {
      const e = n.endpoints.get(id);
      if (!e || e.deleted) throw new ApiError('InvalidVpcEndpointId.NotFound', `The VpcEndpoint Id '${id}' does not exist`);
      return e;
    },
    (e) => ({
      'vpc-endpoint-id': e.id,
      'vpc-id': e.vpcId,
      'service-name': e.serviceName,
      'vpc-endpoint-state': endpointState(c, e),
      'vpc-endpoint-type': e.type,
    }),
    'vpcEndpointSet',
    (e) => endpointXml(c, n, e),
  );
};

const deleteVpcEndpoints: Handler = (c) => {
  const n = changing(c);
  const failed: string[] = [];
  for (const id of qList(c.q, 'VpcEndpointId')) {
    const e = n.endpoints.get(id);
    if (!e || e.deleted) failed.push(el('resourceId', id) + `<error>${el('code', 'InvalidVpcEndpoint.NotFound')}${el('message', `The VpcEndpoint Id '${id}' does not exist`)}</error>`);
    else e.deleted = true;
  }
  return set('unsuccessful', failed);
};

const describeVpcEndpointServices: Handler = (c) => {
  const names = Object.keys(ENDPOINT_SERVICES).map((s) => `com.amazonaws.${c.region}.${s}`);
  const asked = qList(c.q, 'ServiceName');
  for (const a of asked) if (!names.includes(a)) throw new ApiError('InvalidServiceName', `The Vpc Endpoint Service '${a}' does not exist`);
  const list = names.filter((s) => !asked.length || asked.includes(s));
  const zones = zonesOf(c.region).map((z) => z.name);
  return (
    set('serviceNameSet', list) +
    set(
      'serviceDetailSet',
      list.map((name) => {
        const svc = name.split('.').pop()!;
        return (
          el('serviceName', name) +
          set('serviceType', ENDPOINT_SERVICES[svc]!.map((t) => el('serviceType', t))) +
          set('availabilityZoneSet', zones) +
          el('owner', 'amazon') +
          set('baseEndpointDnsNameSet', [`${svc}.${c.region}.vpce.amazonaws.com`]) +
          (ENDPOINT_SERVICES[svc]!.includes('Interface') ? el('privateDnsName', `${svc}.${c.region}.amazonaws.com`) : '') +
          el('vpcEndpointPolicySupported', true) +
          el('acceptanceRequired', false) +
          el('managesVpcEndpoints', false)
        );
      }),
    )
  );
};

// ---- security groups ----

function permissionXml(p: Permission, account: string): string {
  return (
    el('ipProtocol', p.protocol) +
    (p.fromPort !== undefined ? el('fromPort', p.fromPort) : '') +
    (p.toPort !== undefined ? el('toPort', p.toPort) : '') +
    set('groups', p.groupIds.map((id) => el('userId', account) + el('groupId', id))) +
    set('ipRanges', p.cidrs.map((cidr) => el('cidrIp', cidr))) +
    set('ipv6Ranges', []) +
    set('prefixListIds', [])
  );
}

function groupXml(c: Ec2Context, g: SecurityGroup): string {
  return (
    el('ownerId', c.account) +
    el('groupId', g.id) +
    el('groupName', g.name) +
    el('groupDescription', g.description) +
    set('ipPermissions', g.ingress.map((p) => permissionXml(p, c.account))) +
    set('ipPermissionsEgress', g.egress.map((p) => permissionXml(p, c.account))) +
    el('vpcId', g.vpcId) +
    el('securityGroupArn', `arn:aws:ec2:${c.region}:${c.account}:security-group/${g.id}`) +
    tagXml(g.tags)
  );
}

const createSecurityGroup: Handler = (c) => {
  const n = changing(c);
  const name = requireParam(c.q, 'GroupName');
  const description = requireParam(c.q, 'GroupDescription');
  const vpcId = qStr(c.q, 'VpcId');
  const vpc = vpcId ? vpcById(n, vpcId) : n.defaultVpc();
  if (!vpc) throw new ApiError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  if (name === 'default') throw new ApiError('InvalidGroup.Reserved', "The security group 'default' is reserved");
  if ([...n.groups.values()].some((g) => g.vpcId === vpc.id && g.name === name)) {
    throw new ApiError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.id}'`);
  }
  const g: SecurityGroup = { id: newId('sg'), vpcId: vpc.id, name, description, ingress: [], egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], groupIds: [] }], tags: tagsOn(c.q, 'security-group') };
  n.groups.set(g.id, g);
  return el('return', true) + el('groupId', g.id) + el('securityGroupArn', `arn:aws:ec2:${c.region}:${c.account}:security-group/${g.id}`) + tagXml(g.tags);
};

const describeSecurityGroups: Handler = (c) => {
  const n = net(c);
  const names = qList(c.q, 'GroupName');
  const byName = names.map((name) => {
    const vpc = n.defaultVpc();
    const g = [...n.groups.values()].find((x) => x.vpcId === vpc?.id && x.name === name);
    if (!g) throw new ApiError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpc?.id ?? 'none'}'`);
    return g.id;
  });
  return describe(
    c,
    n.groups.values(),
    [...qList(c.q, 'GroupId'), ...byName],
    (id) => groupById(n, id),
    (g) => ({ 'group-id': g.id, 'group-name': g.name, 'vpc-id': g.vpcId, description: g.description, 'owner-id': c.account }),
    'securityGroupInfo',
    (g) => groupXml(c, g),
  );
};

function groupOfRequest(c: Ec2Context, n: Network): SecurityGroup {
  const id = qStr(c.q, 'GroupId');
  if (id) return groupById(n, id);
  const name = qStr(c.q, 'GroupName');
  if (!name) throw new ApiError('MissingParameter', 'The request must contain the parameter groupId');
  const vpc = n.defaultVpc();
  const g = [...n.groups.values()].find((x) => x.vpcId === vpc?.id && x.name === name);
  if (!g) throw new ApiError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpc?.id ?? 'none'}'`);
  return g;
}

const deleteSecurityGroup: Handler = (c) => {
  const n = changing(c);
  const g = groupOfRequest(c, n);
  if (g.name === 'default') throw new ApiError('CannotDelete', `the specified group: "${g.id}" name: "default" cannot be deleted by a user`);
  const used =
    [...c.world.instances.values()].some((i) => i.account === c.account && i.region === c.region && i.state !== 'terminated' && i.groupIds.includes(g.id)) ||
    [...n.endpoints.values()].some((e) => !e.deleted && e.groupIds.includes(g.id)) ||
    [...n.groups.values()].some((o) => o !== g && [...o.ingress, ...o.egress].some((p) => p.groupIds.includes(g.id)));
  if (used) throw new ApiError('DependencyViolation', `resource ${g.id} has a dependent object`);
  n.groups.delete(g.id);
  return el('return', true) + el('groupId', g.id);
};

const PROTOCOLS: Record<string, string> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', '-1': '-1', all: '-1' };

/** The permissions of an Authorize/Revoke request: `IpPermissions.N`, or the flat CidrIp/IpProtocol/ports form. */
function requestedPermissions(c: Ec2Context, n: Network): Permission[] {
  const raw = qObjects(c.q, 'IpPermissions');
  const items: QueryObject[] = raw.length
    ? raw
    : [
        {
          ...(qStr(c.q, 'IpProtocol') !== undefined ? { IpProtocol: qStr(c.q, 'IpProtocol')! } : {}),
          ...(qStr(c.q, 'FromPort') !== undefined ? { FromPort: qStr(c.q, 'FromPort')! } : {}),
          ...(qStr(c.q, 'ToPort') !== undefined ? { ToPort: qStr(c.q, 'ToPort')! } : {}),
          ...(qStr(c.q, 'CidrIp') !== undefined ? { IpRanges: [{ CidrIp: qStr(c.q, 'CidrIp')! }] } : {}),
        },
      ];
  return items.map((p) => {
    const given = qStr(p, 'IpProtocol');
    if (given === undefined) throw new ApiError('MissingParameter', 'The request must contain the parameter ipProtocol');
    const protocol = PROTOCOLS[given.toLowerCase()];
    if (!protocol) throw new ApiError('InvalidParameterValue', `Invalid value '${given}' for IP protocol. Unknown protocol.`);
    const fromPort = qInt(p, 'FromPort');
    const toPort = qInt(p, 'ToPort');
    if ((protocol === 'tcp' || protocol === 'udp') && (fromPort === undefined || toPort === undefined)) {
      throw new ApiError('InvalidParameterValue', "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.");
    }
    if (fromPort !== undefined && toPort !== undefined && (protocol === 'tcp' || protocol === 'udp') && (fromPort < 0 || toPort > 65535 || fromPort > toPort)) {
      throw new ApiError('InvalidParameterValue', `Invalid value 'Invalid port range: from ${fromPort} to ${toPort}' for portRange.`);
    }
    const cidrs = qObjects(p, 'IpRanges').map((r) => checkBlock(qStr(r, 'CidrIp'), 'cidrIp'));
    const groupIds = qObjects(p, 'Groups').map((gp) => groupById(n, qStr(gp, 'GroupId') ?? '').id);
    return {
      protocol,
      ...(protocol === '-1' ? {} : { fromPort: fromPort ?? -1, toPort: toPort ?? -1 }),
      cidrs,
      groupIds,
    };
  });
}

const samePorts = (a: Permission, b: Permission) => a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort;

function ruleText(p: Permission, peer: string): string {
  const proto = p.protocol === '-1' ? 'ALL' : p.protocol.toUpperCase();
  const ports = p.protocol === '-1' ? '' : `, from port: ${p.fromPort}, to port: ${p.toPort}`;
  return `peer: ${peer}, ${proto}${ports}, ALLOW`;
}

function authorize(egress: boolean): Handler {
  return (c) => {
    const n = changing(c);
    const g = groupOfRequest(c, n);
    const list = egress ? g.egress : g.ingress;
    const wanted = requestedPermissions(c, n);
    for (const w of wanted) {
      const have = list.find((p) => samePorts(p, w));
      for (const peer of [...w.cidrs, ...w.groupIds]) {
        if (have && (have.cidrs.includes(peer) || have.groupIds.includes(peer))) {
          throw new ApiError('InvalidPermission.Duplicate', `the specified rule "${ruleText(w, peer)}" already exists`);
        }
      }
    }
    for (const w of wanted) {
      const have = list.find((p) => samePorts(p, w));
      if (have) {
        have.cidrs.push(...w.cidrs);
        have.groupIds.push(...w.groupIds);
      } else list.push({ ...w, cidrs: [...w.cidrs], groupIds: [...w.groupIds] });
    }
    return el('return', true);
  };
}

function revoke(egress: boolean): Handler {
  return (c) => {
    const n = changing(c);
    const g = groupOfRequest(c, n);
    const list = egress ? g.egress : g.ingress;
    const wanted = requestedPermissions(c, n);
    for (const w of wanted) {
      const have = list.find((p) => samePorts(p, w));
      const all = [...w.cidrs, ...w.groupIds];
      if (!have || !all.every((peer) => have.cidrs.includes(peer) || have.groupIds.includes(peer))) {
        throw new ApiError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      }
    }
    for (const w of wanted) {
      const have = list.find((p) => samePorts(p, w))!;
      have.cidrs = have.cidrs.filter((x) => !w.cidrs.includes(x));
      have.groupIds = have.groupIds.filter((x) => !w.groupIds.includes(x));
      if (!have.cidrs.length && !have.groupIds.length) list.splice(list.indexOf(have), 1);
    }
    return el('return', true);
  };
}

/** The VPC actions, merged into the EC2 action table by the server. */
export const VPC_HANDLERS: Readonly<Record<string, Handler>> = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpc,
  ModifyVpcAttribute: modifyVpcAttribute,
  DescribeVpcAttribute: describeVpcAttribute,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  DeleteSubnet: deleteSubnet,
  ModifySubnetAttribute: modifySubnetAttribute,
  CreateRouteTable: createRouteTable,
  DescribeRouteTables: describeRouteTables,
  DeleteRouteTable: deleteRouteTable,
  CreateRoute: createRoute,
  DeleteRoute: deleteRoute,
  AssociateRouteTable: associateRouteTable,
  DisassociateRouteTable: disassociateRouteTable,
  CreateInternetGateway: createInternetGateway,
  AttachInternetGateway: attachInternetGateway,
  DetachInternetGateway: detachInternetGateway,
  DescribeInternetGateways: describeInternetGateways,
  DeleteInternetGateway: deleteInternetGateway,
  AllocateAddress: allocateAddress,
  DescribeAddresses: describeAddresses,
  CreateNatGateway: createNatGateway,
  DescribeNatGateways: describeNatGateways,
  DeleteNatGateway: deleteNatGateway,
  CreateVpcEndpoint: createVpcEndpoint,
  DescribeVpcEndpoints: describeVpcEndpoints,
  DeleteVpcEndpoints: deleteVpcEndpoints,
  DescribeVpcEndpointServices: describeVpcEndpointServices,
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
};
