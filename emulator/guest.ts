/**
 * The Windows guest's PowerShell model. It cannot run PowerShell, so it
 * rejects scripts tree-sitter cannot parse (as powershell.exe would, with a
 * ParserError), then walks the tree and interprets the documented subset of
 * statements (SPEC.md, "What the guest understands").
 *
 * A script winami rendered (its first line is a comment naming winami) is
 * held to the model: a command in it that the guest does not model fails with
 * `not modelled: <name>`, so a test finds it at once. Lines between the
 * markers the customize wrapper puts around the user's own code
 * (`USER_CODE_BEGIN` / `USER_CODE_END`) keep the permissive handling every
 * other script gets: an unrecognized command there is a no-op that succeeds.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Node, Parser } from 'web-tree-sitter';
import { pathKey } from './guest-fs.js';
import { beginSysprep, finishSysprep, type SysprepRequest, type WindowsState } from './windows.js';
import { runSqlcmd, runSqlSetup, sqlServices, SQLCMD_PATH } from './sql-server.js';
import { featureName, installedFeatures, installFeatures, WINDOWS_FEATURES } from './windows-features.js';
import { languageOf, localAccounts } from './windows-languages.js';
import { ComError, ComObject, newComObject, osVersion, readPolicyAtServiceStart, type ComContext, type WsusServer } from './windows-update.js';
import { createKey, getValue, keyExists, registryKey, removeKey, removeValue, setValue, type RegistryValue } from './registry.js';
import { fileVersion, pnpDrivers } from './aws-packages.js';
import { sqlSetupValue } from './sql-registry.js';

type Val = string | number | boolean | Buffer | null | Val[] | PsObject | PsChar | PsStringBuilder | PsStream | ComObject;
interface PsObject {
  [key: string]: Val;
}
/** A [char]: formats as its character, casts to [int] as its code. */
class PsChar {
  constructor(readonly ch: string) {}
}
/** A System.Text.StringBuilder. */
class PsStringBuilder {
  text = '';
}

/**
 * A .NET stream as far as the bundle's expansion uses one: `[IO.File]::OpenRead`/`Create`,
 * `New-Object IO.Compression.GZipStream(<stream>, Decompress)`, `CopyTo`, `Close`.
 */
class PsStream {
  constructor(
    readonly mode: 'read' | 'write',
    public data: Buffer,
    readonly path?: string,
  ) {}
}

/** The comment lines the customize wrapper puts around the user's own code. */
export const USER_CODE_BEGIN = "# winami: the step's own code begins";
export const USER_CODE_END = "# winami: the step's own code ends";

/**
 * Whether winami rendered a script (its first line is a `#` comment naming
 * winami), and the 0-based line ranges of user code inside it.
 */
export function scriptRegions(source: string): { rendered: boolean; user: [number, number][] } {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rendered = /^#.*\bwinami\b/i.test(lines[0] ?? '');
  const user: [number, number][] = [];
  let start = -1;
  lines.forEach((l, i) => {
    const t = l.trim();
    if (t === USER_CODE_BEGIN && start < 0) start = i;
    else if (t === USER_CODE_END && start >= 0) {
      user.push([start, i]);
      start = -1;
    }
  });
  if (start >= 0) user.push([start, lines.length]);
  return { rendered, user };
}

/** Cmdlets the guest models (lowercase); anything else in a winami-rendered script fails. SPEC.md lists each with its reference. */
export const MODELLED_CMDLETS: ReadonlySet<string> = new Set([
  'write-output',
  'echo',
  'write',
  'write-host',
  'write-error',
  'out-null',
  'set-content',
  'add-content',
  'out-file',
  'get-content',
  'remove-item',
  'test-path',
  'new-item',
  'get-filehash',
  'get-itemproperty',
  'get-itempropertyvalue',
  'get-process',
  'join-path',
  'split-path',
  'get-service',
  'start-service',
  'stop-service',
  'restart-service',
  'get-command',
  'hostname',
  'restart-computer',
  'new-scheduledtaskaction',
  'new-scheduledtaskprincipal',
  'register-scheduledtask',
  'start-scheduledtask',
  'start-process',
  'where-object',
  'select-object',
  'get-childitem',
  'install-windowsfeature',
  'get-ssmparameter',
  'get-ssmparametervalue',
  'get-ec2image',
  'invoke-restmethod',
  'new-object',
  'get-ciminstance',
  'start-sleep',
  'optimize-volume',
  'mount-diskimage',
  'dismount-diskimage',
  'get-volume',
  'read-s3object',
  'get-item',
  'get-windowsfeature',
]);

/** Native programs and agent scripts the guest models (lowercase file names). */
export const MODELLED_PROGRAMS: ReadonlySet<string> = new Set([
  'ec2launch.exe',
  'initializeinstance.ps1',
  'sysprepinstance.ps1',
  'ec2config.exe',
  'sysprep.exe',
  'powershell.exe',
  'pwsh.exe',
  'cmd.exe',
  'schtasks.exe',
  'shutdown.exe',
  'setup.exe',
  'sqlcmd.exe',
  'dism.exe',
  'icacls.exe',
  'hostname.exe',
]);

/** Whether the guest models `name` (a cmdlet, or a program by its file name). */
export function isModelled(name: string): boolean {
  const lower = name.replace(/^["']|["']$/g, '').toLowerCase();
  const base = lower.split(/[\\/]/).pop()!;
  // A script file on the guest disk runs as a script (`& 'C:\\...\\x.ps1'`).
  return MODELLED_CMDLETS.has(lower) || MODELLED_PROGRAMS.has(base) || MODELLED_PROGRAMS.has(`${base}.exe`) || base.endsWith('.ps1');
}

/** An SSM parameter as the guest's `Get-SSMParameter` reads it through the instance profile, or the error AWS Tools raises. */
export type GuestParameterLookup = (
  name: string,
  withDecryption: boolean,
  region?: string,
) => { name: string; type: string; value: string; version: number } | { error: string };

/** S3 as the guest's `Read-S3Object` reaches it through the instance profile: an object's bytes or a key listing, or the error AWS Tools raises. */
export interface GuestS3Reader {
  get(bucket: string, key: string): { data: Buffer } | { error: string };
  list(bucket: string, prefix: string): { keys: string[] } | { error: string };
}

/** The outcome of one script run. */
export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Sysprep started: `async` when a scheduled task runs it, so the script continued. */
  sysprep?: SysprepRequest & { async: boolean };
  /** Sysprep with a power action ran in the foreground: the script never got past it. */
  halted?: boolean;
  /** Sysprep ran to completion in the foreground (`/quit`, `-NoShutdown`): its duration adds to the command's. */
  sysprepInline?: boolean;
  /** Time the script's work took beyond the command itself (Windows Update installs), at time scale 1. */
  busyMs?: number;
  /** `Restart-Computer` / `shutdown /r`: the guest reboots when the command ends. */
  restart?: boolean;
}

export interface GuestRunOptions {
  workingDirectory?: string;
  /** Script path as SSM writes it, for parser messages. */
  scriptPath: string;
  /** Set when Sysprep fails on this instance. */
  sysprepFails?: { setuperr: string };
  now: number;
  /** `Get-SSMParameter` on the instance; without it the cmdlet finds no credentials. */
  getParameter?: GuestParameterLookup;
  /** `Read-S3Object` on the instance; without it the cmdlet finds no credentials. */
  readS3Object?: GuestS3Reader;
  /** Windows Update: KB → HRESULT its installation fails with (the guest's `failUpdates`). */
  updateFailures?: Record<string, string>;
  /** The instance metadata service: a `latest/meta-data/` path → its value; undefined for a path the emulator does not serve. */
  metadata?: (path: string) => string | undefined;
  /** `Get-EC2Image` (AWS Tools for PowerShell), through the instance profile. */
  describeImage?: GuestImageLookup;
  /** WSUS servers the guest reaches, by URL (the guest's `wsusServers`). */
  wsusServers?: Record<string, WsusServer>;
}

/** What `Get-EC2Image` finds for an image id, or why it fails. */
export type GuestImageLookup = (
  imageId: string,
  region?: string,
) => { ImageId: string; Name: string; State: string; PlatformDetails: string; UsageOperation: string } | { error: string };

class ExitSignal {
  constructor(readonly code: number) {}
}
class ThrowSignal {
  constructor(
    readonly message: string,
    readonly node?: Node,
  ) {}
}
class HaltSignal {}
class ReturnSignal {
  constructor(readonly value: Val) {}
}

const NOT_RECOGNIZED = (name: string) =>
  `${name} : The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`;

/** Switch parameters that never take a value, so the next token stays positional. */
const SWITCHES = new Set([
  'raw',
  'force',
  'recurse',
  'nonewline',
  'schedule',
  'noshutdown',
  'passthru',
  'wait',
  'shutdown',
  'clean',
  'block',
  'whatif',
  'confirm',
  'asjob',
  'nologo',
  'noprofile',
  'noninteractive',
  'sysprep',
  'all',
]);

/** Parse errors as powershell.exe prints them on stderr. */
export function parserErrorText(source: string, scriptPath: string, errors: { line: number; column: number; text: string; kind: string }[]): string {
  const lines = source.split(/\r?\n/);
  const out: string[] = [];
  for (const e of errors.slice(0, 3)) {
    out.push(`At ${scriptPath}:${e.line} char:${e.column}`);
    out.push(`+ ${lines[e.line - 1] ?? ''}`);
    out.push(
      e.kind === 'missing'
        ? e.text === '}'
          ? "Missing closing '}' in statement block or type definition."
          : `Missing '${e.text}' in expression or statement.`
        : `Unexpected token '${e.text.split(/\r?\n/)[0]}' in expression or statement.`,
    );
  }
  out.push('    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException');
  const first = errors[0];
  out.push(
    `    + FullyQualifiedErrorId : ${first?.kind === 'missing' ? (first.text === '}' ? 'MissingEndCurlyBrace' : 'MissingExpression') : 'UnexpectedToken'}`,
  );
  return `${out.join('\n')}\n`;
}

/** Run `source` on the guest. Mutates `win` (files, ImageState, tasks). */
export function runScript(parser: Parser, source: string, win: WindowsState, opts: GuestRunOptions): ScriptResult {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    if (tree.rootNode.hasError) {
      const errs: { line: number; column: number; text: string; kind: string }[] = [];
      const walk = (n: Node) => {
        if (n.isError || n.isMissing) {
          errs.push({
            line: n.startPosition.row + 1,
            column: n.startPosition.column + 1,
            text: n.isMissing ? n.type : n.text.slice(0, 80),
            kind: n.isMissing ? 'missing' : 'error',
          });
          return;
        }
        for (const c of n.children) if (c && c.hasError) walk(c);
      };
      walk(tree.rootNode);
      return { exitCode: 1, stdout: '', stderr: parserErrorText(source, opts.scriptPath, errs) };
    }
    const it = new Interpreter(parser, win, opts, source);
    return it.run(tree.rootNode);
  } finally {
    tree.delete();
  }
}

const ENV_DEFAULTS: Record<string, string> = {
  programdata: 'C:\\ProgramData',
  programfiles: 'C:\\Program Files',
  'programfiles(x86)': 'C:\\Program Files (x86)',
  windir: 'C:\\Windows',
  systemroot: 'C:\\Windows',
  systemdrive: 'C:',
  temp: 'C:\\Windows\\TEMP',
  tmp: 'C:\\Windows\\TEMP',
  username: 'SYSTEM',
  userprofile: 'C:\\Windows\\system32\\config\\systemprofile',
  localappdata: 'C:\\Windows\\system32\\config\\systemprofile\\AppData\\Local',
};

class Interpreter {
  private stdout = '';
  private stderr = '';
  private vars = new Map<string, Val>();
  /** User functions by lowercase name, and how deep in calls the interpreter is. */
  private readonly functions = new Map<string, Node>();
  private depth = 0;
  private lastFailed = false;
  private readonly result: ScriptResult = { exitCode: 0, stdout: '', stderr: '' };
  private errorPref = 'continue';
  private readonly regions: { rendered: boolean; user: [number, number][] };

  constructor(
    private readonly parser: Parser,
    private readonly win: WindowsState,
    private readonly opts: GuestRunOptions,
    source: string,
  ) {
    this.regions = scriptRegions(source);
  }

  /** The Windows Update Agent objects' view of this run (windows-update.ts). */
  private com?: ComContext;
  private comContext(): ComContext {
    this.com ??= { win: this.win, now: this.opts.now, failures: this.opts.updateFailures ?? {}, wsus: this.opts.wsusServers ?? {}, busyMs: 0 };
    return this.com;
  }

  /** Whether `node` sits in winami's own code (not in the user's). */
  private strictAt(node: Node): boolean {
    if (!this.regions.rendered) return false;
    const row = node.startPosition.row;
    return !this.regions.user.some(([a, b]) => row > a && row < b);
  }

  /** A command the guest does not model: fails in winami's code, a no-op elsewhere. */
  private unmodelled(name: string, named: Map<string, Val>, node: Node): null {
    if (this.strictAt(node)) return this.fail(named, `not modelled: ${name}`, node);
    return null;
  }

  run(root: Node): ScriptResult {
    try {
      this.statements(root);
      this.result.exitCode = this.lastFailed ? 1 : 0;
    } catch (sig) {
      if (sig instanceof ExitSignal) this.result.exitCode = sig.code;
      else if (sig instanceof ThrowSignal) {
        this.err(this.errorRecord(sig));
        this.result.exitCode = 1;
      } else if (sig instanceof HaltSignal) this.result.halted = true;
      else throw sig;
    }
    if (this.com?.busyMs) this.result.busyMs = this.com.busyMs;
    this.result.stdout = this.stdout;
    this.result.stderr = this.stderr;
    return this.result;
  }

  private errorRecord(sig: ThrowSignal): string {
    if (!sig.node) return sig.message;
    const line = sig.node.startPosition.row + 1;
    const col = sig.node.startPosition.column + 1;
    return `${sig.message}\nAt ${this.opts.scriptPath}:${line} char:${col}\n+ ${sig.node.text.split(/\r?\n/)[0]}\n    + CategoryInfo          : OperationStopped: (${sig.message}:String) [], RuntimeException\n    + FullyQualifiedErrorId : ${sig.message}`;
  }

  private out(v: Val): void {
    const s = this.format(v);
    if (s !== undefined) this.stdout += `${s}\n`;
  }

  private err(s: string): void {
    this.stderr += `${s}\n`;
  }

  private format(v: Val): string | undefined {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) {
      const parts = v.map((x) => this.format(x)).filter((x): x is string => x !== undefined);
      return parts.length ? parts.join('\n') : undefined;
    }
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (v instanceof ComObject) return 'System.__ComObject';
    if (Buffer.isBuffer(v)) return [...v].join('\n');
    if (v instanceof PsChar) return v.ch;
    if (v instanceof PsStringBuilder) return v.text;
    if (typeof v === 'object') {
      if ('Hash' in v && 'Algorithm' in v) {
        const pad = (s: string, n: number) => s.padEnd(n);
        return `\n${pad('Algorithm', 16)}${pad('Hash', 65)}Path\n${pad('---------', 16)}${pad('----', 65)}----\n${pad(String(v.Algorithm), 16)}${pad(String(v.Hash), 65)}${String(v.Path)}\n`;
      }
      return Object.entries(v)
        .map(([k, x]) => `${k} : ${this.format(x) ?? ''}`)
        .join('\n');
    }
    return String(v);
  }

  // ---- statements ----

  private statements(node: Node): void {
    for (const c of node.namedChildren) if (c) this.statement(c);
  }

  private statement(n: Node): void {
    switch (n.type) {
      case 'statement_list':
      case 'statement_block':
        return this.statements(n);
      case 'pipeline': {
        const assign = n.namedChildren.find((c) => c?.type === 'assignment_expression');
        if (assign) return this.assign(assign);
        const v = this.pipeline(n);
        this.out(v);
        return;
      }
      case 'flow_control_statement':
        return this.flow(n);
      case 'try_statement':
        return this.tryStatement(n);
      case 'if_statement':
        return this.ifStatement(n);
      case 'function_statement': {
        const name = n.namedChildren.find((c) => c?.type === 'function_name')?.text.toLowerCase();
        if (name) this.functions.set(name, n);
        return;
      }
      case 'foreach_statement':
        return this.foreach(n);
      case 'param_block':
        return this.paramBlock(n);
      default:
        return; // comments, functions, loops: outside the subset, no effect
    }
  }

  /** A script's `param(...)`: SSM passes no arguments, so each parameter takes its default. */
  private paramBlock(n: Node): void {
    const walk = (x: Node) => {
      if (x.type === 'script_parameter') {
        const v = x.namedChildren.find((c) => c?.type === 'variable');
        const d = x.namedChildren.find((c) => c?.type === 'script_parameter_default');
        const value = d?.namedChildren[0] ? this.expr(d.namedChildren[0]) : null;
        if (v) this.vars.set(varName(v.text), value);
        return;
      }
      for (const c of x.namedChildren) if (c) walk(c);
    };
    walk(n);
  }

  private assign(n: Node): void {
    const left = n.namedChildren.find((c) => c?.type === 'left_assignment_expression');
    const right = n.namedChildren.find((c) => c?.type === 'pipeline' || c?.type === 'statement');
    const varNode = left ? this.find(left, 'variable') : undefined;
    if (!varNode || !right) return;
    const memberTarget = left ? this.find(left, 'member_access') : undefined;
    if (memberTarget && right.type === 'pipeline') {
      // $obj.Property = value: a COM object's settable property.
      const target = memberTarget.namedChildren[0] ? this.expr(memberTarget.namedChildren[0]) : null;
      const prop = memberTarget.namedChildren.find((c) => c?.type === 'member_name')?.text ?? '';
      if (target instanceof ComObject) {
        if (!target.set(prop, this.pipeline(right))) throw new ThrowSignal(`'${prop}' is a ReadOnly property.`, n);
        return;
      }
    }
    let value = right.type === 'pipeline' ? this.pipeline(right) : null;
    const name = varName(varNode.text);
    const element = left ? this.find(left, 'element_access') : undefined;
    if (element) {
      // $table[key] = value on a hashtable (an object here).
      const target = this.vars.get(name);
      const keyNode = element.namedChildren[1];
      if (isTable(target) && keyNode) target[String(this.format(this.expr(keyNode)) ?? '')] = value;
      return;
    }
    if (n.namedChildren.find((c) => c?.type === 'assignement_operator')?.text === '+=') {
      const current = this.vars.get(name) ?? null;
      value = Array.isArray(current) ? [...current, ...(Array.isArray(value) ? value : [value])] : this.apply('+', current, value);
    }
    if (name === 'erroractionpreference') this.errorPref = String(value).toLowerCase();
    this.vars.set(name, value);
  }

  private flow(n: Node): void {
    const kw = n.child(0)?.text.toLowerCase();
    const arg = n.namedChildren.find((c) => c?.type === 'pipeline');
    const v = arg ? this.pipeline(arg) : null;
    if (kw === 'exit') throw new ExitSignal(v === null ? (this.lastFailed ? 1 : 0) : Number(v) | 0);
    if (kw === 'throw') throw new ThrowSignal(v === null ? 'ScriptHalted' : String(this.format(v) ?? ''), n);
    if (kw === 'return') {
      if (this.depth > 0) throw new ReturnSignal(v);
      throw new ExitSignal(this.lastFailed ? 1 : 0);
    }
  }

  private foreach(n: Node): void {
    const name = n.namedChildren
      .find((c) => c?.type === 'variable')
      ?.text.replace(/^\$\{?|\}$/g, '')
      .toLowerCase();
    const source = n.namedChildren.find((c) => c?.type === 'pipeline');
    const block = n.namedChildren.find((c) => c?.type === 'statement_block');
    if (!name || !source || !block) return;
    const items = this.pipeline(source);
    for (const item of items === null ? [] : Array.isArray(items) ? items : items instanceof ComObject && items.items ? (items.items as Val[]) : [items]) {
      this.vars.set(name, item);
      this.statement(block);
    }
  }

  /** A user function: parameters bound by position or name, its own variable scope, `return` ends it with a value. */
  private callFunction(fn: Node, named: Map<string, Val>, positional: Val[]): Val {
    const decl = fn.namedChildren.find((c) => c?.type === 'function_parameter_declaration');
    const params: string[] = [];
    const walk = (x: Node) => {
      if (x.type === 'script_parameter') {
        const v = x.namedChildren.find((c) => c?.type === 'variable');
        if (v) params.push(v.text.replace(/^\$\{?|\}$/g, '').toLowerCase());
        return;
      }
      for (const c of x.namedChildren) if (c) walk(c);
    };
    if (decl) walk(decl);
    const saved = this.vars;
    this.vars = new Map(saved);
    let pos = 0;
    for (const p of params) this.vars.set(p, named.has(p) ? named.get(p)! : (positional[pos++] ?? null));
    this.depth++;
    try {
      const body = fn.namedChildren.find((c) => c?.type === 'script_block');
      if (body) this.statements(body.namedChildren.find((c) => c?.type === 'script_block_body') ?? body);
      return null;
    } catch (sig) {
      if (sig instanceof ReturnSignal) return sig.value;
      throw sig;
    } finally {
      this.depth--;
      const lastExit = this.vars.get('lastexitcode');
      this.vars = saved;
      if (lastExit !== undefined) this.vars.set('lastexitcode', lastExit);
    }
  }

  /** `Where-Object { … }`: the items of the input for which the block, with `$_` set, is true. */
  private whereObject(block: Node, input: Val | undefined): Val {
    const list = block.namedChildren.find((c) => c?.type === 'script_block_body')?.namedChildren.find((c) => c?.type === 'statement_list');
    const test = list?.namedChildren.find((c) => c?.type === 'pipeline');
    const items = input === undefined || input === null ? [] : Array.isArray(input) ? input : [input];
    const saved = this.vars.get('_');
    const kept = items.filter((item) => {
      this.vars.set('_', item);
      return test ? this.truthy(this.pipeline(test)) : false;
    });
    this.vars.set('_', saved ?? null);
    return kept.length === 1 ? kept[0]! : kept.length ? kept : null;
  }

  private tryStatement(n: Node): void {
    const block = n.namedChildren.find((c) => c?.type === 'statement_block');
    const catches = n.namedChildren.find((c) => c?.type === 'catch_clauses');
    const fin = n.namedChildren.find((c) => c?.type === 'finally_clause');
    const prevPref = this.errorPref;
    try {
      if (block) this.statement(block);
    } catch (sig) {
      if (!(sig instanceof ThrowSignal) || !catches) throw sig;
      const clause = catches.namedChildren.find((c) => c?.type === 'catch_clause');
      const cblock = clause?.namedChildren.find((c) => c?.type === 'statement_block');
      this.vars.set('_', { Exception: { Message: sig.message }, Message: sig.message, ToString: sig.message });
      this.errorPref = prevPref;
      if (cblock) this.statement(cblock);
    } finally {
      const fblock = fin?.namedChildren.find((c) => c?.type === 'statement_block');
      if (fblock) this.statement(fblock);
    }
  }

  private ifStatement(n: Node): void {
    const kids = n.namedChildren.filter((c): c is Node => !!c);
    const cond = kids.find((c) => c.type === 'pipeline');
    const block = kids.find((c) => c.type === 'statement_block');
    if (cond && this.truthy(this.pipeline(cond))) {
      if (block) this.statement(block);
      return;
    }
    const elseifs = kids.find((c) => c.type === 'elseif_clauses');
    for (const clause of elseifs?.namedChildren ?? []) {
      const c = clause?.namedChildren.find((x) => x?.type === 'pipeline');
      const b = clause?.namedChildren.find((x) => x?.type === 'statement_block');
      if (c && this.truthy(this.pipeline(c))) {
        if (b) this.statement(b);
        return;
      }
    }
    const els = kids.find((c) => c.type === 'else_clause');
    const eb = els?.namedChildren.find((x) => x?.type === 'statement_block');
    if (eb) this.statement(eb);
  }

  private truthy(v: Val): boolean {
    if (Array.isArray(v)) return v.length > 0 && (v.length > 1 || this.truthy(v[0]!));
    if (typeof v === 'string') return v.length > 0;
    if (typeof v === 'number') return v !== 0;
    return !!v;
  }

  // ---- expressions ----

  private pipeline(n: Node): Val {
    const chain = n.type === 'pipeline_chain' ? n : n.namedChildren.find((c) => c?.type === 'pipeline_chain');
    if (!chain) return this.expr(n.namedChildren[0] ?? n);
    const stages = chain.namedChildren.filter((c): c is Node => !!c);
    let value: Val = null;
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      value = s.type === 'command' ? this.command(s, i > 0 ? value : undefined) : this.expr(s);
    }
    return value;
  }

  private find(n: Node, type: string): Node | undefined {
    if (n.type === type) return n;
    for (const c of n.namedChildren) {
      if (!c) continue;
      const f = this.find(c, type);
      if (f) return f;
    }
    return undefined;
  }

  private expr(n: Node): Val {
    switch (n.type) {
      case 'string_literal':
        return this.stringLiteral(n);
      case 'integer_literal':
      case 'decimal_integer_literal':
      case 'hexadecimal_integer_literal':
        return Number(n.text.replace(/[lL]$/, ''));
      case 'real_literal':
        return Number(n.text);
      case 'variable':
        return this.variable(n.text);
      case 'generic_token':
        return n.text;
      case 'command':
        return this.command(n, undefined);
      case 'pipeline':
      case 'pipeline_chain':
        return this.pipeline(n);
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c?.type === 'pipeline');
        return inner ? this.pipeline(inner) : null;
      }
      case 'sub_expression':
      case 'array_expression': {
        const list = n.namedChildren.find((c) => c?.type === 'statement_list');
        if (!list) return n.type === 'array_expression' ? [] : null;
        const saved = this.stdout;
        this.stdout = '';
        const values: Val[] = [];
        for (const st of list.namedChildren) {
          if (!st) continue;
          if (st.type === 'pipeline' && !st.namedChildren.some((c) => c?.type === 'assignment_expression')) values.push(this.pipeline(st));
          else this.statement(st);
        }
        this.stdout = saved;
        const flat = values.filter((v) => v !== null);
        // @(a, b, c) is one array of three, as is @(command output): unrolled one level.
        return n.type === 'array_expression' ? flat.flatMap((v) => (Array.isArray(v) ? v : [v])) : flat.length === 1 ? flat[0]! : flat;
      }
      case 'member_access':
        return this.member(n);
      case 'hash_literal_expression': {
        const table: PsObject = {};
        const body = n.namedChildren.find((c) => c?.type === 'hash_literal_body');
        for (const entry of body?.namedChildren ?? []) {
          if (entry?.type !== 'hash_entry') continue;
          const keyNode = entry.namedChildren.find((c) => c?.type === 'key_expression');
          const valueNode = entry.namedChildren.find((c) => c?.type === 'pipeline' || c?.type === 'statement');
          const keyText =
            keyNode?.namedChildren[0]?.type === 'string_literal' ? String(this.format(this.expr(keyNode.namedChildren[0])) ?? '') : (keyNode?.text ?? '');
          table[keyText] = valueNode?.type === 'pipeline' ? this.pipeline(valueNode) : null;
        }
        return table;
      }
      case 'cast_expression': {
        // [string] / [int] casts; other types pass the value through.
        const type = n.namedChildren
          .find((c) => c?.type === 'type_literal')
          ?.text.replace(/[[\]\s]/g, '')
          .toLowerCase();
        const operand = n.namedChildren.find((c) => c?.type !== 'type_literal');
        const v = operand ? this.expr(operand) : null;
        if (type === 'string') return this.format(v) ?? '';
        if (type === 'void') return null;
        if (type === 'char')
          return v instanceof PsChar ? v : typeof v === 'number' ? new PsChar(String.fromCharCode(v)) : new PsChar(String(this.format(v) ?? '').charAt(0));
        if (type === 'bool' || type === 'boolean') return this.truthy(v);
        if (type === 'int' || type === 'int32' || type === 'long') return v instanceof PsChar ? v.ch.charCodeAt(0) : Number(this.format(v) ?? 0) | 0;
        return v;
      }
      case 'element_access': {
        const target = n.namedChildren[0] ? this.expr(n.namedChildren[0]) : null;
        const key = n.namedChildren[1] ? this.expr(n.namedChildren[1]) : null;
        if (Array.isArray(target)) return target[Number(key)] ?? null;
        if (typeof target === 'string') return target[Number(key)] ?? null;
        return getMember(target, String(this.format(key) ?? ''));
      }
      case 'invokation_expression':
        return this.invoke(n);
      case 'expression_with_unary_operator': {
        const op = n.child(0)?.text.toLowerCase();
        const operand = n.namedChildren[n.namedChildren.length - 1];
        const v = operand ? this.expr(operand) : null;
        if (op === '-not' || op === '!') return !this.truthy(v);
        if (op === '-') return -Number(v);
        return v;
      }
      case 'array_literal_expression': {
        const items = n.namedChildren.filter((c): c is Node => !!c);
        if (items.length === 1) return this.expr(items[0]!);
        return items.map((c) => this.expr(c));
      }
      default:
        break;
    }
    const named = n.namedChildren.filter((c): c is Node => !!c);
    if (n.childCount === 1 && named.length === 1) return this.expr(named[0]!);
    if (named.length >= 2) return this.binary(n);
    if (named.length === 1) return this.expr(named[0]!);
    return n.text;
  }

  private binary(n: Node): Val {
    const kids = n.children.filter((c): c is Node => !!c);
    let acc = this.expr(kids[0]!);
    for (let i = 1; i + 1 < kids.length; i += 2) {
      const opNode = kids[i]!;
      const op = (opNode.type === 'comparison_operator' ? opNode.text : opNode.text).toLowerCase();
      // -and / -or short-circuit: the right side is not evaluated (nor its errors raised).
      if ((op === '-or' && this.truthy(acc)) || (op === '-and' && !this.truthy(acc))) {
        acc = op === '-or';
        continue;
      }
      const rhs = this.expr(kids[i + 1]!);
      acc = this.apply(op, acc, rhs);
    }
    return acc;
  }

  private apply(op: string, a: Val, b: Val): Val {
    const s = (v: Val) => String(this.format(v) ?? '');
    switch (op) {
      case '+':
        return typeof a === 'number' && typeof b === 'number' ? a + b : s(a) + s(b);
      case '-':
        return Number(a) - Number(b);
      case '-eq':
      case '-ieq':
        return s(a).toLowerCase() === s(b).toLowerCase();
      case '-ceq':
        return s(a) === s(b);
      case '-ne':
        return s(a).toLowerCase() !== s(b).toLowerCase();
      case '-like':
        return wildcard(s(b)).test(s(a));
      case '-notlike':
        return !wildcard(s(b)).test(s(a));
      case '-match':
        return new RegExp(s(b), 'i').test(s(a));
      case '-notmatch':
        return !new RegExp(s(b), 'i').test(s(a));
      case '-gt':
        return Number(a) > Number(b);
      case '-lt':
        return Number(a) < Number(b);
      case '-ge':
        return Number(a) >= Number(b);
      case '-le':
        return Number(a) <= Number(b);
      case '-and':
        return this.truthy(a) && this.truthy(b);
      case '-or':
        return this.truthy(a) || this.truthy(b);
      case ',':
        return [...(Array.isArray(a) ? a : [a]), b];
      case '-f': {
        // .NET composite format: {0}, {0:x4}, {1:X2}.
        const args = Array.isArray(b) ? b : [b];
        return s(a).replace(/\{(\d+)(?::([xXdD])(\d*))?\}/g, (_m, i: string, f?: string, w?: string) => {
          const v = args[Number(i)] ?? null;
          if (!f) return s(v);
          const num = v instanceof PsChar ? v.ch.charCodeAt(0) : Number(s(v));
          // Hex of a negative Int32 (an HRESULT) is its two's complement, as .NET formats it.
          const hex = (num < 0 ? num >>> 0 : num).toString(16);
          const text = f === 'x' ? hex : f === 'X' ? hex.toUpperCase() : String(num);
          return text.padStart(Number(w || 0), '0');
        });
      }
      case '-replace':
      case '-ireplace': {
        const [pattern, replacement] = Array.isArray(b) ? b : [b, ''];
        return s(a).replace(new RegExp(s(pattern ?? ''), 'gi'), s(replacement ?? '').replace(/\$0/g, '$$&'));
      }
      case '-join':
        return (Array.isArray(a) ? a : a === null ? [] : [a]).map((x) => s(x)).join(s(b));
      case '-contains':
      case '-notcontains': {
        const has = (Array.isArray(a) ? a : [a]).some((x) => s(x).toLowerCase() === s(b).toLowerCase());
        return op === '-contains' ? has : !has;
      }
      default:
        return a;
    }
  }

  private variable(text: string): Val {
    const name = text.replace(/^\$\{?|\}$/g, '');
    if (name.toLowerCase().startsWith('env:')) return this.env(name.slice(4));
    const lower = varName(text);
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    return this.vars.get(lower) ?? null;
  }

  private env(name: string): string {
    const lower = name.toLowerCase();
    if (lower === 'computername') return this.win.computerName;
    return ENV_DEFAULTS[lower] ?? '';
  }

  private stringLiteral(n: Node): Val {
    const inner = n.namedChildren[0] ?? n;
    const text = inner.text;
    if (inner.type === 'verbatim_string_characters') return text.slice(1, -1).replace(/''/g, "'");
    if (inner.type === 'verbatim_here_string_characters') return text.replace(/^@'\r?\n/, '').replace(/\r?\n'@$/, '');
    const here = inner.type === 'expandable_here_string_literal';
    const start = inner.startIndex;
    let out = '';
    let pos = here ? (text.match(/^@"\r?\n/)?.[0].length ?? 2) : 1;
    const end = here ? text.length - (text.match(/\r?\n"@$/)?.[0].length ?? 2) : text.length - 1;
    for (const c of inner.namedChildren) {
      if (!c) continue;
      const cs = c.startIndex - start;
      const ce = c.endIndex - start;
      if (cs < pos || ce > end) continue;
      out += unescapeBacktick(text.slice(pos, cs));
      out += this.format(c.type === 'variable' ? this.variable(c.text) : this.expr(c)) ?? '';
      pos = ce;
    }
    out += unescapeBacktick(text.slice(pos, end));
    return out;
  }

  private member(n: Node): Val {
    const obj = n.namedChildren[0];
    const name = n.namedChildren.find((c) => c?.type === 'member_name')?.text ?? '';
    const v = obj ? this.expr(obj) : null;
    return getMember(v, name);
  }

  private invoke(n: Node): Val {
    const type = n.namedChildren.find((c) => c?.type === 'type_literal');
    const name = n.namedChildren.find((c) => c?.type === 'member_name')?.text.toLowerCase() ?? '';
    const argList = n.namedChildren.find((c) => c?.type === 'argument_list');
    const args: Val[] = [];
    const exprList = argList?.namedChildren.find((c) => c?.type === 'argument_expression_list');
    for (const a of exprList?.namedChildren ?? []) if (a) args.push(this.expr(a));
    if (!type) {
      const target = n.namedChildren[0];
      // [Console]::Error.WriteLine(...): the script's error stream.
      if (
        target?.type === 'member_access' &&
        /^\[console\]$/i.test(target.namedChildren[0]?.text.replace(/\s/g, '') ?? '') &&
        /^error$/i.test(target.namedChildren.find((c) => c?.type === 'member_name')?.text ?? '')
      ) {
        if (name === 'writeline' || name === 'write') this.err(args.map((x) => this.format(x) ?? '').join(''));
        return null;
      }
      return this.callMethod(target ? this.expr(target) : null, name, args);
    }
    const t = type.text
      .replace(/[[\]\s]/g, '')
      .toLowerCase()
      .replace(/^system\./, '');
    const str = (i: number) => String(this.format(args[i] ?? null) ?? '');
    if (t === 'regex' || t === 'text.regularexpressions.regex') {
      // .NET regular expressions, case-sensitive unless told: the subset JavaScript shares.
      if (name === 'escape') return str(0).replace(/[\\*+?|{}[\]()^$.#\s]/g, (c) => (c === ' ' ? '\\ ' : `\\${c}`));
      if (name === 'matches')
        return [...str(0).matchAll(new RegExp(str(1), 'g'))].map((m) => ({ Value: m[0], Index: m.index ?? 0, Length: m[0].length, Success: true }));
      if (name === 'ismatch') return new RegExp(str(1)).test(str(0));
    }
    if (t === 'security.securityelement' && name === 'escape') {
      return str(0).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
    }
    if (t === 'environment' && name === 'setenvironmentvariable') {
      if (str(2).toLowerCase() === 'machine') this.win.fs.write(`C:\\Windows\\.emulator\\env\\${str(0)}`, Buffer.from(str(1)));
      return null;
    }
    if (t === 'convert') {
      if (name === 'frombase64string') return Buffer.from(str(0).replace(/\s/g, ''), 'base64');
      if (name === 'tobase64string') return (Buffer.isBuffer(args[0]) ? args[0] : Buffer.from(str(0))).toString('base64');
    }
    if (t === 'io.file') {
      const p = str(0);
      if (name === 'writeallbytes') {
        this.win.fs.write(p, Buffer.isBuffer(args[1]) ? args[1] : Buffer.from(str(1)));
        return null;
      }
      if (name === 'writealltext') {
        // A third argument is the encoding: UTF8Encoding($true) writes its preamble (the BOM), ($false) none.
        const enc = args[2];
        const preamble = isTable(enc) && Buffer.isBuffer(enc.Preamble) ? enc.Preamble : Buffer.alloc(0);
        this.win.fs.write(p, Buffer.concat([preamble, Buffer.from(str(1))]));
        return null;
      }
      if (name === 'exists') return this.win.fs.exists(p) && !this.win.fs.isDir(p);
      if (name === 'create') {
        this.win.fs.write(p, Buffer.alloc(0));
        return new PsStream('write', Buffer.alloc(0), p);
      }
      const data = this.win.fs.read(p);
      if (name === 'openread') {
        if (!data) throw new ThrowSignal(`Exception calling "OpenRead" with "1" argument(s): "Could not find file '${p}'."`, n);
        return new PsStream('read', data);
      }
      if (name === 'readallbytes' || name === 'readalltext') {
        if (!data) throw new ThrowSignal(`Exception calling "${name}" with "1" argument(s): "Could not find file '${p}'."`, n);
        // ReadAllText detects the encoding from the BOM and does not return it.
        return name === 'readallbytes' ? data : data.toString('utf8').replace(/^\uFEFF/, '');
      }
    }
    return null;
  }

  /** A method call on a value (`$s.Replace(a, b)`, `$sb.Append(x)`); unknown methods give $null. */
  private callMethod(v: Val, name: string, args: Val[]): Val {
    const a = (i: number) => String(this.format(args[i] ?? null) ?? '');
    if (v instanceof ComObject) {
      try {
        return (v.call(name, args) ?? null) as Val;
      } catch (e) {
        if (e instanceof ComError) throw new ThrowSignal(e.message);
        throw e;
      }
    }
    if (v instanceof PsStream) {
      const target = args[0];
      if (name === 'copyto' && target instanceof PsStream && target.mode === 'write' && v.mode === 'read') {
        target.data = Buffer.concat([target.data, v.data]);
        if (target.path) this.win.fs.write(target.path, target.data);
        return null;
      }
      if (name === 'close' || name === 'dispose' || name === 'flush') return null;
      throw new ThrowSignal(`Method invocation failed: the emulator does not model the stream method ${name}.`);
    }
    if (v instanceof PsStringBuilder) {
      if (name === 'append') {
        v.text += a(0);
        return v;
      }
      if (name === 'tostring') return v.text;
      return null;
    }
    if (name === 'tostring') return this.format(v) ?? '';
    if (name === 'trim' && typeof v === 'string') return v.trim();
    if (typeof v === 'string') {
      if (name === 'replace') return v.split(a(0)).join(a(1));
      if (name === 'tochararray') return [...v].map((c) => new PsChar(c));
      if (name === 'tolower' || name === 'tolowerinvariant') return v.toLowerCase();
      if (name === 'toupper' || name === 'toupperinvariant') return v.toUpperCase();
      if (name === 'contains') return v.includes(a(0));
      if (name === 'startswith') return v.startsWith(a(0));
      if (name === 'endswith') return v.endsWith(a(0));
      if (name === 'indexof') return v.indexOf(a(0));
      if (name === 'substring') return args.length > 1 ? v.substr(Number(args[0]), Number(args[1])) : v.slice(Number(args[0]));
    }
    return null;
  }

  // ---- commands ----

  private command(n: Node, input: Val | undefined): Val {
    const nameNode = n.namedChildren.find((c) => c?.type === 'command_name' || c?.type === 'command_name_expr');
    if (!nameNode) return null;
    // `& { ... }`: the script block runs here; its output is the command's.
    const block =
      nameNode.type === 'command_name_expr'
        ? nameNode.namedChildren.find((c) => c?.type === 'script_block_expression')?.namedChildren.find((c) => c?.type === 'script_block')
        : undefined;
    if (block) return this.scriptBlock(block);
    const name = nameNode.type === 'command_name' ? nameNode.text : String(this.format(this.expr(nameNode)) ?? '');
    const elements = n.namedChildren.find((c) => c?.type === 'command_elements');
    const named = new Map<string, Val>();
    const positional: Val[] = [];
    const raw: string[] = [];
    const els = (elements?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'command_argument_sep');
    if (name.toLowerCase() === 'where-object') {
      const block = els.map((e) => this.find(e, 'script_block')).find((b) => b !== undefined);
      if (block) return this.whereObject(block, input);
    }
    for (let i = 0; i < els.length; i++) {
      const e = els[i]!;
      if (e.type === 'command_parameter') {
        raw.push(e.text);
        const m = /^-([^:]+)(?::(.*))?$/.exec(e.text);
        const pname = (m?.[1] ?? e.text).toLowerCase();
        if (m?.[2] !== undefined) {
          named.set(pname, m[2]);
          continue;
        }
        const next = els[i + 1];
        if (next && next.type !== 'command_parameter' && !SWITCHES.has(pname)) {
          const v = this.expr(next);
          named.set(pname, v);
          raw.push(String(this.format(v) ?? ''));
          i++;
        } else named.set(pname, true);
      } else if (e.type === 'argument_list') {
        const list = e.namedChildren.find((c) => c?.type === 'argument_expression_list');
        const args = (list?.namedChildren ?? []).filter((c): c is Node => !!c).map((c) => this.expr(c));
        const prev = els[i - 1];
        const member = prev && prev.endIndex === e.startIndex ? this.find(prev, 'member_access') : undefined;
        if (member && member.endIndex === e.startIndex && positional.length > 0) {
          // `Write-Output $sb.ToString()`: in argument mode the method's parentheses are a separate element.
          const target = member.namedChildren[0];
          const mname = member.namedChildren.find((c) => c?.type === 'member_name')?.text.toLowerCase() ?? '';
          const v = this.callMethod(target ? this.expr(target) : null, mname, args);
          positional[positional.length - 1] = v;
          raw[raw.length - 1] = String(this.format(v) ?? '');
        } else {
          // `New-Object Type(args)`: the parenthesized list is the constructor's arguments.
          named.set('argumentlist', args);
        }
      } else {
        const v = this.expr(e);
        positional.push(v);
        raw.push(String(this.format(v) ?? ''));
      }
    }
    return this.invokeCommand(name, named, positional, raw, input, n);
  }

  /** Run a script block's statements; what they output is returned (not printed). */
  private scriptBlock(block: Node): Val {
    const body = block.namedChildren.find((c) => c?.type === 'script_block_body');
    const list = body?.namedChildren.find((c) => c?.type === 'statement_list');
    const values: Val[] = [];
    for (const st of list?.namedChildren ?? []) {
      if (!st) continue;
      if (st.type === 'pipeline' && !st.namedChildren.some((c) => c?.type === 'assignment_expression')) {
        const v = this.pipeline(st);
        if (v !== null) values.push(v);
      } else this.statement(st);
    }
    return values.length === 0 ? null : values.length === 1 ? values[0]! : values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }

  private param(named: Map<string, Val>, positional: Val[], names: string[], pos = 0): string | undefined {
    for (const k of names) {
      const v = named.get(k);
      if (v !== undefined && v !== true) return String(this.format(v) ?? '');
    }
    const p = positional[pos];
    return p === undefined ? undefined : String(this.format(p) ?? '');
  }

  /** A non-terminating error, or a terminating one under `-ErrorAction Stop`. */
  private fail(named: Map<string, Val>, message: string, node: Node): null {
    const ea = String(named.get('erroraction') ?? this.errorPref).toLowerCase();
    if (ea === 'stop') throw new ThrowSignal(message, node);
    this.lastFailed = true;
    if (ea !== 'silentlycontinue' && ea !== 'ignore') this.err(message);
    return null;
  }

  private invokeCommand(name: string, named: Map<string, Val>, positional: Val[], raw: string[], input: Val | undefined, node: Node): Val {
    const cmd = name.toLowerCase();
    this.lastFailed = false;
    const fn = this.functions.get(cmd);
    if (fn) return this.callFunction(fn, named, positional);
    const textOf = (v: Val | undefined) => (v === undefined ? '' : String(this.format(v) ?? ''));
    switch (cmd) {
      case 'write-output':
      case 'echo':
      case 'write':
        return positional.length === 1 ? positional[0]! : positional.length ? positional : (named.get('inputobject') ?? input ?? null);
      case 'write-host':
        this.stdout += `${positional.map((p) => textOf(p)).join(' ')}${named.get('nonewline') ? '' : '\n'}`;
        return null;
      case 'write-error':
        this.err(this.param(named, positional, ['message']) ?? textOf(input));
        this.lastFailed = true;
        return null;
      case 'out-null':
        return null;
      case 'set-content':
      case 'add-content':
      case 'out-file': {
        const p = this.param(named, positional, ['literalpath', 'path', 'filepath']);
        if (!p) return this.fail(named, `${name} : Cannot bind argument to parameter 'Path' because it is null.`, node);
        const value = named.get('value') ?? named.get('inputobject') ?? positional[1] ?? input ?? '';
        let text = textOf(value);
        if (!named.get('nonewline')) text += '\r\n';
        const data = Buffer.isBuffer(value) ? value : Buffer.from(text, 'utf8');
        if (cmd === 'add-content' || named.get('append')) this.win.fs.append(p, data);
        else this.win.fs.write(p, data);
        return null;
      }
      case 'get-content': {
        const p = this.param(named, positional, ['literalpath', 'path']);
        const data = p ? this.win.fs.read(p) : undefined;
        if (!p || !data) return this.fail(named, `Get-Content : Cannot find path '${p ?? ''}' because it does not exist.`, node);
        const text = data.toString('utf8');
        if (named.get('raw')) return text;
        let lines = text.split(/\r?\n/);
        if (lines[lines.length - 1] === '') lines.pop();
        const tail = named.get('tail');
        if (tail !== undefined && tail !== true) lines = lines.slice(-Number(tail));
        const total = named.get('totalcount') ?? named.get('first') ?? named.get('head');
        if (total !== undefined && total !== true) lines = lines.slice(0, Number(total));
        return lines.length === 1 ? lines[0]! : lines;
      }
      case 'remove-item': {
        const p = this.param(named, positional, ['literalpath', 'path']);
        const rkey = p ? registryKey(p) : undefined;
        if (rkey) return removeKey(this.win.fs, rkey) ? null : this.fail(named, `Remove-Item : Cannot find path '${p}' because it does not exist.`, node);
        if (!p || !this.win.fs.remove(p, !!named.get('recurse'))) {
          return this.fail(named, `Remove-Item : Cannot find path '${p ?? ''}' because it does not exist.`, node);
        }
        return null;
      }
      case 'test-path': {
        const p = this.param(named, positional, ['literalpath', 'path']) ?? '';
        return this.testPath(p);
      }
      case 'new-item': {
        const p = this.param(named, positional, ['path', 'literalpath']) ?? '';
        const full = named.has('name') ? `${p}\\${textOf(named.get('name'))}` : p;
        const rkey = registryKey(full);
        if (rkey) {
          // The registry provider: without -Force an existing key is an error; with it, the key is recreated empty.
          if (keyExists(this.win.fs, rkey) && !named.get('force')) return this.fail(named, `New-Item : A key at this path already exists.`, node);
          createKey(this.win.fs, rkey, !!named.get('force'));
          return null;
        }
        const type = textOf(named.get('itemtype')).toLowerCase();
        if (type === 'directory') this.win.fs.mkdir(full);
        else this.win.fs.write(full, Buffer.from(textOf(named.get('value') ?? '')));
        return null;
      }
      case 'get-item': {
        // A file with its version resource (aws-packages.ts knows the agents' versions); directories and registry keys are not modelled.
        const p = this.param(named, positional, ['literalpath', 'path']) ?? '';
        const data = this.win.fs.read(p);
        if (!data) return this.fail(named, `Get-Item : Cannot find path '${p}' because it does not exist.`, node);
        const version = fileVersion(this.win.fs, p);
        return { Name: p.split('\\').pop()!, FullName: p, Length: data.length, VersionInfo: { ProductVersion: version, FileVersion: version } };
      }
      case 'get-filehash': {
        const p = this.param(named, positional, ['literalpath', 'path']) ?? '';
        const data = this.win.fs.read(p);
        if (!data) return this.fail(named, `Get-FileHash : Cannot find path '${p}' because it does not exist.`, node);
        const alg = (this.param(named, [], ['algorithm']) ?? 'SHA256').toUpperCase();
        const hash = createHash(
          alg
            .replace('SHA', 'sha')
            .replace(/^sha(\d)/, 'sha$1')
            .toLowerCase(),
        )
          .update(data)
          .digest('hex')
          .toUpperCase();
        return { Algorithm: alg, Hash: hash, Path: p };
      }
      case 'set-itemproperty':
      case 'new-itemproperty': {
        const p = this.param(named, positional, ['literalpath', 'path']) ?? '';
        const vname = this.param(named, positional, ['name'], 1) ?? '';
        const rkey = registryKey(p);
        if (!rkey) return this.fail(named, `${name} : only registry properties are modelled, not '${p}'.`, node);
        const kind = (this.param(named, [], ['type', 'propertytype']) ?? 'String').toLowerCase();
        const kinds: RegistryValue['kind'][] = ['String', 'DWord', 'QWord', 'ExpandString', 'MultiString', 'Binary'];
        const k = kinds.find((x) => x.toLowerCase() === kind);
        if (!k)
          return this.fail(named, `${name} : Cannot bind parameter 'Type'. Cannot convert value "${kind}" to type "Microsoft.Win32.RegistryValueKind".`, node);
        const raw = named.get('value') ?? positional[2] ?? '';
        const value = k === 'DWord' || k === 'QWord' ? Number(this.format(raw)) : textOf(raw);
        if (!setValue(this.win.fs, rkey, { name: vname, value, kind: k }))
          return this.fail(named, `${name} : Cannot find path '${p}' because it does not exist.`, node);
        return null;
      }
      case 'remove-itemproperty': {
        const p = this.param(named, positional, ['literalpath', 'path']) ?? '';
        const vname = this.param(named, positional, ['name'], 1) ?? '';
        const rkey = registryKey(p);
        if (!rkey || !removeValue(this.win.fs, rkey, vname))
          return this.fail(named, `Remove-ItemProperty : Property ${vname} does not exist at path ${p}.`, node);
        return null;
      }
      case 'get-itemproperty':
      case 'get-itempropertyvalue': {
        const p = (this.param(named, positional, ['path', 'literalpath']) ?? '').toLowerCase();
        const prop = this.param(named, positional, ['name'], 1) ?? '';
        const stored = registryKey(p) ? getValue(this.win.fs, registryKey(p)!, prop) : undefined;
        const value = this.registry(p, prop) ?? stored?.value;
        if (value === undefined) return this.fail(named, `${name} : Cannot find path '${p}' because it does not exist.`, node);
        return cmd === 'get-itempropertyvalue' ? value : { [prop]: value };
      }
      case 'get-process': {
        const pname = (this.param(named, positional, ['name']) ?? '').toLowerCase();
        if (pname === 'tiworker' && this.win.tiWorkerRunning) return { ProcessName: 'TiWorker', Id: 4242 };
        if (pname === 'tiworker' || pname === 'sysprep') return this.fail(named, `Get-Process : Cannot find a process with the name "${pname}".`, node);
        return null;
      }
      case 'join-path': {
        const parent = this.param(named, positional, ['path'], 0) ?? '';
        const child = this.param(named, positional, ['childpath'], 1) ?? '';
        return `${parent.replace(/[\\/]+$/, '')}\\${child.replace(/^[\\/]+/, '')}`;
      }
      case 'split-path': {
        const p = (this.param(named, positional, ['path', 'literalpath']) ?? '').replace(/[\\/]+$/, '');
        const at = p.lastIndexOf('\\');
        return named.get('leaf') ? p.slice(at + 1) : at > 0 ? p.slice(0, at) : p;
      }
      case 'start-service':
      case 'stop-service':
      case 'restart-service': {
        const wanted = (this.param(named, positional, ['name']) ?? '').toLowerCase();
        if (!this.services().some((x) => x.Name.toLowerCase() === wanted))
          return this.fail(named, `${name} : Cannot find any service with service name '${wanted}'.`, node);
        // The Windows Update Agent reads its policy when its service starts (windows-update.ts).
        if (wanted === 'wuauserv' && cmd !== 'stop-service') readPolicyAtServiceStart(this.win.fs);
        return null;
      }
      case 'get-service': {
        // Windows Update and SQL Server's services (sql-server.ts); other services are not modelled.
        const wanted = this.param(named, positional, ['name'])?.toLowerCase();
        const services = this.services();
        if (wanted === undefined) return services;
        const found = services.find((x) => x.Name.toLowerCase() === wanted);
        return found ?? this.fail(named, `Get-Service : Cannot find any service with service name '${wanted}'.`, node);
      }
      case 'get-command': {
        const wanted = (this.param(named, positional, ['name']) ?? '').toLowerCase();
        if (wanted === 'sqlcmd.exe' || wanted === 'sqlcmd') {
          if (this.win.fs.exists(SQLCMD_PATH)) return { Name: 'SQLCMD.EXE', Source: SQLCMD_PATH };
        }
        return this.fail(
          named,
          `Get-Command : The term '${wanted}' is not recognized as the name of a cmdlet, function, script file, or operable program.`,
          node,
        );
      }
      case 'hostname':
      case 'hostname.exe':
        return this.win.computerName;
      case 'restart-computer':
        this.result.restart = true;
        return null;
      case 'start-sleep':
      case 'optimize-volume':
      case 'dismount-diskimage':
        return null;
      case 'get-windowsfeature': {
        // Every feature the release knows, with Installed (windows-features.ts).
        const installed = new Set(installedFeatures(this.win.fs).map((f) => f.toLowerCase()));
        return Object.keys(WINDOWS_FEATURES)
          .filter((f) => featureName(f, this.win.release) !== undefined)
          .map((f) => ({ Name: f, DisplayName: WINDOWS_FEATURES[f]!.displayName, Installed: installed.has(f.toLowerCase()) }));
      }
      case 'install-windowsfeature':
        return this.installWindowsFeature(named, positional, node);
      case 'get-ssmparameter':
        return this.getSsmParameter(named, positional, node);
      case 'get-ssmparametervalue': {
        // Get-SSMParameterValue: GetParameters; found parameters in Parameters, missing names in InvalidParameters.
        const names = named.get('name') ?? positional[0] ?? null;
        const list = (Array.isArray(names) ? names : [names]).map((n) => String(this.format(n) ?? ''));
        const found: Val[] = [];
        const invalid: Val[] = [];
        for (const n of list) {
          const r = this.opts.getParameter
            ? this.opts.getParameter(n, this.truthy(named.get('withdecryption') ?? false), this.param(named, [], ['region']))
            : { error: 'No credentials specified or obtained from persisted/shell defaults.' };
          if ('error' in r) {
            if (/No credentials/.test(r.error)) return this.fail(named, `Get-SSMParameterValue : ${r.error}`, node);
            invalid.push(n);
          } else found.push({ Name: r.name, Type: r.type, Value: r.value, Version: r.version });
        }
        return { Parameters: found, InvalidParameters: invalid };
      }
      case 'get-ec2image': {
        const id = this.param(named, positional, ['imageid']) ?? '';
        const r = this.opts.describeImage
          ? this.opts.describeImage(id, this.param(named, [], ['region']))
          : { error: 'No credentials specified or obtained from persisted/shell defaults.' };
        if ('error' in r) return this.fail(named, `Get-EC2Image : ${r.error}`, node);
        return { ...r };
      }
      case 'invoke-restmethod': {
        // The instance metadata service (IMDSv2: a PUT for the token, then GETs with it); the emulator serves no other address.
        const uri = this.param(named, positional, ['uri']) ?? '';
        const m = /^http:\/\/169\.254\.169\.254\/latest\/(api\/token|meta-data\/(.+))$/.exec(uri);
        if (!m || !this.opts.metadata) return this.fail(named, `Invoke-RestMethod : Unable to connect to the remote server (${uri})`, node);
        if (m[1] === 'api/token') return 'AQAEAEmulatorToken==';
        const value = this.opts.metadata(m[2]!);
        if (value === undefined) return this.fail(named, 'Invoke-RestMethod : The remote server returned an error: (404) Not Found.', node);
        return value;
      }
      case 'new-object':
        return this.newObject(named, positional, node);
      case 'get-ciminstance': {
        const cls = (this.param(named, positional, ['classname', 'class']) ?? '').toLowerCase();
        const filter = (this.param(named, [], ['filter']) ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
        if (cls === 'win32_pnpsigneddriver' && filter === '') return pnpDrivers(this.win.fs).map((d) => ({ ...d }));
        if (cls !== 'win32_useraccount' || (filter !== '' && filter !== 'localaccount = true' && filter !== 'localaccount=true')) {
          return this.unmodelled(`Get-CimInstance -ClassName ${cls}${filter ? ` -Filter ${filter}` : ''}`, named, node);
        }
        return localAccounts(this.win.fs, this.win.computerName).map((a) => ({ ...a }));
      }
      case 'new-scheduledtaskprincipal': {
        const user = this.param(named, positional, ['userid']) ?? '';
        return { UserId: user, LogonType: textOf(named.get('logontype') ?? 'Interactive'), RunLevel: textOf(named.get('runlevel') ?? 'Limited') };
      }
      case 'select-object': {
        const items = input === undefined || input === null ? [] : Array.isArray(input) ? input : [input];
        const first = this.param(named, [], ['first']);
        const kept = first === undefined ? items : items.slice(0, Number(first));
        return kept.length === 0 ? null : kept.length === 1 ? kept[0]! : kept;
      }
      case 'get-childitem':
        return this.getChildItem(named, positional, node);
      case 'mount-diskimage': {
        const p = this.param(named, positional, ['imagepath']) ?? '';
        if (!this.win.fs.exists(p)) return this.fail(named, `Mount-DiskImage : The system cannot find the file specified.`, node);
        return { ImagePath: p, Attached: true, DevicePath: '\\\\.\\CDROM0', StorageType: 1 };
      }
      case 'get-volume': {
        const image = input ?? named.get('diskimage');
        if (!image) return this.unmodelled('Get-Volume (without a disk image)', named, node);
        return { DriveLetter: 'E', FileSystemLabel: 'SQL', FileSystem: 'UDF' };
      }
      case 'read-s3object':
        return this.readS3Object(named, node);
      case 'new-scheduledtaskaction': {
        const exe = textOf(named.get('execute'));
        const arg = textOf(named.get('argument'));
        return { Execute: exe, Arguments: arg };
      }
      case 'register-scheduledtask': {
        const tname = (this.param(named, positional, ['taskname']) ?? '').toLowerCase();
        const principal = named.get('principal');
        const user = isTable(principal) ? textOf(principal.UserId) : '';
        if (user && !this.accountExists(user)) {
          // Task Scheduler maps the principal to a SID: an unknown account name is refused (0x80070534).
          return this.fail(named, `Register-ScheduledTask : No mapping between account names and security IDs was done.\r\n(${68},${8}):UserId:`, node);
        }
        const action = named.get('action');
        const a = (Array.isArray(action) ? action[0] : action) as PsObject | undefined;
        if (tname && a && typeof a === 'object') this.win.tasks.set(tname, `${quoteIfNeeded(textOf(a.Execute))} ${textOf(a.Arguments)}`.trim());
        return null;
      }
      case 'start-scheduledtask': {
        const tname = (this.param(named, positional, ['taskname']) ?? '').toLowerCase();
        return this.runTask(tname, named, node);
      }
      case 'start-process': {
        const file = this.param(named, positional, ['filepath']) ?? '';
        const al = named.get('argumentlist') ?? positional[1];
        const args = Array.isArray(al) ? al.map((x) => textOf(x)) : al === undefined ? [] : splitCommandLine(textOf(al));
        const out = this.external(file, args, node, false);
        // -PassThru -Wait: the process object, whose ExitCode is the program's.
        return named.get('passthru') ? { ExitCode: Number(this.vars.get('lastexitcode') ?? 0), Id: 4343 } : out;
      }
      default:
        return this.external(name, raw, node, false, named);
    }
  }

  /** Services the guest has: Windows Update, and SQL Server's. */
  private services(): { Name: string; Status: string; StartType: string }[] {
    return [{ Name: 'wuauserv', Status: 'Running', StartType: 'Manual' }, ...sqlServices(this.win.fs)];
  }

  /** A local account name Task Scheduler can map to a SID: the guest's accounts, or a well-known system principal. */
  private accountExists(user: string): boolean {
    const bare = user.toLowerCase().replace(/^(\.|[^\\]+)\\/, (m) => (m.toLowerCase() === `${this.win.computerName.toLowerCase()}\\` || m === '.\\' ? '' : m));
    if (['system', 'nt authority\\system', 'localsystem', 'nt authority\\network service', 'nt authority\\local service'].includes(bare)) return true;
    return localAccounts(this.win.fs, this.win.computerName).some((a) => a.Name.toLowerCase() === bare);
  }

  /** Install-WindowsFeature: a FeatureOperationResult (windows-features.ts). */
  private installWindowsFeature(named: Map<string, Val>, positional: Val[], node: Node): Val {
    const nameArg = named.get('name') ?? positional[0] ?? null;
    const names = (Array.isArray(nameArg) ? nameArg : nameArg === null ? [] : [nameArg]).map((x) => String(this.format(x) ?? ''));
    if (names.length === 0)
      return this.fail(named, `Install-WindowsFeature : Cannot validate argument on parameter 'Name'. The argument is null or empty.`, node);
    const r = installFeatures(this.win.fs, this.win.release, names);
    if (r.unknown.length) {
      const result = { Success: false, RestartNeeded: 'No', ExitCode: 'InvalidArgs', FeatureResult: [] };
      this.fail(
        named,
        `Install-WindowsFeature : ArgumentNotValid: The role, role service, or feature name is not valid: '${r.unknown[0]}'. The name was not found.\r\n    + CategoryInfo          : InvalidArgument: (${r.unknown[0]}:String) [Install-WindowsFeature], Exception\r\n    + FullyQualifiedErrorId : NameDoesNotExist,Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand`,
        node,
      );
      return result;
    }
    const restart = r.installed.some((f) => f.restart);
    if (restart) this.win.pendingReboot = true;
    return {
      Success: true,
      RestartNeeded: restart ? 'Yes' : 'No',
      ExitCode: r.installed.length === 0 ? 'NoChangeNeeded' : restart ? 'SuccessRestartRequired' : 'Success',
      FeatureResult: r.installed.map((f) => ({ DisplayName: f.displayName, Name: f.name, RestartNeeded: f.restart, Success: true })),
    };
  }

  /** Get-SSMParameter (AWS Tools for PowerShell), through the instance profile. */
  private getSsmParameter(named: Map<string, Val>, positional: Val[], node: Node): Val {
    const pname = this.param(named, positional, ['name']) ?? '';
    const decrypt = this.truthy(named.get('withdecryption') ?? false);
    const region = this.param(named, [], ['region']);
    const found = this.opts.getParameter
      ? this.opts.getParameter(pname, decrypt, region)
      : { error: 'No credentials specified or obtained from persisted/shell defaults.' };
    if ('error' in found) return this.fail(named, `Get-SSMParameter : ${found.error}`, node);
    return { Name: found.name, Type: found.type, Value: found.value, Version: found.version };
  }

  /**
   * Read-S3Object (AWS Tools for PowerShell) through the instance profile:
   * `-Key` into `-File`, or every object under `-KeyPrefix` into `-Folder`
   * (keys relative to the prefix). Errors are the SDK's messages.
   */
  private readS3Object(named: Map<string, Val>, node: Node): Val {
    const bucket = this.param(named, [], ['bucketname']) ?? '';
    const read = this.opts.readS3Object;
    const fail = (message: string) => this.fail(named, `Read-S3Object : ${message}`, node);
    if (!read) return fail('No credentials specified or obtained from persisted/shell defaults.');
    const key = this.param(named, [], ['key']);
    const file = this.param(named, [], ['file']);
    const prefix = this.param(named, [], ['keyprefix']);
    const folder = this.param(named, [], ['folder']);
    const fetched: Array<{ key: string; path: string }> = [];
    if (key !== undefined && file !== undefined) fetched.push({ key, path: file });
    else if (prefix !== undefined && folder !== undefined) {
      const listed = read.list(bucket, prefix);
      if ('error' in listed) return fail(listed.error);
      for (const k of listed.keys)
        fetched.push({ key: k, path: `${folder.replace(/[\\/]+$/, '')}\\${k.slice(prefix.length).replace(/^\/+/, '').replace(/\//g, '\\')}` });
    } else return this.unmodelled('Read-S3Object (without -Key/-File or -KeyPrefix/-Folder)', named, node);
    let last: Val = null;
    for (const f of fetched) {
      const got = read.get(bucket, f.key);
      if ('error' in got) return fail(got.error);
      this.win.fs.write(f.path, got.data);
      last = { Name: f.path.split(/[\\/]/).pop()!, FullName: f.path, Length: got.data.length };
    }
    return key !== undefined ? last : { FullName: folder ?? '', Name: (folder ?? '').split(/[\\/]/).pop()! };
  }

  /** New-Object for the .NET types winami's scripts construct. */
  private newObject(named: Map<string, Val>, positional: Val[], node: Node): Val {
    const type = (this.param(named, positional, ['typename']) ?? '').toLowerCase().replace(/^system\./, '');
    const argList = named.get('argumentlist') ?? positional[1] ?? null;
    const args = Array.isArray(argList) ? argList : argList === null ? [] : [argList];
    const progId = named.get('comobject');
    if (progId !== undefined) {
      const com = newComObject(String(this.format(progId) ?? ''), this.comContext());
      return com ?? this.unmodelled(`New-Object -ComObject ${String(this.format(progId) ?? '')}`, named, node);
    }
    if (type === 'text.stringbuilder') return new PsStringBuilder();
    if (type === 'io.compression.gzipstream') {
      // Decompression only (the bundle's expansion); a stream that is not gzip fails as .NET's InvalidDataException would.
      const source = args[0];
      if (!(source instanceof PsStream) || source.mode !== 'read')
        return this.unmodelled('New-Object IO.Compression.GZipStream over anything but a read stream', named, node);
      try {
        return new PsStream('read', gunzipSync(source.data));
      } catch {
        throw new ThrowSignal(
          'Exception calling "CopyTo" with "1" argument(s): "The magic number in GZip header is not correct. Make sure you are passing in a GZip stream."',
          node,
        );
      }
    }
    if (type === 'text.utf8encoding') {
      // UTF8Encoding(encoderShouldEmitUTF8Identifier): its preamble is the BOM when true.
      const bom = args.length > 0 && this.truthy(args[0]!);
      return { EncodingName: 'Unicode (UTF-8)', WebName: 'utf-8', Preamble: bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0) };
    }
    return this.unmodelled(`New-Object ${type}`, named, node);
  }

  /** Get-ChildItem over the guest disk: -Path/-LiteralPath, -Recurse, -Filter, -Include, -File. */
  private getChildItem(named: Map<string, Val>, positional: Val[], node: Node): Val {
    const root = this.param(named, positional, ['literalpath', 'path']) ?? '';
    if (!this.win.fs.isDir(root)) return this.fail(named, `Get-ChildItem : Cannot find path '${root}' because it does not exist.`, node);
    const prefix = `${pathKey(root)}\\`;
    const filter = this.param(named, [], ['filter']);
    const includeArg = named.get('include');
    const include = includeArg === undefined ? [] : (Array.isArray(includeArg) ? includeArg : [includeArg]).map((x) => String(this.format(x) ?? ''));
    const recurse = !!named.get('recurse');
    const found = this.win.fs
      .list()
      .filter((f) => pathKey(f.path).startsWith(prefix) && (recurse || !pathKey(f.path).slice(prefix.length).includes('\\')))
      .map((f) => {
        const nameOf = f.path.split(/[\\/]/).pop()!;
        return { Name: nameOf, FullName: f.path, Length: f.data.length };
      })
      .filter((f) => (filter === undefined || wildcard(filter).test(f.Name)) && (include.length === 0 || include.some((p) => wildcard(p).test(f.Name))));
    return found.length === 0 ? null : found.length === 1 ? found[0]! : found;
  }

  private testPath(p: string): boolean {
    const lower = p.toLowerCase();
    if (lower.startsWith('hklm:') || lower.startsWith('registry::')) {
      if (lower.includes('component based servicing\\rebootpending') || lower.includes('windowsupdate\\auto update\\rebootrequired')) {
        return this.win.pendingReboot;
      }
      const rkey = registryKey(p);
      if (rkey && keyExists(this.win.fs, rkey)) return true;
      return lower.includes('setup\\state') || lower.includes('software\\microsoft');
    }
    return this.win.fs.exists(p);
  }

  private registry(path: string, prop: string): Val | undefined {
    const p = path.replace(/^registry::hkey_local_machine/, 'hklm:');
    if (p.includes('currentversion\\setup\\state')) {
      if (prop.toLowerCase() === 'imagestate') return this.win.imageState;
      return undefined;
    }
    if (p.includes('microsoft sql server\\mssql')) return sqlSetupValue(this.win.fs, p, prop);
    if (p.includes('windows nt\\currentversion')) {
      // The OS build and its update build revision (windows-update.ts: cumulative updates raise the UBR).
      const v = osVersion(this.win.fs, this.win.release);
      const lower = prop.toLowerCase();
      if (v && (lower === 'currentbuild' || lower === 'currentbuildnumber')) return String(v.build);
      if (v && lower === 'ubr') return v.ubr;
      return undefined;
    }
    // The default user's locale, which `ec2launch sysprep` (and winami's EC2Config seal script) copies into the answer file.
    if (path.replace(/^registry::hkey_users/, 'hku:').startsWith('hku:\\.default\\control panel\\international') && prop.toLowerCase() === 'localename')
      return languageOf(this.win.fs).culture;
    // Both keys hold the name on Windows: ComputerName (set for next boot) and ActiveComputerName (in use).
    if ((p.includes('control\\computername\\computername') || p.includes('control\\computername\\activecomputername')) && prop.toLowerCase() === 'computername')
      return this.win.computerName;
    return undefined;
  }

  private runTask(tname: string, named: Map<string, Val>, node: Node): Val {
    const line = this.win.tasks.get(tname);
    if (line === undefined) return this.fail(named, `Start-ScheduledTask : The system cannot find the file specified.`, node);
    const [exe, ...args] = splitCommandLine(line);
    return this.external(exe ?? '', args, node, true);
  }

  /** A native program, script file or agent executable. `background`: started by a scheduled task. */
  private external(name: string, args: string[], node: Node, background: boolean, named: Map<string, Val> = new Map()): Val {
    const clean = name.replace(/^["']|["']$/g, '');
    const base = clean.split(/[\\/]/).pop()!.toLowerCase();
    const lowerArgs = args.map((a) => a.toLowerCase());
    const has = (...flags: string[]) => lowerArgs.some((a) => flags.includes(a));
    const agent = this.win.agent;
    // PowerShell sets $LASTEXITCODE after every native program; the modelled ones succeed.
    if (/\.exe$/.test(base)) this.vars.set('lastexitcode', 0);
    const notRecognized = () => {
      this.err(NOT_RECOGNIZED(clean));
      this.lastFailed = true;
      return null;
    };
    switch (base) {
      case 'ec2launch.exe':
      case 'ec2launch': {
        if (agent !== 'ec2launch-v2') return notRecognized();
        if (lowerArgs[0] !== 'sysprep') return null;
        const shutdown = has('--shutdown', '-s', '--shutdown=true', '-s=true');
        return this.sysprep({ via: 'EC2Launch v2', power: shutdown ? 'shutdown' : 'quit', generalize: true, oobe: true }, background);
      }
      case 'initializeinstance.ps1':
        if (agent !== 'ec2launch-v1') return notRecognized();
        if (has('-schedule', '-scheduleperboot')) this.win.v1Scheduled = true;
        return null;
      case 'sysprepinstance.ps1':
        if (agent !== 'ec2launch-v1') return notRecognized();
        return this.sysprep({ via: 'EC2Launch v1', power: has('-noshutdown') ? 'quit' : 'shutdown', generalize: true, oobe: true }, background);
      case 'ec2config.exe':
      case 'ec2config':
        if (agent !== 'ec2config') return notRecognized();
        if (!has('-sysprep')) return null;
        return this.sysprep({ via: 'EC2Config', power: 'shutdown', generalize: true, oobe: true }, background);
      case 'sysprep.exe':
      case 'sysprep': {
        const unattend = lowerArgs.find((a) => a.startsWith('/unattend:'));
        const power = has('/shutdown') ? 'shutdown' : has('/reboot') ? 'reboot' : 'quit';
        return this.sysprep(
          {
            via: 'sysprep.exe',
            power,
            generalize: has('/generalize'),
            oobe: !has('/audit'),
            ...(unattend ? { unattend: args[lowerArgs.indexOf(unattend)]!.slice('/unattend:'.length) } : {}),
          },
          background,
        );
      }
      case 'powershell.exe':
      case 'powershell':
      case 'pwsh.exe':
      case 'pwsh': {
        const fi = lowerArgs.findIndex((a) => a === '-file' || a === '-f');
        if (fi >= 0 && args[fi + 1]) return this.external(args[fi + 1]!, args.slice(fi + 2), node, background);
        const ci = lowerArgs.findIndex((a) => a === '-command' || a === '-c');
        if (ci >= 0) return this.nested(args.slice(ci + 1).join(' '), background);
        return null;
      }
      case 'cmd.exe':
      case 'cmd': {
        const ci = lowerArgs.findIndex((a) => a === '/c' || a === '/k');
        if (ci < 0) return null;
        const [exe, ...rest] = splitCommandLine(args.slice(ci + 1).join(' '));
        return exe ? this.external(exe, rest, node, background) : null;
      }
      case 'schtasks.exe':
      case 'schtasks': {
        const opt = (flag: string) => {
          const i = lowerArgs.indexOf(flag);
          return i >= 0 ? args[i + 1] : undefined;
        };
        const tn = opt('/tn')?.toLowerCase();
        if (has('/create') && tn) {
          const tr = opt('/tr');
          if (tr !== undefined) this.win.tasks.set(tn, tr);
          this.stdout += `SUCCESS: The scheduled task "${opt('/tn')}" has successfully been created.\n`;
          return null;
        }
        if (has('/run') && tn) {
          if (!this.win.tasks.has(tn)) {
            this.err('ERROR: The system cannot find the file specified.');
            this.lastFailed = true;
            return null;
          }
          this.stdout += `SUCCESS: Attempted to run the scheduled task "${opt('/tn')}".\n`;
          return this.runTask(tn, new Map(), node);
        }
        return null;
      }
      case 'shutdown.exe':
      case 'shutdown':
        if (has('/r', '-r')) this.result.restart = true;
        return null;
      case 'setup.exe': {
        const r = runSqlSetup(this.win.fs, clean, args);
        this.vars.set('lastexitcode', r.exitCode);
        return r.stdout.length ? r.stdout : null;
      }
      case 'sqlcmd.exe':
      case 'sqlcmd': {
        const r = runSqlcmd(this.win.fs, args, this.win.computerName);
        this.vars.set('lastexitcode', r.exitCode);
        return r.stdout.length === 1 ? r.stdout[0]! : r.stdout.length ? r.stdout : null;
      }
      case 'dism.exe':
      case 'dism': {
        // DISM /Online /Cleanup-Image /StartComponentCleanup [/ResetBase]: exit 0 when done.
        if (has('/online') && has('/cleanup-image') && has('/startcomponentcleanup')) {
          return [
            'Deployment Image Servicing and Management tool',
            '[==========================100.0%==========================]',
            'The operation completed successfully.',
          ];
        }
        this.vars.set('lastexitcode', 87);
        this.err(`Error: 87\r\n\r\nThe ${args[0] ?? ''} option is unknown.`);
        return null;
      }
      case 'icacls.exe':
      case 'icacls': {
        if (!this.win.fs.exists(args[0] ?? '')) {
          this.vars.set('lastexitcode', 2);
          this.err(`${args[0] ?? ''}: The system cannot find the file specified.\r\nSuccessfully processed 0 files; Failed processing 1 files`);
          return null;
        }
        return 'processed file: ' + (args[0] ?? '') + '\r\nSuccessfully processed 1 files; Failed processing 0 files';
      }
      default:
        if (base.endsWith('.ps1')) return this.scriptFile(clean, node, named);
        return this.unmodelled(clean, named, node);
    }
  }

  /**
   * `& 'C:\\...\\x.ps1'`: the script file from the guest disk runs in its own
   * scope; its `exit N` sets $LASTEXITCODE, its output joins the caller's, and
   * a restart or Sysprep it starts is the command's.
   */
  private scriptFile(path: string, node: Node, named: Map<string, Val>): Val {
    const data = this.win.fs.read(path);
    if (!data) return this.fail(named, NOT_RECOGNIZED(path), node);
    const inner = runScript(this.parser, data.toString('utf8').replace(/^\uFEFF/, ''), this.win, { ...this.opts, scriptPath: path });
    this.stdout += inner.stdout;
    this.stderr += inner.stderr;
    this.vars.set('lastexitcode', inner.exitCode);
    if (inner.restart) this.result.restart = true;
    if (inner.sysprepInline) this.result.sysprepInline = true;
    if (inner.sysprep) this.result.sysprep = inner.sysprep;
    if (inner.halted) throw new HaltSignal();
    return null;
  }

  private nested(source: string, background: boolean): Val {
    const tree = this.parser.parse(source);
    if (!tree) return null;
    try {
      if (tree.rootNode.hasError) {
        this.err(`ParserError in -Command text`);
        this.lastFailed = true;
        return null;
      }
      if (background) {
        // A task's PowerShell runs detached: only its Sysprep matters to the caller.
        const saved = this.stdout;
        this.statements(tree.rootNode);
        this.stdout = saved;
      } else this.statements(tree.rootNode);
    } finally {
      tree.delete();
    }
    return null;
  }

  private sysprep(req: SysprepRequest, background: boolean): Val {
    beginSysprep(this.win, req, this.opts.now);
    if (background) {
      this.result.sysprep = { ...req, async: true };
      return null;
    }
    if (req.power !== 'quit') {
      this.result.sysprep = { ...req, async: false };
      throw new HaltSignal();
    }
    const ok = finishSysprep(this.win, req, this.opts.now, this.opts.sysprepFails?.setuperr);
    this.result.sysprepInline = true;
    if (!ok) {
      this.err(`Sysprep failed (${req.via}); see C:\\Windows\\System32\\Sysprep\\Panther\\setuperr.log`);
      this.lastFailed = true;
    }
    return null;
  }
}

/** A hashtable or object (not an array, a byte array, a char or a StringBuilder). */
function isTable(v: Val | undefined): v is PsObject {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof PsChar) && !(v instanceof PsStringBuilder);
}

/** A variable's key: lowercase, without `${}` and without a scope prefix (`$global:x` is `$x`). */
function varName(text: string): string {
  return text
    .replace(/^\$\{?|\}$/g, '')
    .replace(/^(global|script|local|private):/i, '')
    .toLowerCase();
}

function getMember(v: Val, name: string): Val {
  const lower = name.toLowerCase();
  if (v === null) return null;
  if (v instanceof PsChar) return null;
  if (v instanceof PsStringBuilder) return lower === 'length' ? v.text.length : null;
  if (v instanceof ComObject) return (v.get(name) ?? null) as Val;
  if (Array.isArray(v)) {
    if (lower === 'count' || lower === 'length') return v.length;
    return v.map((x) => getMember(x, name));
  }
  if (typeof v === 'string') return lower === 'length' ? v.length : null;
  if (Buffer.isBuffer(v)) return lower === 'length' || lower === 'count' ? v.length : null;
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k.toLowerCase() === lower) return x;
  }
  return null;
}

function unescapeBacktick(s: string): string {
  return s.replace(/`(.)/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\0' })[c] ?? c).replace(/""/g, '"');
}

function wildcard(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'is');
}

function quoteIfNeeded(s: string): string {
  return /\s/.test(s) && !s.startsWith('"') ? `"${s}"` : s;
}

/** Split a Windows command line into words, honouring double quotes. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (const ch of line) {
    if (ch === '"') {
      quoted = !quoted;
      any = true;
    } else if (/\s/.test(ch) && !quoted) {
      if (any || cur) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (any || cur) out.push(cur);
  return out;
}

/** Exposed for tests of path handling. */
export { pathKey };
