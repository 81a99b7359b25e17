/** `winami prepare <config> --out <dir>`: render and validate a bundle, offline. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand, sourceRootOption, sourceRoots } from '../command.js';
import { ExitCode } from '../../errors.js';

export const prepareCommand: CliCommand = {
  command: 'prepare <config>',
  describe: 'Render answer file, launch-agent settings and PowerShell from a config, validated, into a directory (offline)',
  builder: (y) =>
    sourceRootOption(commonOptions(y))
      .positional('config', { type: 'string', describe: 'The image config (YAML or JSON)', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'Directory to write the bundle into', default: 'out' })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: "Replace --out even if it holds files that are not a winami bundle (never the config's folder or the working directory)",
      })
      .option('allow-plaintext-secrets', { type: 'boolean', default: false, describe: 'Accept literal secrets in the config (throwaway tests only)' })
      .example('$0 prepare examples/windows-2022-base.yaml --out out/', 'Write the bundle for the 2022 example into out/')
      .example('$0 prepare image.yaml --out bundle --json', 'Print the result as JSON'),
  run: (args) =>
    runCommand(args, async () => {
      const { prepare } = await import('../../prepare.js');
      const { textReporter } = await import('../text-reporter.js');
      const json = Boolean(args.json);
      const result = await prepare({
        configPath: String(args.config),
        outDir: String(args.out),
        force: Boolean(args.force),
        allowSourceRoots: sourceRoots(args),
        allowPlaintextSecrets: Boolean(args.allowPlaintextSecrets),
        reporter: textReporter({ json, quiet: Boolean(args.quiet) }),
      });
      if (json) {
        process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
      } else {
        const exp = result.expectation
          ? `${result.expectation.platformDetails} (${result.expectation.usageOperation})`
          : 'taken from the source image at bake time';
        process.stdout.write(
          [
            `${result.name}: Windows Server ${result.release} ${result.edition}, ${result.launchAgent}`,
            `expected billing: ${exp}`,
            `wrote ${result.files.length} files to ${result.outDir}:`,
            ...result.files.map((f) => `  ${f.path}${f.destination ? `  → ${f.destination}` : ''}`),
            result.warnings.length ? `${result.warnings.length} warning(s) above` : '',
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      }
      return ExitCode.OK;
    }),
};
