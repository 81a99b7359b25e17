/**
 * IAM for the engines, derived from the same step metadata as
 * `winami iam-policy`: the Automation role does the bake's own calls (the
 * caller policy of a local bake) plus the polling Automation's actions do; the
 * caller of `--engine automation` only deploys and follows the runbook.
 */
import type { ResolvedConfig } from '../config/types.js';
import { iamPolicies, type PolicyDocument } from '../bake/iam-policy.js';
import { bundleBucket, bundleObjectArn } from './s3-delivery.js';

/**
 * The S3 statements of a bake whose bundle may come from S3 (a bucket named
 * and delivery not `inline`), scoped to the config's own prefix: the caller
 * checks the bucket (HeadBucket = s3:ListBucket) and puts and deletes the
 * objects; the builder reads them. The runbook's role never touches S3.
 */
export function bundleStatements(config: ResolvedConfig, option?: string): { caller: PolicyDocument['Statement']; builder: PolicyDocument['Statement'] } {
  const bucket = bundleBucket(config, option);
  if (!bucket || config.engine?.bundleDelivery === 'inline') return { caller: [], builder: [] };
  const objects = bundleObjectArn(config.region, bucket, `${config.engine?.bundlePrefix ?? 'winami'}/${config.name}/*`);
  const bucketArn = bundleObjectArn(config.region, bucket, '').replace(/\/$/, '');
  return {
    caller: [
      { Sid: 'WinamiBundleBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucketArn },
      { Sid: 'WinamiBundleObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: objects },
    ],
    builder: [{ Sid: 'ReadBundle', Effect: 'Allow', Action: ['s3:GetObject'], Resource: objects }],
  };
}

/** Calls Automation's own actions make beyond the bake's (aws:runCommand polls invocations, aws:changeInstanceState reads status). */
export const AUTOMATION_ENGINE_ACTIONS = [
  'ec2:DescribeInstanceStatus',
  'ec2:EnableImageDeprecation',
  'ec2:ModifyImageAttribute',
  'ssm:ListCommandInvocations',
  'ssm:ListCommands',
] as const;

/** What `winami bake --engine automation` calls itself. */
export const AUTOMATION_CALLER_ACTIONS = [
  'ec2:DeregisterImage',
  'ec2:DeleteSnapshot',
  'ec2:DescribeImages',
  'ssm:CreateDocument',
  'ssm:DescribeAutomationExecutions',
  'ssm:DescribeAutomationStepExecutions',
  'ssm:DescribeDocument',
  'ssm:GetAutomationExecution',
  'ssm:GetParameter',
  'ssm:GetDocument',
  'ssm:StartAutomationExecution',
  'ssm:StopAutomationExecution',
  'ssm:UpdateDocument',
  'ssm:UpdateDocumentDefaultVersion',
  'sts:GetCallerIdentity',
] as const;

/**
 * What `winami bake --engine imagebuilder` calls itself: deploy and follow the
 * pipeline, resolve the source, verify and discard images, and remove what a
 * cancelled or failed build left (found by its `Ec2ImageBuilderArn` tag).
 * StartImagePipelineExecution tags the image with the build id, hence
 * TagResource. Deprecation is scheduled by winami on the verified images
 * (Image Builder's distribution has no such setting); Fast Launch is enabled
 * by the distribution and only waited for (DescribeFastLaunchImages), and
 * disabled before a discarded image is deregistered.
 */
export const IMAGEBUILDER_CALLER_ACTIONS = [
  'ec2:DeleteSnapshot',
  'ec2:DeregisterImage',
  'ec2:DescribeFastLaunchImages',
  'ec2:DescribeImages',
  'ec2:DescribeInstances',
  'ec2:DisableFastLaunch',
  'ec2:EnableImageDeprecation',
  'ec2:TerminateInstances',
  'imagebuilder:CancelImageCreation',
  'imagebuilder:CreateComponent',
  'imagebuilder:CreateDistributionConfiguration',
  'imagebuilder:CreateImagePipeline',
  'imagebuilder:CreateImageRecipe',
  'imagebuilder:CreateInfrastructureConfiguration',
  'imagebuilder:GetComponent',
  'imagebuilder:GetDistributionConfiguration',
  'imagebuilder:GetImage',
  'imagebuilder:GetImagePipeline',
  'imagebuilder:GetImageRecipe',
  'imagebuilder:GetInfrastructureConfiguration',
  'imagebuilder:ListComponentBuildVersions',
  'imagebuilder:StartImagePipelineExecution',
  'imagebuilder:TagResource',
  'imagebuilder:UpdateDistributionConfiguration',
  'imagebuilder:UpdateImagePipeline',
  'imagebuilder:UpdateInfrastructureConfiguration',
  'ssm:GetParameter',
  'sts:GetCallerIdentity',
] as const;

/** The policy of the role the runbook assumes. */
export function automationRolePolicy(config: ResolvedConfig): PolicyDocument {
  const bake = iamPolicies(config, { includeCleanup: false }).caller;
  const statements = bake.Statement.map((s) => ({ ...s, Sid: s.Sid.replace(/^Winami/, 'Runbook') }));
  statements.push({ Sid: 'RunbookEngine', Effect: 'Allow', Action: [...AUTOMATION_ENGINE_ACTIONS], Resource: '*' });
  return { Version: '2012-10-17', Statement: statements };
}

/** The caller's policy for `winami bake --engine automation`: deploy, start, follow, stop, pass the runbook's role, and (S3 delivery) the bundle objects. */
export function automationCallerPolicy(config?: ResolvedConfig, bucket?: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      ...(config ? bundleStatements(config, bucket).caller : []),
      { Sid: 'WinamiAutomation', Effect: 'Allow', Action: [...AUTOMATION_CALLER_ACTIONS], Resource: '*' },
      {
        Sid: 'WinamiPassRunbookRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: 'arn:aws:iam::*:role/*',
        Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      },
    ],
  };
}

/** The instance profile of Image Builder's build and test instances: AWS's two managed policies, plus reading image attributes for the billing check. */
export function imageBuilderInstancePolicy(): { managedPolicyArns: string[]; inline: PolicyDocument } {
  return {
    managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', 'arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder'],
    inline: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'WinamiBillingCheck', Effect: 'Allow', Action: ['ec2:DescribeImages', 'ssm:GetParameters'], Resource: '*' }],
    },
  };
}

/** Every policy an engine needs, by who holds it (`winami iam-policy --engine`). */
export function enginePolicies(config: ResolvedConfig, engine: 'automation' | 'imagebuilder', o: { bundleBucket?: string } = {}): Record<string, unknown> {
  if (engine === 'automation') {
    const builder = iamPolicies(config).builder;
    const read = bundleStatements(config, o.bundleBucket).builder;
    return {
      caller: automationCallerPolicy(config, o.bundleBucket),
      runbookRole: { trust: 'ssm.amazonaws.com', policy: automationRolePolicy(config) },
      builderInstanceProfile: read.length
        ? { ...builder, inline: { Version: '2012-10-17', Statement: [...(builder.inline?.Statement ?? []), ...read] } }
        : builder,
    };
  }
  // With a bundle bucket the component documents are stored there and CreateComponent reads them as the caller.
  const documents = bundleStatements(config, o.bundleBucket).caller.map((st) =>
    st.Sid === 'WinamiBundleObjects' ? { ...st, Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] } : st,
  );
  return {
    caller: {
      Version: '2012-10-17',
      Statement: [
        ...documents,
        {
          Sid: 'WinamiImageBuilder',
          Effect: 'Allow',
          Action: [...IMAGEBUILDER_CALLER_ACTIONS],
          Resource: '*',
        },
        {
          Sid: 'WinamiPassInstanceRole',
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: 'arn:aws:iam::*:role/*',
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        },
      ],
    },
    buildAndTestInstanceProfile: imageBuilderInstancePolicy(),
    serviceLinkedRole: 'AWSServiceRoleForImageBuilder (created by Image Builder on first use)',
  };
}
