/**
 * Least-privilege IAM policies, derived from the steps a config would run:
 * the caller's (each step lists the actions it calls, the preflight's
 * read-only Describe/Get/Simulate calls included), and the builder
 * instance profile's (AmazonSSMManagedInstanceCore plus reading its secrets
 * and, for SQL Server media in S3, the media).
 */
import { componentDocument } from '../knowledge/aws-components.js';
import type { ResolvedConfig } from '../config/types.js';
import { buildPipeline } from './pipeline.js';
import { SWEEP_ACTIONS, SWEEP_REMOVE_ACTIONS } from './sweep.js';

/**
 * Actions that authorize a side effect of another call rather than being calls: they never appear in a call log.
 * (ec2:CreateTags also authorizes tagging on create, but a successful bake calls it too, to mark its outputs complete.)
 */
export const AUTHORIZATION_ONLY_ACTIONS: ReadonlySet<string> = new Set(['iam:PassRole']);

/** Actions `winami cleanup` needs besides the bake's own. */
export const CLEANUP_ACTIONS = [
  'ec2:DescribeRegions',
  'ec2:DescribeInstances',
  'ec2:TerminateInstances',
  'ec2:DescribeImages',
  'ec2:DescribeFastLaunchImages',
  'ec2:DisableFastLaunch',
  'ec2:DeregisterImage',
  'ec2:DescribeSnapshots',
  'ec2:DeleteSnapshot',
  'ec2:DescribeVolumes',
  'ec2:DeleteVolume',
  'ssm:DeleteParameter',
] as const;

/** Actions `winami prune` needs (src/billing/prune.ts): listing the family and what protects it, then discarding. */
export const PRUNE_ACTIONS = [
  'ec2:DescribeRegions',
  'ec2:DescribeImages',
  'ec2:DescribeInstances',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeFastLaunchImages',
  'ec2:DisableFastLaunch',
  'ec2:DeregisterImage',
  'ec2:DeleteSnapshot',
  'ssm:DescribeParameters',
  'ssm:GetParameters',
] as const;

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> }[];
}

export interface IamPolicies {
  /** Actions a successful bake calls. */
  successActions: string[];
  /** Actions only cleanup after a failure calls. */
  failureActions: string[];
  caller: PolicyDocument;
  builder: { managedPolicyArns: string[]; inline: PolicyDocument | undefined };
}

const sorted = (s: Iterable<string>) => [...new Set(s)].sort();

/** The policies for a config. */
export function iamPolicies(config: ResolvedConfig, o: { smokeTest?: boolean; includeCleanup?: boolean; includePrune?: boolean } = {}): IamPolicies {
  const steps = buildPipeline(config, { smokeTest: o.smokeTest ?? config.smokeTest });
  // Every bake ends with a sweep of its tag (sweep.ts), which removes strays after a failure.
  const success = sorted([...steps.flatMap((s) => s.actions), ...SWEEP_ACTIONS]);
  const failure = sorted([...steps.flatMap((s) => s.failureActions ?? []), ...SWEEP_REMOVE_ACTIONS]).filter((a) => !success.includes(a));
  const all = sorted([...success, ...failure, ...(o.includeCleanup ? CLEANUP_ACTIONS : []), ...(o.includePrune ? PRUNE_ACTIONS : [])]);
  const statements: PolicyDocument['Statement'] = [];
  const general = all.filter((a) => a !== 'iam:PassRole' && a !== 'ssm:SendCommand' && !a.endsWith('Parameter'));
  statements.push({ Sid: 'WinamiBake', Effect: 'Allow', Action: general, Resource: '*' });
  if (all.includes('ssm:SendCommand')) {
    // awsComponents steps also run AWS's package documents (AWS-ConfigureAWSPackage, AWS-UpdateSSMAgent).
    const documents = [
      ...new Set([
        'AWS-RunPowerShellScript',
        ...config.customize
          .flatMap((c) => ('awsComponents' in c ? c.awsComponents.map((x) => componentDocument(x, config.launchAgent)?.documentName ?? []) : []))
          .flat(),
      ]),
    ];
    statements.push({
      Sid: 'WinamiRunCommand',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: [...documents.map((d) => `arn:aws:ssm:*::document/${d}`), 'arn:aws:ec2:*:*:instance/*'],
    });
  }
  // The publish parameter gets PutParameter alone, on its own name, not the /winami/* rights.
  const publish = config.image.publishParameter;
  const putElsewhere = steps.some((s) => s.name !== 'publishParameter' && [...s.actions, ...(s.failureActions ?? [])].includes('ssm:PutParameter'));
  const paramActions = all.filter((a) => a.endsWith('Parameter') && (a !== 'ssm:PutParameter' || !publish || putElsewhere));
  if (paramActions.length) {
    const resources = new Set<string>();
    if (config.source.kind === 'ssm-parameter') resources.add(`arn:aws:ssm:*::parameter${config.source.parameter}`);
    if (paramActions.some((a) => a !== 'ssm:GetParameter')) resources.add('arn:aws:ssm:*:*:parameter/winami/*');
    // GetParameter of the publish parameter alone (the preflight's look at it) is granted with its PutParameter below.
    if (resources.size) statements.push({ Sid: 'WinamiParameters', Effect: 'Allow', Action: paramActions, Resource: [...resources] });
  }
  if (publish) {
    const regions = [...new Set([config.region, ...config.image.regions.map((r) => r.region)])];
    // GetParameter: the preflight checks the parameter's type before anything is created.
    statements.push({
      Sid: 'WinamiPublishImageId',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:PutParameter'],
      Resource: regions.map((r) => `arn:aws:ssm:${r}:*:parameter${publish}`),
    });
  }
  if (all.includes('iam:PassRole') && config.builder.instanceProfile) {
    statements.push({
      Sid: 'WinamiPassBuilderRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: 'arn:aws:iam::*:role/*',
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
  }
  const kmsKeys = [config.image.kmsKeyId, ...config.image.regions.map((r) => r.kmsKeyId)].filter((k): k is string => Boolean(k));
  if (config.image.encrypted || kmsKeys.length) {
    statements.push({
      Sid: 'WinamiEncryptedVolumes',
      Effect: 'Allow',
      Action: [
        'kms:CreateGrant',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      Resource: kmsKeys.length ? kmsKeys.map((k) => (k.startsWith('arn:') ? k : `arn:aws:kms:*:*:${k.startsWith('alias/') ? k : `key/${k}`}`)) : '*',
    });
  }
  return { successActions: success, failureActions: failure, caller: { Version: '2012-10-17', Statement: statements }, builder: builderPolicy(config) };
}

function builderPolicy(config: ResolvedConfig): IamPolicies['builder'] {
  const statements: PolicyDocument['Statement'] = [];
  const params = new Set<string>();
  for (const s of config.secrets) {
    if (s.ref.kind === 'ssm') params.add(`arn:aws:ssm:${config.region}:*:parameter${s.ref.parameter}`);
    else params.add(`arn:aws:ssm:${config.region}:*:parameter/winami/*`);
  }
  if (params.size) {
    statements.push({ Sid: 'ReadSecrets', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: [...params] });
    statements.push({
      Sid: 'DecryptSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': `ssm.${config.region}.amazonaws.com` } },
    });
  }
  const media = config.sql?.media;
  if (media?.startsWith('s3://')) {
    const [bucket, ...key] = media.slice(5).split('/');
    const path = key.join('/');
    statements.push({
      Sid: 'ReadSqlMedia',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: `arn:aws:s3:::${bucket}/${path}${path.endsWith('/') || !path ? '*' : ''}`,
    });
  }
  return {
    managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    inline: statements.length ? { Version: '2012-10-17', Statement: statements } : undefined,
  };
}
