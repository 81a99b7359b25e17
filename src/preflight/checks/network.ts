/**
 * The builder's subnet (or, with none configured, each default subnet EC2 may
 * pick) reaches SSM: a public IP and a route to an internet gateway, a route
 * to a NAT gateway, or the three interface endpoints (ssm, ssmmessages,
 * ec2messages) with private DNS whose security groups let HTTPS in from the
 * builder; and its security groups let HTTPS (443) out.
 */
import type { RouteTable, SecurityGroup, Subnet, VpcEndpoint } from '@aws-sdk/client-ec2';
import { SSM_ENDPOINT_SERVICES } from '../../knowledge/ssm-instance-actions.js';
import type { Finding, NetworkFacts, PreflightCheck } from '../types.js';
import { couldNotCheck, problem, warning } from './helpers.js';

const ID = 'network';

/** The route table a subnet uses: its explicit association, else its VPC's main table. */
export function routeTableOf(subnet: Subnet, tables: readonly RouteTable[]): RouteTable | undefined {
  return (
    tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet.SubnetId)) ??
    tables.find((t) => t.VpcId === subnet.VpcId && t.Associations?.some((a) => a.Main === true))
  );
}

function endpointFor(service: string, region: string, vpcId: string | undefined, endpoints: readonly VpcEndpoint[]): VpcEndpoint | undefined {
  return endpoints.find(
    (e) =>
      e.VpcId === vpcId &&
      (e.ServiceName ?? '').endsWith(`.${region}.${service}`) &&
      String(e.VpcEndpointType ?? '').toLowerCase() === 'interface' &&
      String(e.State ?? '').toLowerCase() === 'available' &&
      e.PrivateDnsEnabled === true,
  );
}

/** How one subnet reaches SSM, or why it does not. */
export function ssmPath(
  subnet: Subnet,
  net: NetworkFacts,
  region: string,
  associatePublicIp: boolean | undefined,
): { reaches: boolean; unsure?: string; why: string[] } {
  const table = routeTableOf(subnet, net.routeTables);
  const route = table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0' && String(r.State ?? 'active').toLowerCase() !== 'blackhole');
  const publicIp = associatePublicIp ?? subnet.MapPublicIpOnLaunch === true;
  const why: string[] = [];
  if (route?.GatewayId?.startsWith('igw-')) {
    if (publicIp) return { reaches: true, why };
    why.push(
      `its route table ${table?.RouteTableId} sends 0.0.0.0/0 to ${route.GatewayId} but the builder gets no public IP (MapPublicIpOnLaunch is false and builder.associatePublicIp is not true)`,
    );
  } else if (route?.NatGatewayId) {
    return { reaches: true, why };
  } else if (route) {
    const target =
      route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.VpcPeeringConnectionId ?? route.GatewayId ?? route.InstanceId ?? 'another target';
    return {
      reaches: false,
      unsure: `its route table ${table?.RouteTableId} sends 0.0.0.0/0 to ${target}, whose way to the internet cannot be seen from here`,
      why,
    };
  } else {
    why.push(table ? `its route table ${table.RouteTableId} has no 0.0.0.0/0 route to an internet or NAT gateway` : 'it has no route table');
  }
  const found = SSM_ENDPOINT_SERVICES.map((s) => ({ service: s, endpoint: endpointFor(s, region, subnet.VpcId, net.endpoints) }));
  const missing = found.filter((x) => !x.endpoint).map((x) => x.service);
  if (missing.length) {
    why.push(
      `its VPC ${subnet.VpcId} lacks available interface endpoints with private DNS for ${missing.map((s) => `com.amazonaws.${region}.${s}`).join(', ')}`,
    );
    return { reaches: false, why };
  }
  const closed = found.filter((x) => !endpointAdmits(x.endpoint!, subnet, net));
  if (closed.length === 0) return { reaches: true, why: [] };
  why.push(
    `the security groups of endpoint${closed.length > 1 ? 's' : ''} ${closed.map((x) => `${x.endpoint!.VpcEndpointId} (${x.service})`).join(', ')} do not let HTTPS (443) in from the builder`,
  );
  return { reaches: false, why };
}

/** IPv4 `outer` CIDR contains the `inner` one. */
export function cidrContains(outer: string, inner: string): boolean {
  const parse = (c: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c);
    return m ? { base: ((+m[1]! << 24) | (+m[2]! << 16) | (+m[3]! << 8) | +m[4]!) >>> 0, bits: +m[5]! } : undefined;
  };
  const o = parse(outer);
  const i = parse(inner);
  if (!o || !i || i.bits < o.bits) return false;
  const mask = o.bits === 0 ? 0 : (~0 << (32 - o.bits)) >>> 0;
  return (o.base & mask) >>> 0 === (i.base & mask) >>> 0;
}

/** Whether an interface endpoint's security groups let HTTPS in from the builder (its subnet's addresses, or its groups). */
function endpointAdmits(e: VpcEndpoint, subnet: Subnet, net: NetworkFacts): boolean {
  const builderGroups = net.securityGroups.map((g) => g.GroupId);
  const groups = (e.Groups ?? []).map((g) => net.endpointGroups.find((x) => x.GroupId === g.GroupId));
  // An endpoint listed without groups, or a group that could not be read, is given the benefit of the doubt.
  if (groups.length === 0 || groups.some((g) => g === undefined)) return true;
  return groups.some((g) =>
    (g!.IpPermissions ?? []).some((p) => {
      const proto = String(p.IpProtocol ?? '');
      if (!(proto === '-1' || ((proto === 'tcp' || proto === '6') && (p.FromPort ?? 0) <= 443 && 443 <= (p.ToPort ?? 65535)))) return false;
      return (
        (p.IpRanges ?? []).some((r) => r.CidrIp !== undefined && subnet.CidrBlock !== undefined && cidrContains(r.CidrIp, subnet.CidrBlock)) ||
        (p.UserIdGroupPairs ?? []).some((u) => builderGroups.includes(u.GroupId))
      );
    }),
  );
}

function allows443(g: SecurityGroup, everywhere: boolean): boolean {
  return (g.IpPermissionsEgress ?? []).some((p) => {
    const proto = String(p.IpProtocol ?? '');
    const port = proto === '-1' || ((proto === 'tcp' || proto === '6') && (p.FromPort ?? 0) <= 443 && 443 <= (p.ToPort ?? 65535));
    if (!port) return false;
    const anywhere = (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0');
    return everywhere
      ? anywhere
      : anywhere ||
          (p.IpRanges ?? []).length > 0 ||
          (p.PrefixListIds ?? []).length > 0 ||
          (p.UserIdGroupPairs ?? []).length > 0 ||
          (p.Ipv6Ranges ?? []).length > 0;
  });
}

function securityGroupFindings(net: NetworkFacts, configured: readonly string[], region: string): Finding[] {
  const path = 'builder.securityGroupIds';
  const missing = configured.filter((id) => !net.securityGroups.some((g) => g.GroupId === id));
  if (missing.length)
    return [
      problem(
        ID,
        `security group${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in ${region}`,
        "Set builder.securityGroupIds to groups of the builder subnet's VPC.",
        { region, path },
      ),
    ];
  const names = net.securityGroups.map((g) => g.GroupId).join(', ') || 'the default security group';
  if (net.securityGroups.length === 0) return [];
  if (net.securityGroups.some((g) => allows443(g, true))) return [];
  if (net.securityGroups.some((g) => allows443(g, false))) {
    return [
      warning(
        ID,
        `security groups ${names} allow outbound 443 only to some destinations; SSM Agent needs HTTPS to the SSM endpoints`,
        "Make sure those destinations include the SSM endpoints (or the VPC endpoints' addresses).",
        { region, path },
      ),
    ];
  }
  return [
    problem(
      ID,
      `security groups ${names} allow no outbound HTTPS (443): SSM Agent cannot reach SSM`,
      'Add an outbound rule for TCP 443 to 0.0.0.0/0 (or to the VPC endpoints).',
      { region, path },
    ),
  ];
}

export const networkCheck: PreflightCheck = {
  id: ID,
  title: 'The builder subnet reaches SSM and its security groups allow HTTPS out',
  run(f) {
    const b = f.config.builder;
    const path = 'builder.subnetId';
    if (!f.network.ok) return [couldNotCheck(ID, 'the builder network', f.network, f.region)];
    const net = f.network.value;
    if (!net)
      return [problem(ID, `subnet ${b.subnetId} not found in ${f.region}`, 'Set builder.subnetId to a subnet of this region.', { region: f.region, path })];
    if (net.subnets.length === 0) {
      return [
        problem(
          ID,
          `no subnet is configured and ${f.region} has no default VPC subnets for EC2 to pick`,
          'Set builder.subnetId (and builder.securityGroupIds) to a subnet that reaches SSM.',
          { region: f.region, path },
        ),
      ];
    }
    const out: Finding[] = [];
    const paths = net.subnets.map((s) => ({ subnet: s, path: ssmPath(s, net, f.region, b.associatePublicIp) }));
    const reaching = paths.filter((p) => p.path.reaches).map((p) => p.subnet.SubnetId!);
    for (const { subnet, path: p } of paths) {
      if (p.reaches) continue;
      const label = b.subnetId ? `subnet ${subnet.SubnetId}` : `default subnet ${subnet.SubnetId} (${subnet.AvailabilityZone}), which EC2 may pick,`;
      if (p.unsure) {
        out.push(
          warning(ID, `could not check whether ${label} reaches SSM: ${p.unsure}`, 'Make sure that route leads to the internet or to the SSM endpoints.', {
            region: f.region,
            path,
          }),
        );
        continue;
      }
      const hint = b.subnetId
        ? 'Use a subnet with a NAT gateway route, or a public IP (builder.associatePublicIp: true) and an internet gateway route, or add the ssm, ssmmessages and ec2messages interface endpoints to its VPC.'
        : reaching.length
          ? `Set builder.subnetId to a subnet that reaches SSM, e.g. ${reaching[0]}.`
          : 'Set builder.subnetId to a subnet with a NAT gateway route, or a public IP and an internet gateway route, or with the ssm, ssmmessages and ec2messages interface endpoints.';
      out.push(problem(ID, `${label} cannot reach SSM, so SSM Agent would never come Online: ${p.why.join('; ')}`, hint, { region: f.region, path }));
    }
    out.push(...securityGroupFindings(net, b.securityGroupIds, f.region));
    return out;
  },
};
