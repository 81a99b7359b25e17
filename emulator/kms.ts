/**
 * KMS (JSON 1.1, `X-Amz-Target: TrentService.<Action>`), per account and
 * region: symmetric keys, aliases, enable/disable and scheduled deletion, and
 * the AWS managed key `alias/aws/ebs` every account and region has. EC2 asks
 * the same store whether a key named in RunInstances or CopyImage is usable.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from './world.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KmsKey {
  id: string;
  arn: string;
  account: string;
  region: string;
  createdAt: number;
  description: string;
  state: KeyState;
  keyManager: 'AWS' | 'CUSTOMER';
  /** The DeletionDate KMS reports (real days). */
  deletionAt?: number;
  /** When the emulator deletes it (days scaled like every duration). */
  deleteAt?: number;
  pendingWindowInDays?: number;
}

export interface KmsAlias {
  name: string;
  arn: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

interface KmsRegion {
  keys: Map<string, KmsKey>;
  aliases: Map<string, KmsAlias>;
}

export const EBS_ALIAS = 'alias/aws/ebs';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

/** The outcome of resolving a key for EBS: usable, or why not. */
export type KeyCheck = { ok: true; key: KmsKey } | { ok: false; reason: 'not-found' | 'invalid-state'; key?: KmsKey };

export class KmsStore {
  private readonly regions = new Map<string, KmsRegion>();

  /** `startedAt`: when the AWS managed keys were created (the world's start). */
  constructor(private readonly startedAt: number) {}

  /** The account's keys in a region; the AWS managed EBS key exists from the start (KeyManager AWS). */
  region(account: string, region: string): KmsRegion {
    const k = `${account}|${region}`;
    let r = this.regions.get(k);
    if (!r) {
      r = { keys: new Map(), aliases: new Map() };
      this.regions.set(k, r);
      const key = this.addKey(
        r,
        account,
        region,
        { description: 'Default key that protects my EBS volumes when no other key is defined', keyManager: 'AWS' },
        this.startedAt,
      );
      this.addAlias(r, account, region, EBS_ALIAS, key.id, this.startedAt);
    }
    return r;
  }

  addKey(r: KmsRegion, account: string, region: string, p: { description: string; keyManager: 'AWS' | 'CUSTOMER' }, at: number): KmsKey {
    const id = randomUUID();
    const key: KmsKey = {
      id,
      arn: `arn:aws:kms:${region}:${account}:key/${id}`,
      account,
      region,
      createdAt: at,
      description: p.description,
      state: 'Enabled',
      keyManager: p.keyManager,
    };
    r.keys.set(id, key);
    return key;
  }

  addAlias(r: KmsRegion, account: string, region: string, name: string, keyId: string, at: number): KmsAlias {
    const alias: KmsAlias = { name, arn: `arn:aws:kms:${region}:${account}:${name}`, keyId, createdAt: at, updatedAt: at };
    r.aliases.set(name, alias);
    return alias;
  }

  /**
   * A key by key id, key ARN, alias name or alias ARN, as KMS accepts a KeyId.
   * ARNs may name another account or region; the key is looked up there.
   */
  find(account: string, region: string, ref: string): KmsKey | undefined {
    const arn = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(ref);
    if (arn) return this.find(arn[2]!, arn[1]!, arn[3]!.startsWith('key/') ? arn[3]!.slice(4) : arn[3]!);
    const r = this.region(account, region);
    if (ref.startsWith('alias/')) {
      const alias = r.aliases.get(ref);
      return alias ? r.keys.get(alias.keyId) : undefined;
    }
    return r.keys.get(ref);
  }

  /** The key for an encrypted EBS volume or snapshot: the given one, or the account's `alias/aws/ebs`. */
  forEbs(account: string, region: string, ref: string | undefined): KeyCheck {
    const key = this.find(account, region, ref ?? EBS_ALIAS);
    if (!key) return { ok: false, reason: 'not-found' };
    if (key.state !== 'Enabled') return { ok: false, reason: 'invalid-state', key };
    return { ok: true, key };
  }

  /** Keys whose waiting period has passed are deleted, with their aliases (lazily, on every call). */
  settle(r: KmsRegion, now: number): void {
    for (const key of r.keys.values()) {
      if (key.state === 'PendingDeletion' && key.deleteAt !== undefined && key.deleteAt <= now) {
        r.keys.delete(key.id);
        for (const [n, a] of r.aliases) if (a.keyId === key.id) r.aliases.delete(n);
      }
    }
  }
}

export interface KmsContext {
  kms: KmsStore;
  account: string;
  region: string;
  callerArn: string;
  body: Record<string, unknown>;
  now: number;
  /** Milliseconds per day of the world's clock (scaled like every duration). */
  dayMs: number;
}

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

function required(body: Record<string, unknown>, key: string, member: string): string {
  const v = str(body, key);
  if (v === undefined || v === '')
    throw new ApiError('ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function notFound(c: KmsContext, ref: string): never {
  if (ref.startsWith('alias/')) throw new ApiError('NotFoundException', `Alias arn:aws:kms:${c.region}:${c.account}:${ref} is not found.`);
  if (ref.startsWith('arn:aws:kms:') && ref.includes(':alias/')) throw new ApiError('NotFoundException', `Alias ${ref} is not found.`);
  if (ref.startsWith('arn:aws:kms:')) {
    if (!/:key\/[0-9a-f-]{36}$/.test(ref)) throw new ApiError('InvalidArnException', `Invalid arn ${ref}`);
    throw new ApiError('NotFoundException', `Key '${ref}' does not exist`);
  }
  if (!UUID.test(ref)) throw new ApiError('NotFoundException', `Invalid keyId '${ref}'`);
  throw new ApiError('NotFoundException', `Key 'arn:aws:kms:${c.region}:${c.account}:key/${ref}' does not exist`);
}

/** A key the caller names by KeyId (id, ARN, alias or alias ARN). */
function keyParam(c: KmsContext): KmsKey {
  const ref = required(c.body, 'KeyId', 'keyId');
  c.kms.settle(c.kms.region(c.account, c.region), c.now);
  return c.kms.find(c.account, c.region, ref) ?? notFound(c, ref);
}

/** Key ids, not aliases, for the calls that change a key (KMS refuses aliases there). */
function keyIdParam(c: KmsContext): KmsKey {
  const ref = required(c.body, 'KeyId', 'keyId');
  if (ref.startsWith('alias/') || ref.includes(':alias/')) notFound(c, ref);
  return keyParam(c);
}

function notAllowedOnAwsKey(c: KmsContext, key: KmsKey, action: string): void {
  if (key.keyManager === 'AWS') {
    throw new ApiError(
      'AccessDeniedException',
      `User: ${c.callerArn} is not authorized to perform: kms:${action} on resource: ${key.arn} because no resource-based policy allows the kms:${action} action`,
    );
  }
}

function pendingDeletion(key: KmsKey): never {
  throw new ApiError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

function metadata(key: KmsKey): Record<string, unknown> {
  return {
    AWSAccountId: key.account,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: key.createdAt / 1000,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    ...(key.deletionAt !== undefined ? { DeletionDate: key.deletionAt / 1000 } : {}),
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    ...(key.pendingWindowInDays !== undefined ? { PendingDeletionWindowInDays: key.pendingWindowInDays } : {}),
  };
}

function pageOf<T>(c: KmsContext, items: T[]): { items: T[]; more: Record<string, unknown> } {
  const limit = typeof c.body.Limit === 'number' ? c.body.Limit : 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${String(c.body.Limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  const marker = str(c.body, 'Marker');
  const start = marker === undefined ? 0 : Number(marker);
  if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidMarkerException', 'Invalid marker');
  const end = start + limit;
  return { items: items.slice(start, end), more: end < items.length ? { NextMarker: String(end), Truncated: true } : { Truncated: false } };
}

export const KMS_HANDLERS: Readonly<Record<string, (c: KmsContext) => unknown>> = {
  CreateKey: (c) => {
    const usage = str(c.body, 'KeyUsage') ?? 'ENCRYPT_DECRYPT';
    const spec = str(c.body, 'KeySpec') ?? str(c.body, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
    if (usage !== 'ENCRYPT_DECRYPT' || spec !== 'SYMMETRIC_DEFAULT') {
      throw new ApiError('UnsupportedOperationException', `The emulator models symmetric encryption keys only (KeyUsage ${usage}, KeySpec ${spec}).`);
    }
    if (str(c.body, 'Origin') !== undefined && str(c.body, 'Origin') !== 'AWS_KMS')
      throw new ApiError('UnsupportedOperationException', 'The emulator models Origin AWS_KMS only.');
    const r = c.kms.region(c.account, c.region);
    const key = c.kms.addKey(r, c.account, c.region, { description: str(c.body, 'Description') ?? '', keyManager: 'CUSTOMER' }, c.now);
    return { KeyMetadata: metadata(key) };
  },
  DescribeKey: (c) => ({ KeyMetadata: metadata(keyParam(c)) }),
  ListKeys: (c) => {
    const r = c.kms.region(c.account, c.region);
    c.kms.settle(r, c.now);
    const { items, more } = pageOf(c, [...r.keys.values()]);
    return { Keys: items.map((k) => ({ KeyId: k.id, KeyArn: k.arn })), ...more };
  },
  CreateAlias: (c) => {
    const name = required(c.body, 'AliasName', 'aliasName');
    if (!ALIAS_NAME.test(name) || name.length > 256)
      throw new ApiError(
        'ValidationException',
        `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`,
      );
    if (name.startsWith('alias/aws/')) throw new ApiError('NotAuthorizedException', "Cannot create alias with prefix 'alias/aws/'");
    const targetRef = required(c.body, 'TargetKeyId', 'targetKeyId');
    if (targetRef.startsWith('alias/') || targetRef.includes(':alias/')) throw new ApiError('ValidationException', 'Aliases must refer to keys. Not aliases');
    const r = c.kms.region(c.account, c.region);
    c.kms.settle(r, c.now);
    const key = c.kms.find(c.account, c.region, targetRef) ?? notFound(c, targetRef);
    if (key.account !== c.account || key.region !== c.region) notFound(c, targetRef);
    if (key.keyManager === 'AWS') throw new ApiError('NotAuthorizedException', `${key.arn} is an AWS managed key; its aliases cannot be changed.`);
    if (key.state === 'PendingDeletion') pendingDeletion(key);
    if (r.aliases.has(name)) throw new ApiError('AlreadyExistsException', `An alias with the name arn:aws:kms:${c.region}:${c.account}:${name} already exists`);
    c.kms.addAlias(r, c.account, c.region, name, key.id, c.now);
    return {};
  },
  DeleteAlias: (c) => {
    const name = required(c.body, 'AliasName', 'aliasName');
    const r = c.kms.region(c.account, c.region);
    c.kms.settle(r, c.now);
    if (name.startsWith('alias/aws/')) throw new ApiError('NotAuthorizedException', "Cannot delete alias with prefix 'alias/aws/'");
    if (!r.aliases.delete(name)) throw new ApiError('NotFoundException', `Alias arn:aws:kms:${c.region}:${c.account}:${name} is not found.`);
    return {};
  },
  ListAliases: (c) => {
    const r = c.kms.region(c.account, c.region);
    c.kms.settle(r, c.now);
    let aliases = [...r.aliases.values()].sort((a, b) => a.name.localeCompare(b.name));
    const keyRef = str(c.body, 'KeyId');
    if (keyRef !== undefined) {
      const key = c.kms.find(c.account, c.region, keyRef) ?? notFound(c, keyRef);
      aliases = aliases.filter((a) => a.keyId === key.id);
    }
    const { items, more } = pageOf(c, aliases);
    return {
      Aliases: items.map((a) => ({
        AliasName: a.name,
        AliasArn: a.arn,
        TargetKeyId: a.keyId,
        CreationDate: a.createdAt / 1000,
        LastUpdatedDate: a.updatedAt / 1000,
      })),
      ...more,
    };
  },
  DisableKey: (c) => {
    const key = keyIdParam(c);
    notAllowedOnAwsKey(c, key, 'DisableKey');
    if (key.state === 'PendingDeletion') pendingDeletion(key);
    key.state = 'Disabled';
    return {};
  },
  EnableKey: (c) => {
    const key = keyIdParam(c);
    notAllowedOnAwsKey(c, key, 'EnableKey');
    if (key.state === 'PendingDeletion') pendingDeletion(key);
    key.state = 'Enabled';
    return {};
  },
  ScheduleKeyDeletion: (c) => {
    const key = keyIdParam(c);
    notAllowedOnAwsKey(c, key, 'ScheduleKeyDeletion');
    const days = c.body.PendingWindowInDays === undefined ? 30 : c.body.PendingWindowInDays;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) {
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value '${String(days)}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`,
      );
    }
    if (key.state === 'PendingDeletion') pendingDeletion(key);
    key.state = 'PendingDeletion';
    key.pendingWindowInDays = days;
    key.deletionAt = c.now + days * 86_400_000;
    key.deleteAt = c.now + days * c.dayMs;
    return { KeyId: key.arn, DeletionDate: key.deletionAt / 1000, KeyState: key.state, PendingWindowInDays: days };
  },
  CancelKeyDeletion: (c) => {
    const key = keyIdParam(c);
    if (key.state !== 'PendingDeletion') throw new ApiError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
    key.state = 'Disabled';
    delete key.deletionAt;
    delete key.deleteAt;
    delete key.pendingWindowInDays;
    return { KeyId: key.arn };
  },
};
