/**
 * `init`: a starting config from one of the examples shipped in the package,
 * written where the user wants it, with the scripts and files it refers to
 * and the JSON Schema beside it, so the result works outside winami's
 * repository: `$schema: ./winami.schema.json` resolves next to the config,
 * and `script:`/`file:` sources resolve relative to it as before.
 * Offline; nothing is written when any target exists, unless `force`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { loadConfig } from './config/load.js';
import { nearest } from './lint/suggest.js';
import { packageRoot } from './util/package-root.js';

/** The example `init` starts from when none is named. */
export const DEFAULT_EXAMPLE = 'windows-2022-base';
/** The config file `init` writes when none is named. */
export const DEFAULT_INIT_FILE = 'winami.yaml';
/** The schema file `init` writes beside the config, and the config's `$schema`. */
export const SCHEMA_FILE = 'winami.schema.json';

export interface InitOptions {
  /** Example name (a file of the package's `examples/` without `.yaml`); default `DEFAULT_EXAMPLE`. */
  example?: string;
  /** The config file to write; default `winami.yaml` in the working directory. */
  file?: string;
  /** Overwrite files that exist. */
  force?: boolean;
}

export interface InitResult {
  example: string;
  /** The config written, as given (absolute when `file` was). */
  config: string;
  /** Every file written, relative to the config's folder. */
  files: string[];
}

/** The examples shipped in the package, by name. */
export function listExamples(): string[] {
  return readdirSync(join(packageRoot(), 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The JSON Schema of the config, as shipped in the package (`schema/winami.schema.json`). */
export function configSchemaText(): string {
  return readFileSync(join(packageRoot(), 'schema', SCHEMA_FILE), 'utf8');
}

/** The local files an example's `script:` and `file:` steps read, relative to the example. */
function exampleSources(examplePath: string): string[] {
  const config = loadConfig(examplePath);
  const sources = config.customize.flatMap((s) => ('script' in s ? [s.script] : 'file' in s ? [s.file.source] : []));
  return [...new Set(sources)];
}

/** Point the example's `$schema` at the schema file written beside it. */
function withLocalSchema(text: string): string {
  return /^\$schema:.*$/m.test(text) ? text.replace(/^\$schema:.*$/m, `$schema: ./${SCHEMA_FILE}`) : `$schema: ./${SCHEMA_FILE}\n${text}`;
}

/** Write a starting config from a shipped example (see the module comment). */
export function initConfig(options: InitOptions = {}): InitResult {
  const example = options.example ?? DEFAULT_EXAMPLE;
  const names = listExamples();
  if (!names.includes(example)) {
    const near = nearest(example, names);
    throw new UsageError(`no example named "${example}"${near ? `; did you mean ${near}?` : ''}`, { hint: `the examples are: ${names.join(', ')}` });
  }
  const examplePath = join(packageRoot(), 'examples', `${example}.yaml`);
  const file = options.file ?? DEFAULT_INIT_FILE;
  const target = resolve(file);
  const dir = dirname(target);
  const writes = new Map<string, string | Buffer>([[basename(target), withLocalSchema(readFileSync(examplePath, 'utf8'))]]);
  writes.set(SCHEMA_FILE, configSchemaText());
  for (const source of exampleSources(examplePath)) writes.set(source, readFileSync(join(dirname(examplePath), source)));
  const clashes = [...writes].filter(([rel, content]) => {
    const at = join(dir, rel);
    if (!existsSync(at)) return false;
    if (statSync(at).isDirectory()) return true;
    // The same content again (a schema already written by an earlier init) is no clash.
    return !readFileSync(at).equals(Buffer.from(content));
  });
  if (clashes.length && !options.force) {
    throw new UsageError(`refusing to overwrite ${clashes.map(([rel]) => relative(process.cwd(), join(dir, rel)) || rel).join(', ')}`, {
      hint: 'pass --force to overwrite, or name another file: winami init other.yaml',
    });
  }
  for (const [rel, content] of writes) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return { example, config: file, files: [...writes.keys()] };
}
