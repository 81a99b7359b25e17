/**
 * `winami emulator`: the local AWS emulator (EC2, SSM, STS, IAM, KMS, S3,
 * Organizations, SSM Automation) that winami's own tests run against, for
 * trying a bake with no AWS account and testing configs and pipelines offline.
 * It ships in the package as its own program, dist/emulator/cli.js, run here
 * as a child process (the CLI bundle cannot import an ES module);
 * emulator/SPEC.md says what it models and refuses.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CliCommand } from '../command.js';
import { packageRoot } from '../../util/package-root.js';

export const emulatorCommand: CliCommand = {
  command: 'emulator',
  describe: 'Run the local AWS emulator on 127.0.0.1 to try bakes with no AWS account (Ctrl-C stops it)',
  builder: (y) =>
    y
      .option('port', { type: 'string', describe: 'Port on 127.0.0.1 (default 4566; 0 picks a free one)' })
      .option('time-scale', { type: 'string', describe: 'Multiply every lifecycle duration (0.004 makes a bake take seconds)' })
      .option('seed', { type: 'string', describe: 'A seed file: {"regions": [...], "images": N, "imageAccounts": [...]}' })
      .option('throttling', { type: 'boolean', default: true, describe: 'Throttle EC2 and SSM calls as AWS does (--no-throttling turns it off)' })
      .option('consistency-window-ms', { type: 'string', describe: 'New image and instance ids answer NotFound this long (real ms)' })
      .example('$0 emulator --port 4566 --time-scale 0.004', 'Then: AWS_ENDPOINT_URL=http://127.0.0.1:4566 winami bake …'),
  run: (args) => {
    const argv: string[] = [];
    for (const name of ['port', 'time-scale', 'seed', 'consistency-window-ms']) {
      const v = args[name];
      if (v !== undefined) argv.push(`--${name}`, String(v));
    }
    if (args.throttling === false) argv.push('--no-throttling');
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'emulator', 'cli.js'), ...argv, '--prog', 'winami emulator'], { stdio: 'inherit' });
    // Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to winami alone is passed on.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', forward);
    return new Promise<number>((resolve) => {
      child.on('error', (err) => {
        process.stderr.write(`winami: could not start the emulator: ${err.message}\n`);
        resolve(1);
      });
      child.on('exit', (code, signal) => {
        process.off('SIGTERM', forward);
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  },
};
