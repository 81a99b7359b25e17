/**
 * "Did you mean" for the command line: a mistyped or foreign command name
 * (`validate`, `build`: what Packer calls `prepare` and `bake`), and a
 * mistyped flag (`--dryrun`), matched ignoring case and dashes first, then by
 * edit distance.
 */
import { nearest } from '../lint/suggest.js';

/** Commands other tools (Packer, linters) use for what a winami command does. */
const SYNONYMS: Record<string, string> = {
  validate: 'prepare',
  check: 'prepare',
  render: 'prepare',
  build: 'bake',
  create: 'bake',
  new: 'init',
  inspect: 'verify',
  fmt: 'lint',
  destroy: 'cleanup',
  clean: 'cleanup',
  deregister: 'discard',
};

const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');

/** The command meant by `word`, if any. */
export function suggestCommand(word: string, commands: readonly string[]): string | undefined {
  const synonym = SYNONYMS[word.toLowerCase()];
  if (synonym && commands.includes(synonym)) return synonym;
  return nearest(word, commands);
}

/** The flag meant by `name` (without dashes), among `flags` (kebab-case, without dashes), if any. */
export function suggestFlag(name: string, flags: readonly string[]): string | undefined {
  const exact = flags.find((f) => squash(f) === squash(name));
  return exact ?? nearest(name, flags);
}

/**
 * Hints for yargs' "Unknown argument(s): a, b": for each unknown word, the
 * flag or command it probably meant. `argv` is what the user typed.
 */
export function usageHints(message: string, argv: readonly string[], commands: readonly string[], flags: readonly string[]): string[] {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return [];
  const hints: string[] = [];
  const firstWord = argv.find((a) => !a.startsWith('-'));
  for (const word of m[1]!.split(', ')) {
    const asFlag = argv.some((a) => a === `--${word}` || a.startsWith(`--${word}=`) || a === `-${word}`);
    if (asFlag) {
      const flag = suggestFlag(word, flags);
      if (flag) hints.push(`--${word}: did you mean --${flag}?`);
    } else if (word === firstWord) {
      const command = suggestCommand(word, commands);
      hints.push(command ? `${word}: did you mean \`winami ${command}\`?` : `${word} is not a winami command; \`winami --help\` lists them`);
    }
  }
  return hints;
}
