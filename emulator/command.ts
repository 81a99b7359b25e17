/**
 * The emulator's command line, shared by `winami emulator` and
 * `npm run emulator` (emulator/cli.ts): parse and check the flags, start the
 * emulator, print `listening on http://127.0.0.1:<port>`, and stop on
 * SIGINT/SIGTERM. Returns the process's exit code: 0 after a signal, 2 for bad
 * flags or a bad seed file, 1 when the port is taken.
 */
import type { Emulator } from './index.js';
import { readSeedFile, SeedError } from './seed-options.js';

export function emulatorUsage(prog: string): string {
  return `usage: ${prog} [--port N] [--time-scale N] [--seed <file.json>] [--no-throttling] [--consistency-window-ms N]
  --port N                   port on 127.0.0.1 (default 4566; 0 picks a free one)
  --time-scale N             multiplies every lifecycle duration (default 1; 0.01 makes a 60 s boot 0.6 s)
  --seed <file.json>         {"regions": [...], "images": N, "imageAccounts": [...]} (emulator/SPEC.md)
  --no-throttling            turn off EC2 and SSM request token buckets
  --consistency-window-ms N  new image and instance ids answer NotFound this long (real ms)`;
}

const VALUED = ['--port', '--time-scale', '--seed', '--consistency-window-ms'];
const FLAGS = ['--no-throttling', '--help', '-h'];
/** `--prog NAME`: how the usage names the program (winami's `emulator` command passes it). */
const PROG = '--prog';

/** Parsed command line, or the list of problems with it. */
function parse(argv: string[]): { values: Map<string, string>; flags: Set<string>; problems: string[] } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (name === PROG) {
      i++;
      continue;
    }
    if (VALUED.includes(name)) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') problems.push(`${name} needs a value`);
      else values.set(name, value);
    } else if (FLAGS.includes(a)) flags.add(a);
    else problems.push(`unknown argument ${JSON.stringify(a)}`);
  }
  return { values, flags, problems };
}

function number(values: Map<string, string>, name: string, fallback: number, ok: (n: number) => boolean, rule: string, problems: string[]): number {
  const raw = values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n)) problems.push(`${name} ${JSON.stringify(raw)}: ${rule}`);
  return n;
}

/** Run the emulator with these arguments until a signal; resolves with the exit code. */
export async function runEmulatorCommand(argv: string[], defaultProg = 'npm run emulator --'): Promise<number> {
  const progAt = argv.indexOf(PROG);
  const usage = emulatorUsage(progAt >= 0 && argv[progAt + 1] ? argv[progAt + 1]! : defaultProg);
  const { values, flags, problems } = parse(argv);
  if (flags.has('--help') || flags.has('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const port = number(values, '--port', 4566, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'give a whole number from 0 to 65535', problems);
  const timeScale = number(values, '--time-scale', 1, (n) => n > 0, 'give a number above 0, e.g. 0.01', problems);
  const consistencyWindowMs = number(values, '--consistency-window-ms', 0, (n) => n >= 0, 'give a number of milliseconds, 0 or more', problems);
  let seed: ReturnType<typeof readSeedFile> | undefined;
  const seedPath = values.get('--seed');
  if (seedPath) {
    try {
      seed = readSeedFile(seedPath);
    } catch (err) {
      if (!(err instanceof SeedError)) throw err;
      problems.push(...err.problems.map((p) => `--seed ${seedPath}: ${p}`));
    }
  }
  if (problems.length) {
    process.stderr.write(`emulator: ${problems.join('\nemulator: ')}\n${usage}\n`);
    return 2;
  }
  let emu: Emulator;
  try {
    // Loaded only once the arguments are good: the emulator's modules (the SDK its Automation uses among them)
    // take a second or two to load, which a refusal need not wait for.
    const { startEmulator } = await import('./index.js');
    emu = await startEmulator({
      port,
      timeScale,
      consistencyWindowMs,
      throttling: !flags.has('--no-throttling'),
      ...(seed ? { seed } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `emulator: port ${port} is in use on 127.0.0.1; stop what holds it or pass another --port (0 picks a free one)\n`
        : `emulator: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  process.stdout.write(`listening on ${emu.endpoint}\n`);
  const running = emu;
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.stop().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
