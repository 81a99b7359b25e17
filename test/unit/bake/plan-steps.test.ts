import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { renderBundle } from '../../../src/render/bundle.js';
import { buildPipeline } from '../../../src/bake/pipeline.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { config, richConfig } from '../render/fixtures.js';

/** plan.json's step list must be the list `winami bake` runs, for any config. */
async function expectSameSteps(c: ResolvedConfig, label: string): Promise<void> {
  const bundle = await renderBundle(c);
  const pipeline = buildPipeline(c, { smokeTest: c.smokeTest }).map((s) => s.name);
  expect(bundle.plan.steps, label).to.deep.equal(pipeline);
}

describe("plan.json's bake steps match the pipeline", function () {
  this.timeout(60_000);
  const root = packageRoot();
  const examples = [
    ...readdirSync(join(root, 'examples'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'examples', f)),
    ...readdirSync(join(root, 'examples', 'pipelines', 'configs'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'examples', 'pipelines', 'configs', f)),
  ];

  it(`for every shipped example (${examples.length})`, async () => {
    expect(examples.length).to.be.greaterThan(6);
    for (const path of examples) await expectSameSteps(loadConfig(path), path);
  });

  it('for a config with every optional step, and for one with none', async () => {
    const rich = richConfig('2022', 'ec2launch-v2', 'full');
    await expectSameSteps(config(rich), 'rich');
    const bare = config({ name: 'bare', region: 'us-east-1', windows: { release: '2022' }, smokeTest: false, cleanup: { preSeal: false } });
    await expectSameSteps(bare, 'bare');
    expect((await renderBundle(bare)).plan.steps).to.not.include.members(['customize', 'smokeTest', 'copyToRegions', 'putSecrets']);
  });
});
