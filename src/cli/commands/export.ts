/** `winami export automation|imagebuilder|packer <config> --out <dir>`: the bake as an engine's documents, offline. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand, sourceRootOption, sourceRoots } from '../command.js';
import { ExitCode } from '../../errors.js';
import { awsOptions, sessionFromArgs } from '../aws-options.js';

export const exportCommand: CliCommand = {
  command: 'export <engine> <config>',
  describe: 'Render the bake for SSM Automation (runbook + CloudFormation), EC2 Image Builder (CloudFormation) or Packer (HCL), offline',
  builder: (y) =>
    awsOptions(sourceRootOption(commonOptions(y)))
      .positional('engine', { choices: ['automation', 'imagebuilder', 'packer'] as const, describe: 'The engine to render for', demandOption: true })
      .positional('config', { type: 'string', describe: 'The image config (YAML or JSON)', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'Directory to write the documents into', default: 'out' })
      .option('allow-plaintext-secrets', { type: 'boolean', default: false, describe: 'Accept literal secrets in the config (throwaway tests only)' })
      .option('bundle-bucket', {
        type: 'string',
        describe:
          'S3 bucket (in the config region, default engine.bundleBucket): automation delivers the bundle from it when it cannot go inline; imagebuilder creates its components from documents stored there',
      })
      .option('upload', {
        type: 'boolean',
        default: true,
        describe: 'With S3 delivery: upload the objects (--no-upload only writes them under <out>/bundle/)',
      })
      .example('$0 export automation examples/windows-2022-base.yaml --out out/', 'Write out/runbook.yaml and out/template.yaml')
      .example(
        '$0 export automation big.yaml --out out/ --bundle-bucket my-bundles',
        'A bundle too large for the 64 KB document: uploaded to S3, fetched by the runbook',
      )
      .example('$0 export imagebuilder image.yaml --out ib/', 'Write ib/template.yaml (components, recipe, configurations, pipeline)')
      .example('$0 export packer image.yaml --out packer/', 'Write packer/build.pkr.hcl'),
  run: (args) =>
    runCommand(args, async () => {
      const { exportEngine } = await import('../../engines/export.js');
      const { textReporter } = await import('../text-reporter.js');
      const json = Boolean(args.json);
      // AWS is only called to upload S3-delivered objects (a bundle, component documents); every other export stays offline.
      const session = (args.engine === 'automation' || args.engine === 'imagebuilder') && args.upload !== false ? () => sessionFromArgs(args) : undefined;
      const result = await exportEngine({
        ...(typeof args.bundleBucket === 'string' ? { bundleBucket: args.bundleBucket } : {}),
        ...(session ? { session } : {}),
        configPath: String(args.config),
        engine: args.engine as 'automation' | 'imagebuilder' | 'packer',
        outDir: String(args.out),
        allowSourceRoots: sourceRoots(args),
        allowPlaintextSecrets: Boolean(args.allowPlaintextSecrets),
        reporter: textReporter({ json, quiet: Boolean(args.quiet) }),
      });
      if (json) process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
      else {
        process.stdout.write(`${result.files.map((f) => `wrote ${result.outDir}/${f.path} (${f.bytes} bytes)`).join('\n')}\n`);
        if (result.bundle)
          process.stdout.write(
            `bundle: ${result.bundle.keys.length} objects ${result.bundle.uploaded ? 'uploaded to' : 'to upload to'} s3://${result.bundle.bucket}/${result.bundle.prefix}/\n`,
          );
        for (const t of result.largeTemplates)
          process.stdout.write(
            `${t}: over CloudFormation's 51,200-byte TemplateBody limit; deploy it with a TemplateURL from S3 (aws cloudformation deploy --s3-bucket BUCKET)\n`,
          );
      }
      return ExitCode.OK;
    }),
};
