/**
 * Seeded Amazon-owned Windows images, with AWS's AMI naming and the billing
 * fields of domain-facts §7.1, the public `/aws/service/ami-windows-latest/`
 * parameters pointing at them, and synthetic owned images for benchmarks.
 */
import { EXPECTATIONS } from '../src/knowledge/billing.js';
import { AGENT_PATHS, RELEASE_INFO, RELEASES, type LaunchAgent, type WindowsRelease } from '../src/knowledge/releases.js';
import { seedWindowsUpdates } from './windows-update.js';
import { seedAwsPackages } from './aws-packages.js';
import { GuestFs } from './guest-fs.js';
import { AMAZON_ACCOUNT, type SeedOptions } from './options.js';
import { installLicenseIncludedSql, sqlInImageName } from './sql-server.js';
import { newId } from './wire.js';
import { IMAGE_STATE } from './windows.js';
import { seedLocalizedImages } from './seed-languages.js';
import type { Billing, DiskOrigin, Image, World } from './world.js';

/**
 * SQL Server versions on AWS's English license-included Windows AMIs, per
 * release and edition, as their public parameters are named (a captured
 * `aws ssm get-parameters-by-path --path /aws/service/ami-windows-latest`
 * listing of 2023; 2025 from its AMI names). Versions the guest does not
 * model (SQL_2014_SP3) are left out.
 */
const SQL_VERSIONS: Record<WindowsRelease, { full: string[]; core: string[] }> = {
  '2012r2': { full: ['SQL_2016_SP3'], core: [] },
  '2016': { full: ['SQL_2016_SP3', 'SQL_2017', 'SQL_2019'], core: ['SQL_2016_SP3'] },
  '2019': { full: ['SQL_2016_SP3', 'SQL_2017', 'SQL_2019', 'SQL_2022'], core: [] },
  '2022': { full: ['SQL_2017', 'SQL_2019', 'SQL_2022'], core: [] },
  '2025': { full: ['SQL_2022'], core: [] },
};
const SQL_EDITIONS = ['Express', 'Web', 'Standard', 'Enterprise'] as const;

function sqlBilling(edition: (typeof SQL_EDITIONS)[number]): Billing {
  const e =
    edition === 'Web'
      ? EXPECTATIONS['windows-sql-web']
      : edition === 'Standard'
        ? EXPECTATIONS['windows-sql-standard']
        : edition === 'Enterprise'
          ? EXPECTATIONS['windows-sql-enterprise']
          : EXPECTATIONS.windows;
  return { platform: 'windows', platformDetails: e.platformDetails, usageOperation: e.usageOperation };
}

/** One seeded image: its name without the date (the public parameter's name), release, agent and billing. */
export interface SeedImage {
  baseName: string;
  release: WindowsRelease;
  agent: LaunchAgent;
  billing: Billing;
  volumeSize: number;
}

/** Every release × edition × SQL combination AWS publishes, as seeded. */
export function seedCatalogue(): SeedImage[] {
  const out: SeedImage[] = [];
  const windows: Billing = { platform: 'windows', platformDetails: EXPECTATIONS.windows.platformDetails, usageOperation: EXPECTATIONS.windows.usageOperation };
  for (const release of RELEASES) {
    const info = RELEASE_INFO[release];
    const prefix = release === '2012r2' ? 'Windows_Server-2012-R2_RTM-English-64Bit' : `Windows_Server-${info.amiNameYear}-English`;
    const full = release === '2012r2' ? prefix : `${prefix}-Full`;
    const core = release === '2012r2' ? `${prefix}-Core` : `${prefix}-Core-Base`;
    out.push({ baseName: `${full}-Base`, release, agent: info.defaultAgent, billing: windows, volumeSize: 30 });
    out.push({ baseName: core, release, agent: info.defaultAgent, billing: windows, volumeSize: 30 });
    if (release === '2016' || release === '2019') {
      // EC2Launch v2 editions of the v1 releases (2012 R2's EC2LaunchV2 image is left out: winami runs EC2Config there).
      out.push({ baseName: `EC2LaunchV2-${full}-Base`, release, agent: 'ec2launch-v2', billing: windows, volumeSize: 30 });
      out.push({ baseName: `EC2LaunchV2-${core}`, release, agent: 'ec2launch-v2', billing: windows, volumeSize: 30 });
    }
    const sql = SQL_VERSIONS[release];
    for (const [edition, versions] of [
      [full, sql.full],
      [`${prefix}-Core`, sql.core],
    ] as const) {
      for (const version of versions) {
        for (const e of SQL_EDITIONS) {
          out.push({ baseName: `${edition}-${version}_${e}`, release, agent: info.defaultAgent, billing: sqlBilling(e), volumeSize: 50 });
        }
      }
    }
  }
  return out;
}

/** AWS's AMI date suffix, `YYYY.MM.DD`. */
function amiDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
}

function origin(agent: LaunchAgent, release: WindowsRelease | undefined, billing: Billing | undefined, fs: GuestFs): DiskOrigin {
  return {
    ...(billing ? { billing } : {}),
    agent,
    ...(release ? { release } : {}),
    fs,
    computerName: 'EC2AMAZ-AMAZON0',
    // AWS's Windows AMIs are sysprepped: their first boot runs specialize and OOBE.
    imageState: IMAGE_STATE.resealOobe,
    sealed: true,
    v1Scheduled: true,
  };
}

/** An AWS Windows image's disk as far as the bake looks: the launch agent's executable and default answer file. */
function agentFs(agent: keyof typeof AGENT_PATHS): GuestFs {
  const fs = new GuestFs();
  fs.write(AGENT_PATHS[agent].exe, Buffer.from('launch agent'));
  fs.write(AGENT_PATHS[agent].unattend, Buffer.from('<unattend/>'));
  return fs;
}

/** A license-included SQL Server image also carries its instance (sql-server.ts), named at the seed computer name. */
function sqlFs(fs: GuestFs, baseName: string): GuestFs {
  const sql = sqlInImageName(baseName);
  if (sql) installLicenseIncludedSql(fs, sql.version, sql.edition, 'EC2AMAZ-AMAZON0');
  return fs;
}

/** Seed the world: Amazon images and public parameters per region, then synthetic images. */
export function seedWorld(world: World, seed: SeedOptions, defaultAccount: string): void {
  const regions = seed.regions ?? ['us-east-1', 'eu-west-1'];
  const now = world.now();
  const created = now - 20 * 86_400_000;
  const date = amiDate(created);
  for (const region of regions) {
    for (const s of seedCatalogue()) {
      const img = makeImage(world, {
        account: AMAZON_ACCOUNT,
        region,
        name: `${s.baseName}-${date}`,
        description: `Microsoft ${RELEASE_INFO[s.release].displayName} with Desktop Experience Locale English AMI provided by Amazon`,
        createdAt: created,
        billing: s.billing,
        origin: origin(
          s.agent,
          s.release,
          s.billing,
          seedWindowsUpdates(seedAwsPackages(sqlFs(agentFs(s.agent), s.baseName), s.agent), s.release, created, now),
        ),
        volumeSize: s.volumeSize,
        isPublic: true,
        ownerAlias: 'amazon',
      });
      world.parameters.set(`*|${region}|/aws/service/ami-windows-latest/${s.baseName}`, {
        name: `/aws/service/ami-windows-latest/${s.baseName}`,
        type: 'String',
        value: img.id,
        version: 1,
        lastModified: created,
        dataType: 'text',
      });
    }
    seedLocalizedImages(world, { regions: [region], created, date });
    const n = seed.images ?? 0;
    if (n > 0) {
      const base = world.images.get(world.parameters.get(`*|${region}|/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base`)!.value)!;
      for (const account of seed.imageAccounts ?? [defaultAccount]) {
        for (let i = 0; i < n; i++) {
          makeImage(world, {
            account,
            region,
            name: `winami-synthetic-${String(i).padStart(6, '0')}`,
            createdAt: created + i,
            ...(seed.emptyBillingEvery && (i + 1) % seed.emptyBillingEvery === 0 ? {} : { billing: base.billing! }),
            origin: base.origin,
            volumeSize: 30,
            isPublic: false,
            tags: i % 2 === 0 ? [['winami:role', 'golden']] : [],
          });
        }
      }
    }
  }
}

/** A completed image with one root snapshot. Shared `origin` objects keep synthetic images small. */
export function makeImage(
  world: World,
  p: {
    account: string;
    region: string;
    name: string;
    description?: string;
    createdAt: number;
    billing?: Billing;
    origin: DiskOrigin;
    volumeSize: number;
    isPublic: boolean;
    ownerAlias?: string;
    tags?: [string, string][];
  },
): Image {
  const snapId = newId('snap');
  world.snapshots.set(snapId, {
    id: snapId,
    account: p.account,
    region: p.region,
    volumeId: 'vol-ffffffff',
    volumeSize: p.volumeSize,
    createdAt: p.createdAt,
    readyAt: p.createdAt,
    description: `Created by CreateImage for ${p.name}`,
    tags: new Map(),
    encrypted: false,
    origin: p.origin,
    deleted: false,
  });
  const img: Image = {
    id: newId('ami'),
    account: p.account,
    region: p.region,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    createdAt: p.createdAt,
    readyAt: p.createdAt,
    visibleAt: p.createdAt,
    ...(p.billing ? { billing: p.billing } : {}),
    architecture: 'x86_64',
    rootDeviceName: '/dev/sda1',
    bdms: [{ deviceName: '/dev/sda1', snapshotId: snapId, volumeSize: p.volumeSize, volumeType: 'gp3', deleteOnTermination: true, encrypted: false }],
    tags: new Map(p.tags ?? []),
    isPublic: p.isPublic,
    launchPermissions: new Set(),
    ...(p.ownerAlias ? { ownerAlias: p.ownerAlias } : {}),
    virtualizationType: 'hvm',
    enaSupport: true,
    bootMode: 'uefi-preferred',
    origin: p.origin,
    deregistered: false,
  };
  world.addImage(img);
  return img;
}
