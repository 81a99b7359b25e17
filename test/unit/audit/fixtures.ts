/** Plain subjects for rule and format tests. */
import type { Image, Instance, Snapshot } from '@aws-sdk/client-ec2';
import type { ImageSubject, InstanceSubject, RuleContext, SnapshotSubject } from '../../../src/audit/types.js';

export const NOW = new Date('2025-06-01T00:00:00Z');
export const ctx = (over: Partial<RuleContext> = {}): RuleContext => ({ now: NOW, ...over });

export function imageSubject(image: Partial<Image> = {}): ImageSubject {
  return {
    kind: 'image',
    account: '111111111111',
    region: 'us-east-1',
    image: {
      ImageId: 'ami-0123456789abcdef0',
      Name: 'golden-windows-2022',
      State: 'available',
      Platform: 'windows' as Image['Platform'], // what DescribeImages returns, though the model enum says Windows
      PlatformDetails: 'Windows',
      UsageOperation: 'RunInstances:0002',
      OwnerId: '111111111111',
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-1', Encrypted: true, VolumeSize: 30 } }],
      ...image,
    },
  };
}

export function snapshotSubject(over: Partial<SnapshotSubject> = {}, snapshot: Partial<Snapshot> = {}): SnapshotSubject {
  return {
    kind: 'snapshot',
    account: '111111111111',
    region: 'us-east-1',
    snapshot: { SnapshotId: 'snap-9', VolumeSize: 50, Description: 'Created by CreateImage(i-1) for ami-dead', ...snapshot },
    usedByImage: false,
    createdForImageId: 'ami-dead',
    createdForImageExists: false,
    ...over,
  };
}

export function instanceSubject(instance: Partial<Instance> = {}, image?: Partial<Image>): InstanceSubject {
  return {
    kind: 'instance',
    account: '222222222222',
    region: 'eu-west-1',
    instance: { InstanceId: 'i-0abc', ImageId: 'ami-src', State: { Name: 'running', Code: 16 }, ...instance },
    image: image === undefined ? undefined : ({ ImageId: 'ami-src', OwnerId: '801119661308', ...image } as Image),
  };
}
