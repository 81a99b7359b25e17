/**
 * IAM (Query protocol, Version 2010-05-08): roles, instance profiles, managed
 * and inline role policies, and SimulatePrincipalPolicy. Global per account,
 * not per region. Policy documents are answered URL-encoded, as IAM does.
 * The same store answers RunInstances (does the instance profile exist, has
 * it propagated?) and the SSM agent (may this instance's role register?).
 */
import { createHash, randomBytes } from 'node:crypto';
import { AWS_MANAGED_POLICIES } from './iam-policies.js';
import { evaluate, parsePolicy, type PolicyDocument, type PolicySource } from './policy.js';
import { el, esc, iso, qInt, qList, qObj, qStr, type QueryObject } from './wire.js';
import { ApiError } from './world.js';

export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface IamRole {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: number;
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
  /** Managed policy ARNs, in attachment order. */
  attached: string[];
  /** Inline policies by name. */
  inline: Map<string, { text: string; doc: PolicyDocument }>;
}

export interface IamInstanceProfile {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: number;
  /** Role names (at most one). */
  roles: string[];
}

export interface IamManagedPolicy {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: number;
  updatedAt: number;
  description?: string;
  versionId: string;
  text: string;
  doc: PolicyDocument;
  awsManaged: boolean;
}

export interface IamUser {
  name: string;
  arn: string;
  attached: string[];
}

export interface IamAccount {
  id: string;
  roles: Map<string, IamRole>;
  profiles: Map<string, IamInstanceProfile>;
  /** Customer managed policies by ARN. */
  policies: Map<string, IamManagedPolicy>;
  users: Map<string, IamUser>;
}

/** Managed policies per role (IAM default quota "Managed policies per role"). */
const POLICIES_PER_ROLE = 10;
/** Roles per instance profile (IAM quota, fixed). */
const ROLES_PER_PROFILE = 1;
const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;

/** The role and profile every emulator account holds (SPEC.md). */
export const SEEDED_BUILDER = 'winami-builder';

/** What the SSM agent calls to register, receive commands and keep its control channel (SPEC.md "IAM"). */
export const AGENT_ACTIONS = ['ssm:UpdateInstanceInformation', 'ec2messages:GetMessages', 'ssmmessages:CreateControlChannel'] as const;

function idOf(prefix: string): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = prefix;
  for (const b of randomBytes(17)) s += chars[b % chars.length];
  return s;
}

function stableId(prefix: string, seed: string): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = prefix;
  for (const b of createHash('sha256').update(seed).digest().subarray(0, 17)) s += chars[b % chars.length];
  return s;
}

/** IAM's ValidationError for a name or path outside the model's pattern or length. */
function checkName(value: string | undefined, member: string, max: number, pattern = NAME, patternText = '[\\w+=,.@-]+'): string {
  if (value === undefined || value === '') {
    throw new ApiError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  if (value.length > max) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  if (!pattern.test(value)) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${patternText}`,
    );
  }
  return value;
}

function checkPath(q: QueryObject): string {
  const p = qStr(q, 'Path');
  if (p === undefined) return '/';
  return checkName(p, 'path', 512, PATH, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
}

/** A Query list as IAM's awsQuery protocol sends it: `Name.member.N`. */
function qMembers(q: QueryObject, key: string): string[] {
  return qList(qObj(q, key), 'member');
}

function noSuchEntity(message: string): never {
  throw new ApiError('NoSuchEntity', message, 404);
}

/** Every account's IAM, plus the AWS managed policies all of them share. */
export class IamStore {
  readonly accounts = new Map<string, IamAccount>();
  readonly awsPolicies = new Map<string, IamManagedPolicy>();
  /** A new instance profile is refused by RunInstances for this long (real ms), as IAM propagates it. */
  propagationMs: number;

  constructor(propagationMs: number) {
    this.propagationMs = propagationMs;
    for (const p of AWS_MANAGED_POLICIES) {
      const arn = `arn:aws:iam::aws:policy${p.path}${p.name}`;
      const text = JSON.stringify(p.document, null, 2);
      this.awsPolicies.set(arn, {
        name: p.name,
        path: p.path,
        id: stableId('ANPA', arn),
        arn,
        createdAt: Date.parse(p.created),
        updatedAt: Date.parse(p.updated),
        description: p.description,
        versionId: p.versionId,
        text,
        doc: parsePolicy(text, 'identity'),
        awsManaged: true,
      });
    }
  }

  account(id: string): IamAccount {
    let a = this.accounts.get(id);
    if (!a) {
      a = { id, roles: new Map(), profiles: new Map(), policies: new Map(), users: new Map() };
      this.accounts.set(id, a);
    }
    return a;
  }

  /** The seeded world: the builder role and profile, and the caller user `emulator` with AdministratorAccess. */
  seed(accountId: string, at: number): void {
    const a = this.account(accountId);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const role = this.createRole(
      a,
      { name: SEEDED_BUILDER, path: '/', trustPolicy: trust, description: 'winami builder instances (seeded by the emulator)' },
      at,
    );
    role.attached.push('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    const profile = this.createProfile(a, SEEDED_BUILDER, '/', at);
    profile.roles.push(role.name);
    a.users.set('emulator', { name: 'emulator', arn: `arn:aws:iam::${accountId}:user/emulator`, attached: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
  }

  createRole(a: IamAccount, p: { name: string; path: string; trustPolicy: string; description?: string; maxSessionDuration?: number }, at: number): IamRole {
    if ([...a.roles.keys()].some((n) => n.toLowerCase() === p.name.toLowerCase()))
      throw new ApiError('EntityAlreadyExists', `Role with name ${p.name} already exists.`, 409);
    const role: IamRole = {
      name: p.name,
      path: p.path,
      id: idOf('AROA'),
      arn: `arn:aws:iam::${a.id}:role${p.path}${p.name}`,
      createdAt: at,
      trustPolicy: p.trustPolicy,
      ...(p.description !== undefined ? { description: p.description } : {}),
      maxSessionDuration: p.maxSessionDuration ?? 3600,
      attached: [],
      inline: new Map(),
    };
    a.roles.set(p.name, role);
    return role;
  }

  createProfile(a: IamAccount, name: string, path: string, at: number): IamInstanceProfile {
    if ([...a.profiles.keys()].some((n) => n.toLowerCase() === name.toLowerCase()))
      throw new ApiError('EntityAlreadyExists', `Instance Profile ${name} already exists.`, 409);
    const profile: IamInstanceProfile = { name, path, id: idOf('AIPA'), arn: `arn:aws:iam::${a.id}:instance-profile${path}${name}`, createdAt: at, roles: [] };
    a.profiles.set(name, profile);
    return profile;
  }

  role(a: IamAccount, name: string): IamRole {
    return a.roles.get(name) ?? noSuchEntity(`The role with name ${name} cannot be found.`);
  }

  profile(a: IamAccount, name: string): IamInstanceProfile {
    return a.profiles.get(name) ?? noSuchEntity(`Instance Profile ${name} cannot be found.`);
  }

  /** A managed policy (AWS or this account's) by ARN, or undefined. */
  policy(a: IamAccount, arn: string): IamManagedPolicy | undefined {
    return this.awsPolicies.get(arn) ?? a.policies.get(arn);
  }

  attachmentCount(arn: string, only?: IamAccount): number {
    let n = 0;
    for (const a of only ? [only] : this.accounts.values()) {
      for (const r of a.roles.values()) if (r.attached.includes(arn)) n++;
      for (const u of a.users.values()) if (u.attached.includes(arn)) n++;
    }
    return n;
  }

  /** Every policy a role holds, for evaluation. */
  roleSources(a: IamAccount, role: IamRole): PolicySource[] {
    const out: PolicySource[] = [];
    for (const [name, p] of role.inline) out.push({ id: name, type: 'role', doc: p.doc });
    for (const arn of role.attached) {
      const p = this.policy(a, arn);
      if (p) out.push({ id: p.name, type: p.awsManaged ? 'aws-managed' : 'user-managed', doc: p.doc });
    }
    return out;
  }

  userSources(a: IamAccount, user: IamUser): PolicySource[] {
    return user.attached.flatMap((arn) => {
      const p = this.policy(a, arn);
      return p ? [{ id: p.name, type: p.awsManaged ? ('aws-managed' as const) : ('user-managed' as const), doc: p.doc }] : [];
    });
  }

  /**
   * The instance profile RunInstances names, checked as EC2 does: it must exist
   * in the caller's account and have propagated. Throws EC2's InvalidParameterValue.
   */
  profileForLaunch(accountId: string, ref: { name?: string; arn?: string }, now: number): IamInstanceProfile {
    const a = this.account(accountId);
    let found: IamInstanceProfile | undefined;
    if (ref.arn !== undefined) {
      const m = /^arn:aws:iam::(\d{12}):instance-profile(\/(?:[\u0021-\u007E]+\/)?)?([\w+=,.@-]+)$/.exec(ref.arn);
      const p = m && m[1] === accountId ? a.profiles.get(m[3]!) : undefined;
      found = p && p.arn === ref.arn ? p : undefined;
      if (!found || now - found.createdAt < this.propagationMs) {
        throw new ApiError('InvalidParameterValue', `Value (${ref.arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
      }
      return found;
    }
    found = a.profiles.get(ref.name ?? '');
    if (!found || now - found.createdAt < this.propagationMs) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${ref.name ?? ''}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
      );
    }
    return found;
  }

  /** The role an instance profile holds (SSM reports it as the instance's IamRole). */
  roleOf(accountId: string, profileArn: string | undefined): IamRole | undefined {
    if (!profileArn) return undefined;
    const a = this.account(accountId);
    const profile = [...a.profiles.values()].find((p) => p.arn === profileArn);
    return profile?.roles[0] ? a.roles.get(profile.roles[0]) : undefined;
  }

  /**
   * Whether the SSM agent on an instance with this profile can register: the
   * profile still exists, holds a role, and the role's policies allow every
   * one of AGENT_ACTIONS (same evaluator as SimulatePrincipalPolicy).
   */
  agentAllowed(accountId: string, profileArn: string | undefined): boolean {
    const role = this.roleOf(accountId, profileArn);
    if (!role) return false;
    const sources = this.roleSources(this.account(accountId), role);
    return AGENT_ACTIONS.every((action) => evaluate(sources, action).decision === 'allowed');
  }
}

// ---- XML ----

function policyDocXml(tag: string, text: string): string {
  return el(tag, encodeURIComponent(text));
}

function roleXml(r: IamRole): string {
  return (
    el('Path', r.path) +
    el('RoleName', r.name) +
    el('RoleId', r.id) +
    el('Arn', r.arn) +
    el('CreateDate', iso(r.createdAt)) +
    policyDocXml('AssumeRolePolicyDocument', r.trustPolicy) +
    (r.description !== undefined ? el('Description', r.description) : '') +
    el('MaxSessionDuration', r.maxSessionDuration)
  );
}

function profileXml(a: IamAccount, p: IamInstanceProfile): string {
  const roles = p.roles.map((n) => a.roles.get(n)).filter((r): r is IamRole => r !== undefined);
  return (
    el('Path', p.path) +
    el('InstanceProfileName', p.name) +
    el('InstanceProfileId', p.id) +
    el('Arn', p.arn) +
    el('CreateDate', iso(p.createdAt)) +
    members('Roles', roles.map(roleXml))
  );
}

function policyXml(store: IamStore, a: IamAccount, p: IamManagedPolicy, withDescription: boolean): string {
  return (
    el('PolicyName', p.name) +
    el('PolicyId', p.id) +
    el('Arn', p.arn) +
    el('Path', p.path) +
    el('DefaultVersionId', p.versionId) +
    el('AttachmentCount', store.attachmentCount(p.arn, a)) +
    el('PermissionsBoundaryUsageCount', 0) +
    el('IsAttachable', true) +
    (withDescription && p.description !== undefined ? el('Description', p.description) : '') +
    el('CreateDate', iso(p.createdAt)) +
    el('UpdateDate', iso(p.updatedAt))
  );
}

function members(tag: string, items: readonly string[]): string {
  let s = `<${tag}>`;
  for (const i of items) s += `<member>${i}</member>`;
  return `${s}</${tag}>`;
}

/** One page of a list: IAM's MaxItems (1..1000, default 100) and opaque Marker. */
function page<T>(q: QueryObject, items: readonly T[]): { items: T[]; tail: string } {
  const max = qInt(q, 'MaxItems') ?? 100;
  if (max < 1 || max > 1000) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000'}`,
    );
  }
  const marker = qStr(q, 'Marker');
  let start = 0;
  if (marker !== undefined) {
    const n = Number(
      Buffer.from(marker, 'base64')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(n) || n < 0) throw new ApiError('ValidationError', 'Invalid Marker.');
    start = n;
  }
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, tail: el('IsTruncated', more) + (more ? el('Marker', Buffer.from(`offset:${start + max}`).toString('base64')) : '') };
}

// ---- handlers ----

export interface IamContext {
  iam: IamStore;
  account: string;
  callerArn: string;
  q: QueryObject;
  now: number;
}

type IamHandler = (c: IamContext) => string;

function policyArnParam(c: IamContext): string {
  const arn = qStr(c.q, 'PolicyArn');
  if (arn === undefined || arn === '')
    throw new ApiError('ValidationError', "1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: Member must not be null");
  if (!/^arn:aws:iam::(aws|\d{12}):policy\/.+/.test(arn)) throw new ApiError('InvalidInput', `ARN ${arn} is not valid.`);
  return arn;
}

function documentParam(c: IamContext, member: string, kind: 'identity' | 'trust'): { text: string; doc: PolicyDocument } {
  const text = qStr(c.q, member.charAt(0).toUpperCase() + member.slice(1));
  if (text === undefined || text === '')
    throw new ApiError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return { text, doc: parsePolicy(text, kind) };
}

const listByPath = <T extends { path: string; name: string }>(q: QueryObject, items: Iterable<T>): T[] => {
  const prefix = qStr(q, 'PathPrefix') ?? '/';
  return [...items].filter((x) => x.path.startsWith(prefix)).sort((x, y) => x.name.localeCompare(y.name));
};

export const IAM_HANDLERS: Readonly<Record<string, IamHandler>> = {
  CreateRole: (c) => {
    const a = c.iam.account(c.account);
    const name = checkName(qStr(c.q, 'RoleName'), 'roleName', 64);
    const path = checkPath(c.q);
    const { text } = documentParam(c, 'assumeRolePolicyDocument', 'trust');
    const max = qInt(c.q, 'MaxSessionDuration');
    if (max !== undefined && (max < 3600 || max > 43200)) {
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value '${max}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value ${max < 3600 ? 'greater than or equal to 3600' : 'less than or equal to 43200'}`,
      );
    }
    const description = qStr(c.q, 'Description');
    const role = c.iam.createRole(
      a,
      { name, path, trustPolicy: text, ...(description !== undefined ? { description } : {}), ...(max !== undefined ? { maxSessionDuration: max } : {}) },
      c.now,
    );
    return `<Role>${roleXml(role)}</Role>`;
  },
  GetRole: (c) => {
    const a = c.iam.account(c.account);
    return `<Role>${roleXml(c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64)))}</Role>`;
  },
  DeleteRole: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    if ([...a.profiles.values()].some((p) => p.roles.includes(role.name)))
      throw new ApiError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.', 409);
    if (role.attached.length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
    if (role.inline.size) throw new ApiError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
    a.roles.delete(role.name);
    return '';
  },
  ListRoles: (c) => {
    const a = c.iam.account(c.account);
    const { items, tail } = page(c.q, listByPath(c.q, a.roles.values()));
    return members('Roles', items.map(roleXml)) + tail;
  },
  CreateInstanceProfile: (c) => {
    const a = c.iam.account(c.account);
    const name = checkName(qStr(c.q, 'InstanceProfileName'), 'instanceProfileName', 128);
    const profile = c.iam.createProfile(a, name, checkPath(c.q), c.now);
    return `<InstanceProfile>${profileXml(a, profile)}</InstanceProfile>`;
  },
  GetInstanceProfile: (c) => {
    const a = c.iam.account(c.account);
    return `<InstanceProfile>${profileXml(a, c.iam.profile(a, checkName(qStr(c.q, 'InstanceProfileName'), 'instanceProfileName', 128)))}</InstanceProfile>`;
  },
  DeleteInstanceProfile: (c) => {
    const a = c.iam.account(c.account);
    const profile = c.iam.profile(a, checkName(qStr(c.q, 'InstanceProfileName'), 'instanceProfileName', 128));
    if (profile.roles.length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.', 409);
    a.profiles.delete(profile.name);
    return '';
  },
  AddRoleToInstanceProfile: (c) => {
    const a = c.iam.account(c.account);
    const profile = c.iam.profile(a, checkName(qStr(c.q, 'InstanceProfileName'), 'instanceProfileName', 128));
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    if (profile.roles.includes(role.name))
      throw new ApiError('EntityAlreadyExists', `Role ${role.name} is already associated with instance profile ${profile.name}.`, 409);
    if (profile.roles.length >= ROLES_PER_PROFILE)
      throw new ApiError('LimitExceeded', `Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_PROFILE}`, 409);
    profile.roles.push(role.name);
    return '';
  },
  RemoveRoleFromInstanceProfile: (c) => {
    const a = c.iam.account(c.account);
    const profile = c.iam.profile(a, checkName(qStr(c.q, 'InstanceProfileName'), 'instanceProfileName', 128));
    const name = checkName(qStr(c.q, 'RoleName'), 'roleName', 64);
    c.iam.role(a, name);
    if (!profile.roles.includes(name)) noSuchEntity(`The role with name ${name} cannot be found.`);
    profile.roles = profile.roles.filter((r) => r !== name);
    return '';
  },
  ListInstanceProfiles: (c) => {
    const a = c.iam.account(c.account);
    const { items, tail } = page(c.q, listByPath(c.q, a.profiles.values()));
    return (
      members(
        'InstanceProfiles',
        items.map((p) => profileXml(a, p)),
      ) + tail
    );
  },
  ListInstanceProfilesForRole: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const { items, tail } = page(
      c.q,
      [...a.profiles.values()].filter((p) => p.roles.includes(role.name)),
    );
    return (
      members(
        'InstanceProfiles',
        items.map((p) => profileXml(a, p)),
      ) + tail
    );
  },
  AttachRolePolicy: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const arn = policyArnParam(c);
    if (!c.iam.policy(a, arn)) noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    if (role.attached.includes(arn)) return '';
    if (role.attached.length >= POLICIES_PER_ROLE) throw new ApiError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${POLICIES_PER_ROLE}`, 409);
    role.attached.push(arn);
    return '';
  },
  DetachRolePolicy: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const arn = policyArnParam(c);
    if (!role.attached.includes(arn)) noSuchEntity(`Policy ${arn} was not found.`);
    role.attached = role.attached.filter((x) => x !== arn);
    return '';
  },
  ListAttachedRolePolicies: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const prefix = qStr(c.q, 'PathPrefix') ?? '/';
    const attached = role.attached.map((arn) => c.iam.policy(a, arn)).filter((p): p is IamManagedPolicy => p !== undefined && p.path.startsWith(prefix));
    const { items, tail } = page(c.q, attached);
    return (
      members(
        'AttachedPolicies',
        items.map((p) => el('PolicyName', p.name) + el('PolicyArn', p.arn)),
      ) + tail
    );
  },
  PutRolePolicy: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const name = checkName(qStr(c.q, 'PolicyName'), 'policyName', 128);
    role.inline.set(name, documentParam(c, 'policyDocument', 'identity'));
    return '';
  },
  GetRolePolicy: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const name = checkName(qStr(c.q, 'PolicyName'), 'policyName', 128);
    const p = role.inline.get(name) ?? noSuchEntity(`The role policy with name ${name} cannot be found.`);
    return el('RoleName', role.name) + el('PolicyName', name) + policyDocXml('PolicyDocument', p.text);
  },
  ListRolePolicies: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const { items, tail } = page(c.q, [...role.inline.keys()].sort());
    return members('PolicyNames', items.map(esc)) + tail;
  },
  DeleteRolePolicy: (c) => {
    const a = c.iam.account(c.account);
    const role = c.iam.role(a, checkName(qStr(c.q, 'RoleName'), 'roleName', 64));
    const name = checkName(qStr(c.q, 'PolicyName'), 'policyName', 128);
    if (!role.inline.delete(name)) noSuchEntity(`The role policy with name ${name} cannot be found.`);
    return '';
  },
  CreatePolicy: (c) => {
    const a = c.iam.account(c.account);
    const name = checkName(qStr(c.q, 'PolicyName'), 'policyName', 128);
    const path = checkPath(c.q);
    const { text, doc } = documentParam(c, 'policyDocument', 'identity');
    const arn = `arn:aws:iam::${a.id}:policy${path}${name}`;
    if ([...a.policies.values()].some((p) => p.name.toLowerCase() === name.toLowerCase())) {
      throw new ApiError('EntityAlreadyExists', `A policy called ${name} already exists. Duplicate names are not allowed.`, 409);
    }
    const description = qStr(c.q, 'Description');
    const p: IamManagedPolicy = {
      name,
      path,
      id: idOf('ANPA'),
      arn,
      createdAt: c.now,
      updatedAt: c.now,
      ...(description !== undefined ? { description } : {}),
      versionId: 'v1',
      text,
      doc,
      awsManaged: false,
    };
    a.policies.set(arn, p);
    return `<Policy>${policyXml(c.iam, a, p, false)}</Policy>`;
  },
  GetPolicy: (c) => {
    const a = c.iam.account(c.account);
    const arn = policyArnParam(c);
    const p = c.iam.policy(a, arn) ?? noSuchEntity(`Policy ${arn} was not found.`);
    return `<Policy>${policyXml(c.iam, a, p, true)}</Policy>`;
  },
  GetPolicyVersion: (c) => {
    const a = c.iam.account(c.account);
    const arn = policyArnParam(c);
    const version = qStr(c.q, 'VersionId') ?? '';
    if (!/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(version)) {
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value '${version}' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?`,
      );
    }
    const p = c.iam.policy(a, arn) ?? noSuchEntity(`Policy ${arn} was not found.`);
    if (p.versionId !== version) noSuchEntity(`Policy ${arn} version ${version} does not exist or is not attachable.`);
    return `<PolicyVersion>${policyDocXml('Document', p.text)}${el('VersionId', p.versionId)}${el('IsDefaultVersion', true)}${el('CreateDate', iso(p.updatedAt))}</PolicyVersion>`;
  },
  DeletePolicy: (c) => {
    const a = c.iam.account(c.account);
    const arn = policyArnParam(c);
    if (c.iam.awsPolicies.has(arn))
      throw new ApiError('AccessDenied', `User: ${c.callerArn} is not authorized to perform: iam:DeletePolicy on resource: policy ${arn}`, 403);
    const p = a.policies.get(arn) ?? noSuchEntity(`Policy ${arn} was not found.`);
    if (c.iam.attachmentCount(p.arn, a) > 0) throw new ApiError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
    a.policies.delete(arn);
    return '';
  },
  SimulatePrincipalPolicy: (c) => simulate(c),
};

function simulate(c: IamContext): string {
  const a = c.iam.account(c.account);
  const source = qStr(c.q, 'PolicySourceArn') ?? '';
  const m = /^arn:aws:iam::(\d{12}):(role|user)(\/(?:[\u0021-\u007E]+\/)?)?([\w+=,.@-]+)$/.exec(source);
  if (!m) throw new ApiError('InvalidInput', `Invalid ARN: ${source}`);
  if (m[1] !== c.account) throw new ApiError('InvalidInput', `PolicySourceArn ${source} belongs to another account.`);
  let sources: PolicySource[];
  if (m[2] === 'role') {
    const role = a.roles.get(m[4]!);
    if (!role || role.arn !== source) noSuchEntity(`The role with name ${m[4]} cannot be found.`);
    sources = c.iam.roleSources(a, role);
  } else {
    const user = a.users.get(m[4]!);
    if (!user || user.arn !== source) noSuchEntity(`The user with name ${m[4]} cannot be found.`);
    sources = c.iam.userSources(a, user);
  }
  qMembers(c.q, 'PolicyInputList').forEach((text, i) => sources.push({ id: `PolicyInputList.${i + 1}`, type: 'none', doc: parsePolicy(text, 'identity') }));
  const actions = qMembers(c.q, 'ActionNames');
  if (actions.length === 0)
    throw new ApiError('ValidationError', "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
  const resources = qMembers(c.q, 'ResourceArns');
  const results: string[] = [];
  for (const action of actions) {
    for (const resource of resources.length ? resources : ['*']) {
      const ev = evaluate(sources, action, resource);
      results.push(
        el('EvalActionName', action) +
          el('EvalResourceName', resource) +
          el('EvalDecision', ev.decision) +
          members(
            'MatchedStatements',
            ev.matched.map((x) => el('SourcePolicyId', x.source.id) + el('SourcePolicyType', x.source.type)),
          ) +
          members('MissingContextValues', ev.missingContextValues.map(esc)),
      );
    }
  }
  const { items, tail } = page(c.q, results);
  return members('EvaluationResults', items) + tail;
}
