/**
 * The VPC model of one account and region: VPCs, subnets, route tables,
 * internet and NAT gateways, VPC endpoints and security groups, with the
 * default VPC AWS creates in every account, where instances are placed at
 * launch, and whether an instance's network reaches Systems Manager
 * (SPEC.md, "VPC and SSM reachability").
 */
import { randomBytes } from 'node:crypto';
import { newId } from './wire.js';
import { zoneByName, zonesOf, type Zone } from './zones.js';
import { ApiError, type Instance, type World } from './world.js';

/** A VPC. */
export interface Vpc {
  id: string;
  cidr: string;
  isDefault: boolean;
  dnsSupport: boolean;
  dnsHostnames: boolean;
  tags: Map<string, string>;
}

/** A subnet; `nextHost` is the next free host offset (AWS reserves the first four). */
export interface Subnet {
  id: string;
  vpcId: string;
  cidr: string;
  zone: Zone;
  mapPublicIp: boolean;
  defaultForAz: boolean;
  tags: Map<string, string>;
  nextHost: number;
}

/** One route; exactly one target is set (`local` is the VPC's own CIDR). */
export interface Route {
  destination: string;
  gatewayId?: string;
  natGatewayId?: string;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

/** A route table with its subnet associations; the main one has `mainAssociationId`. */
export interface RouteTable {
  id: string;
  vpcId: string;
  mainAssociationId?: string;
  routes: Route[];
  associations: Array<{ id: string; subnetId: string }>;
  tags: Map<string, string>;
}

/** An internet gateway, attached to at most one VPC. */
export interface InternetGateway {
  id: string;
  vpcId?: string;
  tags: Map<string, string>;
}

/** A NAT gateway: pending until `availableAt`; deleted ones stay describable. */
export interface NatGateway {
  id: string;
  vpcId: string;
  subnetId: string;
  connectivity: 'public' | 'private';
  createdAt: number;
  availableAt: number;
  deleted: boolean;
  privateIp: string;
  publicIp?: string;
  allocationId?: string;
  tags: Map<string, string>;
}

/** A VPC endpoint (Interface: ENIs in subnets, security groups, private DNS; Gateway: route tables). */
export interface VpcEndpoint {
  id: string;
  vpcId: string;
  serviceName: string;
  type: 'Interface' | 'Gateway';
  subnetIds: string[];
  groupIds: string[];
  routeTableIds: string[];
  privateDns: boolean;
  /** The endpoint's ENI addresses, one per subnet. */
  ips: string[];
  createdAt: number;
  availableAt: number;
  deleted: boolean;
  tags: Map<string, string>;
}

/** One IP permission: a protocol and port range with its CIDR and security group sources or destinations. */
export interface Permission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  groupIds: string[];
}

/** A security group. */
export interface SecurityGroup {
  id: string;
  vpcId: string;
  name: string;
  description: string;
  ingress: Permission[];
  egress: Permission[];
  tags: Map<string, string>;
}

/** Everything network-related of one account in one region. */
export class Network {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly internetGateways = new Map<string, InternetGateway>();
  readonly natGateways = new Map<string, NatGateway>();
  readonly endpoints = new Map<string, VpcEndpoint>();
  readonly groups = new Map<string, SecurityGroup>();
  /** Elastic IP allocations (only what NAT gateways need). */
  readonly addresses = new Map<string, { id: string; publicIp: string; tags: Map<string, string> }>();
  /** When the configuration last changed: agents waiting for a path re-check from here. */
  changedAt = 0;

  constructor(
    readonly account: string,
    readonly region: string,
  ) {}

  defaultVpc(): Vpc | undefined {
    for (const v of this.vpcs.values()) if (v.isDefault) return v;
    return undefined;
  }

  mainTable(vpcId: string): RouteTable | undefined {
    for (const t of this.routeTables.values()) if (t.vpcId === vpcId && t.mainAssociationId) return t;
    return undefined;
  }

  /** The table a subnet uses: its explicit association, else the VPC's main table. */
  tableFor(subnet: Subnet): RouteTable | undefined {
    for (const t of this.routeTables.values()) if (t.associations.some((a) => a.subnetId === subnet.id)) return t;
    return this.mainTable(subnet.vpcId);
  }

  defaultGroup(vpcId: string): SecurityGroup | undefined {
    for (const g of this.groups.values()) if (g.vpcId === vpcId && g.name === 'default') return g;
    return undefined;
  }

  /** A VPC as CreateVpc makes it: the main route table (local route) and the default security group. */
  addVpc(cidr: string, isDefault: boolean): Vpc {
    const vpc: Vpc = { id: newId('vpc'), cidr, isDefault, dnsSupport: true, dnsHostnames: isDefault, tags: new Map() };
    this.vpcs.set(vpc.id, vpc);
    const rtb: RouteTable = {
      id: newId('rtb'),
      vpcId: vpc.id,
      mainAssociationId: newId('rtbassoc'),
      routes: [{ destination: cidr, gatewayId: 'local', origin: 'CreateRouteTable' }],
      associations: [],
      tags: new Map(),
    };
    this.routeTables.set(rtb.id, rtb);
    const sg: SecurityGroup = {
      id: newId('sg'),
      vpcId: vpc.id,
      name: 'default',
      description: 'default VPC security group',
      ingress: [],
      egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], groupIds: [] }],
      tags: new Map(),
    };
    sg.ingress.push({ protocol: '-1', cidrs: [], groupIds: [sg.id] });
    this.groups.set(sg.id, sg);
    return vpc;
  }

  addSubnet(vpcId: string, cidr: string, zone: Zone, defaultForAz: boolean): Subnet {
    const s: Subnet = { id: newId('subnet'), vpcId, cidr, zone, mapPublicIp: defaultForAz, defaultForAz, tags: new Map(), nextHost: 4 };
    this.subnets.set(s.id, s);
    return s;
  }

  /** The next free private address of a subnet. */
  allocateIp(subnet: Subnet): string {
    const { base, bits } = parseCidr(subnet.cidr)!;
    const size = 2 ** (32 - bits);
    if (subnet.nextHost >= size - 1)
      throw new ApiError(
        'InsufficientFreeAddressesInSubnet',
        `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`,
      );
    const ip = intToIp(base + subnet.nextHost);
    subnet.nextHost += 1;
    return ip;
  }
}

/**
 * The account's network in a region, created on first use with AWS's default VPC: 172.31.0.0/16, one /20
 * default subnet per zone (public IPs on launch), an attached internet gateway, the main route table sending
 * 0.0.0.0/0 to it, and the default security group.
 */
export function networkOf(world: World, account: string, region: string): Network {
  const key = `${account}|${region}`;
  let net = world.networks.get(key);
  if (net) return net;
  net = new Network(account, region);
  world.networks.set(key, net);
  const vpc = net.addVpc('172.31.0.0/16', true);
  zonesOf(region).forEach((z, i) => net!.addSubnet(vpc.id, `172.31.${i * 16}.0/20`, z, true));
  const igw: InternetGateway = { id: newId('igw'), vpcId: vpc.id, tags: new Map() };
  net.internetGateways.set(igw.id, igw);
  net.mainTable(vpc.id)!.routes.push({ destination: '0.0.0.0/0', gatewayId: igw.id, origin: 'CreateRoute' });
  return net;
}

/**
 * Before a change to a network: bring its instances up to `now` under the old configuration, then mark the
 * change, so an agent waiting for a path finds the new one from this moment on, not before.
 */
export function touchNetwork(world: World, net: Network, now: number): void {
  for (const inst of world.instances.values()) if (inst.account === net.account && inst.region === net.region) world.settle(inst, now);
  net.changedAt = now;
}

// ---- lookups, with EC2's NotFound and Malformed errors ----

const MALFORMED: Record<string, string> = {
  vpc: 'InvalidVpcID.Malformed',
  subnet: 'InvalidSubnetID.Malformed',
  sg: 'InvalidGroupId.Malformed',
  rtb: 'InvalidRouteTableId.Malformed',
  igw: 'InvalidInternetGatewayId.Malformed',
  nat: 'InvalidNatGatewayId.Malformed',
  vpce: 'InvalidVpcEndpointId.Malformed',
};

/** EC2's `*.Malformed` error for an id that is not `<prefix>-` and 8 or 17 hex digits. */
export function checkId(prefix: string, id: string): void {
  if (!new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`).test(id)) throw new ApiError(MALFORMED[prefix]!, `Invalid id: "${id}" (expecting "${prefix}-...")`);
}

/** A VPC by id, or EC2's NotFound error. */
export function vpcById(n: Network, id: string): Vpc {
  checkId('vpc', id);
  const v = n.vpcs.get(id);
  if (!v) throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  return v;
}

/** A subnet by id, or EC2's NotFound error. */
export function subnetById(n: Network, id: string): Subnet {
  checkId('subnet', id);
  const s = n.subnets.get(id);
  if (!s) throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
  return s;
}

/** A route table by id, or EC2's NotFound error. */
export function tableById(n: Network, id: string): RouteTable {
  checkId('rtb', id);
  const t = n.routeTables.get(id);
  if (!t) throw new ApiError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
  return t;
}

/** An internet gateway by id, or EC2's NotFound error. */
export function igwById(n: Network, id: string): InternetGateway {
  checkId('igw', id);
  const g = n.internetGateways.get(id);
  if (!g) throw new ApiError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
  return g;
}

/** A NAT gateway by id, or EC2's NotFound error. */
export function natById(n: Network, id: string): NatGateway {
  checkId('nat', id);
  const g = n.natGateways.get(id);
  if (!g) throw new ApiError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
  return g;
}

/** A security group by id, or EC2's NotFound error. */
export function groupById(n: Network, id: string): SecurityGroup {
  checkId('sg', id);
  const g = n.groups.get(id);
  if (!g) throw new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return g;
}

/** A taggable VPC resource by id (CreateTags/DeleteTags/DescribeTags), or undefined for other prefixes. */
export function networkTaggable(n: Network, id: string): { res: { tags: Map<string, string> }; type: string } | undefined {
  const prefix = id.slice(0, id.indexOf('-'));
  switch (prefix) {
    case 'vpc':
      return { res: vpcById(n, id), type: 'vpc' };
    case 'subnet':
      return { res: subnetById(n, id), type: 'subnet' };
    case 'rtb':
      return { res: tableById(n, id), type: 'route-table' };
    case 'igw':
      return { res: igwById(n, id), type: 'internet-gateway' };
    case 'nat':
      return { res: natById(n, id), type: 'natgateway' };
    case 'sg':
      return { res: groupById(n, id), type: 'security-group' };
    case 'vpce': {
      const e = n.endpoints.get(id);
      if (!e || e.deleted) throw new ApiError('InvalidVpcEndpointId.NotFound', `The VpcEndpoint Id '${id}' does not exist`);
      return { res: e, type: 'vpc-endpoint' };
    }
    default:
      return undefined;
  }
}

/** Every tagged VPC resource of a network, for DescribeTags. */
export function networkTagged(n: Network): Array<{ id: string; type: string; tags: Map<string, string> }> {
  return [
    ...[...n.vpcs.values()].map((x) => ({ id: x.id, type: 'vpc', tags: x.tags })),
    ...[...n.subnets.values()].map((x) => ({ id: x.id, type: 'subnet', tags: x.tags })),
    ...[...n.routeTables.values()].map((x) => ({ id: x.id, type: 'route-table', tags: x.tags })),
    ...[...n.internetGateways.values()].map((x) => ({ id: x.id, type: 'internet-gateway', tags: x.tags })),
    ...[...n.natGateways.values()].filter((x) => !x.deleted).map((x) => ({ id: x.id, type: 'natgateway', tags: x.tags })),
    ...[...n.groups.values()].map((x) => ({ id: x.id, type: 'security-group', tags: x.tags })),
    ...[...n.endpoints.values()].filter((x) => !x.deleted).map((x) => ({ id: x.id, type: 'vpc-endpoint', tags: x.tags })),
  ];
}

// ---- addresses ----

/** `a.b.c.d/n` as a base address and prefix length, or undefined when malformed. */
export function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, bits };
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Whether `cidr` contains the address or the whole of the inner CIDR. */
export function cidrContains(cidr: string, inner: string): boolean {
  const outer = parseCidr(cidr);
  const i = parseCidr(inner.includes('/') ? inner : `${inner}/32`);
  if (!outer || !i || i.bits < outer.bits) return false;
  const mask = outer.bits === 0 ? 0 : (0xffffffff << (32 - outer.bits)) >>> 0;
  return (i.base & mask) >>> 0 === outer.base;
}

/** Whether two CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** Whether a CIDR is written with its host bits zero, as AWS requires for VPCs and subnets. */
export function cidrIsCanonical(cidr: string): boolean {
  const p = parseCidr(cidr);
  return p !== undefined && intToIp(p.base) === cidr.split('/')[0];
}

/** A public address for an instance or NAT gateway, in 54.0.0.0/8 (one of EC2's ranges). */
export function newPublicIp(): string {
  const b = randomBytes(3);
  return `54.${b[0]!}.${b[1]!}.${(b[2]! % 254) + 1}`;
}

// ---- security group evaluation ----

function coversPort(p: Permission, protocol: 'tcp', port: number): boolean {
  if (p.protocol === '-1') return true;
  if (p.protocol !== protocol && p.protocol !== '6') return false;
  return (p.fromPort ?? 0) <= port && port <= (p.toPort ?? 65535);
}

/** Whether any of the groups lets TCP `port` out to the address (or CIDR), or to a member of `toGroups`. */
export function egressAllows(groups: SecurityGroup[], port: number, to: string, toGroups: readonly string[] = []): boolean {
  return groups.some((g) =>
    g.egress.some((p) => coversPort(p, 'tcp', port) && (p.cidrs.some((c) => cidrContains(c, to)) || p.groupIds.some((id) => toGroups.includes(id)))),
  );
}

/** Whether any of the groups lets TCP `port` in from the address, or from a member of `fromGroups`. */
export function ingressAllows(groups: SecurityGroup[], port: number, from: string, fromGroups: readonly string[]): boolean {
  return groups.some((g) =>
    g.ingress.some((p) => coversPort(p, 'tcp', port) && (p.cidrs.some((c) => cidrContains(c, from)) || p.groupIds.some((id) => fromGroups.includes(id)))),
  );
}

// ---- SSM reachability ----

/** The interface endpoints the agent needs when it has no internet path (SPEC.md cites AWS's page). */
export const SSM_ENDPOINT_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;

function internetGatewayOf(net: Network, table: RouteTable | undefined, vpcId: string): InternetGateway | undefined {
  const r = table?.routes.find((x) => x.destination === '0.0.0.0/0' && x.gatewayId?.startsWith('igw-'));
  const igw = r ? net.internetGateways.get(r.gatewayId!) : undefined;
  return igw?.vpcId === vpcId ? igw : undefined;
}

/**
 * The earliest time from `from` on at which the instance's network reaches Systems Manager over HTTPS, or
 * undefined when it cannot under the current configuration. Paths: a public IP and a 0.0.0.0/0 route to an
 * attached internet gateway; a 0.0.0.0/0 route to a public NAT gateway whose own subnet routes to an attached
 * internet gateway (from when it is available); or interface endpoints for ssm, ssmmessages and ec2messages in
 * the VPC with private DNS (from when all are available), whose security groups let 443 in from the instance.
 * The instance's groups must let TCP 443 out: to 0.0.0.0/0 for the internet paths, to the endpoints otherwise.
 */
export function ssmReachableAt(world: World, inst: Instance, from: number): number | undefined {
  const net = world.networks.get(`${inst.account}|${inst.region}`);
  const subnet = net?.subnets.get(inst.subnetId);
  const vpc = subnet ? net!.vpcs.get(subnet.vpcId) : undefined;
  if (!net || !subnet || !vpc) return undefined;
  const groups = inst.groupIds.map((id) => net.groups.get(id)).filter((g): g is SecurityGroup => g !== undefined);
  const table = net.tableFor(subnet);
  const times: number[] = [];
  const toInternet = egressAllows(groups, 443, '0.0.0.0/0');
  if (toInternet && inst.publicIp && internetGatewayOf(net, table, vpc.id)) times.push(from);
  const natRoute = table?.routes.find((x) => x.destination === '0.0.0.0/0' && x.natGatewayId);
  const nat = natRoute ? net.natGateways.get(natRoute.natGatewayId!) : undefined;
  if (toInternet && nat && !nat.deleted && nat.connectivity === 'public') {
    const natSubnet = net.subnets.get(nat.subnetId);
    if (natSubnet && internetGatewayOf(net, net.tableFor(natSubnet), vpc.id)) times.push(Math.max(from, nat.availableAt));
  }
  if (vpc.dnsSupport && vpc.dnsHostnames) {
    let ready = from;
    for (const svc of SSM_ENDPOINT_SERVICES) {
      const name = `com.amazonaws.${inst.region}.${svc}`;
      const ok = [...net.endpoints.values()].filter(
        (e) =>
          !e.deleted &&
          e.vpcId === vpc.id &&
          e.type === 'Interface' &&
          e.serviceName === name &&
          e.privateDns &&
          e.ips.some((ip) => egressAllows(groups, 443, ip, e.groupIds)) &&
          ingressAllows(
            e.groupIds.map((id) => net.groups.get(id)).filter((g): g is SecurityGroup => g !== undefined),
            443,
            inst.privateIp,
            inst.groupIds,
          ),
      );
      if (!ok.length) {
        ready = Number.NaN;
        break;
      }
      ready = Math.max(ready, Math.min(...ok.map((e) => e.availableAt)));
    }
    if (!Number.isNaN(ready)) times.push(ready);
  }
  return times.length ? Math.min(...times) : undefined;
}

// ---- placement at launch ----

/** Where RunInstances puts an instance: its subnet, zone, groups and addresses. */
export interface Placement {
  subnetId: string;
  vpcId: string;
  zone: Zone;
  groupIds: string[];
  associatePublicIp: boolean;
}

/**
 * Resolve RunInstances' network parameters as EC2 does: `SubnetId` (or the first network interface's) must
 * exist; without one, the default subnet of `Placement.AvailabilityZone` (else of the region's first zone);
 * security groups must exist and be in the subnet's VPC (none → the VPC's default group), group names only
 * without a subnet; a public IP per the
 * interface's `AssociatePublicIpAddress`, else the subnet's MapPublicIpOnLaunch.
 */
export function placeLaunch(
  net: Network,
  p: { subnetId?: string; groupIds: string[]; groupNames: string[]; zoneName?: string; associatePublicIp?: boolean; nicCount: number },
): Placement {
  if (p.associatePublicIp !== undefined && p.nicCount > 1) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.',
    );
  }
  if (p.subnetId && p.groupNames.length) throw new ApiError('InvalidParameterCombination', 'The parameter groupName cannot be used with the parameter subnet');
  let subnet: Subnet | undefined;
  if (p.subnetId) {
    subnet = net.subnets.get(p.subnetId);
    if (!subnet) throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${p.subnetId}' does not exist`);
    if (p.zoneName && p.zoneName !== subnet.zone.name) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${p.zoneName}) for parameter availabilityZone is invalid. Subnet '${subnet.id}' is in the availability zone ${subnet.zone.name}`,
      );
    }
  } else {
    const vpc = net.defaultVpc();
    if (!vpc) throw new ApiError('VPCIdNotSpecified', 'No default VPC for this user');
    const zone = p.zoneName ? zoneByName(net.region, p.zoneName) : zonesOf(net.region)[0];
    if (!zone) throw new ApiError('InvalidParameterValue', `Invalid availability zone: [${p.zoneName}]`);
    subnet = [...net.subnets.values()].find((s) => s.vpcId === vpc.id && s.defaultForAz && s.zone.name === zone.name);
    if (!subnet) throw new ApiError('MissingInput', `No subnets found for the default VPC '${vpc.id}'. Please specify a subnet.`);
  }
  const groupIds: string[] = [];
  for (const id of p.groupIds) {
    const g = net.groups.get(id);
    if (!g) throw new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${subnet.vpcId}'`);
    if (g.vpcId !== subnet.vpcId) throw new ApiError('InvalidParameter', `Security group ${id} and subnet ${subnet.id} belong to different networks.`);
    groupIds.push(id);
  }
  for (const name of p.groupNames) {
    const g = [...net.groups.values()].find((x) => x.vpcId === subnet!.vpcId && x.name === name);
    if (!g) throw new ApiError('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${subnet.vpcId}'`);
    groupIds.push(g.id);
  }
  if (!groupIds.length) groupIds.push(net.defaultGroup(subnet.vpcId)!.id);
  return {
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    zone: subnet.zone,
    groupIds: [...new Set(groupIds)],
    associatePublicIp: p.associatePublicIp ?? subnet.mapPublicIp,
  };
}
