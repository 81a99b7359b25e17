/** `winami verify <ami-id>...`: check each image's billing fields against the table and an expectation. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, sessionFromArgs } from '../aws-options.js';
import { ExitCode } from '../../errors.js';

export const verifyCommand: CliCommand = {
  command: 'verify <ami-ids..>',
  describe: "Check images' billing fields (PlatformDetails/UsageOperation): present, consistent with AWS's table, and as expected",
  builder: (y) =>
    awsOptions(commonOptions(y))
      .positional('ami-ids', { type: 'string', array: true, describe: 'Image ids' })
      .option('expect', {
        type: 'string',
        describe:
          'Expected billing: windows, windows-byol, windows-sql-web|standard|enterprise, … Default: the winami:expect tag, else the SQL edition in the name, else only presence and consistency',
      })
      .example('$0 verify ami-0abc --expect windows-sql-standard', 'Fail unless billed as Windows with SQL Server Standard'),
  run: (args) =>
    runCommand(args, async () => {
      const { resolveExpectation, verifyImageBilling, expectationForImage } = await import('../../billing/index.js');
      const { asWinamiError } = await import('../../errors.js');
      const explicit = typeof args.expect === 'string' ? resolveExpectation({ name: args.expect }) : undefined;
      const ec2 = (await sessionFromArgs(args)).ec2();
      const rows = [];
      let code: number = ExitCode.OK;
      for (const imageId of (args.amiIds as string[]).map(String)) {
        try {
          const r = await verifyImageBilling(ec2, imageId, (image) => expectationForImage(image, explicit));
          rows.push({ imageId, ok: r.ok, name: r.name, ...r.fields, expected: r.expectation, problems: r.check.problems, notes: r.check.notes });
          if (!r.ok) code = ExitCode.VERIFICATION;
        } catch (err) {
          const e = asWinamiError(err);
          rows.push({ imageId, ok: false, error: { code: e.code, message: e.message, hint: e.hint } });
          if (code === ExitCode.OK) code = e.exitCode === ExitCode.USAGE ? ExitCode.VERIFICATION : e.exitCode;
        }
      }
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: code === ExitCode.OK, images: rows }, null, 2)}\n`);
      else {
        for (const r of rows) {
          if ('error' in r && r.error) process.stdout.write(`${r.imageId}  ERROR  ${r.error.message}${r.error.hint ? `\n  hint: ${r.error.hint}` : ''}\n`);
          else if ('PlatformDetails' in r) {
            const exp = r.expected
              ? ` (expected ${r.expected.platformDetails} / ${r.expected.usageOperation}, from ${r.expected.derivedFrom})`
              : ' (no expectation: presence and consistency only)';
            process.stdout.write(`${r.imageId}  ${r.ok ? 'OK  ' : 'FAIL'}  ${r.PlatformDetails ?? '(empty)'} / ${r.UsageOperation ?? '(empty)'}${exp}\n`);
            for (const p of r.problems) process.stdout.write(`  - ${p.message}\n`);
            for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
          }
        }
      }
      return code;
    }),
};
