import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { parseDurationMs } from '../../../src/config/duration.js';
import { ConfigError } from '../../../src/errors.js';
import { KNOWN_REGIONS, REGIONS_BY_PARTITION } from '../../../src/knowledge/regions.js';

const base = (extra: string, region = 'us-east-1') => `name: x\nregion: ${region}\nwindows:\n  release: "2022"\n${extra}`;

function issuesOf(text: string) {
  try {
    parseConfig(text, { configPath: '/tmp/c.yaml' });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('durations', () => {
  it('reads compound durations as Packer writes them', () => {
    expect(parseDurationMs('1h30m')).to.equal(5_400_000);
    expect(parseDurationMs('2h45m10s')).to.equal(9_910_000);
    expect(parseDurationMs('1.5h')).to.equal(5_400_000);
    expect(parseDurationMs('300ms')).to.equal(300);
    expect(parseDurationMs('20m')).to.equal(1_200_000);
    expect(parseDurationMs(90)).to.equal(90_000);
    expect(() => parseDurationMs('1h30')).to.throw(/not a duration/);
    expect(() => parseDurationMs('')).to.throw(/not a duration/);
  });

  it('accepts deadlines.sysprep: 1h30m in a config, and refuses what is no duration', () => {
    const c = parseConfig(base('deadlines:\n  sysprep: 1h30m\n  createImage: 2h15m\n'));
    expect(c.deadlines.sysprep).to.equal(5_400_000);
    expect(c.deadlines.createImage).to.equal(8_100_000);
    const issues = issuesOf(base('deadlines:\n  sysprep: 1h30\n'));
    expect(issues.map((i) => i.path)).to.deep.equal(['deadlines.sysprep']);
  });
});

describe('regions at config load', () => {
  it('refuses a region AWS does not have, with a did-you-mean, also in image.regions', () => {
    const issues = issuesOf(base('image:\n  regions: [{ region: eu-wset-1 }]\n', 'us-east-9'));
    const region = issues.find((i) => i.path === 'region')!;
    expect(region.message).to.contain('us-east-9');
    expect(region.hint).to.match(/did you mean us-east-[12]\?/);
    const copy = issues.find((i) => i.path === 'image.regions.0.region')!;
    expect(copy.hint).to.equal('did you mean eu-west-1?');
  });

  it('knows the regions of every partition the installed AWS SDK knows', async () => {
    // The SDK's own partitions data, read from the installed @aws-sdk/core (not part of its public exports).
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const { pathToFileURL } = await import('node:url');
    const core = dirname(createRequire(import.meta.url).resolve('@aws-sdk/core/package.json'));
    const { partitionsInfo } = (await import(pathToFileURL(join(core, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js')).href)) as {
      partitionsInfo: { partitions: { id: string; regions: Record<string, unknown> }[] };
    };
    for (const p of partitionsInfo.partitions) {
      const sdk = Object.keys(p.regions)
        .filter((r) => !r.startsWith('aws-'))
        .sort();
      expect([...((REGIONS_BY_PARTITION as Record<string, readonly string[]>)[p.id] ?? [])].sort(), p.id).to.deep.equal(sdk);
    }
    expect(KNOWN_REGIONS.has('eu-west-1')).to.equal(true);
  });
});
