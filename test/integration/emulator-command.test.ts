/**
 * `winami emulator` as a user runs it (the package's bin): it prints
 * `listening on`, answers AWS calls, stops on SIGTERM with exit 0 and leaves
 * nothing listening; a bad flag exits 2 naming the flag, whether winami's
 * parser refuses it (an unknown flag) or the emulator's (a bad value; the
 * emulator's own tests cover each value check).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EMULATOR_ACCOUNTS } from '../../emulator/index.js';

const BIN = join(process.cwd(), 'dist/src/cli/launcher.js');

function winami(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

describe('winami emulator (the CLI command)', function () {
  this.timeout(120_000);

  it('starts, prints listening on, answers, and stops on SIGTERM with exit 0', async () => {
    const w = winami(['emulator', '--port', '0', '--time-scale', '0.004']);
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${w.out()}${w.err()}`)), 60_000);
        w.child.stdout.on('data', () => {
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(w.out());
          if (m) (clearTimeout(timer), resolve(m[1]!));
        });
        void w.exit.then((code) => reject(new Error(`exited ${code}: ${w.err()}`)));
      });
      const a = EMULATOR_ACCOUNTS[0]!;
      const ec2 = new EC2Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
      const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
      expect(images.Images?.length).to.be.greaterThan(0);
      ec2.destroy();
      w.child.kill('SIGTERM');
      expect(await w.exit, w.err()).to.equal(0);
      // The emulator itself (a child of winami) stopped too: nothing answers on its port.
      const after = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(5000) }).then(
        () => 'answered',
        (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.name,
      );
      expect(after).to.equal('ECONNREFUSED');
    } finally {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  });

  for (const [args, named] of [
    [['--bogus'], 'bogus'],
    [['--port', 'abc'], '--port'],
  ] as const) {
    it(`refuses ${args.join(' ')} with exit 2, naming ${named}`, async () => {
      const w = winami(['emulator', ...args]);
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 60_000);
      const code = await w.exit;
      clearTimeout(timer);
      expect(code, w.err()).to.equal(2);
      expect(w.err()).to.contain(named);
      expect(w.out()).to.not.contain('listening on');
    });
  }
});
