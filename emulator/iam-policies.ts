/**
 * AWS managed policies the emulator knows, with their statements as the AWS
 * Managed Policy Reference lists them (docs.aws.amazon.com/aws-managed-policy/
 * latest/reference/<Name>.html). Written out here as data; ids are the
 * emulator's own.
 */

export interface AwsManagedPolicy {
  name: string;
  path: string;
  description: string;
  versionId: string;
  created: string;
  updated: string;
  document: unknown;
}

const json = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    // Reference page: v2 (default), created 2019-03-15 17:22 UTC, edited 2019-05-23 16:54 UTC.
    name: 'AmazonSSMManagedInstanceCore',
    path: '/',
    description: 'The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.',
    versionId: 'v2',
    created: '2019-03-15T17:22:12Z',
    updated: '2019-05-23T16:54:21Z',
    document: json([
      {
        Effect: 'Allow',
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:GetParameter',
          'ssm:GetParameters',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        Resource: '*',
      },
    ]),
  },
  {
    name: 'CloudWatchAgentServerPolicy',
    path: '/',
    description: 'Permissions required to use AmazonCloudWatchAgent on servers',
    versionId: 'v3',
    created: '2017-08-31T00:08:07Z',
    updated: '2023-10-31T00:00:00Z',
    document: json([
      {
        Sid: 'CWACloudWatchServerPermissions',
        Effect: 'Allow',
        Action: [
          'cloudwatch:PutMetricData',
          'ec2:DescribeVolumes',
          'ec2:DescribeTags',
          'logs:PutLogEvents',
          'logs:PutRetentionPolicy',
          'logs:DescribeLogStreams',
          'logs:DescribeLogGroups',
          'logs:CreateLogStream',
          'logs:CreateLogGroup',
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:GetSamplingStatisticSummaries',
        ],
        Resource: '*',
      },
      { Sid: 'CWASSMServerPermissions', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: 'arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*' },
    ]),
  },
  {
    name: 'AmazonS3ReadOnlyAccess',
    path: '/',
    description: 'Provides read only access to all buckets via the AWS Management Console.',
    versionId: 'v3',
    created: '2015-02-06T18:40:59Z',
    updated: '2023-08-10T21:31:39Z',
    document: json([{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'], Resource: '*' }]),
  },
  {
    name: 'AdministratorAccess',
    path: '/',
    description: 'Provides full access to AWS services and resources.',
    versionId: 'v1',
    created: '2015-02-06T18:39:46Z',
    updated: '2015-02-06T18:39:46Z',
    document: json([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
  },
];
