/**
 * `winami audit` (table format) written to a pipe: long messages are wrapped
 * onto indented lines, never cut with an ellipsis, so a CI log or a file
 * keeps every word; the rule column fits the longest rule id.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterConsistencyWindow, EMULATOR_ACCOUNTS, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';

describe('winami audit --format text (the table) into a pipe (emulator)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1'], images: 1 } });
    const ec2 = sessionFor(emu, 0).ec2('us-east-1');
    const source = (await ec2.describeImages({ Owners: ['self'] })).Images![0]!.ImageId!;
    emu.control.setImageOutcome({ actions: ['CopyImage'], billing: 'empty' });
    await ec2.copyImage({ Name: 'empty-billing', SourceImageId: source, SourceRegion: 'us-east-1' });
    await ec2.copyImage({
      Name: 'tagged',
      SourceImageId: source,
      SourceRegion: 'us-east-1',
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'winami:expect', Value: 'windows-sql-standard' }] }],
    });
    await afterConsistencyWindow();
    for (let i = 0; i < 200; i++) {
      if (((await ec2.describeImages({ Owners: ['self'] })).Images ?? []).every((im) => im.State === 'available')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  after(async () => emu?.stop());

  it('wraps every long message and cuts nothing', async () => {
    const a = EMULATOR_ACCOUNTS[0]!;
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(process.cwd(), 'dist/src/cli/launcher.js'), 'audit', '--regions', 'us-east-1', '--format', 'text'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).to.equal(9);
    expect(out.stdout).to.not.contain('…');
    const lines = out.stdout.split('\n');
    for (const l of lines) expect(l.length, l).to.be.at.most(120);
    // A row and its continuation lines, joined, give the whole message.
    const whole = (rule: string) => {
      const i = lines.findIndex((l) => l.split(/\s+/)[1] === rule);
      expect(i, rule).to.be.greaterThan(-1);
      const parts = [lines[i]!.slice(90)];
      for (let j = i + 1; j < lines.length && /^ {90}\S/.test(lines[j]!); j++) parts.push(lines[j]!.slice(90));
      return parts.join(' ');
    };
    expect(whole('billing-fields-empty')).to.equal(
      'PlatformDetails and UsageOperation are empty: AWS derived no billing for this image; discard it and create it from an instance',
    );
    // A word wider than the column (winami:expect=windows-sql-standard) is split across lines: compare without spaces.
    expect(whole('declared-expectation-mismatch').replace(/ /g, '')).to.match(
      /^tagwinami:expect=windows-sql-standardexpects.*buttheimageisbilledas"Windows"\/RunInstances:0002$/,
    );
  });
});
