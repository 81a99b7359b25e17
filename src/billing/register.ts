/**
 * RegisterImage from a snapshot, with every field a Windows image needs set
 * explicitly (the API defaults to `i386` and `paravirtual`, domain-facts
 * §10.2), then the billing gate: RegisterImage derives billing from the
 * snapshot's metadata, and AWS says an empty or wrong PlatformDetails means
 * the creation failed, so the image is discarded (keeping the snapshot it was
 * registered from) and the error says to create the image from an instance.
 */
import type { ArchitectureValues, BootModeValues } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { VerificationError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { EXPECT_TAG, type Expectation } from './expectations.js';
import { verifyImageBilling, type VerifyResult } from './verify.js';
import { discardImage, type DiscardResult, type ImageWaitOptions } from '../image/lifecycle.js';

export interface RegisterOptions {
  snapshotId: string;
  name: string;
  description?: string;
  expectation: Expectation;
  /** Default `x86_64`. */
  architecture?: ArchitectureValues;
  /** Default `/dev/sda1`, the Windows root device on EC2. */
  rootDeviceName?: string;
  /** Default `legacy-bios`, which every Windows Server AMI supports; `uefi` is needed for NitroTPM. */
  bootMode?: BootModeValues;
  /** NitroTPM (`v2.0`); needs `bootMode: uefi`. Default off. */
  tpm?: boolean;
  /** Require IMDSv2 on instances from the image. Default true. */
  imdsV2?: boolean;
  /** Root volume size in GiB; default the snapshot's. */
  volumeSizeGiB?: number;
  tags?: Record<string, string>;
  wait?: Omit<ImageWaitOptions, 'abortSignal'>;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  onCreated?: (imageId: string) => void | Promise<void>;
}

export interface RegisterResult {
  imageId: string;
  verify: VerifyResult;
}

/** The exact RegisterImage input for the options (exported so its shape can be tested). */
export function registerImageInput(o: RegisterOptions) {
  const root = o.rootDeviceName ?? '/dev/sda1';
  const bootMode = o.bootMode ?? (o.tpm ? 'uefi' : 'legacy-bios');
  const tags = [
    { Key: EXPECT_TAG, Value: o.expectation.name ?? o.expectation.usageOperation },
    ...Object.entries(o.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  ];
  return {
    Name: o.name,
    ...(o.description ? { Description: o.description } : {}),
    Architecture: o.architecture ?? 'x86_64',
    VirtualizationType: 'hvm',
    RootDeviceName: root,
    BootMode: bootMode,
    ...(o.tpm ? { TpmSupport: 'v2.0' as const } : {}),
    ...(o.imdsV2 === false ? {} : { ImdsSupport: 'v2.0' as const }),
    EnaSupport: true,
    BlockDeviceMappings: [
      {
        DeviceName: root,
        Ebs: { SnapshotId: o.snapshotId, DeleteOnTermination: true, VolumeType: 'gp3' as const, ...(o.volumeSizeGiB ? { VolumeSize: o.volumeSizeGiB } : {}) },
      },
    ],
    TagSpecifications: [{ ResourceType: 'image' as const, Tags: tags }],
  };
}

/**
 * Register, wait, verify. On wrong or empty billing the image is discarded
 * and a `VerificationError` (exit 6) is thrown carrying the discard result.
 */
export async function registerImageFromSnapshot(ec2: Ec2Port, o: RegisterOptions): Promise<RegisterResult> {
  if (o.tpm && o.bootMode && o.bootMode !== 'uefi') throw new VerificationError(`NitroTPM needs boot mode uefi, not ${o.bootMode}`);
  const report = reportTo(o.reporter ?? silentReporter);
  const call = o.abortSignal ? { abortSignal: o.abortSignal } : undefined;
  const out = await ec2.registerImage(registerImageInput(o), call);
  const imageId = out.ImageId;
  if (!imageId) throw new VerificationError('RegisterImage returned no image id');
  report.info('billing.register.created', `registered ${imageId} from ${o.snapshotId}`, { imageId, snapshotId: o.snapshotId });
  await o.onCreated?.(imageId);
  const verify = await verifyImageBilling(ec2, imageId, o.expectation, {
    wait: { timeoutMs: 2 * 60 * 60_000, ...o.wait, ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}) },
    ...(o.reporter ? { reporter: o.reporter } : {}),
  });
  if (verify.ok) return { imageId, verify };
  const discard: DiscardResult = await discardImage(ec2, imageId, { keepSnapshotIds: [o.snapshotId], ...(o.reporter ? { reporter: o.reporter } : {}) });
  throw new VerificationError(
    `${imageId} registered from ${o.snapshotId} has wrong billing (${verify.check.problems.map((p) => p.message).join('; ')}); it was discarded (${discard.status}) and the snapshot kept`,
    {
      hint: 'A Windows image must be created from an instance: launch one from a license-included Windows AMI (or restore this snapshot as its root volume) and use CreateImage (winami bake does). AWS: "Creation of a Windows AMI from an EBS snapshot is currently not supported."',
      data: { imageId, problems: verify.check.problems, discard },
    },
  );
}
