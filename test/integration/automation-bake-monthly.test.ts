/**
 * The monthly rebuild (examples/windows-2022-monthly.yaml) through
 * `bake --engine automation` on the emulator: the runbook brings AWS's drivers
 * and agents up to date through AWS-ConfigureAWSPackage and AWS-UpdateSSMAgent
 * between two version reports, installs the month's updates with winami's
 * Windows Update Agent script across its restart, and the image carries both.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { bakeOnAutomation } from '../../src/engines/run-automation.js';
import { MemoryReporter } from '../../src/reporter.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { catalogue } from '../../emulator/windows-update.js';
import { automationScriptsUnavailable } from '../emulator-tests/helpers.js';
import { installedUpdatesIn, leftovers, NOTHING, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

const ROLE = 'arn:aws:iam::111111111111:role/winami-runbook';
const MONTHLY = join(process.cwd(), 'examples/windows-2022-monthly.yaml');

describe('bake --engine automation: the monthly example (emulator)', function () {
  this.timeout(240_000);
  let emu: Emulator;
  before(async function () {
    const why = automationScriptsUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    emu = await startBakeEmulator();
  });
  after(() => emu?.stop());

  it("runs AWS's documents between the version reports and the Windows Update script, and the image has the updates", async () => {
    const reporter = new MemoryReporter();
    const r = await bakeOnAutomation({
      config: MONTHLY,
      session: sessionOn(emu),
      roleArn: ROLE,
      reporter,
      timeScale: TIME_SCALE,
      journalDir: mkdtempSync(join(tmpdir(), 'winami-engine-journal-')),
    });
    expect(r.ok, r.error?.message).to.equal(true);
    const steps = [...new Set(reporter.events.filter((e) => e.code === 'engine.step').map((e) => (e.data as { step: string }).step))];
    const at = (name: string) => steps.indexOf(name);
    const report = 'Customize01AWSDriversAndAgents';
    const documents = ['Ec2launch', 'SsmAgent', 'Ena', 'Nvme', 'PvDriver'].map((c) => `${report}${c}`);
    for (const d of documents) expect(at(d), d).to.be.greaterThan(at(report));
    expect(at(`${report}After`)).to.be.greaterThan(Math.max(...documents.map(at)));
    expect(at('Customize02PatchTuesday')).to.be.greaterThan(at(`${report}After`));

    // Each document ran on the builder and succeeded: AWS-ConfigureAWSPackage four times (one package each), AWS-UpdateSSMAgent once.
    const a = EMULATOR_ACCOUNTS[0]!;
    const ssm = new SSMClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
    const commands = (await ssm.send(new ListCommandsCommand({}))).Commands ?? [];
    ssm.destroy();
    const ran = commands
      .filter((c) => c.DocumentName !== 'AWS-RunPowerShellScript')
      .map((c) => [c.DocumentName, c.Parameters?.name?.[0] ?? '', c.Status])
      .sort();
    expect(ran).to.deep.equal([
      ['AWS-ConfigureAWSPackage', 'AWSEC2Launch-Agent', 'Success'],
      ['AWS-ConfigureAWSPackage', 'AWSNVMe', 'Success'],
      ['AWS-ConfigureAWSPackage', 'AWSPVDriver', 'Success'],
      ['AWS-ConfigureAWSPackage', 'AwsEnaNetworkDriver', 'Success'],
      ['AWS-UpdateSSMAgent', '', 'Success'],
    ]);

    expect(r.images.map((i) => [i.region, i.usageOperation])).to.deep.equal([['us-east-1', 'RunInstances:0002']]);
    const newest = catalogue('2022', 0)
      .slice(0, 3)
      .map((u) => u.kb);
    expect(await installedUpdatesIn(emu, r.images[0]!.imageId)).to.include.members(newest);
    for (
      let i = 0;
      i < 200 &&
      leftovers(
        emu,
        r.images.map((x) => x.imageId),
      ).instances.length > 0;
      i++
    )
      await new Promise((res) => setTimeout(res, 25));
    expect(
      leftovers(
        emu,
        r.images.map((x) => x.imageId),
      ),
    ).to.deep.equal(NOTHING);
  });
});
