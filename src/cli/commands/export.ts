/** `winami export automation|imagebuilder|packer <config> --out <dir>`: the bake as an engine's documents, offline. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand, sourceRootOption, sourceRoots } from '../command.js';
import { ExitCode } from '../../errors.js';

export const exportCommand: CliCommand = {
  command: 'export <engine> <config>',
  describe: 'Render the bake for SSM Automation (runbook + CloudFormation), EC2 Image Builder (CloudFormation) or Packer (HCL), offline',
  builder: (y) =>
    sourceRootOption(commonOptions(y))
      .positional('engine', { choices: ['automation', 'imagebuilder', 'packer'] as const, describe: 'The engine to render for', demandOption: true })
      .positional('config', { type: 'string', describe: 'The image config (YAML or JSON)', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'Directory to write the documents into', default: 'out' })
      .option('allow-plaintext-secrets', { type: 'boolean', default: false, describe: 'Accept literal secrets in the config (throwaway tests only)' })
      .example('$0 export automation examples/windows-2022-base.yaml --out out/', 'Write out/runbook.yaml and out/template.yaml')
      .example('$0 export imagebuilder image.yaml --out ib/', 'Write ib/template.yaml (components, recipe, configurations, pipeline)')
      .example('$0 export packer image.yaml --out packer/', 'Write packer/build.pkr.hcl'),
  run: (args) =>
    runCommand(args, async () => {
      const { exportEngine } = await import('../../engines/export.js');
      const { textReporter } = await import('../text-reporter.js');
      const json = Boolean(args.json);
      const result = await exportEngine({
        configPath: String(args.config),
        engine: args.engine as 'automation' | 'imagebuilder' | 'packer',
        outDir: String(args.out),
        allowSourceRoots: sourceRoots(args),
        allowPlaintextSecrets: Boolean(args.allowPlaintextSecrets),
        reporter: textReporter({ json, quiet: Boolean(args.quiet) }),
      });
      if (json) process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
      else process.stdout.write(`${result.files.map((f) => `wrote ${result.outDir}/${f.path} (${f.bytes} bytes)`).join('\n')}\n`);
      return ExitCode.OK;
    }),
};
