/**
 * Deprecation and Fast Launch on `bake --engine imagebuilder`, end to end on
 * the emulator: Fast Launch rides in the distribution configuration
 * (`fastLaunchConfigurations`, enabled by Image Builder on each region's AMI)
 * and the bake waits for `enabled` after its own billing check; deprecation,
 * which the distribution has no setting for, is scheduled by the bake on the
 * verified images. A Fast Launch that fails discards every output.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { bakeOnImageBuilder } from '../../src/engines/run-imagebuilder.js';
import { exportEngine } from '../../src/engines/export.js';
import { imageBuilderRequests, toApiInput } from '../../src/engines/imagebuilder.js';
import { enginePlan } from '../../src/engines/plan.js';
import { loadConfig } from '../../src/config/load.js';
import { renderBundle } from '../../src/render/bundle.js';
import { botocoreProblems, cfnLint } from '../unit/engines/tools.js';
import { MemoryReporter } from '../../src/reporter.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { configFor, leftovers, NOTHING, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

const FINISH = [
  '  regions:',
  '    - region: eu-west-1',
  '  deprecateAfter: 30d',
  '  fastLaunch:',
  '    targetResourceCount: 2',
  '    maxParallelLaunches: 6',
].join('\n');

describe('bake --engine imagebuilder: deprecation and Fast Launch (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator();
  });
  after(() => emu?.stop());
  beforeEach(() => emu?.control.reset());
  const journalDir = mkdtempSync(join(tmpdir(), 'winami-ib-finish-'));
  const run = (config: string) => {
    const reporter = new MemoryReporter();
    return bakeOnImageBuilder({ config, session: sessionOn(emu), reporter, timeScale: TIME_SCALE, journalDir }).then((r) => ({ r, reporter }));
  };

  it('exports fastLaunchConfigurations in every region of the distribution, and no deprecation (Image Builder has none there)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'winami-ib-finish-export-'));
    await exportEngine({ configPath: configFor('2022', FINISH), engine: 'imagebuilder', outDir: out });
    const template = readFileSync(join(out, 'template.yaml'), 'utf8');
    expect(template.match(/FastLaunchConfigurations:/g)).to.have.length(2);
    expect(template).to.contain('TargetResourceCount: 2').and.contain('MaxParallelLaunches: 6').and.contain('Enabled: true');
    expect(template).not.to.match(/deprecat/i);
  });

  it('sends a distribution with Fast Launch, and components from S3, that botocore accepts; cfn-lint accepts the template', async function () {
    const config = loadConfig(configFor('2022', FINISH));
    const plan = enginePlan(config, await renderBundle(config));
    const requests = imageBuilderRequests(config, plan, { documents: { bucket: 'winami-components', prefix: 'winami/golden/b-1' } });
    const problems = botocoreProblems(
      requests.map((r) => ({
        label: r.logicalId,
        service: 'imagebuilder',
        operation: r.operation,
        params: { ...toApiInput(r.input, 'us-east-1', '111111111111'), clientToken: 't' },
      })),
    );
    if (!problems) {
      console.log('      skipped: botocore is not installed');
      return this.skip();
    }
    expect(Object.entries(problems).filter(([, p]) => p.length)).to.deep.equal([]);
    expect(requests.filter((r) => r.operation === 'CreateComponent').every((r) => typeof r.input.uri === 'string' && r.input.data === undefined)).to.equal(
      true,
    );
    const out = mkdtempSync(join(tmpdir(), 'winami-ib-finish-lint-'));
    await exportEngine({ configPath: configFor('2022', FINISH), engine: 'imagebuilder', outDir: out, bundleBucket: 'winami-components' });
    const lint = cfnLint(join(out, 'template.yaml'));
    if (lint !== undefined) expect(lint).to.equal('');
  });

  it('enables Fast Launch through the distribution, waits for it after the billing check, and schedules deprecation on every output', async () => {
    const before = Date.now();
    const { r, reporter } = await run(configFor('2022', FINISH));
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.images.map((i) => i.region).sort()).to.deep.equal(['eu-west-1', 'us-east-1']);
    for (const i of r.images) expect(emu.control.fastLaunchState(i.imageId), i.imageId).to.equal('enabled');
    const codes = reporter.events.map((e) => e.code);
    // Fast Launch was confirmed only after winami's own billing check of every output.
    expect(codes.indexOf('bake.fastLaunch')).to.be.greaterThan(codes.lastIndexOf('billing.verify.ok'));
    const fl = reporter.events.find((e) => e.code === 'bake.fastLaunch')!.data as { images: { targetResourceCount: number }[]; estimatedMonthlyUsd: number };
    expect(fl.images.map((x) => x.targetResourceCount)).to.deep.equal([2, 2]);
    expect(fl.estimatedMonthlyUsd).to.be.greaterThan(0);
    const a = EMULATOR_ACCOUNTS[0]!;
    for (const i of r.images) {
      const ec2 = new EC2Client({ region: i.region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
      const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [i.imageId] }))).Images![0]!;
      ec2.destroy();
      const at = Date.parse(img.DeprecationTime!);
      const month = 30 * 86_400_000;
      // Rounded down to the minute, as the local bake does.
      expect(at).to.be.within(before + month - 60_000, Date.now() + month);
    }
  });

  it('keeps following the build when its polls stay throttled past the SDK retries', async () => {
    emu.control.addFault({ service: 'imagebuilder', action: 'GetImage', errorCode: 'ThrottlingException', status: 400, times: 12 });
    const { r } = await run(configFor('2022'));
    expect(r.ok, r.error?.message).to.equal(true);
    expect(emu.control.calls().filter((c) => c.action === 'GetImage' && c.errorCode === 'ThrottlingException')).to.have.length(12);
  });

  it('discards every output when Fast Launch fails on one, naming the image, and leaves nothing', async () => {
    emu.control.failFastLaunch('*', 'InsufficientCapacity: no capacity for the pre-provisioning launches');
    const { r } = await run(configFor('2022', FINISH));
    expect(r.ok).to.equal(false);
    expect(r.error?.message).to.match(/Fast Launch on ami-\w+ in [a-z0-9-]+: .*enabling-failed.*InsufficientCapacity/);
    expect(r.discarded).to.have.length(2);
    expect(r.images).to.deep.equal([]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });
});
