/**
 * Ports: the AWS calls winami makes, in the SDK's own types. Library code takes
 * these interfaces, so tests can hand in the real adapter pointed at the local
 * emulator, or (for call-shape tests only) a stub.
 *
 * Only types are imported here: loading this module does not load the SDK.
 */
import type * as EC2 from '@aws-sdk/client-ec2';
import type * as SSM from '@aws-sdk/client-ssm';
import type * as STS from '@aws-sdk/client-sts';
import type * as IAM from '@aws-sdk/client-iam';
import type * as KMS from '@aws-sdk/client-kms';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Organizations from '@aws-sdk/client-organizations';
import type * as Imagebuilder from '@aws-sdk/client-imagebuilder';

/** Options every port call accepts. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

type Port<Ops extends { [K in keyof Ops]: [unknown, unknown] }> = {
  [K in keyof Ops]: (input: Ops[K][0], options?: CallOptions) => Promise<Ops[K][1]>;
};

/** EC2 operations winami uses, name → [input, output]. */
export interface Ec2Operations {
  describeImages: [EC2.DescribeImagesCommandInput, EC2.DescribeImagesCommandOutput];
  createImage: [EC2.CreateImageCommandInput, EC2.CreateImageCommandOutput];
  registerImage: [EC2.RegisterImageCommandInput, EC2.RegisterImageCommandOutput];
  deregisterImage: [EC2.DeregisterImageCommandInput, EC2.DeregisterImageCommandOutput];
  copyImage: [EC2.CopyImageCommandInput, EC2.CopyImageCommandOutput];
  modifyImageAttribute: [EC2.ModifyImageAttributeCommandInput, EC2.ModifyImageAttributeCommandOutput];
  enableImageDeprecation: [EC2.EnableImageDeprecationCommandInput, EC2.EnableImageDeprecationCommandOutput];
  enableFastLaunch: [EC2.EnableFastLaunchCommandInput, EC2.EnableFastLaunchCommandOutput];
  describeFastLaunchImages: [EC2.DescribeFastLaunchImagesCommandInput, EC2.DescribeFastLaunchImagesCommandOutput];
  disableFastLaunch: [EC2.DisableFastLaunchCommandInput, EC2.DisableFastLaunchCommandOutput];
  runInstances: [EC2.RunInstancesCommandInput, EC2.RunInstancesCommandOutput];
  describeInstances: [EC2.DescribeInstancesCommandInput, EC2.DescribeInstancesCommandOutput];
  terminateInstances: [EC2.TerminateInstancesCommandInput, EC2.TerminateInstancesCommandOutput];
  getConsoleOutput: [EC2.GetConsoleOutputCommandInput, EC2.GetConsoleOutputCommandOutput];
  describeVolumes: [EC2.DescribeVolumesCommandInput, EC2.DescribeVolumesCommandOutput];
  deleteVolume: [EC2.DeleteVolumeCommandInput, EC2.DeleteVolumeCommandOutput];
  createSnapshot: [EC2.CreateSnapshotCommandInput, EC2.CreateSnapshotCommandOutput];
  describeSnapshots: [EC2.DescribeSnapshotsCommandInput, EC2.DescribeSnapshotsCommandOutput];
  deleteSnapshot: [EC2.DeleteSnapshotCommandInput, EC2.DeleteSnapshotCommandOutput];
  createTags: [EC2.CreateTagsCommandInput, EC2.CreateTagsCommandOutput];
  describeRegions: [EC2.DescribeRegionsCommandInput, EC2.DescribeRegionsCommandOutput];
  describeLaunchTemplateVersions: [EC2.DescribeLaunchTemplateVersionsCommandInput, EC2.DescribeLaunchTemplateVersionsCommandOutput];
  // Read-only calls of the preflight (src/preflight/gather.ts).
  describeInstanceTypes: [EC2.DescribeInstanceTypesCommandInput, EC2.DescribeInstanceTypesCommandOutput];
  describeInstanceTypeOfferings: [EC2.DescribeInstanceTypeOfferingsCommandInput, EC2.DescribeInstanceTypeOfferingsCommandOutput];
  describeSubnets: [EC2.DescribeSubnetsCommandInput, EC2.DescribeSubnetsCommandOutput];
  describeRouteTables: [EC2.DescribeRouteTablesCommandInput, EC2.DescribeRouteTablesCommandOutput];
  describeVpcEndpoints: [EC2.DescribeVpcEndpointsCommandInput, EC2.DescribeVpcEndpointsCommandOutput];
  describeSecurityGroups: [EC2.DescribeSecurityGroupsCommandInput, EC2.DescribeSecurityGroupsCommandOutput];
}

/** SSM operations winami uses. */
export interface SsmOperations {
  describeInstanceInformation: [SSM.DescribeInstanceInformationCommandInput, SSM.DescribeInstanceInformationCommandOutput];
  sendCommand: [SSM.SendCommandCommandInput, SSM.SendCommandCommandOutput];
  getCommandInvocation: [SSM.GetCommandInvocationCommandInput, SSM.GetCommandInvocationCommandOutput];
  cancelCommand: [SSM.CancelCommandCommandInput, SSM.CancelCommandCommandOutput];
  getParameter: [SSM.GetParameterCommandInput, SSM.GetParameterCommandOutput];
  getParameters: [SSM.GetParametersCommandInput, SSM.GetParametersCommandOutput];
  putParameter: [SSM.PutParameterCommandInput, SSM.PutParameterCommandOutput];
  deleteParameter: [SSM.DeleteParameterCommandInput, SSM.DeleteParameterCommandOutput];
  // SSM Automation, for `bake --engine automation` (src/engines/run-automation.ts).
  createDocument: [SSM.CreateDocumentCommandInput, SSM.CreateDocumentCommandOutput];
  updateDocument: [SSM.UpdateDocumentCommandInput, SSM.UpdateDocumentCommandOutput];
  getDocument: [SSM.GetDocumentCommandInput, SSM.GetDocumentCommandOutput];
  startAutomationExecution: [SSM.StartAutomationExecutionCommandInput, SSM.StartAutomationExecutionCommandOutput];
  getAutomationExecution: [SSM.GetAutomationExecutionCommandInput, SSM.GetAutomationExecutionCommandOutput];
  stopAutomationExecution: [SSM.StopAutomationExecutionCommandInput, SSM.StopAutomationExecutionCommandOutput];
  describeParameters: [SSM.DescribeParametersCommandInput, SSM.DescribeParametersCommandOutput];
}

/** STS operations winami uses. */
export interface StsOperations {
  getCallerIdentity: [STS.GetCallerIdentityCommandInput, STS.GetCallerIdentityCommandOutput];
  assumeRole: [STS.AssumeRoleCommandInput, STS.AssumeRoleCommandOutput];
}

/** IAM operations winami uses (all read-only: the preflight's look at the instance profile). */
export interface IamOperations {
  getInstanceProfile: [IAM.GetInstanceProfileCommandInput, IAM.GetInstanceProfileCommandOutput];
  simulatePrincipalPolicy: [IAM.SimulatePrincipalPolicyCommandInput, IAM.SimulatePrincipalPolicyCommandOutput];
  listAttachedRolePolicies: [IAM.ListAttachedRolePoliciesCommandInput, IAM.ListAttachedRolePoliciesCommandOutput];
  getPolicy: [IAM.GetPolicyCommandInput, IAM.GetPolicyCommandOutput];
  getPolicyVersion: [IAM.GetPolicyVersionCommandInput, IAM.GetPolicyVersionCommandOutput];
  listRolePolicies: [IAM.ListRolePoliciesCommandInput, IAM.ListRolePoliciesCommandOutput];
  getRolePolicy: [IAM.GetRolePolicyCommandInput, IAM.GetRolePolicyCommandOutput];
}

/** KMS operations winami uses. */
export interface KmsOperations {
  describeKey: [KMS.DescribeKeyCommandInput, KMS.DescribeKeyCommandOutput];
}

/** AWS Organizations operations winami uses (an organization-wide audit). */
export interface OrganizationsOperations {
  listAccounts: [Organizations.ListAccountsCommandInput, Organizations.ListAccountsCommandOutput];
}

/** EC2 Image Builder operations `bake --engine imagebuilder` uses. */
export interface ImagebuilderOperations {
  createComponent: [Imagebuilder.CreateComponentCommandInput, Imagebuilder.CreateComponentCommandOutput];
  getComponent: [Imagebuilder.GetComponentCommandInput, Imagebuilder.GetComponentCommandOutput];
  listComponentBuildVersions: [Imagebuilder.ListComponentBuildVersionsCommandInput, Imagebuilder.ListComponentBuildVersionsCommandOutput];
  createImageRecipe: [Imagebuilder.CreateImageRecipeCommandInput, Imagebuilder.CreateImageRecipeCommandOutput];
  getImageRecipe: [Imagebuilder.GetImageRecipeCommandInput, Imagebuilder.GetImageRecipeCommandOutput];
  createInfrastructureConfiguration: [Imagebuilder.CreateInfrastructureConfigurationCommandInput, Imagebuilder.CreateInfrastructureConfigurationCommandOutput];
  getInfrastructureConfiguration: [Imagebuilder.GetInfrastructureConfigurationCommandInput, Imagebuilder.GetInfrastructureConfigurationCommandOutput];
  updateInfrastructureConfiguration: [Imagebuilder.UpdateInfrastructureConfigurationCommandInput, Imagebuilder.UpdateInfrastructureConfigurationCommandOutput];
  createDistributionConfiguration: [Imagebuilder.CreateDistributionConfigurationCommandInput, Imagebuilder.CreateDistributionConfigurationCommandOutput];
  getDistributionConfiguration: [Imagebuilder.GetDistributionConfigurationCommandInput, Imagebuilder.GetDistributionConfigurationCommandOutput];
  updateDistributionConfiguration: [Imagebuilder.UpdateDistributionConfigurationCommandInput, Imagebuilder.UpdateDistributionConfigurationCommandOutput];
  createImagePipeline: [Imagebuilder.CreateImagePipelineCommandInput, Imagebuilder.CreateImagePipelineCommandOutput];
  getImagePipeline: [Imagebuilder.GetImagePipelineCommandInput, Imagebuilder.GetImagePipelineCommandOutput];
  updateImagePipeline: [Imagebuilder.UpdateImagePipelineCommandInput, Imagebuilder.UpdateImagePipelineCommandOutput];
  startImagePipelineExecution: [Imagebuilder.StartImagePipelineExecutionCommandInput, Imagebuilder.StartImagePipelineExecutionCommandOutput];
  getImage: [Imagebuilder.GetImageCommandInput, Imagebuilder.GetImageCommandOutput];
  cancelImageCreation: [Imagebuilder.CancelImageCreationCommandInput, Imagebuilder.CancelImageCreationCommandOutput];
}

/** S3 operations winami uses: the bundle of an engine bake, uploaded and deleted again (src/engines/s3-delivery.ts). */
export interface S3Operations {
  headBucket: [S3.HeadBucketCommandInput, S3.HeadBucketCommandOutput];
  putObject: [S3.PutObjectCommandInput, S3.PutObjectCommandOutput];
  deleteObjects: [S3.DeleteObjectsCommandInput, S3.DeleteObjectsCommandOutput];
}

export type S3Port = Port<S3Operations>;
export type OrganizationsPort = Port<OrganizationsOperations>;
export type ImagebuilderPort = Port<ImagebuilderOperations>;
export type Ec2Port = Port<Ec2Operations>;
export type IamPort = Port<IamOperations>;
export type KmsPort = Port<KmsOperations>;
export type SsmPort = Port<SsmOperations>;
export type StsPort = Port<StsOperations>;

/**
 * Ports for one set of credentials (one account), one client per region.
 * Clients are cached, so everything that shares a session also shares the
 * SDK's adaptive client-side rate limiter for that account and region.
 */
export interface AwsSession {
  readonly defaultRegion: string;
  ec2(region?: string): Ec2Port;
  ssm(region?: string): SsmPort;
  sts(region?: string): StsPort;
  /** IAM is global: one client, in us-east-1 (the partition's IAM endpoint). */
  iam(): IamPort;
  kms(region?: string): KmsPort;
  /** AWS Organizations (a global service, called in the partition's main region). Optional: sessions made for tests may lack it. */
  organizations?(): OrganizationsPort;
  /** EC2 Image Builder. Optional: sessions made for tests may lack it. */
  imagebuilder?(region?: string): ImagebuilderPort;
  /** S3 (the bundle of an engine bake). Optional: sessions made for tests may lack it. */
  s3?(region?: string): S3Port;
  /** Close this session's clients and their connections (a session made by `assumeRole`, once done with). Optional. */
  destroy?(): void;
  /** A session for another account, through STS AssumeRole. */
  assumeRole(roleArn: string, sessionName?: string): Promise<AwsSession>;
}
