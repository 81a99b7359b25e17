#!/usr/bin/env node
/**
 * The `winami` command line: parses argv, builds the real reporter (and, for
 * AWS commands, the real session), calls the library, renders the result and
 * maps errors to exit codes. Each command lives in `commands/<name>.ts`; the
 * AWS SDK is only loaded by commands that call AWS.
 */
import { VERSION } from './version.js';
import { EXIT_CODE_NAMES } from '../exit-codes.js';

const USAGE = 2;
const INTERNAL = 1;

/** A usage problem yargs found (unknown command or option, missing argument). */
class UsageFailure extends Error {}

async function main(argv: string[]): Promise<number> {
  // `--version` answers before yargs and the command modules load: it is the
  // start-up path scripts call most.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // The AWS SDK prints a nine-line NodeVersionSupportWarning once per process on Node < 22, that is on
  // every command winami runs on Node 20, which it supports; package.json pins the SDK below the releases
  // that need Node 22 (CONTRIBUTING.md, "Dependencies"). An explicit setting of the variable wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [{ default: yargs }, { COMMANDS }, { guardOutput }, { usageHints }, { DOCS_URL }] = await Promise.all([
    import('yargs'),
    import('./commands/index.js'),
    import('./streams.js'),
    import('./suggest.js'),
    import('./docs-url.js'),
  ]);
  guardOutput();
  const exitCodes = Object.entries(EXIT_CODE_NAMES)
    .map(([code, name]) => `${code} ${name}`)
    .join(', ');
  let exitCode = 0;
  const cli = yargs(argv)
    .scriptName('winami')
    .usage('$0 <command> [options]\n\nBuild Windows golden AMIs on AWS over SSM, and prove they are billed right.')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'Name a command; `winami --help` lists them.')
    .recommendCommands()
    .example('$0 prepare examples/windows-2022-base.yaml --out out/', 'Render and validate a bundle, offline')
    .example('$0 lint out/', 'Lint an answer file and agent settings')
    .example('$0 bake examples/windows-2022-base.yaml', 'Build the image on AWS and verify its billing')
    .example('$0 verify ami-0123456789abcdef0 --expect windows', "Check an image's billing fields")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .completion('completion', 'Print a bash/zsh completion script: winami completion >> ~/.bashrc')
    .epilogue(`Exit codes: ${exitCodes} (README, "Exit codes"). Docs: ${DOCS_URL}`)
    .fail((msg, err) => {
      if (err) throw err;
      // Flags as the user types them (kebab-case), for "did you mean --dry-run?".
      const keys = Object.keys((cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key).filter((k) => !/[A-Z]/.test(k));
      const hints = usageHints(
        msg ?? '',
        argv,
        COMMANDS.map((c) => String(c.command).split(' ')[0]!),
        keys,
      );
      // Throwing stops yargs: it would otherwise go on to report further problems and run the command anyway.
      throw new UsageFailure([msg, ...hints].filter(Boolean).join('\n'));
    });
  for (const command of COMMANDS) {
    cli.command({
      command: command.command,
      describe: command.describe,
      builder: command.builder,
      handler: async (args) => {
        exitCode = await command.run(args as Record<string, unknown>);
      },
    });
  }
  try {
    await cli.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageFailure)) throw err;
    process.stderr.write(`winami: ${err.message}\nRun 'winami --help' for usage.\n`);
    return USAGE;
  }
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`winami: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = INTERNAL;
  },
);
