/**
 * EC2 security group actions: Create/Describe/DeleteSecurityGroup and
 * Authorize/Revoke of ingress and egress rules.
 */
import { requireParam, type Ec2Context, type Handler } from './ec2.js';
import { changing, checkBlock, describe, net, tagsOn, tagXml } from './ec2-vpc-common.js';
import { el, newId, qInt, qList, qObjects, qStr, set, type QueryObject } from './wire.js';
import { ApiError } from './world.js';
import { groupById, vpcById, type Network, type Permission, type SecurityGroup } from './vpc.js';

function permissionXml(p: Permission, account: string): string {
  return (
    el('ipProtocol', p.protocol) +
    (p.fromPort !== undefined ? el('fromPort', p.fromPort) : '') +
    (p.toPort !== undefined ? el('toPort', p.toPort) : '') +
    set(
      'groups',
      p.groupIds.map((id) => el('userId', account) + el('groupId', id)),
    ) +
    set(
      'ipRanges',
      p.cidrs.map((cidr) => el('cidrIp', cidr)),
    ) +
    set('ipv6Ranges', []) +
    set('prefixListIds', [])
  );
}

/** The `ip-permission.*` (or `egress.ip-permission.*`) filter values of a group's rules. */
function permissionFilterValues(prefix: string, rules: Permission[]): Record<string, string[]> {
  return {
    [`${prefix}.protocol`]: rules.map((p) => p.protocol),
    [`${prefix}.from-port`]: rules.flatMap((p) => (p.fromPort === undefined ? [] : [String(p.fromPort)])),
    [`${prefix}.to-port`]: rules.flatMap((p) => (p.toPort === undefined ? [] : [String(p.toPort)])),
    [`${prefix}.cidr`]: rules.flatMap((p) => p.cidrs),
    [`${prefix}.group-id`]: rules.flatMap((p) => p.groupIds),
  };
}

function groupXml(c: Ec2Context, g: SecurityGroup): string {
  return (
    el('ownerId', c.account) +
    el('groupId', g.id) +
    el('groupName', g.name) +
    el('groupDescription', g.description) +
    set(
      'ipPermissions',
      g.ingress.map((p) => permissionXml(p, c.account)),
    ) +
    set(
      'ipPermissionsEgress',
      g.egress.map((p) => permissionXml(p, c.account)),
    ) +
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
  const g: SecurityGroup = {
    id: newId('sg'),
    vpcId: vpc.id,
    name,
    description,
    ingress: [],
    egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], groupIds: [] }],
    tags: tagsOn(c.q, 'security-group'),
  };
  n.groups.set(g.id, g);
  return el('groupId', g.id) + el('securityGroupArn', `arn:aws:ec2:${c.region}:${c.account}:security-group/${g.id}`) + tagXml(g.tags);
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
    (g) => ({
      'group-id': g.id,
      'group-name': g.name,
      'vpc-id': g.vpcId,
      description: g.description,
      'owner-id': c.account,
      ...permissionFilterValues('ip-permission', g.ingress),
      ...permissionFilterValues('egress.ip-permission', g.egress),
    }),
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

/** The security group actions. */
export const SECURITY_GROUP_HANDLERS: Readonly<Record<string, Handler>> = {
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
};
