/**
 * Launch the builder: the source image with the instance profile, subnet and
 * security groups, IMDSv2 required, the root volume size (encrypted when the
 * image must be: CreateImage cannot change encryption), tags on instance and
 * volumes. The ClientToken comes from the build id, so a retried request
 * cannot start a second builder. Cleanup terminates it and waits, unless the
 * user asked to keep it after a failure.
 */
import type { BlockDeviceMapping, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { reportTo } from '../../reporter.js';
import { buildTags, tagSpecs, terminateAndWait } from '../aws-helpers.js';
import { creating, markKept, markRemoved, scaled, track, type BakeContext } from '../context.js';
import type { BakeState } from '../state.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

/** The RunInstances request for an instance of this build (`role` builder or smoke-test). */
export function runInstancesInput(state: BakeState, imageId: string, role: 'builder' | 'smoke-test'): RunInstancesCommandInput {
  const b = state.config.builder;
  const tags = buildTags(state.buildId, `${state.config.name} ${role} ${state.buildId}`, role, b.tags);
  const root: BlockDeviceMapping | undefined =
    role === 'builder' && state.source?.rootDeviceName
      ? {
          DeviceName: state.source.rootDeviceName,
          Ebs: {
            DeleteOnTermination: true,
            VolumeType: b.rootVolumeType,
            ...(b.rootVolumeSize ? { VolumeSize: b.rootVolumeSize } : {}),
            ...(state.config.image.encrypted ? { Encrypted: true, ...(state.config.image.kmsKeyId ? { KmsKeyId: state.config.image.kmsKeyId } : {}) } : {}),
          },
        }
      : undefined;
  const extra: BlockDeviceMapping[] =
    role === 'builder'
      ? b.volumes.map((v) => ({
          DeviceName: v.deviceName,
          Ebs: {
            VolumeSize: v.size,
            VolumeType: v.type,
            DeleteOnTermination: v.deleteOnTermination,
            ...(v.iops ? { Iops: v.iops } : {}),
            ...(v.throughput ? { Throughput: v.throughput } : {}),
          },
        }))
      : [];
  const mappings = [...(root ? [root] : []), ...extra];
  const profile = b.instanceProfile ? (b.instanceProfile.startsWith('arn:') ? { Arn: b.instanceProfile } : { Name: b.instanceProfile }) : undefined;
  const network =
    b.associatePublicIp !== undefined
      ? {
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              AssociatePublicIpAddress: b.associatePublicIp,
              ...(b.subnetId ? { SubnetId: b.subnetId } : {}),
              ...(b.securityGroupIds.length ? { Groups: b.securityGroupIds } : {}),
            },
          ],
        }
      : { ...(b.subnetId ? { SubnetId: b.subnetId } : {}), ...(b.securityGroupIds.length ? { SecurityGroupIds: b.securityGroupIds } : {}) };
  return {
    ImageId: imageId,
    InstanceType: b.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: `winami-${state.buildId}-${role}`.slice(0, 64),
    ...(profile ? { IamInstanceProfile: profile } : {}),
    ...network,
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 },
    ...(mappings.length ? { BlockDeviceMappings: mappings } : {}),
    TagSpecifications: tagSpecs(['instance', 'volume'], tags),
  };
}

/** Launch one instance and record its id at once. */
export async function launchInstance(
  state: BakeState,
  ctx: BakeContext & { signal: AbortSignal },
  imageId: string,
  role: 'builder' | 'smoke-test',
): Promise<string> {
  const out = await creating(state, ctx, { kind: 'instance', region: state.region, role }, () =>
    ctx.session.ec2(state.region).runInstances(runInstancesInput(state, imageId, role), { abortSignal: ctx.signal }),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id) throw new Error('RunInstances returned no instance id');
  track(state, ctx, { kind: 'instance', id, region: state.region, role });
  return id;
}

export const launchBuilder: BakeStep = {
  name: 'launchBuilder',
  title: 'Launch the builder',
  actions: ['ec2:RunInstances', 'ec2:CreateTags', 'ec2:TerminateInstances', 'ec2:DescribeInstances', 'iam:PassRole'],
  async run(state, ctx) {
    const id = await launchInstance(state, ctx, need(state, 'source', ctx.step).imageId, 'builder');
    state.builder = { instanceId: id };
    reportTo(ctx.reporter).info('bake.builder', `builder ${id} (${state.config.builder.instanceType}) launched`, { instanceId: id });
  },
  async cleanup(state, ctx) {
    const r = state.resources.find((x) => x.role === 'builder' && x.kind === 'instance');
    if (!r || r.removed) return;
    if (ctx.outcome !== 'ok' && ctx.onError === 'keep' && !state.builder?.terminating) {
      markKept(state, ctx, r, 'on-error-keep');
      reportTo(ctx.reporter).warn(
        'bake.builder.kept',
        `kept the builder ${r.id} for inspection (--on-error keep); remove it with: winami cleanup --build-id ${state.buildId}`,
        { instanceId: r.id },
      );
      return;
    }
    await terminateAndWait(
      ctx,
      ctx.session.ec2(state.region),
      r.id,
      ctx.signal,
      scaled(ctx, state.config.deadlines.cleanup),
      state.builder?.terminating === true,
    );
    markRemoved(state, ctx, r.id, state.region);
  },
};
