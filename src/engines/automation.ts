/**
 * The Automation runbook (schemaVersion 0.3) for a config: the whole bake with
 * AWS's own actions, from the same bundle and step metadata as the local bake.
 * The builder is terminated on every path (success, failure, cancel); an image
 * whose billing fields are wrong is deregistered with its snapshots.
 */
import type { ResolvedConfig } from '../config/types.js';
import { stringify } from 'yaml';
import { MAX_DOCUMENT_BYTES } from './runbook-rules.js';
import { compressedDeliveryCommands, deliveryCommands, engineImageName, engineTags, expandCommand, pascal, verifyCommand, type EnginePlan } from './plan.js';
import type { ComponentDocument } from '../knowledge/aws-components.js';
import { BUNDLE_BUCKET_PARAMETER, BUNDLE_PREFIX_PARAMETER, BUNDLE_PREFIX_PATTERN, s3DeliveryCommands, type BundleLocation } from './s3-delivery.js';

/** An Automation step as winami writes it. */
export interface RunbookStep {
  name: string;
  action: string;
  description?: string;
  maxAttempts?: number;
  timeoutSeconds?: number;
  onFailure?: string;
  onCancel?: string;
  isEnd?: boolean;
  nextStep?: string;
  isCritical?: boolean;
  inputs: Record<string, unknown>;
  outputs?: { Name: string; Selector: string; Type: string }[];
}

/** The runbook document. */
export interface Runbook {
  schemaVersion: '0.3';
  description: string;
  assumeRole: string;
  parameters: Record<string, { type: string; description: string; default?: unknown; allowedPattern?: string }>;
  mainSteps: RunbookStep[];
  outputs: string[];
}

/** Budget for each inline delivery command: the whole document must stay within 64 KB. */
export const AUTOMATION_DELIVERY_BUDGET = 12_000;

const TERMINATE_ON_FAILURE = 'TerminateBuilderAfterFailure';
/** The image-name placeholders as Automation's own variables. */
const AUTOMATION_PLACEHOLDERS = { date: '{{ global:DATE }}', timestamp: '{{ global:DATE_TIME }}', buildId: '{{ BuildId }}' };
const DISCARD = 'DiscardImage';
const INSTANCE = '{{ LaunchBuilder.InstanceIds }}';
const IMAGE = '{{ CreateImage.ImageId }}';

/**
 * The copies, launch permissions, deprecation and published parameter of one
 * region, in Python (aws:executeScript): Automation's API actions call only the
 * execution's own region. A copy whose billing fields are wrong is discarded
 * with its snapshots and the step fails. Each run is bounded by 600 s, so the
 * wait for a copy is retried through the step's maxAttempts.
 */
export const FINISH_REGION_PY = `import boto3, datetime, time
from botocore.exceptions import ClientError

def discard(ec2, image_id):
    ec2.deregister_image(ImageId=image_id, DeleteAssociatedSnapshots=True)

def describe(ec2, image_id):
    # A copy made moments ago may be unknown to EC2 for a while (eventual consistency): not found yet, not gone.
    try:
        images = ec2.describe_images(ImageIds=[image_id])['Images']
    except ClientError as e:
        if e.response.get('Error', {}).get('Code') != 'InvalidAMIID.NotFound':
            raise
        images = []
    return images[0] if images else None

def handler(events, context):
    region = events['Region']
    source_region = events['SourceRegion']
    image_id = events['SourceImageId']
    ec2 = boto3.client('ec2', region_name=region)
    if region != source_region:
        found = ec2.describe_images(Filters=[{'Name': 'tag:winami:copy-of', 'Values': [image_id]}], Owners=['self'])['Images']
        if found:
            image_id = found[0]['ImageId']
        else:
            # The client token makes a retried step get the copy the first attempt made, which a listing may not show yet.
            kwargs = {'SourceImageId': image_id, 'SourceRegion': source_region, 'Name': events['Name'], 'CopyImageTags': True,
                      'ClientToken': 'winami-%s-%s' % (image_id, region),
                      'TagSpecifications': [{'ResourceType': 'image', 'Tags': [{'Key': 'winami:copy-of', 'Value': events['SourceImageId']}]}]}
            if events.get('KmsKeyId'):
                kwargs.update(Encrypted=True, KmsKeyId=events['KmsKeyId'])
            image_id = ec2.copy_image(**kwargs)['ImageId']
    deadline = time.time() + 540
    while True:
        image = describe(ec2, image_id)
        state = image['State'] if image else 'not yet known to EC2'
        if state == 'available':
            break
        if state in ('failed', 'error', 'invalid', 'deregistered'):
            raise Exception('image %s in %s is %s' % (image_id, region, state))
        if time.time() > deadline:
            raise Exception('image %s in %s is still %s; the step is retried' % (image_id, region, state))
        time.sleep(15)
    if image.get('PlatformDetails') != events['PlatformDetails'] or image.get('UsageOperation') != events['UsageOperation']:
        discard(ec2, image_id)
        raise Exception('billing of %s in %s is %s (%s), expected %s (%s): discarded' % (image_id, region, image.get('PlatformDetails'), image.get('UsageOperation'), events['PlatformDetails'], events['UsageOperation']))
    add = [{'UserId': a} for a in events.get('Accounts', [])] + [{'OrganizationArn': a} for a in events.get('OrganizationArns', [])] + [{'OrganizationalUnitArn': a} for a in events.get('OrganizationalUnitArns', [])]
    if add:
        ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={'Add': add})
    if events.get('DeprecateAfterDays'):
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=int(events['DeprecateAfterDays']))
        ec2.enable_image_deprecation(ImageId=image_id, DeprecateAt=at)
    if events.get('Parameter'):
        boto3.client('ssm', region_name=region).put_parameter(Name=events['Parameter'], Value=image_id, Type='String', DataType='aws:ec2:image', Overwrite=True)
    return {'ImageId': image_id}
`;

/** Days of a `deprecateAfter` value (`180d`, or a duration in ms/s/m/h/d). */
export function deprecateDays(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Math.max(1, Math.ceil(value / 86_400_000));
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 'ms'];
  return Math.max(1, Math.ceil(ms / 86_400_000));
}

function runCommand(name: string, description: string, commands: string, timeoutSeconds: number, onFailure = `step:${TERMINATE_ON_FAILURE}`): RunbookStep {
  return {
    name,
    action: 'aws:runCommand',
    description,
    timeoutSeconds: timeoutSeconds + 300,
    onFailure,
    onCancel: `step:${TERMINATE_ON_FAILURE}`,
    inputs: {
      DocumentName: 'AWS-RunPowerShellScript',
      InstanceIds: [INSTANCE],
      TimeoutSeconds: Math.max(30, timeoutSeconds),
      // Line feeds alone: PowerShell reads them the same, and YAML keeps the text as a literal block (no escaping, a smaller document).
      Parameters: { commands: [commands.replace(/\r\n/g, '\n')], executionTimeout: [String(Math.max(30, timeoutSeconds))] },
    },
  };
}

/** aws:runCommand of one of AWS's documents (AWS-ConfigureAWSPackage, AWS-UpdateSSMAgent) with its parameters. */
function documentCommand(name: string, description: string, d: ComponentDocument, timeoutSeconds: number): RunbookStep {
  return {
    name,
    action: 'aws:runCommand',
    description,
    timeoutSeconds: timeoutSeconds + 300,
    onFailure: `step:${TERMINATE_ON_FAILURE}`,
    onCancel: `step:${TERMINATE_ON_FAILURE}`,
    inputs: { DocumentName: d.documentName, InstanceIds: [INSTANCE], TimeoutSeconds: Math.max(30, timeoutSeconds), Parameters: d.parameters },
  };
}

/**
 * The runbook of a config and its engine plan. With an S3 location the
 * builder fetches the bundle from there (s3-delivery.ts). Otherwise the bundle
 * is delivered as the bake delivers it when the document stays within 64 KB,
 * and else each file gzip-compressed and expanded on the builder.
 */
export function renderRunbook(config: ResolvedConfig, plan: EnginePlan, location?: BundleLocation): Runbook {
  if (location) return runbookWith(config, plan, 's3', location);
  const plain = runbookWith(config, plan, 'inline');
  return Buffer.byteLength(stringify(plain, { lineWidth: 0 })) <= MAX_DOCUMENT_BYTES ? plain : runbookWith(config, plan, 'compressed');
}

function runbookWith(config: ResolvedConfig, plan: EnginePlan, delivery: 'inline' | 'compressed' | 's3', location?: BundleLocation): Runbook {
  const b = config.builder;
  const steps: RunbookStep[] = [];
  const expectation = config.expectation;
  const launch: Record<string, unknown> = {
    ImageId: '{{ SourceAmiId }}',
    InstanceType: b.instanceType,
    MinInstanceCount: 1,
    MaxInstanceCount: 1,
    ...(b.instanceProfile ? { IamInstanceProfileName: '{{ InstanceProfileName }}' } : {}),
    ...(b.subnetId ? { SubnetId: b.subnetId } : {}),
    ...(b.securityGroupIds.length ? { SecurityGroupIds: b.securityGroupIds } : {}),
    BlockDeviceMappings: [
      {
        DeviceName: '/dev/sda1',
        Ebs: {
          VolumeType: b.rootVolumeType,
          DeleteOnTermination: true,
          ...(b.rootVolumeSize ? { VolumeSize: b.rootVolumeSize } : {}),
          ...(config.image.encrypted ? { Encrypted: true } : {}),
        },
      },
      ...b.volumes.map((v) => ({
        DeviceName: v.deviceName,
        Ebs: {
          VolumeSize: v.size,
          VolumeType: v.type,
          DeleteOnTermination: v.deleteOnTermination,
          ...(v.iops ? { Iops: v.iops } : {}),
          ...(v.throughput ? { Throughput: v.throughput } : {}),
          ...(config.image.encrypted ? { Encrypted: true } : {}),
        },
      })),
    ],
    TagSpecifications: [
      {
        ResourceType: 'instance',
        Tags: [
          { Key: 'Name', Value: `winami-builder-${config.name}` },
          { Key: 'winami:build', Value: '{{ automation:EXECUTION_ID }}' },
          { Key: 'winami:build-id', Value: '{{ BuildId }}' },
        ],
      },
      {
        ResourceType: 'volume',
        Tags: [
          { Key: 'winami:build', Value: '{{ automation:EXECUTION_ID }}' },
          { Key: 'winami:build-id', Value: '{{ BuildId }}' },
        ],
      },
    ],
  };
  steps.push({
    name: 'LaunchBuilder',
    action: 'aws:runInstances',
    maxAttempts: 3,
    timeoutSeconds: Math.ceil(config.deadlines.launch / 1000),
    onFailure: 'Abort',
    inputs: launch,
  });
  steps.push({
    name: 'WaitForSsmOnline',
    action: 'aws:waitForAwsResourceProperty',
    timeoutSeconds: Math.ceil(config.deadlines.ssmOnline / 1000),
    onFailure: `step:${TERMINATE_ON_FAILURE}`,
    onCancel: `step:${TERMINATE_ON_FAILURE}`,
    inputs: {
      Service: 'ssm',
      Api: 'DescribeInstanceInformation',
      Filters: [{ Key: 'InstanceIds', Values: [INSTANCE] }],
      PropertySelector: '$.InstanceInformationList[0].PingStatus',
      DesiredValues: ['Online'],
    },
  });
  if (delivery === 's3') {
    s3DeliveryCommands(plan, config.region, AUTOMATION_DELIVERY_BUDGET).forEach((script, i, all) => {
      steps.push(runCommand(`DeliverBundle${i + 1}`, `Fetch the bundle from S3 (part ${i + 1} of ${all.length})`, script, 600));
    });
  } else if (delivery === 'compressed') {
    compressedDeliveryCommands(plan, AUTOMATION_DELIVERY_BUDGET).forEach((script, i, all) => {
      steps.push(runCommand(`DeliverBundle${i + 1}`, `Deliver the compressed bundle (part ${i + 1} of ${all.length})`, script, 600));
    });
    steps.push(runCommand('ExpandBundle', 'Expand the delivered files in place', expandCommand(plan), 300));
  } else {
    deliveryCommands(plan, AUTOMATION_DELIVERY_BUDGET).forEach((script, i, all) => {
      steps.push(runCommand(`DeliverBundle${i + 1}`, `Deliver the bundle (part ${i + 1} of ${all.length})`, script, 600));
    });
  }
  steps.push(runCommand('VerifyBundle', "Check every delivered file's SHA-256", verifyCommand(plan), 300));
  if (plan.resolveSecrets) steps.push(runCommand('ResolveSecrets', 'Fill the secret tokens from SSM Parameter Store on the builder', plan.resolveSecrets, 600));
  for (const s of plan.customize) {
    steps.push(runCommand(s.id, `Customize: ${s.title} (${s.kind})`, s.command, s.timeoutSeconds));
    if (!s.documents?.length) continue;
    // awsComponents: AWS's documents between two version reports, as the bake runs them.
    for (const d of s.documents)
      steps.push(documentCommand(`${s.id}${pascal(d.component)}`, `Customize: ${s.title}: ${d.component} through ${d.documentName}`, d, s.timeoutSeconds));
    steps.push(runCommand(`${s.id}After`, `Customize: ${s.title}: versions after AWS's documents`, s.command, s.timeoutSeconds));
  }
  if (plan.preseal) steps.push(runCommand('CleanUpPreseal', 'Clean up before sealing', plan.preseal, Math.ceil(config.deadlines.customize / 1000)));
  steps.push(runCommand('CheckReadyToSeal', 'Wait until the builder is ready to seal', plan.checkReady, Math.ceil(config.deadlines.readyToSeal / 1000)));
  if (plan.sqlCheck)
    steps.push(runCommand('CheckSqlReady', 'Check SQL Server is ready to seal', plan.sqlCheck, Math.ceil(config.deadlines.readyToSeal / 1000)));
  steps.push(runCommand('StartSysprep', "Seal with the launch agent's Sysprep, as the built-in Administrator", plan.sysprep, 600));
  steps.push({
    name: 'WaitForStopped',
    action: 'aws:changeInstanceState',
    timeoutSeconds: Math.ceil(config.deadlines.sysprep / 1000),
    onFailure: `step:${TERMINATE_ON_FAILURE}`,
    onCancel: `step:${TERMINATE_ON_FAILURE}`,
    inputs: { InstanceIds: [INSTANCE], CheckStateOnly: true, DesiredState: 'stopped' },
  });
  const name = engineImageName(config, AUTOMATION_PLACEHOLDERS);
  steps.push({
    name: 'CreateImage',
    action: 'aws:createImage',
    timeoutSeconds: Math.ceil(config.deadlines.createImage / 1000),
    onFailure: `step:${TERMINATE_ON_FAILURE}`,
    inputs: { InstanceId: INSTANCE, ImageName: name, NoReboot: true, ...(config.image.description ? { ImageDescription: config.image.description } : {}) },
  });
  steps.push({
    name: 'WaitForImageAvailable',
    action: 'aws:waitForAwsResourceProperty',
    timeoutSeconds: Math.ceil(config.deadlines.createImage / 1000),
    onFailure: `step:${DISCARD}`,
    onCancel: `step:${DISCARD}`,
    inputs: { Service: 'ec2', Api: 'DescribeImages', ImageIds: [IMAGE], PropertySelector: '$.Images[0].State', DesiredValues: ['available'] },
  });
  // The copies take these with CopyImageTags; `winami cleanup --build-id` finds everything by winami:build-id.
  const tags = Object.entries({
    ...engineTags(config, AUTOMATION_PLACEHOLDERS),
    'winami:build': '{{ automation:EXECUTION_ID }}',
    'winami:build-id': '{{ BuildId }}',
    'winami:config': config.name,
  });
  steps.push({
    name: 'TagImage',
    action: 'aws:createTags',
    onFailure: `step:${DISCARD}`,
    onCancel: `step:${DISCARD}`,
    inputs: { ResourceType: 'EC2', ResourceIds: [IMAGE], Tags: tags.map(([Key, Value]) => ({ Key, Value })) },
  });
  if (!expectation) {
    steps.push({
      name: 'ReadSourceBilling',
      action: 'aws:executeAwsApi',
      onFailure: `step:${DISCARD}`,
      onCancel: `step:${DISCARD}`,
      inputs: { Service: 'ec2', Api: 'DescribeImages', ImageIds: ['{{ SourceAmiId }}'] },
      outputs: [
        { Name: 'PlatformDetails', Selector: '$.Images[0].PlatformDetails', Type: 'String' },
        { Name: 'UsageOperation', Selector: '$.Images[0].UsageOperation', Type: 'String' },
      ],
    });
  }
  const expected = (field: 'PlatformDetails' | 'UsageOperation') =>
    expectation ? (field === 'PlatformDetails' ? expectation.platformDetails : expectation.usageOperation) : `{{ ReadSourceBilling.${field} }}`;
  for (const field of ['PlatformDetails', 'UsageOperation'] as const) {
    steps.push({
      name: `Assert${field}`,
      action: 'aws:assertAwsResourceProperty',
      description: `The image must bill as ${expected(field)}; a wrong value discards it`,
      onFailure: `step:${DISCARD}`,
      onCancel: `step:${DISCARD}`,
      inputs: { Service: 'ec2', Api: 'DescribeImages', ImageIds: [IMAGE], PropertySelector: `$.Images[0].${field}`, DesiredValues: [expected(field)] },
    });
  }
  const regions = [config.region, ...config.image.regions.map((r) => r.region).filter((r) => r !== config.region)];
  const lp = config.image.launchPermissions;
  const days = deprecateDays(config.image.deprecateAfter as string | number | undefined);
  const needsFinish = regions.length > 1 || lp !== undefined || days !== undefined || config.image.publishParameter !== undefined;
  const finishSteps: RunbookStep[] = needsFinish
    ? regions.map((region) => ({
        name: `FinishRegion${region
          .split('-')
          .map((p) => p[0]!.toUpperCase() + p.slice(1))
          .join('')}`,
        action: 'aws:executeScript',
        description:
          region === config.region
            ? `Share, deprecate and publish in ${region}`
            : `Copy to ${region}, check its billing (a wrong copy is discarded), share, deprecate and publish`,
        maxAttempts: 8,
        timeoutSeconds: 600,
        onFailure: 'Abort',
        inputs: {
          Runtime: 'python3.11',
          Handler: 'handler',
          Script: FINISH_REGION_PY,
          InputPayload: {
            Region: region,
            SourceRegion: config.region,
            SourceImageId: IMAGE,
            Name: name,
            PlatformDetails: expected('PlatformDetails'),
            UsageOperation: expected('UsageOperation'),
            ...(config.image.regions.find((r) => r.region === region)?.kmsKeyId
              ? { KmsKeyId: config.image.regions.find((r) => r.region === region)!.kmsKeyId }
              : {}),
            ...(lp ? { Accounts: lp.accounts, OrganizationArns: lp.organizationArns, OrganizationalUnitArns: lp.organizationalUnitArns } : {}),
            ...(days ? { DeprecateAfterDays: days } : {}),
            ...(config.image.publishParameter ? { Parameter: config.image.publishParameter } : {}),
          },
        },
        outputs: [{ Name: 'ImageId', Selector: '$.Payload.ImageId', Type: 'String' }],
      }))
    : [];
  steps.push({
    name: 'TerminateBuilder',
    action: 'aws:changeInstanceState',
    onFailure: 'Abort',
    inputs: { InstanceIds: [INSTANCE], DesiredState: 'terminated' },
    ...(finishSteps.length ? { nextStep: finishSteps[0]!.name } : { isEnd: true }),
  });
  finishSteps.forEach((s, i) => steps.push(i === finishSteps.length - 1 ? { ...s, isEnd: true } : s));
  steps.push({
    name: DISCARD,
    action: 'aws:executeAwsApi',
    description: 'Deregister the image and delete its snapshots: its billing fields were wrong or the run stopped',
    onFailure: `step:${TERMINATE_ON_FAILURE}`,
    onCancel: `step:${TERMINATE_ON_FAILURE}`,
    nextStep: TERMINATE_ON_FAILURE,
    inputs: { Service: 'ec2', Api: 'DeregisterImage', ImageId: IMAGE, DeleteAssociatedSnapshots: true },
  });
  steps.push({
    name: TERMINATE_ON_FAILURE,
    action: 'aws:changeInstanceState',
    description: 'Terminate the builder after a failure or cancel',
    onFailure: 'Abort',
    isEnd: true,
    inputs: { InstanceIds: [INSTANCE], DesiredState: 'terminated' },
  });
  const sourceDefault =
    config.source.kind === 'ami' ? config.source.imageId : config.source.kind === 'ssm-parameter' ? `{{ssm:${config.source.parameter}}}` : undefined;
  return {
    schemaVersion: '0.3',
    description: `winami bake of ${config.name}: Windows Server ${config.windows.release} ${config.windows.edition}, billing checked, a wrong image discarded, the builder terminated on every path`,
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: {
      AutomationAssumeRole: { type: 'String', description: 'The role the runbook runs as (the template.yaml role)' },
      BuildId: {
        type: 'String',
        description: 'Tagged winami:build-id on everything the runbook creates, for winami cleanup --build-id',
        default: 'runbook',
        allowedPattern: '^[a-z0-9-]{1,64}$',
      },
      SourceAmiId: { type: 'String', description: 'The source image', ...(sourceDefault ? { default: sourceDefault } : {}) },
      ...(location
        ? {
            [BUNDLE_BUCKET_PARAMETER]: {
              type: 'String',
              description: 'The S3 bucket the builder fetches the bundle from (its instance profile needs s3:GetObject there)',
              default: location.bucket,
              allowedPattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
            },
            [BUNDLE_PREFIX_PARAMETER]: {
              type: 'String',
              description: 'The key prefix of the bundle objects (winami bake uploads a prefix of its own for each build)',
              default: location.prefix,
              allowedPattern: BUNDLE_PREFIX_PATTERN,
            },
          }
        : {}),
      ...(b.instanceProfile
        ? { InstanceProfileName: { type: 'String', description: 'The builder instance profile (AmazonSSMManagedInstanceCore)', default: b.instanceProfile } }
        : {}),
    },
    mainSteps: steps,
    outputs: ['CreateImage.ImageId', ...finishSteps.map((s) => `${s.name}.ImageId`)],
  };
}
