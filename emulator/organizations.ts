/**
 * AWS Organizations (JSON 1.1, `X-Amz-Target: AWSOrganizationsV20161128.<Action>`)
 * and the account model behind organization-wide audits: one management
 * account, members (the emulator's own accounts plus generated ones, e.g.
 * 200), each ACTIVE or SUSPENDED, each with its enabled opt-in regions.
 * Generated accounts have no access keys: they are reached only through STS
 * AssumeRole of the organization's access role (default
 * `OrganizationAccountAccessRole`, the role AWS creates in accounts made
 * from the organization).
 */
import { ApiError } from './world.js';

/** Opt-in regions the emulator knows: disabled in every account unless enabled (`optInRegions`). */
export const OPT_IN_REGIONS: readonly string[] = ['af-south-1', 'ap-east-1', 'eu-south-1', 'me-south-1'];

export const DEFAULT_ACCESS_ROLE = 'OrganizationAccountAccessRole';

/** `EmulatorOptions.organization`. */
export interface OrganizationOptions {
  /** The management account; one of the emulator's accounts. Default the first. */
  managementAccount?: string;
  /** Member accounts generated besides the emulator's own (ids 500000000001…). Default 0. */
  generatedAccounts?: number;
  /** Accounts whose status is SUSPENDED. */
  suspended?: string[];
  /** The role every generated member trusts the management account with. Default `OrganizationAccountAccessRole`. */
  accessRoleName?: string;
  /** Members left out of the organization (standalone accounts): ListAccounts omits them, they get AWSOrganizationsNotInUseException. */
  outside?: string[];
}

export interface OrgAccount {
  id: string;
  name: string;
  email: string;
  status: 'ACTIVE' | 'SUSPENDED';
  joinedMethod: 'CREATED' | 'INVITED';
  joined: number;
  generated: boolean;
}

/** The id of the n-th generated account (1-based). */
export function generatedAccountId(n: number): string {
  return String(500_000_000_000 + n);
}

export class Organization {
  readonly id: string;
  readonly management: string;
  readonly accessRoleName: string;
  readonly accounts: OrgAccount[] = [];
  private readonly byId = new Map<string, OrgAccount>();

  constructor(o: OrganizationOptions, ownAccounts: readonly string[], createdAt: number) {
    this.management = o.managementAccount ?? ownAccounts[0]!;
    if (!ownAccounts.includes(this.management)) throw new Error(`organization.managementAccount ${this.management} is not one of the emulator's accounts`);
    this.accessRoleName = o.accessRoleName ?? DEFAULT_ACCESS_ROLE;
    this.id = `o-emu${this.management.slice(-7)}`;
    const suspended = new Set(o.suspended ?? []);
    const outside = new Set(o.outside ?? []);
    const add = (id: string, generated: boolean, i: number) => {
      if (outside.has(id) && id !== this.management) return;
      const a: OrgAccount = {
        id,
        name: generated ? `member-${i}` : id === this.management ? 'management' : `account-${id}`,
        email: `aws+${id}@example.com`,
        status: suspended.has(id) ? 'SUSPENDED' : 'ACTIVE',
        joinedMethod: generated || id === this.management ? 'CREATED' : 'INVITED',
        joined: createdAt - 86_400_000 * (1 + (i % 400)),
        generated,
      };
      this.accounts.push(a);
      this.byId.set(id, a);
    };
    ownAccounts.forEach((id, i) => add(id, false, i));
    for (let i = 1; i <= (o.generatedAccounts ?? 0); i++) add(generatedAccountId(i), true, i);
  }

  get(id: string): OrgAccount | undefined {
    return this.byId.get(id);
  }

  /** Whether STS AssumeRole of `role` in `account` succeeds; undefined when the organization has no say (not a generated account). */
  canAssume(account: string, role: string): boolean | undefined {
    const a = this.byId.get(account);
    if (!a) return undefined;
    if (a.status === 'SUSPENDED') return false;
    return a.generated ? role === this.accessRoleName : undefined;
  }

  private accountJson(a: OrgAccount): Record<string, unknown> {
    return {
      Id: a.id,
      Arn: `arn:aws:organizations::${this.management}:account/${this.id}/${a.id}`,
      Email: a.email,
      Name: a.name,
      Status: a.status,
      State: a.status,
      JoinedMethod: a.joinedMethod,
      JoinedTimestamp: a.joined / 1000,
    };
  }

  /** A caller outside the organization gets AWSOrganizationsNotInUseException, as AWS answers standalone accounts. */
  private member(caller: string): OrgAccount {
    const a = this.byId.get(caller);
    if (!a) throw new ApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    return a;
  }

  describeOrganization(caller: string): Record<string, unknown> {
    // Any member account may describe its organization.
    this.member(caller);
    return {
      Organization: {
        Id: this.id,
        Arn: `arn:aws:organizations::${this.management}:organization/${this.id}`,
        FeatureSet: 'ALL',
        MasterAccountArn: `arn:aws:organizations::${this.management}:account/${this.id}/${this.management}`,
        MasterAccountId: this.management,
        MasterAccountEmail: this.byId.get(this.management)!.email,
        AvailablePolicyTypes: [],
      },
    };
  }

  /** Only the management account lists accounts (no delegated administrators here). MaxResults 1–20, as the API model bounds it. */
  listAccounts(caller: string, body: Record<string, unknown>): Record<string, unknown> {
    this.member(caller);
    if (caller !== this.management) throw new ApiError('AccessDeniedException', "You don't have permissions to access this resource.");
    const max = body.MaxResults === undefined ? 20 : Number(body.MaxResults);
    if (!Number.isInteger(max) || max < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is too small for MaxResults.');
    if (max > 20) throw invalidInput('MAX_VALUE_EXCEEDED', 'You provided a value that is too large for MaxResults.');
    let start = 0;
    if (body.NextToken !== undefined) {
      const m = /^emu-accounts-(\d+)$/.exec(String(body.NextToken));
      if (!m || Number(m[1]) > this.accounts.length) throw invalidInput('INVALID_NEXT_TOKEN', 'You specified an invalid value for nextToken.');
      start = Number(m[1]);
    }
    const page = this.accounts.slice(start, start + max);
    const next = start + max < this.accounts.length ? `emu-accounts-${start + max}` : undefined;
    return { Accounts: page.map((a) => this.accountJson(a)), ...(next ? { NextToken: next } : {}) };
  }
}

function invalidInput(reason: string, message: string): ApiError {
  const e = new ApiError('InvalidInputException', message);
  (e as ApiError & { extra?: Record<string, unknown> }).extra = { Reason: reason };
  return e;
}

export interface OrganizationsContext {
  org: Organization | undefined;
  account: string;
  body: Record<string, unknown>;
}

/** Organizations actions: an emulator without an organization answers every caller as a standalone account. */
export const ORGANIZATIONS_HANDLERS: Readonly<Record<string, (c: OrganizationsContext) => Record<string, unknown>>> = {
  DescribeOrganization: (c) => orgOf(c).describeOrganization(c.account),
  ListAccounts: (c) => orgOf(c).listAccounts(c.account, c.body),
};

function orgOf(c: OrganizationsContext): Organization {
  if (!c.org) throw new ApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  return c.org;
}

/**
 * Whether an account may call a regional service in `region`: default
 * regions always, opt-in regions only once enabled for that account
 * (`optInRegions`), unknown regions never.
 */
export function regionEnabled(
  optIn: Readonly<Record<string, readonly string[]>> | undefined,
  account: string,
  region: string,
  defaults: readonly string[],
): boolean {
  if (defaults.includes(region)) return true;
  return OPT_IN_REGIONS.includes(region) && (optIn?.[account]?.includes(region) ?? false);
}
