/**
 * The preflight's data: what it fetched (read-only calls only) and what its
 * checks find. Checks are pure functions from `PreflightFacts` to findings,
 * one per file under `checks/`, like lint rules; `gather.ts` makes the calls.
 */
import type { Image, InstanceTypeInfo, Region, RouteTable, SecurityGroup, Subnet, VpcEndpoint } from '@aws-sdk/client-ec2';
import type { InstanceProfile } from '@aws-sdk/client-iam';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { Parameter } from '@aws-sdk/client-ssm';
import type { ResolvedConfig } from '../config/types.js';
import type { Expectation } from '../billing/expectations.js';

/** The result of one read-only lookup: its value, or why it could not be made. */
export type Lookup<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      /** True when AWS refused the caller (missing permission): the check becomes a "could not check" warning. */
      denied: boolean;
      /** The IAM action the call needs, e.g. `ec2:DescribeSubnets`. */
      action: string;
      message: string;
    };

/** `problem` stops the bake; `warning` is reported and the bake goes on. */
export type FindingLevel = 'problem' | 'warning';

/** One thing the preflight found, with what to do about it. */
export interface Finding {
  /** The check's id, e.g. `instance-type`. */
  check: string;
  level: FindingLevel;
  message: string;
  hint: string;
  /** The region it concerns, when it concerns one. */
  region?: string;
  /** The config path it concerns, e.g. `builder.subnetId`. */
  path?: string;
}

/** What the builder's network looks like. */
export interface NetworkFacts {
  /** The configured subnet, or the default subnets EC2 picks from when none is configured. */
  subnets: Subnet[];
  /** The VPC's route tables (explicit associations and the main one). */
  routeTables: RouteTable[];
  endpoints: VpcEndpoint[];
  /** The configured security groups, or the VPC's default group. */
  securityGroups: SecurityGroup[];
  /** The security groups of the VPC's interface endpoints. */
  endpointGroups: SecurityGroup[];
}

/** What the builder's role must allow, and why. */
export interface RoleRequirement {
  action: string;
  resource: string;
  /** `agent`: SSM Agent itself; `secret`: reading a secret parameter; `decrypt`: a SecureString's key; `media`: SQL Server media in S3. */
  kind: 'agent' | 'secret' | 'decrypt' | 'media';
  /** Condition keys the instance's request carries (for SimulatePrincipalPolicy's ContextEntries). */
  context?: Record<string, string>;
}

/** One requirement's answer. */
export interface RoleDecision extends RoleRequirement {
  allowed: boolean;
}

/** How the role's permissions were checked. */
export type PermissionFacts = { method: 'simulate' | 'policies'; decisions: RoleDecision[] } | { method: 'none'; reason: string };

/** The instance profile and its role. */
export interface ProfileFacts {
  /** The profile name (from the config's name or ARN). */
  name: string;
  /** undefined value: no such profile. */
  profile: Lookup<InstanceProfile | undefined>;
  permissions: PermissionFacts;
}

/** A KMS key the bake will use, in one region. */
export interface KmsKeyFacts {
  keyId: string;
  region: string;
  /** Config path, or `image.encrypted` for the default EBS key. */
  path: string;
  /** The AWS managed EBS key (alias/aws/ebs): created by EC2 on first use, so its absence is no problem. */
  awsManaged: boolean;
  key: Lookup<KeyMetadata | undefined>;
}

/** Everything the checks look at. */
export interface PreflightFacts {
  config: ResolvedConfig;
  buildId: string;
  region: string;
  account: string | undefined;
  imageName: string;
  /** The source image resolveSource found, or why it found none. */
  source: { image: Image | undefined; problem: string | undefined };
  /** The config's expectation (licensing.expect or sql), if any; else the source's lineage is expected. */
  expectation: Expectation | undefined;
  /** undefined value: no such instance type. */
  instanceType: Lookup<InstanceTypeInfo | undefined>;
  /** Where the type must be offered, and whether it is. */
  offering: Lookup<{ locationType: 'availability-zone' | 'region'; locations: string[]; offeredIn: string[] }>;
  /** undefined value: the configured subnet does not exist. */
  network: Lookup<NetworkFacts | undefined>;
  regions: Lookup<Region[]>;
  kmsKeys: KmsKeyFacts[];
  /** Own images already named like the new one, per target region. */
  imagesNamed: { region: string; images: Lookup<Image[]> }[];
  /** The publish parameter as it is now, per target region (undefined: not there yet). */
  publishParameter: { region: string; parameter: Lookup<Parameter | undefined> }[];
  /** undefined when no instance profile is configured. */
  profile: ProfileFacts | undefined;
  /** Environment for `env:` secrets. */
  env: Readonly<Record<string, string | undefined>>;
}

/** A check: pure, from facts to findings. */
export interface PreflightCheck {
  id: string;
  /** What it checks, for people (docs and `--json`). */
  title: string;
  run(facts: PreflightFacts): Finding[];
}
