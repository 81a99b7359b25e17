import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { fastLaunchMonthlyUsd } from '../../../src/knowledge/fast-launch.js';

const withFastLaunch = (body: string) => `name: x\nregion: us-east-1\nwindows:\n  release: "2022"\nimage:\n  fastLaunch:\n${body}`;

function messages(text: string): string[] {
  try {
    parseConfig(text, { configPath: '/tmp/c.yaml' });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('config: image.fastLaunch', () => {
  it('defaults maxParallelLaunches to 6 and the template version to $Default', () => {
    const c = parseConfig(withFastLaunch('    targetResourceCount: 3\n    launchTemplate:\n      name: fl-template\n'), { configPath: '/tmp/c.yaml' });
    expect(c.image.fastLaunch).to.deep.equal({ targetResourceCount: 3, maxParallelLaunches: 6, launchTemplate: { name: 'fl-template', version: '$Default' } });
  });

  it('refuses fewer than 6 or more than 40 parallel launches, no snapshots, and a template named both ways', () => {
    expect(messages(withFastLaunch('    targetResourceCount: 3\n    maxParallelLaunches: 5\n')).join('\n')).to.contain('at least 6 parallel launches');
    expect(messages(withFastLaunch('    targetResourceCount: 3\n    maxParallelLaunches: 41\n')).join('\n')).to.contain('40 parallel launches');
    expect(messages(withFastLaunch('    targetResourceCount: 0\n'))).to.have.length(1);
    expect(
      messages(withFastLaunch('    targetResourceCount: 3\n    launchTemplate:\n      id: lt-0123456789abcdef0\n      name: both\n')).join('\n'),
    ).to.contain('not both');
  });

  it('estimates the snapshots as count × GiB × USD 0.05 a month, in cents', () => {
    expect(fastLaunchMonthlyUsd(5, 30)).to.equal(7.5);
    expect(fastLaunchMonthlyUsd(3, 127)).to.equal(19.05);
  });
});
