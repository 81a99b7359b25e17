/**
 * EC2 VPC endpoint actions: Create/Describe/DeleteVpcEndpoints and
 * DescribeVpcEndpointServices, for the AWS services the emulator knows.
 */
import { requireParam, type Ec2Context, type Handler } from './ec2.js';
import { changing, describe, net, tagsOn, tagXml } from './ec2-vpc-common.js';
import { el, iso, newId, qBool, qList, qStr, set } from './wire.js';
import { ApiError } from './world.js';
import { groupById, subnetById, tableById, vpcById, type Network, type VpcEndpoint } from './vpc.js';
import { zonesOf } from './zones.js';

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
  const dns =
    e.type === 'Interface'
      ? [`${e.id}-${e.id.slice(5, 13)}.${svc}.${c.region}.vpce.amazonaws.com`, ...(e.privateDns ? [`${svc}.${c.region}.amazonaws.com`] : [])]
      : [];
  return (
    el('vpcEndpointId', e.id) +
    el('vpcEndpointType', e.type) +
    el('vpcId', e.vpcId) +
    el('serviceName', e.serviceName) +
    el('state', endpointState(c, e)) +
    el('policyDocument', FULL_ACCESS_POLICY) +
    set('routeTableIdSet', [...e.routeTableIds]) +
    set('subnetIdSet', [...e.subnetIds]) +
    set(
      'groupSet',
      e.groupIds.map((id) => el('groupId', id) + el('groupName', n.groups.get(id)?.name ?? '')),
    ) +
    el('ipAddressType', 'ipv4') +
    el('privateDnsEnabled', e.privateDns) +
    el('requesterManaged', false) +
    set('networkInterfaceIdSet', e.type === 'Interface' ? e.subnetIds.map((s) => `eni-${s.slice(7)}`) : []) +
    set(
      'dnsEntrySet',
      dns.map((d) => el('dnsName', d) + el('hostedZoneId', 'Z7HUB22UULQXV')),
    ) +
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
  if (!ENDPOINT_SERVICES[svc]!.includes(type))
    throw new ApiError('InvalidParameter', `The Vpc Endpoint Service '${serviceName}' does not support endpoint type '${type}'.`);
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
    for (const g of groups)
      if (g.vpcId !== vpc.id) throw new ApiError('InvalidParameter', `Security group ${g.id} and VPC ${vpc.id} belong to different networks.`);
    e.privateDns = qBool(c.q, 'PrivateDnsEnabled') ?? true;
    if (e.privateDns && !(vpc.dnsSupport && vpc.dnsHostnames)) {
      throw new ApiError(
        'InvalidParameter',
        `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`,
      );
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
    if (!e || e.deleted)
      failed.push(
        el('resourceId', id) + `<error>${el('code', 'InvalidVpcEndpoint.NotFound')}${el('message', `The VpcEndpoint Id '${id}' does not exist`)}</error>`,
      );
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
          set(
            'serviceType',
            ENDPOINT_SERVICES[svc]!.map((t) => el('serviceType', t)),
          ) +
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

/** The VPC endpoint actions. */
export const VPC_ENDPOINT_HANDLERS: Readonly<Record<string, Handler>> = {
  CreateVpcEndpoint: createVpcEndpoint,
  DescribeVpcEndpoints: describeVpcEndpoints,
  DeleteVpcEndpoints: deleteVpcEndpoints,
  DescribeVpcEndpointServices: describeVpcEndpointServices,
};
