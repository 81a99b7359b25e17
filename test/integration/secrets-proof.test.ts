/**
 * Secrets are proven in place before sealing: the 2016 example (its
 * administrator password an ssm: SecureString) bakes an image whose answer
 * file holds the escaped password and no token, read from an instance
 * launched from the image; a token the substitution misses stops the bake
 * (SecretsNotResolvedError, exit 7, nothing left) without printing a value;
 * and a run that prints no proof stops it too (fail closed).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/load.js';
import { SecretsNotResolvedError } from '../../src/errors.js';
import { renderBundle } from '../../src/render/bundle.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { afterConsistencyWindow } from './billing-emulator.js';
import { ACCOUNT, bakeOn, leftovers, NOTHING, startBakeEmulator } from './bake-harness.js';

const EXAMPLE = join(process.cwd(), 'examples', 'windows-2016-ec2launch-v2.yaml');
/** A value with characters XML must escape, so the test sees it was escaped, not just pasted. */
const PASSWORD = 'Gold<en>&P@ss"1';
const UNATTEND = 'C:\\ProgramData\\Amazon\\EC2Launch\\sysprep\\unattend.xml';
const AGENT_CONFIG = 'C:\\ProgramData\\Amazon\\EC2Launch\\config\\agent-config.yml';

describe('bake: secrets proven in place before sealing (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const config = loadConfig(EXAMPLE);
  const secret = config.secrets.find((s) => s.slot === 'administratorPassword');

  beforeEach(async () => {
    emu = await startBakeEmulator({ seed: { regions: [config.region] } });
    if (secret?.ref.kind !== 'ssm') throw new Error('the 2016 example no longer reads its password from ssm:');
    emu.control.putParameter({ account: ACCOUNT, region: config.region, name: secret.ref.parameter, value: PASSWORD, type: 'SecureString' });
  });
  afterEach(async () => emu?.stop());

  const leftOver = () => {
    const all = leftovers(emu);
    return { ...all, parameters: all.parameters.filter((p) => p !== (secret?.ref.kind === 'ssm' ? secret.ref.parameter : '')) };
  };

  it('the 2016 example: the image holds the escaped password and no token', async () => {
    const { result, reporter } = await bakeOn(emu, EXAMPLE, { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    expect(reporter.codes()).to.include('bake.secrets.proven');
    const a = EMULATOR_ACCOUNTS[0]!;
    const ec2 = new EC2Client({
      region: config.region,
      endpoint: emu.endpoint,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    });
    try {
      const run = await ec2.send(
        new RunInstancesCommand({
          ImageId: result.images[0]!.imageId,
          InstanceType: 'm5.large',
          MinCount: 1,
          MaxCount: 1,
          IamInstanceProfile: { Name: 'winami-builder' },
        }),
      );
      const id = run.Instances![0]!.InstanceId!;
      const unattend = emu.control.readGuestFile(id, UNATTEND) ?? '';
      const agentConfig = emu.control.readGuestFile(id, AGENT_CONFIG) ?? '';
      expect(unattend).to.contain('<AdministratorPassword>');
      expect(unattend).not.to.contain('@@WINAMI_SECRET:');
      expect(agentConfig).not.to.contain('@@WINAMI_SECRET:');
      expect(unattend).to.contain('Gold&lt;en&gt;&amp;P@ss&quot;1');
      // In the agent's YAML the value sits in a double-quoted scalar: the quote is backslash-escaped.
      expect(agentConfig).to.contain('data: "Gold<en>&P@ss\\"1"');
      // Launched moments ago: EC2 may not know the id yet (eventual consistency).
      await afterConsistencyWindow();
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    } finally {
      ec2.destroy();
    }
    // The value reached the disk only: no event, message or datum carries it.
    expect(JSON.stringify(reporter.events)).not.to.contain('P@ss');
  });

  it('a token the substitution misses stops the bake before sealing: exit 7, counts and paths only, nothing left', async () => {
    // A delivered file holds the password's token although no slot lists it there: the substitution skips it.
    const missed = async (c: typeof config, o: { buildId: string }) => {
      const b = await renderBundle(c, o);
      const files = b.files.map((f) => {
        if (f.path !== 'scripts/check-ready.ps1') return f;
        const content = Buffer.concat([f.content, Buffer.from('\r\n# @@WINAMI_SECRET:administratorPassword@@\r\n')]);
        return { ...f, content, sha256: createHash('sha256').update(content).digest('hex') };
      });
      return { ...b, files };
    };
    const { result, reporter } = await bakeOn(emu, EXAMPLE, { smokeTest: false, renderBundle: missed });
    expect(result.ok).to.equal(false);
    expect(result.exitCode).to.equal(7);
    expect(result.failedStep).to.equal('resolveSecrets');
    expect(result.error).to.be.instanceOf(SecretsNotResolvedError);
    expect(result.error!.message).to.contain('1 token(s) left in C:\\ProgramData\\winami\\scripts\\check-ready.ps1 (1)');
    expect(result.steps.filter((s) => s.status === 'ok').map((s) => s.name)).not.to.include('runSysprep');
    expect(JSON.stringify(reporter.events)).not.to.contain('P@ss');
    expect(result.error!.message).not.to.contain('P@ss');
    expect(leftOver()).to.deep.equal(NOTHING);
  });

  it('a run that prints no proof stops the bake too (fail closed)', async () => {
    emu.control.setGuestDefaults({ failCommand: { match: "$token = '@@WINAMI_SECRET:' + $secret.Slot", exitCode: 0, stdout: 'WINAMI secrets=1\n' } });
    const { result } = await bakeOn(emu, EXAMPLE, { smokeTest: false });
    expect(result.exitCode).to.equal(7);
    expect(result.error).to.be.instanceOf(SecretsNotResolvedError);
    expect(result.error!.message).to.contain('printed no proof');
    expect(leftOver()).to.deep.equal(NOTHING);
  });
});
