/** `winami register --snapshot <snap-id> --expect <name>`: RegisterImage with every Windows field set, then the billing gate. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, sessionFromArgs } from '../aws-options.js';
import { ExitCode } from '../../errors.js';

export const registerCommand: CliCommand = {
  command: 'register',
  describe: 'Register an image from a snapshot with every Windows field set explicitly, verify its billing, discard it if wrong',
  builder: (y) =>
    awsOptions(commonOptions(y))
      .option('snapshot', { type: 'string', demandOption: true, describe: 'Root-volume snapshot id' })
      .option('expect', { type: 'string', demandOption: true, describe: 'Expected billing (windows, windows-byol, windows-sql-standard, …)' })
      .option('name', { type: 'string', describe: 'Image name (default winami-<snapshot>-<time>)' })
      .option('architecture', { choices: ['x86_64', 'arm64'], default: 'x86_64' })
      .option('boot-mode', { choices: ['legacy-bios', 'uefi', 'uefi-preferred'], describe: 'Default legacy-bios (uefi with --tpm)' })
      .option('tpm', { type: 'boolean', default: false, describe: 'NitroTPM v2.0 (needs uefi)' })
      .option('imds-v2', { type: 'boolean', default: true, describe: 'Require IMDSv2 on instances from the image' })
      .option('root-device', { type: 'string', default: '/dev/sda1' })
      .option('wait-minutes', { type: 'number', default: 120, describe: 'How long to wait for the image to be available' })
      .example('$0 register --snapshot snap-0abc --expect windows', 'Register, and discard it unless billed as Windows'),
  run: (args) =>
    runCommand(args, async () => {
      const { registerImageFromSnapshot } = await import('../../billing/register.js');
      const { resolveExpectation } = await import('../../billing/expectations.js');
      const { textReporter } = await import('../text-reporter.js');
      const expectation = resolveExpectation({ name: String(args.expect) });
      const snapshotId = String(args.snapshot);
      const ec2 = (await sessionFromArgs(args)).ec2();
      const r = await registerImageFromSnapshot(ec2, {
        snapshotId,
        name: (args.name as string | undefined) ?? `winami-${snapshotId}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
        expectation,
        architecture: args.architecture as 'x86_64' | 'arm64',
        ...(args.bootMode ? { bootMode: args.bootMode as 'uefi' } : {}),
        tpm: Boolean(args.tpm),
        imdsV2: args.imdsV2 !== false,
        rootDeviceName: String(args.rootDevice),
        wait: { timeoutMs: Number(args.waitMinutes) * 60_000 },
        reporter: textReporter({ json: Boolean(args.json), quiet: Boolean(args.quiet) }),
      });
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: true, imageId: r.imageId, fields: r.verify.fields, expected: expectation }, null, 2)}\n`);
      else process.stdout.write(`${r.imageId}: billed as ${r.verify.fields.PlatformDetails} / ${r.verify.fields.UsageOperation}, as expected\n`);
      return ExitCode.OK;
    }),
};
