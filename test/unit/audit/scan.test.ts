/**
 * One account-region's scan against a scripted EC2: snapshots are listed only
 * once the image list is read (so a region's snapshots are never held while
 * images page in), judged page by page against it, and a page gate shared by
 * scopes bounds the listing calls in hand at once.
 */
import { expect } from 'chai';
import pLimit from 'p-limit';
import type { Image, Snapshot } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../../../src/aws/ports.js';
import { scanRegion } from '../../../src/audit/scan.js';
import { RULE_PACK } from '../../../src/audit/pack.js';
import type { Finding } from '../../../src/audit/types.js';
import { ctx } from './fixtures.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 2));

interface Script {
  images: Image[];
  snapshots: Snapshot[];
  pageSize: number;
  failImages?: boolean;
}

/** A fake EC2 that pages its lists and records the order of calls and how many are in progress at once. */
function fakeEc2(s: Script, shared: { inFlight: number; maxInFlight: number }) {
  const log: string[] = [];
  const page = async <T>(items: T[], token: string | undefined, max: number, what: string) => {
    shared.inFlight++;
    shared.maxInFlight = Math.max(shared.maxInFlight, shared.inFlight);
    log.push(`${what} ${token ?? 0}`);
    await tick();
    shared.inFlight--;
    const from = Number(token ?? 0);
    const to = Math.min(items.length, from + max);
    return { items: items.slice(from, to), next: to < items.length ? String(to) : undefined };
  };
  const ec2 = {
    async describeImages(input: { MaxResults?: number; NextToken?: string }) {
      if (s.failImages) {
        await tick();
        throw Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' });
      }
      const p = await page(s.images, input.NextToken, input.MaxResults ?? 1000, 'images');
      return { Images: p.items, NextToken: p.next };
    },
    async describeSnapshots(input: { MaxResults?: number; NextToken?: string }) {
      const p = await page(s.snapshots, input.NextToken, Math.min(s.pageSize, input.MaxResults ?? 1000), 'snapshots');
      return { Snapshots: p.items, NextToken: p.next };
    },
  } as unknown as Ec2Port;
  return { ec2, log };
}

const image = (i: number): Image => ({
  ImageId: `ami-${i}`,
  Name: `img-${i}`,
  State: 'available',
  PlatformDetails: 'Windows',
  UsageOperation: 'RunInstances:0002',
  Platform: 'windows' as Image['Platform'],
  OwnerId: '111111111111',
  BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: `snap-${i}`, Encrypted: true, VolumeSize: 30 } }],
});
const snapshot = (id: string, forImage?: string): Snapshot => ({
  SnapshotId: id,
  VolumeSize: 30,
  Encrypted: true,
  StartTime: new Date('2025-01-01T00:00:00Z'),
  ...(forImage ? { Description: `Created by CreateImage(i-0) for ${forImage}` } : {}),
});

function scan(s: Script, shared = { inFlight: 0, maxInFlight: 0 }, pageGate?: <T>(w: () => Promise<T>) => Promise<T>) {
  const { ec2, log } = fakeEc2(s, shared);
  const findings: Finding[] = [];
  const done = scanRegion({
    account: '111111111111',
    region: 'us-east-1',
    ec2,
    rules: RULE_PACK,
    ctx: ctx(),
    snapshots: true,
    instances: false,
    pageSize: s.pageSize,
    onFinding: (f) => findings.push(f),
    onPage: () => {},
    afterPage: tick,
    ...(pageGate ? { pageGate } : {}),
  });
  return { done, log, findings };
}

describe('scanRegion', () => {
  it('lists snapshots only after the last image page, and judges every page of them against the whole image list', async () => {
    const images = Array.from({ length: 25 }, (_, i) => image(i));
    // Orphans on every snapshot page, including the first: made for images that no longer exist.
    const snapshots = [
      ...Array.from({ length: 25 }, (_, i) => snapshot(`snap-${i}`, `ami-${i}`)),
      ...Array.from({ length: 12 }, (_, i) => snapshot(`snap-gone-${i}`, `ami-gone-${i}`)),
      snapshot('snap-made-for-a-later-image', 'ami-24'),
    ];
    snapshots.sort((a, b) => (a.SnapshotId! < b.SnapshotId! ? -1 : 1));
    const { done, log, findings } = scan({ images, snapshots, pageSize: 10 });
    const r = await done;
    expect(r.failures).to.deep.equal([]);
    expect([r.images, r.snapshots]).to.deep.equal([25, 38]);
    const firstSnapshots = log.findIndex((l) => l.startsWith('snapshots'));
    expect(log.slice(0, firstSnapshots)).to.deep.equal(['images 0', 'images 10', 'images 20']);
    expect(log.filter((l) => l.startsWith('snapshots'))).to.have.length(4);
    const orphans = findings.filter((f) => f.ruleId === 'orphaned-snapshot').map((f) => f.resourceId);
    expect(orphans.sort()).to.deep.equal(Array.from({ length: 12 }, (_, i) => `snap-gone-${i}`).sort());
  });

  it('without the image list, reads no snapshots and says they were not judged', async () => {
    const { done, log, findings } = scan({ images: [], snapshots: [snapshot('snap-x', 'ami-gone')], pageSize: 10, failImages: true });
    const r = await done;
    expect(log.filter((l) => l.startsWith('snapshots'))).to.deep.equal([]);
    expect(r.failures.map((f) => f.stage)).to.deep.equal(['images', 'snapshots']);
    expect(r.failures[1]!.message).to.match(/not judged/);
    expect(findings).to.deep.equal([]);
  });

  it('a page gate shared by scopes bounds the listing calls in hand across them', async () => {
    const script = (): Script => ({
      images: Array.from({ length: 30 }, (_, i) => image(i)),
      snapshots: Array.from({ length: 30 }, (_, i) => snapshot(`snap-${i}`)),
      pageSize: 5,
    });
    const ungated = { inFlight: 0, maxInFlight: 0 };
    await Promise.all(Array.from({ length: 6 }, () => scan(script(), ungated).done));
    const gated = { inFlight: 0, maxInFlight: 0 };
    const gate = pLimit(2);
    const runs = Array.from({ length: 6 }, () => scan(script(), gated, gate));
    const results = await Promise.all(runs.map((r) => r.done));
    expect(ungated.maxInFlight).to.be.greaterThan(2);
    expect(gated.maxInFlight).to.equal(2);
    // The gate changes when pages are read, not what is found.
    expect(results.map((r) => [r.images, r.snapshots, r.failures.length])).to.deep.equal(Array(6).fill([30, 30, 0]));
    expect(runs.map((r) => r.findings.length)).to.deep.equal(Array(6).fill(runs[0]!.findings.length));
  });
});
