/**
 * STS Query actions: GetCallerIdentity and AssumeRole. AssumeRole hands out
 * session keys of the role's account, so cross-account code can be tested.
 */
import { randomBytes } from 'node:crypto';
import { el, iso, qInt, qStr, type QueryObject } from './wire.js';
import { ApiError, type World } from './world.js';

export interface StsContext {
  world: World;
  account: string;
  /** The caller's ARN. */
  arn: string;
  q: QueryObject;
  now: number;
  knownAccounts: ReadonlySet<string>;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function key(prefix: string, n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = prefix;
  for (const b of randomBytes(n)) s += chars[b % chars.length];
  return s;
}

export const STS_HANDLERS: Readonly<Record<string, (c: StsContext) => string>> = {
  GetCallerIdentity: (c) =>
    `<GetCallerIdentityResult>${el('Arn', c.arn)}${el('UserId', c.arn.includes(':assumed-role/') ? `AROA${c.account}:${c.arn.split('/').pop()}` : `AIDA${c.account}EMULATOR`)}${el('Account', c.account)}</GetCallerIdentityResult>`,
  AssumeRole: (c) => {
    const roleArn = qStr(c.q, 'RoleArn') ?? '';
    const sessionName = qStr(c.q, 'RoleSessionName') ?? '';
    if (!sessionName)
      throw new ApiError(
        'ValidationError',
        "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
      );
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw new ApiError('ValidationError', `${roleArn} is invalid`);
    const [, account, role] = m;
    if (!c.knownAccounts.has(account!) || c.world.deniedRoles.has(roleArn) || c.world.organization?.canAssume(account!, role!) === false) {
      throw new ApiError('AccessDenied', `User: ${c.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    }
    const duration = qInt(c.q, 'DurationSeconds') ?? 3600;
    const accessKeyId = key('ASIA', 16);
    const arn = `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`;
    c.world.sessionKeys.set(accessKeyId, { accountId: account!, arn });
    return (
      `<AssumeRoleResult><Credentials>${el('AccessKeyId', accessKeyId)}${el('SecretAccessKey', randomBytes(30).toString('base64'))}` +
      `${el('SessionToken', randomBytes(96).toString('base64'))}${el('Expiration', iso(c.now + duration * 1000))}</Credentials>` +
      `<AssumedRoleUser>${el('AssumedRoleId', `AROA${account}:${sessionName}`)}${el('Arn', arn)}</AssumedRoleUser></AssumeRoleResult>`
    );
  },
};
