/**
 * EC2 Query XML for the emulator's resources, element names as botocore's
 * ec2 2016-11-15 model writes them (`locationName`), lists as `<item>`.
 */
import { el, esc, iso, isoSeconds, set, tagSetXml } from './wire.js';
import { STATE_CODES, type Image, type Instance, type Snapshot, type Volume, type World } from './world.js';

/**
 * An image's `<item>…</item>` as UTF-8 bytes, cached on the image: a page of
 * DescribeImages is then a concatenation of buffers, with no serialising,
 * string flattening or re-encoding per request. Callers that change an image
 * clear `img.xml`; the state is part of the key because it changes with time.
 */
export function imageItem(world: World, img: Image, now: number): Buffer {
  const state = world.imageState(img, now);
  if (img.xml !== undefined && img.xmlKey === state) return img.xml;
  img.xml = Buffer.from(`<item>${imageXml(img, state)}</item>`);
  img.xmlKey = state;
  return img.xml;
}

/** The body of an image's `<item>` in its given state. */
export function imageXml(img: Image, state: string): string {
  let s =
    el('imageId', img.id) +
    el('imageLocation', `${img.ownerAlias ?? img.account}/${img.name}`) +
    el('imageState', state) +
    el('imageOwnerId', img.account) +
    el('creationDate', isoSeconds(img.createdAt)) +
    el('isPublic', img.isPublic) +
    el('architecture', img.architecture) +
    el('imageType', 'machine');
  if (img.billing?.platform) s += el('platform', img.billing.platform);
  s += el('platformDetails', img.billing?.platformDetails ?? '') + el('usageOperation', img.billing?.usageOperation ?? '');
  if (img.ownerAlias) s += el('imageOwnerAlias', img.ownerAlias);
  s += el('name', img.name);
  if (img.description !== undefined) s += el('description', img.description);
  s += el('rootDeviceType', 'ebs') + el('rootDeviceName', img.rootDeviceName);
  s += set(
    'blockDeviceMapping',
    img.bdms.map(
      (b) =>
        el('deviceName', b.deviceName) +
        `<ebs>${el('snapshotId', b.snapshotId)}${el('volumeSize', b.volumeSize)}${el('deleteOnTermination', b.deleteOnTermination)}${el('volumeType', b.volumeType)}${el('encrypted', b.encrypted)}${b.kmsKeyId ? el('kmsKeyId', b.kmsKeyId) : ''}</ebs>`,
    ),
  );
  s += el('virtualizationType', img.virtualizationType) + el('hypervisor', 'xen') + el('enaSupport', img.enaSupport);
  if (img.bootMode) s += el('bootMode', img.bootMode);
  if (img.imdsSupport) s += el('imdsSupport', img.imdsSupport);
  if (img.tags.size) s += tagSetXml(img.tags);
  if (state === 'failed' && img.failReason) s += `<stateReason>${el('code', img.failReason.code)}${el('message', img.failReason.message)}</stateReason>`;
  if (img.sourceInstanceId) s += el('sourceInstanceId', img.sourceInstanceId);
  if (img.sourceImageId) s += el('sourceImageId', img.sourceImageId);
  if (img.sourceImageRegion) s += el('sourceImageRegion', img.sourceImageRegion);
  if (img.deprecationTime) s += el('deprecationTime', img.deprecationTime);
  return s;
}

export function stateXml(tag: string, name: keyof typeof STATE_CODES): string {
  return `<${tag}>${el('code', STATE_CODES[name])}${el('name', name)}</${tag}>`;
}

export function instanceXml(world: World, inst: Instance): string {
  const az = inst.availabilityZone;
  const groups = inst.groupIds.map(
    (id) => el('groupId', id) + el('groupName', world.networks.get(`${inst.account}|${inst.region}`)?.groups.get(id)?.name ?? ''),
  );
  let s =
    el('instanceId', inst.id) +
    el('imageId', inst.imageId) +
    stateXml('instanceState', inst.state) +
    el('privateDnsName', inst.state === 'terminated' ? '' : `ip-${inst.privateIp.replace(/\./g, '-')}.${inst.region}.compute.internal`) +
    el('dnsName', '') +
    el('reason', inst.reason);
  if (inst.keyName) s += el('keyName', inst.keyName);
  s +=
    el('amiLaunchIndex', inst.amiLaunchIndex) +
    el('instanceType', inst.instanceType) +
    el('launchTime', iso(inst.launchedAt)) +
    `<placement>${el('availabilityZone', az)}${el('groupName', '')}${el('tenancy', 'default')}</placement>`;
  if (inst.billing?.platform) s += el('platform', inst.billing.platform);
  s += `<monitoring>${el('state', 'disabled')}</monitoring>`;
  if (inst.state !== 'terminated') {
    s += el('subnetId', inst.subnetId) + el('vpcId', inst.vpcId) + el('privateIpAddress', inst.privateIp);
    if (inst.publicIp) s += el('ipAddress', inst.publicIp);
  }
  s += set('groupSet', inst.state === 'terminated' ? [] : groups);
  if (inst.state !== 'terminated') {
    const association = inst.publicIp
      ? `<association>${el('publicIp', inst.publicIp)}${el('publicDnsName', '')}${el('ipOwnerId', 'amazon')}</association>`
      : '';
    s += set('networkInterfaceSet', [
      el('networkInterfaceId', `eni-${inst.id.slice(2)}`) +
        el('subnetId', inst.subnetId) +
        el('vpcId', inst.vpcId) +
        el('ownerId', inst.account) +
        el('status', 'in-use') +
        el('privateIpAddress', inst.privateIp) +
        el('sourceDestCheck', true) +
        set('groupSet', groups) +
        `<attachment>${el('attachmentId', `eni-attach-${inst.id.slice(2)}`)}${el('deviceIndex', 0)}${el('status', 'attached')}${el('attachTime', iso(inst.launchedAt))}${el('deleteOnTermination', true)}</attachment>` +
        association +
        set('privateIpAddressesSet', [el('privateIpAddress', inst.privateIp) + el('primary', true) + association]) +
        el('interfaceType', 'interface'),
    ]);
  }
  if (inst.stateReason) s += `<stateReason>${el('code', inst.stateReason.code)}${el('message', inst.stateReason.message)}</stateReason>`;
  s += el('architecture', inst.architecture) + el('rootDeviceType', 'ebs') + el('rootDeviceName', inst.rootDeviceName);
  const bdm: string[] = [];
  if (inst.state !== 'terminated') {
    for (const vid of inst.volumeIds) {
      const v = world.volumes.get(vid);
      if (!v || v.deleted) continue;
      bdm.push(
        el('deviceName', v.device) +
          `<ebs>${el('volumeId', v.id)}${el('status', 'attached')}${el('attachTime', iso(inst.launchedAt))}${el('deleteOnTermination', v.deleteOnTermination)}</ebs>`,
      );
    }
  }
  s += set('blockDeviceMapping', bdm);
  s += el('virtualizationType', 'hvm');
  if (inst.clientToken) s += el('clientToken', inst.clientToken);
  if (inst.tags.size) s += tagSetXml(inst.tags);
  s += el('hypervisor', 'xen');
  if (inst.iamInstanceProfile) s += `<iamInstanceProfile>${el('arn', inst.iamInstanceProfile.arn)}${el('id', inst.iamInstanceProfile.id)}</iamInstanceProfile>`;
  s += el('ebsOptimized', false) + el('enaSupport', true);
  const m = inst.metadataOptions;
  s += `<metadataOptions>${el('state', 'applied')}${el('httpTokens', m.httpTokens)}${el('httpPutResponseHopLimit', m.httpPutResponseHopLimit)}${el('httpEndpoint', m.httpEndpoint)}${el('instanceMetadataTags', m.instanceMetadataTags)}</metadataOptions>`;
  s += el('platformDetails', inst.billing?.platformDetails ?? '') + el('usageOperation', inst.billing?.usageOperation ?? '');
  s += el('usageOperationUpdateTime', iso(inst.launchedAt));
  return s;
}

export function snapshotXml(world: World, s: Snapshot, now: number): string {
  const state = world.snapshotState(s, now);
  const progress = state === 'completed' ? 100 : Math.min(99, Math.floor(((now - s.createdAt) / Math.max(1, s.readyAt - s.createdAt)) * 100));
  let x =
    el('snapshotId', s.id) +
    el('volumeId', s.volumeId) +
    el('status', state) +
    el('startTime', iso(s.createdAt)) +
    el('progress', `${progress}%`) +
    el('ownerId', s.account) +
    el('volumeSize', s.volumeSize) +
    el('description', s.description) +
    el('encrypted', s.encrypted);
  if (s.kmsKeyId) x += el('kmsKeyId', s.kmsKeyId);
  if (state === 'completed') x += el('completionTime', iso(s.readyAt));
  if (s.tags.size) x += tagSetXml(s.tags);
  x += el('storageTier', 'standard');
  return x;
}

export function volumeXml(world: World, v: Volume): string {
  const inst = world.instances.get(v.instanceId);
  const attached = inst !== undefined && inst.state !== 'terminated';
  let x =
    el('volumeId', v.id) +
    el('size', v.size) +
    (v.snapshotId ? el('snapshotId', v.snapshotId) : el('snapshotId', '')) +
    el('availabilityZone', inst?.availabilityZone ?? `${v.region}a`) +
    el('status', attached ? 'in-use' : 'available') +
    el('createTime', iso(v.createdAt));
  x += set(
    'attachmentSet',
    attached
      ? [
          el('volumeId', v.id) +
            el('instanceId', v.instanceId) +
            el('device', v.device) +
            el('status', 'attached') +
            el('attachTime', iso(v.createdAt)) +
            el('deleteOnTermination', v.deleteOnTermination),
        ]
      : [],
  );
  if (v.tags.size) x += tagSetXml(v.tags);
  x += el('volumeType', v.volumeType) + el('encrypted', v.encrypted) + (v.kmsKeyId ? el('kmsKeyId', v.kmsKeyId) : '') + el('multiAttachEnabled', false);
  if (v.volumeType === 'gp3') x += el('iops', 3000) + el('throughput', 125);
  return x;
}

export { esc };
