/**
 * EC2 Image Builder resources for a config, as API requests (the shapes
 * `--engine imagebuilder` sends) and as CloudFormation (`winami export
 * imagebuilder`). Image Builder seals Windows itself (the build workflow's
 * RunSysPrep, `AWSEC2-RunSysprep`, runs the launch agent's Sysprep), so the
 * bundle places winami's answer file and agent settings where the agent reads
 * them and the bake's own Sysprep step is left out. The test phase runs the
 * smoke test and a billing check that fails the build on wrong fields.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { ResolvedConfig } from '../config/types.js';
import { ValidationError } from '../errors.js';
import { ps } from '../bake/scripts.js';
import { deliveryCommands, engineImageName, engineTags, pascal, type EnginePlan } from './plan.js';

/** The image-name placeholders as Image Builder's own variables. */
const IB_PLACEHOLDERS = { date: '{{imagebuilder:buildDate}}', timestamp: '{{imagebuilder:buildDate}}', buildId: '{{imagebuilder:buildVersion}}' };

/** CreateComponent: inline `data` is at most this many characters (botocore). */
export const MAX_COMPONENT_CHARS = 16_000;
/**
 * CreateComponent from `uri`: a document stored in S3 may be larger, up to Image Builder's quota (64 KB by default);
 * winami packs at most this many bytes per document, under the quota however a KB is counted.
 */
export const MAX_URI_COMPONENT_BYTES = 64_000;
/** CreateImageRecipe: at most this many components. */
export const MAX_RECIPE_COMPONENTS = 20;

/** A reference to another resource of the template: an ARN in an API request, `Ref` in CloudFormation. */
export interface ResourceRef {
  $ref: string;
  kind: 'component' | 'image-recipe' | 'infrastructure-configuration' | 'distribution-configuration';
  name: string;
  version?: string;
}

/** One Image Builder create request, with the template's logical id. */
export interface IbRequest {
  logicalId: string;
  operation: 'CreateComponent' | 'CreateImageRecipe' | 'CreateInfrastructureConfiguration' | 'CreateDistributionConfiguration' | 'CreateImagePipeline';
  cfnType: string;
  input: Record<string, unknown>;
  /** CreateComponent from `uri`: the AWSTOE document to store at `key` of the documents' bucket before the component is created. */
  document?: { key: string; text: string };
}

/** Where component documents go when they are delivered from S3 (CreateComponent `uri`) rather than inline (`data`). */
export interface ComponentDocuments {
  bucket: string;
  prefix: string;
}

/** A semantic version derived from content: unchanged content keeps its version, so a deploy is idempotent. */
export function contentVersion(text: string): string {
  const n = parseInt(createHash('sha256').update(text).digest('hex').slice(0, 7), 16) % 1_073_741_823;
  return `1.0.${n}`;
}

interface ComponentStep {
  name: string;
  action: 'ExecutePowerShell' | 'Reboot';
  timeoutSeconds?: number;
  onFailure?: 'Abort';
  inputs: Record<string, unknown>;
}

function componentDoc(name: string, description: string, phase: 'build' | 'test', steps: ComponentStep[]): string {
  return stringify({ name, description, schemaVersion: 1.0, phases: [{ name: phase, steps }] }, { lineWidth: 0 });
}

function psStep(name: string, command: string, timeoutSeconds: number): ComponentStep {
  return { name, action: 'ExecutePowerShell', timeoutSeconds, onFailure: 'Abort', inputs: { commands: [command] } };
}

/** The test instance checks its own image's billing fields (AWS Tools for PowerShell is on AWS's Windows images). */
export function billingCheckScript(config: ResolvedConfig): string {
  const e = config.expectation;
  const lines = [
    `$ErrorActionPreference = 'Stop'`,
    `$token = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }`,
    `$ami = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/ami-id' -Headers @{ 'X-aws-ec2-metadata-token' = $token }`,
    `$image = Get-EC2Image -ImageId $ami`,
  ];
  if (e) {
    lines.push(`$platform = ${ps(e.platformDetails)}`, `$usage = ${ps(e.usageOperation)}`);
  } else {
    const src =
      config.source.kind === 'ami'
        ? ps(config.source.imageId)
        : config.source.kind === 'ssm-parameter'
          ? `(Get-SSMParameterValue -Name ${ps(config.source.parameter)}).Parameters[0].Value`
          : "''";
    lines.push(`$source = Get-EC2Image -ImageId ${src}`, `$platform = $source.PlatformDetails`, `$usage = $source.UsageOperation`);
  }
  lines.push(
    `Write-Output "WINAMI platformDetails=$($image.PlatformDetails)"`,
    `Write-Output "WINAMI usageOperation=$($image.UsageOperation)"`,
    `if ($image.PlatformDetails -ne $platform -or $image.UsageOperation -ne $usage) { throw "image $ami bills as $($image.PlatformDetails) ($($image.UsageOperation)); expected $platform ($usage)" }`,
  );
  return lines.join('\r\n');
}

/** A document's size as the limit counts it: characters inline, bytes in S3. */
interface ComponentLimit {
  max: number;
  size: (doc: string) => number;
  what: string;
}
const INLINE_LIMIT: ComponentLimit = { max: MAX_COMPONENT_CHARS, size: (d) => d.length, what: 'characters; a component holds at most %d inline' };
const URI_LIMIT: ComponentLimit = {
  max: MAX_URI_COMPONENT_BYTES,
  size: (d) => Buffer.byteLength(d),
  what: 'bytes; a component document in S3 holds at most %d',
};

/** Split steps into components within the limit each. */
function packComponents(
  base: string,
  description: string,
  phase: 'build' | 'test',
  steps: ComponentStep[],
  limit: ComponentLimit = INLINE_LIMIT,
): { name: string; data: string }[] {
  const out: { name: string; data: string }[] = [];
  let current: ComponentStep[] = [];
  const flush = () => {
    if (!current.length) return;
    const name = `${base}-${out.length + 1}`;
    out.push({ name, data: componentDoc(name, description, phase, current) });
    current = [];
  };
  for (const s of steps) {
    const alone = limit.size(componentDoc(`${base}-00`, description, phase, [s]));
    if (alone > limit.max)
      throw new ValidationError(`the Image Builder step ${s.name} is ${alone} ${limit.what.replace('%d', String(limit.max))}`, [
        { path: 'customize', message: 'shorten the step' },
      ]);
    if (limit.size(componentDoc(`${base}-00`, description, phase, [...current, s])) > limit.max) flush();
    current.push(s);
  }
  flush();
  return out;
}

/**
 * The Image Builder create requests for a config, in dependency order. With
 * `documents`, each component's AWSTOE document is stored in S3 and created
 * from its `uri` (keyed by its content version, so an unchanged document keeps
 * its key), which lets a component hold up to MAX_URI_COMPONENT_BYTES instead
 * of 16,000 characters inline.
 */
export function imageBuilderRequests(config: ResolvedConfig, plan: EnginePlan, o: { documents?: ComponentDocuments } = {}): IbRequest[] {
  const base = `winami-${config.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-_]+/g, '-')
    .slice(0, 100);
  if (config.source.kind === 'filter') {
    throw new ValidationError(
      'Image Builder needs the parent image as an AMI id or an SSM parameter',
      [{ path: 'source', message: 'a name filter cannot be a recipe parent image' }],
      { hint: 'Set source to an AMI id or an ssm: parameter.' },
    );
  }
  const withDocuments = plan.customize.filter((s) => s.documents?.length);
  if (withDocuments.length) {
    // A component runs AWSTOE actions (ExecutePowerShell, Reboot, …), none of which runs an SSM document; running
    // only the step's version report would build an image that claims up-to-date drivers it never installed.
    throw new ValidationError(
      "the Image Builder export cannot bring AWS's drivers and agents up to date: its components cannot run AWS-ConfigureAWSPackage or AWS-UpdateSSMAgent",
      withDocuments.map((s) => ({ path: 'customize', message: `step ${JSON.stringify(s.title)} (awsComponents) needs SSM documents` })),
      {
        hint: 'Export this config to automation or packer, which run the documents; or, for Image Builder, leave the awsComponents step out and take the drivers and agents from the parent image.',
      },
    );
  }
  if (!config.builder.instanceProfile) {
    throw new ValidationError(
      'Image Builder needs an instance profile for the build instance',
      [{ path: 'builder.instanceProfile', message: 'required by CreateInfrastructureConfiguration' }],
      { hint: 'Set builder.instanceProfile (AmazonSSMManagedInstanceCore and EC2InstanceProfileForImageBuilder).' },
    );
  }
  const build: ComponentStep[] = deliveryCommands(plan, 12_000).map((s, i) => psStep(`DeliverBundle${i + 1}`, s, 600));
  if (plan.resolveSecrets) build.push(psStep('ResolveSecrets', plan.resolveSecrets, 600));
  for (const s of plan.customize)
    build.push(s.kind === 'reboot' ? { name: s.id, action: 'Reboot', inputs: { delaySeconds: 0 } } : psStep(s.id, s.command, s.timeoutSeconds));
  if (plan.preseal) build.push(psStep('CleanUpPreseal', plan.preseal, Math.ceil(config.deadlines.customize / 1000)));
  build.push(psStep('CheckReadyToSeal', plan.checkReady, Math.ceil(config.deadlines.readyToSeal / 1000)));
  if (plan.sqlCheck) build.push(psStep('CheckSqlReady', plan.sqlCheck, Math.ceil(config.deadlines.readyToSeal / 1000)));
  const limit = o.documents ? URI_LIMIT : INLINE_LIMIT;
  const test: ComponentStep[] = [psStep('SmokeTest', plan.smokeTest, 1800), psStep('CheckBilling', billingCheckScript(config), 600)];
  const components = [
    ...packComponents(
      `${base}-build`,
      `winami build phase of ${config.name}: the bundle, the customize steps, the pre-seal clean-up and the readiness check`,
      'build',
      build,
      limit,
    ),
    ...packComponents(`${base}-test`, `winami test phase of ${config.name}: smoke test and billing check`, 'test', test, limit),
  ];
  if (components.length > MAX_RECIPE_COMPONENTS)
    throw new ValidationError(`the recipe needs ${components.length} components; Image Builder allows ${MAX_RECIPE_COMPONENTS}`, [
      { path: 'customize', message: 'too many or too large steps' },
    ]);
  const requests: IbRequest[] = components.map((c) => {
    const semanticVersion = contentVersion(c.data);
    const head = { name: c.name, semanticVersion, platform: 'Windows', description: `winami component of ${config.name}` };
    if (!o.documents)
      return { logicalId: pascal(c.name), operation: 'CreateComponent', cfnType: 'AWS::ImageBuilder::Component', input: { ...head, data: c.data } };
    const key = `${o.documents.prefix}/components/${c.name}-${semanticVersion}.yaml`;
    return {
      logicalId: pascal(c.name),
      operation: 'CreateComponent',
      cfnType: 'AWS::ImageBuilder::Component',
      input: { ...head, uri: `s3://${o.documents.bucket}/${key}` },
      document: { key, text: c.data },
    };
  });
  const b = config.builder;
  const encrypted = config.image.encrypted ? { encrypted: true, ...(config.image.kmsKeyId ? { kmsKeyId: config.image.kmsKeyId } : {}) } : {};
  const recipeBody = {
    name: base,
    description: `winami recipe of ${config.name}`,
    parentImage: config.source.kind === 'ami' ? config.source.imageId : `ssm:${config.source.parameter}`,
    components: requests.map((r) => ({
      componentArn: { $ref: r.logicalId, kind: 'component', name: r.input.name as string, version: r.input.semanticVersion as string },
    })),
    blockDeviceMappings: [
      {
        deviceName: '/dev/sda1',
        ebs: { volumeType: b.rootVolumeType, deleteOnTermination: true, ...(b.rootVolumeSize ? { volumeSize: b.rootVolumeSize } : {}), ...encrypted },
      },
      ...b.volumes.map((v) => ({
        deviceName: v.deviceName,
        ebs: {
          volumeSize: v.size,
          volumeType: v.type,
          deleteOnTermination: v.deleteOnTermination,
          ...(v.iops ? { iops: v.iops } : {}),
          ...(v.throughput ? { throughput: v.throughput } : {}),
          ...encrypted,
        },
      })),
    ],
    workingDirectory: 'C:\\',
    additionalInstanceConfiguration: { systemsManagerAgent: { uninstallAfterBuild: false } },
  };
  requests.push({
    logicalId: 'Recipe',
    operation: 'CreateImageRecipe',
    cfnType: 'AWS::ImageBuilder::ImageRecipe',
    input: { ...recipeBody, semanticVersion: contentVersion(JSON.stringify(recipeBody)) },
  });
  requests.push({
    logicalId: 'Infrastructure',
    operation: 'CreateInfrastructureConfiguration',
    cfnType: 'AWS::ImageBuilder::InfrastructureConfiguration',
    input: {
      name: base,
      description: `winami build instances of ${config.name}`,
      instanceProfileName: b.instanceProfile,
      instanceTypes: [b.instanceType],
      ...(b.subnetId ? { subnetId: b.subnetId } : {}),
      ...(b.securityGroupIds.length ? { securityGroupIds: b.securityGroupIds } : {}),
      terminateInstanceOnFailure: true,
      instanceMetadataOptions: { httpTokens: 'required' },
    },
  });
  const regions = [{ region: config.region, kmsKeyId: config.image.kmsKeyId }, ...config.image.regions.filter((r) => r.region !== config.region)];
  const amiName = engineImageName(config, IB_PLACEHOLDERS);
  const lp = config.image.launchPermissions;
  // Fast Launch is a distribution setting of Image Builder (enabled on each region's AMI as it is distributed).
  const fl = config.image.fastLaunch;
  const fastLaunch = fl
    ? {
        enabled: true,
        snapshotConfiguration: { targetResourceCount: fl.targetResourceCount },
        maxParallelLaunches: fl.maxParallelLaunches,
        ...(fl.launchTemplate
          ? {
              launchTemplate: {
                ...(fl.launchTemplate.id ? { launchTemplateId: fl.launchTemplate.id } : { launchTemplateName: fl.launchTemplate.name! }),
                launchTemplateVersion: fl.launchTemplate.version,
              },
            }
          : {}),
      }
    : undefined;
  requests.push({
    logicalId: 'Distribution',
    operation: 'CreateDistributionConfiguration',
    cfnType: 'AWS::ImageBuilder::DistributionConfiguration',
    input: {
      name: base,
      description: `winami distribution of ${config.name}`,
      distributions: regions.map((r) => ({
        region: r.region,
        amiDistributionConfiguration: {
          name: amiName.includes('{{imagebuilder:buildDate}}') ? amiName : `${amiName}-{{imagebuilder:buildDate}}`,
          ...(config.image.description ? { description: config.image.description } : {}),
          amiTags: { ...engineTags(config, IB_PLACEHOLDERS), 'winami:config': config.name },
          ...(r.kmsKeyId ? { kmsKeyId: r.kmsKeyId } : {}),
          ...(lp
            ? {
                launchPermission: {
                  ...(lp.accounts.length ? { userIds: lp.accounts } : {}),
                  ...(lp.organizationArns.length ? { organizationArns: lp.organizationArns } : {}),
                  ...(lp.organizationalUnitArns.length ? { organizationalUnitArns: lp.organizationalUnitArns } : {}),
                },
              }
            : {}),
        },
        ...(config.image.publishParameter ? { ssmParameterConfigurations: [{ parameterName: config.image.publishParameter, dataType: 'aws:ec2:image' }] } : {}),
        ...(fastLaunch ? { fastLaunchConfigurations: [fastLaunch] } : {}),
      })),
    },
  });
  requests.push({
    logicalId: 'Pipeline',
    operation: 'CreateImagePipeline',
    cfnType: 'AWS::ImageBuilder::ImagePipeline',
    input: {
      name: base,
      description: `winami pipeline of ${config.name}`,
      imageRecipeArn: {
        $ref: 'Recipe',
        kind: 'image-recipe',
        name: base,
        version: requests.find((r) => r.logicalId === 'Recipe')!.input.semanticVersion as string,
      },
      infrastructureConfigurationArn: { $ref: 'Infrastructure', kind: 'infrastructure-configuration', name: base },
      distributionConfigurationArn: { $ref: 'Distribution', kind: 'distribution-configuration', name: base },
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 90 },
      status: 'ENABLED',
    },
  });
  return requests;
}

const isRef = (v: unknown): v is ResourceRef => v !== null && typeof v === 'object' && '$ref' in (v as object);

/** An API request: references become the ARNs Image Builder returns in `account`/`region`. */
export function toApiInput(input: Record<string, unknown>, region: string, account: string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (isRef(v))
      return `arn:aws:imagebuilder:${region}:${account}:${v.kind}/${v.name}${v.version ? `/${v.version}${v.kind === 'component' ? '/1' : ''}` : ''}`;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(input) as Record<string, unknown>;
}

/** API member names whose CloudFormation property is not the same name capitalised. */
const CFN_NAME: Record<string, string> = { semanticVersion: 'Version', launchPermission: 'LaunchPermissionConfiguration' };
/** Maps whose keys are data (tags), kept as they are. */
const DATA_MAPS = new Set(['amiTags', 'tags']);

/** CloudFormation properties of a request: capitalised names, references as `Ref`. */
export function toCfnProperties(input: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (isRef(v)) return { Ref: v.$ref };
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [CFN_NAME[k] ?? k[0]!.toUpperCase() + k.slice(1), DATA_MAPS.has(k) ? x : walk(x)]));
    }
    return v;
  };
  return walk(input) as Record<string, unknown>;
}

/** The CloudFormation template. */
export function imageBuilderTemplateYaml(config: ResolvedConfig, plan: EnginePlan, o: { documents?: ComponentDocuments } = {}): string {
  const requests = imageBuilderRequests(config, plan, o);
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `winami Image Builder pipeline for ${config.name}: build, seal by Image Builder, test with a billing check, distribute`,
    Resources: Object.fromEntries(requests.map((r) => [r.logicalId, { Type: r.cfnType, Properties: toCfnProperties(r.input) }])),
    Outputs: { PipelineArn: { Value: { Ref: 'Pipeline' } } },
  };
  return stringify(template, { lineWidth: 0 });
}
