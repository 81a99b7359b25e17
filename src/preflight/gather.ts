/**
 * The preflight's AWS calls: read-only Describe/Get/List/Simulate calls only,
 * each turned into a `Lookup` so that one refused or failed call becomes one
 * "could not check" note instead of stopping the others. What each call needs
 * is listed by `preflightActions` (and so in `winami iam-policy`).
 */
import type { Image, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import type { InstanceProfile } from '@aws-sdk/client-iam';
import type { AwsSession, CallOptions, IamPort } from '../aws/ports.js';
import { awsErrorCode, isAccessDenied } from '../aws/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Expectation } from '../billing/expectations.js';
import { parsePolicyDocument, policiesAllow, type PolicyDocumentJson } from './policy-eval.js';
import { roleRequirements } from './role-requirements.js';
import type { KmsKeyFacts, Lookup, NetworkFacts, PermissionFacts, PreflightFacts, RoleDecision, RoleRequirement } from './types.js';

/** The AWS managed key EBS uses when `encrypted` names no key. */
export const DEFAULT_EBS_KEY = 'alias/aws/ebs';

/** What the preflight needs to know besides the config. */
export interface GatherInput {
  session: AwsSession;
  config: ResolvedConfig;
  buildId: string;
  region: string;
  account: string | undefined;
  imageName: string;
  source: PreflightFacts['source'];
  expectation: Expectation | undefined;
  env: Readonly<Record<string, string | undefined>>;
  abortSignal?: AbortSignal;
}

/** The regions the bake works in: the build region, then each copy's. */
export function targetRegions(config: ResolvedConfig): string[] {
  return [...new Set([config.region, ...config.image.regions.map((r) => r.region)])];
}

/** The KMS keys the bake will use, each in its region. */
export function kmsKeysOf(config: ResolvedConfig): Omit<KmsKeyFacts, 'key'>[] {
  const keys: Omit<KmsKeyFacts, 'key'>[] = [];
  const add = (keyId: string, region: string, path: string) => {
    if (!keys.some((k) => k.keyId === keyId && k.region === region)) keys.push({ keyId, region, path, awsManaged: keyId === DEFAULT_EBS_KEY });
  };
  const img = config.image;
  if (img.kmsKeyId) add(img.kmsKeyId, config.region, 'image.kmsKeyId');
  else if (img.encrypted) add(DEFAULT_EBS_KEY, config.region, 'image.encrypted');
  img.regions.forEach((r, i) => {
    if (r.region === config.region) return;
    if (r.kmsKeyId) add(r.kmsKeyId, r.region, `image.regions[${i}].kmsKeyId`);
    else if (img.encrypted) add(DEFAULT_EBS_KEY, r.region, 'image.encrypted');
  });
  return keys;
}

/** The profile name from a name or an instance-profile ARN (`arn:aws:iam::1:instance-profile/path/name`). */
export function profileName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

/** Make one lookup: NotFound-like codes give `undefined`, denials and other errors a failed lookup. */
async function lookup<T>(action: string, call: () => Promise<T>, notFound: readonly string[] = []): Promise<Lookup<T | undefined>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    const code = awsErrorCode(err);
    if (code !== undefined && notFound.includes(code)) return { ok: true, value: undefined };
    return { ok: false, denied: isAccessDenied(err), action, message: err instanceof Error ? err.message : String(err) };
  }
}

/** A lookup whose value is always there (no NotFound case). */
async function lookupAll<T>(action: string, call: () => Promise<T>): Promise<Lookup<T>> {
  return (await lookup(action, call)) as Lookup<T>;
}

/** Every page of a NextToken listing. */
async function pages<T>(first: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await first(token);
    all.push(...page.items);
    token = page.next;
  } while (token);
  return all;
}

async function gatherNetwork(i: GatherInput, opt: CallOptions): Promise<Lookup<NetworkFacts | undefined>> {
  const ec2 = i.session.ec2(i.region);
  const b = i.config.builder;
  let action = 'ec2:DescribeSubnets';
  try {
    let subnets: Subnet[];
    if (b.subnetId) {
      try {
        subnets = (await ec2.describeSubnets({ SubnetIds: [b.subnetId] }, opt)).Subnets ?? [];
      } catch (err) {
        if (awsErrorCode(err) === 'InvalidSubnetID.NotFound') return { ok: true, value: undefined };
        throw err;
      }
      if (subnets.length === 0) return { ok: true, value: undefined };
    } else {
      subnets = await pages(async (NextToken) => {
        const o = await ec2.describeSubnets({ Filters: [{ Name: 'default-for-az', Values: ['true'] }], ...(NextToken ? { NextToken } : {}) }, opt);
        return { items: o.Subnets ?? [], next: o.NextToken };
      });
    }
    const vpcIds = [...new Set(subnets.map((s) => s.VpcId!).filter(Boolean))];
    if (vpcIds.length === 0) return { ok: true, value: { subnets, routeTables: [], endpoints: [], securityGroups: [], endpointGroups: [] } };
    const byVpc = [{ Name: 'vpc-id', Values: vpcIds }];
    action = 'ec2:DescribeRouteTables';
    const routeTables = await pages(async (NextToken) => {
      const o = await ec2.describeRouteTables({ Filters: byVpc, ...(NextToken ? { NextToken } : {}) }, opt);
      return { items: o.RouteTables ?? [], next: o.NextToken };
    });
    action = 'ec2:DescribeVpcEndpoints';
    const endpoints = await pages(async (NextToken) => {
      const o = await ec2.describeVpcEndpoints({ Filters: byVpc, ...(NextToken ? { NextToken } : {}) }, opt);
      return { items: o.VpcEndpoints ?? [], next: o.NextToken };
    });
    action = 'ec2:DescribeSecurityGroups';
    let securityGroups: SecurityGroup[];
    try {
      securityGroups = b.securityGroupIds.length
        ? ((await ec2.describeSecurityGroups({ GroupIds: b.securityGroupIds }, opt)).SecurityGroups ?? [])
        : ((await ec2.describeSecurityGroups({ Filters: [...byVpc, { Name: 'group-name', Values: ['default'] }] }, opt)).SecurityGroups ?? []);
    } catch (err) {
      // One missing group fails the whole call; the check names the configured ones it did not get.
      if (awsErrorCode(err) !== 'InvalidGroup.NotFound') throw err;
      securityGroups = [];
    }
    const endpointGroupIds = [...new Set(endpoints.flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId!)).filter(Boolean))];
    const endpointGroups = endpointGroupIds.length ? ((await ec2.describeSecurityGroups({ GroupIds: endpointGroupIds }, opt)).SecurityGroups ?? []) : [];
    return { ok: true, value: { subnets, routeTables, endpoints, securityGroups, endpointGroups } };
  } catch (err) {
    return { ok: false, denied: isAccessDenied(err), action, message: err instanceof Error ? err.message : String(err) };
  }
}

async function gatherOffering(i: GatherInput, network: Lookup<NetworkFacts | undefined>, opt: CallOptions): Promise<PreflightFacts['offering']> {
  const type = i.config.builder.instanceType;
  const subnet = i.config.builder.subnetId && network.ok ? network.value?.subnets[0] : undefined;
  const byAz = subnet?.AvailabilityZone !== undefined;
  const locations = byAz ? [subnet!.AvailabilityZone!] : [i.region];
  return lookupAll('ec2:DescribeInstanceTypeOfferings', async () => {
    const offered = await pages(async (NextToken) => {
      const o = await i.session.ec2(i.region).describeInstanceTypeOfferings(
        {
          LocationType: byAz ? 'availability-zone' : 'region',
          Filters: [
            { Name: 'instance-type', Values: [type] },
            { Name: 'location', Values: locations },
          ],
          ...(NextToken ? { NextToken } : {}),
        },
        opt,
      );
      return { items: o.InstanceTypeOfferings ?? [], next: o.NextToken };
    });
    return {
      locationType: byAz ? ('availability-zone' as const) : ('region' as const),
      locations,
      offeredIn: offered.filter((o) => o.InstanceType === type).map((o) => o.Location!),
    };
  });
}

/** SimulatePrincipalPolicy, one call per resource (and its context), every page. */
async function simulate(iam: IamPort, roleArn: string, reqs: readonly RoleRequirement[], opt: CallOptions): Promise<RoleDecision[]> {
  const groups = new Map<string, RoleRequirement[]>();
  for (const r of reqs) {
    const key = `${r.resource}\u0000${JSON.stringify(r.context ?? {})}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const decisions: RoleDecision[] = [];
  for (const group of groups.values()) {
    const { resource, context } = group[0]!;
    let Marker: string | undefined;
    const allowed = new Map<string, boolean>();
    do {
      const out = await iam.simulatePrincipalPolicy(
        {
          PolicySourceArn: roleArn,
          ActionNames: group.map((r) => r.action),
          ...(resource === '*' ? {} : { ResourceArns: [resource] }),
          ...(context
            ? { ContextEntries: Object.entries(context).map(([k, v]) => ({ ContextKeyName: k, ContextKeyValues: [v], ContextKeyType: 'string' as const })) }
            : {}),
          ...(Marker ? { Marker } : {}),
        },
        opt,
      );
      for (const e of out.EvaluationResults ?? []) if (e.EvalActionName) allowed.set(e.EvalActionName.toLowerCase(), e.EvalDecision === 'allowed');
      Marker = out.IsTruncated ? out.Marker : undefined;
    } while (Marker);
    for (const r of group) decisions.push({ ...r, allowed: allowed.get(r.action.toLowerCase()) ?? false });
  }
  return decisions;
}

/** The role's identity policies (attached managed at their default version, and inline), for the local evaluator. */
async function rolePolicies(iam: IamPort, roleName: string, opt: CallOptions): Promise<PolicyDocumentJson[]> {
  const docs: PolicyDocumentJson[] = [];
  let Marker: string | undefined;
  do {
    const out = await iam.listAttachedRolePolicies({ RoleName: roleName, ...(Marker ? { Marker } : {}) }, opt);
    for (const a of out.AttachedPolicies ?? []) {
      const policy = await iam.getPolicy({ PolicyArn: a.PolicyArn! }, opt);
      const version = await iam.getPolicyVersion({ PolicyArn: a.PolicyArn!, VersionId: policy.Policy!.DefaultVersionId! }, opt);
      if (version.PolicyVersion?.Document) docs.push(parsePolicyDocument(version.PolicyVersion.Document));
    }
    Marker = out.IsTruncated ? out.Marker : undefined;
  } while (Marker);
  do {
    const out = await iam.listRolePolicies({ RoleName: roleName, ...(Marker ? { Marker } : {}) }, opt);
    for (const name of out.PolicyNames ?? []) {
      const p = await iam.getRolePolicy({ RoleName: roleName, PolicyName: name }, opt);
      if (p.PolicyDocument) docs.push(parsePolicyDocument(p.PolicyDocument));
    }
    Marker = out.IsTruncated ? out.Marker : undefined;
  } while (Marker);
  return docs;
}

async function gatherPermissions(i: GatherInput, profile: InstanceProfile, opt: CallOptions): Promise<PermissionFacts> {
  const role = profile.Roles?.[0];
  if (!role?.Arn || !role.RoleName) return { method: 'none', reason: 'the profile has no role' };
  const iam = i.session.iam();
  const reqs = roleRequirements(i.config, { region: i.region, account: i.account, buildId: i.buildId });
  try {
    return { method: 'simulate', decisions: await simulate(iam, role.Arn, reqs, opt) };
  } catch (err) {
    // Denied: read the policies instead.
    if (!isAccessDenied(err)) return { method: 'none', reason: `SimulatePrincipalPolicy failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const docs = await rolePolicies(iam, role.RoleName, opt);
    return { method: 'policies', decisions: reqs.map((r) => ({ ...r, allowed: policiesAllow(docs, r.action, r.resource) })) };
  } catch (err) {
    const reason = isAccessDenied(err)
      ? 'missing iam:SimulatePrincipalPolicy, and iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, iam:ListRolePolicies or iam:GetRolePolicy to read the policies instead'
      : `reading the role's policies failed: ${err instanceof Error ? err.message : String(err)}`;
    return { method: 'none', reason };
  }
}

async function gatherProfile(i: GatherInput, opt: CallOptions): Promise<PreflightFacts['profile']> {
  const configured = i.config.builder.instanceProfile;
  if (!configured) return undefined;
  const name = profileName(configured);
  const profile = await lookup(
    'iam:GetInstanceProfile',
    async () => (await i.session.iam().getInstanceProfile({ InstanceProfileName: name }, opt)).InstanceProfile,
    ['NoSuchEntity', 'NoSuchEntityException'],
  );
  const permissions: PermissionFacts = profile.ok && profile.value ? await gatherPermissions(i, profile.value, opt) : { method: 'none', reason: 'no profile' };
  return { name, profile, permissions };
}

/** Fetch everything the checks look at. Never throws for an AWS error: each becomes a failed lookup. */
export async function gatherFacts(i: GatherInput): Promise<PreflightFacts> {
  const opt: CallOptions = i.abortSignal ? { abortSignal: i.abortSignal } : {};
  const ec2 = i.session.ec2(i.region);
  const type = i.config.builder.instanceType;
  const regionsOut = targetRegions(i.config);
  const network = await gatherNetwork(i, opt);
  const [instanceType, offering, regions, profile] = await Promise.all([
    lookup(
      'ec2:DescribeInstanceTypes',
      async () => (await ec2.describeInstanceTypes({ InstanceTypes: [type as never] }, opt)).InstanceTypes?.find((t) => t.InstanceType === type),
      ['InvalidInstanceType'],
    ),
    gatherOffering(i, network, opt),
    lookupAll('ec2:DescribeRegions', async () => (await ec2.describeRegions({ AllRegions: true }, opt)).Regions ?? []),
    gatherProfile(i, opt),
  ]);
  const kmsKeys = await Promise.all(
    kmsKeysOf(i.config).map(async (k) => ({
      ...k,
      key: await lookup('kms:DescribeKey', async () => (await i.session.kms(k.region).describeKey({ KeyId: k.keyId }, opt)).KeyMetadata, ['NotFoundException']),
    })),
  );
  const imagesNamed = await Promise.all(
    regionsOut.map(async (region) => ({
      region,
      images: await lookupAll(
        'ec2:DescribeImages',
        async (): Promise<Image[]> =>
          (await i.session.ec2(region).describeImages({ Owners: ['self'], Filters: [{ Name: 'name', Values: [i.imageName] }] }, opt)).Images ?? [],
      ),
    })),
  );
  const publish = i.config.image.publishParameter;
  const publishParameter = publish
    ? await Promise.all(
        regionsOut.map(async (region) => ({
          region,
          parameter: await lookup('ssm:GetParameter', async () => (await i.session.ssm(region).getParameter({ Name: publish }, opt)).Parameter, [
            'ParameterNotFound',
          ]),
        })),
      )
    : [];
  return {
    config: i.config,
    buildId: i.buildId,
    region: i.region,
    account: i.account,
    imageName: i.imageName,
    source: i.source,
    expectation: i.expectation,
    instanceType: instanceType as PreflightFacts['instanceType'],
    offering,
    network,
    regions,
    kmsKeys,
    imagesNamed,
    publishParameter,
    profile,
    env: i.env,
  };
}

/** The IAM actions the preflight calls for this config when the caller has them (the success path). */
export function preflightActions(config: ResolvedConfig): string[] {
  return [
    'ec2:DescribeSubnets',
    'ec2:DescribeRouteTables',
    'ec2:DescribeVpcEndpoints',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeInstanceTypes',
    'ec2:DescribeInstanceTypeOfferings',
    'ec2:DescribeRegions',
    'ec2:DescribeImages',
    ...(config.builder.instanceProfile ? ['iam:GetInstanceProfile', 'iam:SimulatePrincipalPolicy'] : []),
    ...(kmsKeysOf(config).length ? ['kms:DescribeKey'] : []),
    ...(config.image.publishParameter ? ['ssm:GetParameter'] : []),
  ];
}
