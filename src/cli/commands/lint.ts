/** `winami lint <files or globs>`: check answer files and launch-agent settings offline. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { ExitCode } from '../../errors.js';

const KINDS = ['unattend', 'agent-config', 'launch-config', 'ec2config-config', 'ec2config-bundle', 'powershell', 'packer-hcl', 'packer-json'];

let noted = false;

/**
 * `--fail-on` in the words `audit --fail-on` uses (SARIF's levels: error,
 * warning, note). `info`, lint's earlier word for `note`, still works, with a
 * note on stderr.
 */
export function failOnWord(value: string): string {
  if (value !== 'info') return value;
  if (!noted) process.stderr.write("note: --fail-on info is now --fail-on note, the word audit uses; 'info' still works\n");
  noted = true;
  return 'note';
}

export const lintCommand: CliCommand = {
  command: 'lint <files..>',
  describe:
    "Check unattend.xml, agent-config.yml, LaunchConfig.json, EC2Config XML and seal scripts (.ps1, Packer templates) against the Windows Setup reference and the agents' documentation",
  builder: (y) =>
    commonOptions(y)
      .positional('files', { type: 'string', array: true, describe: 'Files, directories or globs (quote globs)', demandOption: true })
      .option('format', { alias: 'f', choices: ['text', 'json', 'sarif'], default: 'text', describe: 'Output format' })
      .option('fail-on', {
        choices: ['error', 'warning', 'note', 'none'],
        default: 'error',
        coerce: failOnWord,
        describe: `Exit ${ExitCode.FINDINGS} when a finding at or above this severity exists (as audit --fail-on; info is read as note)`,
      })
      .option('kind', { choices: KINDS, describe: 'Treat every file as this kind instead of detecting it' })
      .option('arch', { choices: ['amd64', 'x86', 'arm64'], describe: 'Architecture of the image; components must match it' })
      .option('agent', { choices: ['ec2launch-v2', 'ec2launch-v1', 'ec2config'], describe: 'Launch agent; checks what its answer file must keep' })
      .option('allow-placeholders', {
        type: 'boolean',
        default: false,
        describe: 'Tolerate template syntax ({{…}}, {%…%}, ${…}, %{…}, @@NAME@@) in values; the literal text around it is still checked',
      })
      .option('disable', { type: 'string', array: true, default: [], describe: 'Rule ids to turn off' })
      .example('$0 lint answer-files/**/unattend.xml', 'Lint every rendered answer file')
      .example("$0 lint 'templates/**/*.xml' --allow-placeholders --agent ec2launch-v2", 'Lint templates, tolerating placeholders')
      .example('$0 lint autounattend.xml --format sarif > lint.sarif', 'SARIF for a code-scanning UI')
      .example('$0 lint agent-config.yml LaunchConfig.json --fail-on warning', 'Fail on warnings too')
      .example('$0 lint path/to/repo --format sarif', 'Seal scripts, Packer templates and answer files of a repository, with file and line'),
  run: (args) =>
    runCommand(args, async () => {
      const lint = await import('../../lint/index.js');
      const { VERSION } = await import('../version.js');
      const files = (args.files as string[] | undefined) ?? [];
      const disable = ((args.disable as string[] | undefined) ?? []).flatMap((d) => String(d).split(',')).filter(Boolean);
      const result = await lint.lintFiles(files, {
        ...(args.kind ? { kind: args.kind as never } : {}),
        ...(args.arch ? { architecture: args.arch as never } : {}),
        ...(args.agent ? { agent: args.agent as never } : {}),
        allowPlaceholders: Boolean(args.allowPlaceholders),
        disable,
      });
      const format = args.json ? 'json' : String(args.format);
      const shown = args.quiet ? result.findings.filter((f) => f.severity !== 'info') : result.findings;
      if (format === 'sarif') process.stdout.write(lint.formatSarif(shown, VERSION));
      else if (format === 'json') process.stdout.write(lint.formatJson(shown, result.files, result.skipped));
      else process.stdout.write(lint.formatText(shown, result.files, result.skipped));
      return lint.shouldFail(result.findings, (args.failOn === 'note' ? 'info' : String(args.failOn)) as never) ? ExitCode.FINDINGS : ExitCode.OK;
    }),
};
