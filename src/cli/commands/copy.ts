/** `winami copy <ami-id> --to <region>[=<kms-key>]...`: the bake's copy step for an existing image. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, listOf, sessionFromArgs } from '../aws-options.js';
import { ExitCode, UsageError } from '../../errors.js';

/** `eu-west-1` or `eu-west-1=alias/golden`. */
export function parseCopyTarget(spec: string): { region: string; kmsKeyId?: string } {
  const [region, ...key] = spec.split('=');
  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new UsageError(`--to "${spec}": expected <region>[=<kms-key>], e.g. eu-west-1=alias/golden`);
  const kmsKeyId = key.join('=');
  return kmsKeyId ? { region, kmsKeyId } : { region };
}

export const copyCommand: CliCommand = {
  command: 'copy <ami-id>',
  describe: "Copy an image to regions in parallel, idempotently; verify each copy's billing and discard a bad copy",
  builder: (y) =>
    awsOptions(commonOptions(y))
      .positional('ami-id', { type: 'string', describe: 'Source image id (in --region)' })
      .option('to', { type: 'string', array: true, demandOption: true, describe: 'Destination <region>[=<kms-key>]; repeat or comma-separate' })
      .option('name', { type: 'string', describe: "Name of the copies (default the source's name)" })
      .option('expect', { type: 'string', describe: "Expected billing (default: the source image's own)" })
      .option('client-token', { type: 'string', describe: 'Idempotency prefix (default copy-<ami-id>); rerunning with the same one never makes a second copy' })
      .option('wait-minutes', { type: 'number', default: 180 })
      .example('$0 copy ami-0abc --region us-east-1 --to eu-west-1 --to ap-southeast-2=alias/golden', 'Copy to two regions, the second encrypted'),
  run: (args) =>
    runCommand(args, async () => {
      const { copyImageToRegions } = await import('../../billing/copy.js');
      const { resolveExpectation } = await import('../../billing/expectations.js');
      const { describeImage } = await import('../../image/lifecycle.js');
      const { textReporter } = await import('../text-reporter.js');
      const targets = listOf(args.to).map(parseCopyTarget);
      const session = await sessionFromArgs(args);
      const sourceImageId = String(args.amiId);
      const source = await describeImage(session.ec2(), sourceImageId);
      const expectation = typeof args.expect === 'string' ? resolveExpectation({ name: args.expect }) : resolveExpectation({ lineage: source });
      const account = (await session.sts().getCallerIdentity({})).Account;
      const result = await copyImageToRegions(session, {
        sourceImageId,
        sourceRegion: session.defaultRegion,
        targets,
        name: (args.name as string | undefined) ?? source.Name ?? sourceImageId,
        expectation,
        clientTokenPrefix: (args.clientToken as string | undefined) ?? `copy-${sourceImageId}`,
        wait: { timeoutMs: Number(args.waitMinutes) * 60_000 },
        reporter: textReporter({ json: Boolean(args.json), quiet: Boolean(args.quiet) }),
        ...(account ? { ownerAccountId: account } : {}),
      });
      if (args.json)
        process.stdout.write(
          `${JSON.stringify({ ok: result.ok, expected: expectation, copies: result.copies.map(({ verify, ...c }) => ({ ...c, fields: verify?.fields })) }, null, 2)}\n`,
        );
      else
        for (const c of result.copies)
          process.stdout.write(
            `${c.region}: ${c.status}${c.imageId ? ` ${c.imageId}` : ''}${c.reused ? ' (existing copy)' : ''}${c.error ? ` — ${c.error.message}` : ''}\n`,
          );
      if (result.ok) return ExitCode.OK;
      return result.copies.some((c) => c.status === 'discarded') ? ExitCode.VERIFICATION : ExitCode.PARTIAL;
    }),
};
