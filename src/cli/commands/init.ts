/** `winami init [file]`: a starting config from a shipped example, with its scripts and the JSON Schema beside it. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { ExitCode } from '../../errors.js';

export const initCommand: CliCommand = {
  command: 'init [file]',
  describe: 'Write a starting config from an example shipped with winami, with the scripts it uses and the JSON Schema beside it (offline)',
  builder: (y) =>
    commonOptions(y)
      .positional('file', { type: 'string', describe: 'The config file to write (default winami.yaml)' })
      .option('example', { alias: 'e', type: 'string', describe: 'Start from this example (default windows-2022-base; --list shows them)' })
      .option('list', { type: 'boolean', default: false, describe: 'List the examples and write nothing' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite files that exist' })
      .example('$0 init', 'Write winami.yaml (Windows Server 2022), scripts/ and winami.schema.json here')
      .example('$0 init --example windows-2019-ec2launch-v1 image.yaml', 'Start from another example'),
  run: (args) =>
    runCommand(args, async () => {
      const { initConfig, listExamples } = await import('../../init.js');
      if (args.list) {
        const names = listExamples();
        process.stdout.write(args.json ? `${JSON.stringify({ ok: true, examples: names })}\n` : `${names.join('\n')}\n`);
        return ExitCode.OK;
      }
      const r = initConfig({
        ...(typeof args.example === 'string' ? { example: args.example } : {}),
        ...(typeof args.file === 'string' ? { file: args.file } : {}),
        force: Boolean(args.force),
      });
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: true, ...r })}\n`);
      else {
        process.stdout.write(`wrote ${r.config} from the ${r.example} example, with ${r.files.slice(1).join(', ')}\n`);
        process.stdout.write(`next: edit it (builder.instanceProfile, subnet, security groups), then: winami prepare ${r.config}\n`);
      }
      return ExitCode.OK;
    }),
};
