/**
 * EC2 VPC actions: VPCs, subnets, route tables, internet and NAT gateways and
 * Elastic IP allocation (for NAT gateways), over the model in vpc.ts; with the
 * endpoint and security group actions of their own modules, the table the
 * server merges. Every change first settles the region's instances
 * (`touchNetwork`), so agents waiting for a path see it from then on.
 */
import { requireParam, type Ec2Context, type Handler } from './ec2.js';
import { SECURITY_GROUP_HANDLERS } from './ec2-security-groups.js';
import { changing, checkBlock, describe, net, prefixLength, tagsOn, tagXml } from './ec2-vpc-common.js';
import { VPC_ENDPOINT_HANDLERS } from './ec2-vpc-endpoints.js';
import { el, iso, newId, qBool, qList, qObj, qStr, set } from './wire.js';
import { ApiError } from './world.js';
import {
  cidrContains,
  cidrsOverlap,
  igwById,
  natById,
  newPublicIp,
  subnetById,
  tableById,
  vpcById,
  type InternetGateway,
  type NatGateway,
  type Network,
  type RouteTable,
  type Subnet,
  type Vpc,
} from './vpc.js';
import { zoneByName, zonesOf } from './zones.js';

// ---- VPCs ----

function vpcXml(c: Ec2Context, v: Vpc, state = 'available'): string {
  return (
    el('vpcId', v.id) +
    el('ownerId', c.account) +
    el('state', state) +
    el('cidrBlock', v.cidr) +
    set('cidrBlockAssociationSet', [
      el('associationId', `vpc-cidr-assoc-${v.id.slice(4)}`) + el('cidrBlock', v.cidr) + `<cidrBlockState>${el('state', 'associated')}</cidrBlockState>`,
    ]) +
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
      `Value (${asked}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zonesOf(
        c.region,
      )
        .map((z) => z.name)
        .join(', ')}.`,
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
  const assoc = (id: string, extra: string) =>
    el('routeTableAssociationId', id) + el('routeTableId', t.id) + extra + `<associationState>${el('state', 'associated')}</associationState>`;
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
  const t: RouteTable = {
    id: newId('rtb'),
    vpcId: vpc.id,
    routes: [{ destination: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable' }],
    associations: [],
    tags: tagsOn(c.q, 'route-table'),
  };
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
  if (t.mainAssociationId || t.associations.length)
    throw new ApiError('DependencyViolation', `The routeTable '${t.id}' has dependencies and cannot be deleted.`);
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
    throw new ApiError(
      'DependencyViolation',
      `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
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
      return (
        el('publicIp', a.publicIp) +
        el('allocationId', a.id) +
        el('domain', 'vpc') +
        (nat ? el('privateIpAddress', nat.privateIp) : '') +
        tagXml(a.tags) +
        el('networkBorderGroup', c.region)
      );
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
  if (connectivity !== 'public' && connectivity !== 'private')
    throw new ApiError('InvalidParameterValue', `Value (${connectivity}) for parameter connectivityType is invalid.`);
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

/** The VPC actions, merged into the EC2 action table by the server. */
export const VPC_HANDLERS: Readonly<Record<string, Handler>> = {
  ...VPC_ENDPOINT_HANDLERS,
  ...SECURITY_GROUP_HANDLERS,
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
};
