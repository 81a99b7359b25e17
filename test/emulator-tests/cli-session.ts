/**
 * A scripted AWS CLI session against the emulator: the `aws` command of this
 * machine (botocore's own parsers, not the JS SDK), pointed at it with
 * --endpoint-url. Every successful answer must validate against botocore's
 * output shape of the operation (no unknown member, required members present,
 * enum values valid, scalars of their type); every error must carry the code
 * AWS documents for that case (SSM codes also appear in the operation's error
 * list of the model; EC2 codes are those of the EC2 API error-code page).
 * The sessions live in two test files, so that they run at once.
 */
import { expect } from 'chai';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { withEmulator } from './helpers.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
  required?: string[];
  enum?: string[];
  error?: { code?: string };
}
interface Model {
  shapes: Record<string, Shape>;
  operations: Record<string, { output?: { shape: string }; errors?: { shape: string }[] }>;
}

const MODEL_VERSIONS: Record<string, string> = { ec2: '2016-11-15', ssm: '2014-11-06', sts: '2011-06-15', iam: '2010-05-08', kms: '2014-11-01' };

function botocoreDir(): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function loadModel(dir: string, service: string): Model | undefined {
  const base = `${dir}/data/${service}/${MODEL_VERSIONS[service]}/service-2.json`;
  if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8')) as Model;
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as Model;
  return undefined;
}

/**
 * Values AWS answers that botocore's enums leave out, each seen in AWS's own
 * output: EC2 writes `Platform` lowercase `windows` (the DescribeImages and
 * DescribeInstances samples of the EC2 API reference; the model's enum says
 * `Windows`), and SSM writes an empty `NotificationType` when no notification
 * is configured (the send-command and list-commands examples of the AWS CLI
 * reference).
 */
const ENUM_ERRATA: Record<string, string[]> = { PlatformValues: ['windows'], NotificationType: [''] };

/**
 * EC2 writes a VPC endpoint's `State` in lower case (`pending`, `available`, … in the create-vpc-endpoint and
 * describe-vpc-endpoints output AWS users publish) where botocore's shared `State` enum capitalises them.
 */
const CASE_INSENSITIVE_ENUMS = new Set(['State']);

/** botocore's `json_decode_policies` handler turns IAM's URL-encoded policy documents into objects before the CLI prints them. */
const DECODED_BY_BOTOCORE = new Set(['policyDocumentType']);

/** Problems of a CLI JSON answer against a botocore shape: unknown or missing required members, bad enum values, wrong scalar types. */
export function validateShape(model: Model, shapeName: string, node: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName];
  if (!shape) return void out.push(`${path}: shape ${shapeName} not in the model`);
  switch (shape.type) {
    case 'structure': {
      if (typeof node !== 'object' || node === null || Array.isArray(node))
        return void out.push(`${path}: expected a ${shapeName} structure, got ${JSON.stringify(node)}`);
      const obj = node as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) {
        const m = shape.members?.[k];
        if (!m) out.push(`${path}.${k}: not a member of ${shapeName}`);
        else validateShape(model, m.shape, v, `${path}.${k}`, out);
      }
      for (const r of shape.required ?? []) if (!(r in obj)) out.push(`${path}: required member ${r} of ${shapeName} missing`);
      return;
    }
    case 'list':
      if (!Array.isArray(node)) return void out.push(`${path}: expected a list`);
      return node.forEach((v, i) => validateShape(model, shape.member!.shape, v, `${path}[${i}]`, out));
    case 'map':
      if (typeof node !== 'object' || node === null) return void out.push(`${path}: expected a map`);
      return Object.entries(node).forEach(([k, v]) => validateShape(model, shape.value!.shape, v, `${path}{${k}}`, out));
    case 'string':
      if (DECODED_BY_BOTOCORE.has(shapeName) && typeof node === 'object' && node !== null) return;
      if (typeof node !== 'string') return void out.push(`${path}: ${JSON.stringify(node)} is not a string`);
      if (CASE_INSENSITIVE_ENUMS.has(shapeName) && shape.enum?.some((e) => e.toLowerCase() === node.toLowerCase())) return;
      if (shape.enum && !shape.enum.includes(node) && !ENUM_ERRATA[shapeName]?.includes(node))
        out.push(`${path}: "${node}" is not one of ${shapeName} (${shape.enum.join(', ')})`);
      return;
    case 'boolean':
      if (typeof node !== 'boolean') out.push(`${path}: ${JSON.stringify(node)} is not a boolean`);
      return;
    case 'integer':
    case 'long':
      if (!Number.isInteger(node)) out.push(`${path}: ${JSON.stringify(node)} is not an integer`);
      return;
    case 'double':
    case 'float':
      if (typeof node !== 'number') out.push(`${path}: ${JSON.stringify(node)} is not a number`);
      return;
    case 'timestamp':
      if (!(typeof node === 'number' || (typeof node === 'string' && !Number.isNaN(Date.parse(node)))))
        out.push(`${path}: ${JSON.stringify(node)} is not a timestamp`);
      return;
    case 'blob':
      if (typeof node !== 'string') out.push(`${path}: ${JSON.stringify(node)} is not a blob`);
      return;
    default:
      out.push(`${path}: unexpected shape type ${shape.type}`);
  }
}

/** `describe-images` → `DescribeImages`. */
const operationOf = (command: string) =>
  command
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * Error codes the EC2 API reference's "Error codes for the Amazon EC2 API"
 * page lists, for the EC2 errors this session provokes (EC2's model carries
 * no per-operation error list).
 */
const EC2_DOCUMENTED = new Set([
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Malformed',
  'InvalidAMIID.Unavailable',
  'InvalidAMIName.Duplicate',
  'InvalidInstanceID.NotFound',
  'InvalidInstanceID.Malformed',
  'InvalidSnapshot.InUse',
  'InvalidSnapshot.NotFound',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'InvalidParameter',
  'MissingParameter',
  'InvalidVpcID.NotFound',
  'InvalidVpc.Range',
  'InvalidSubnet.Range',
  'InvalidSubnet.Conflict',
  'InvalidPermission.Duplicate',
  'DependencyViolation',
]);
/** Codes any operation can answer (the common errors of each API reference), beside the operation's own list. */
const COMMON_ERRORS = new Set(['ValidationException', 'ThrottlingException', 'AccessDeniedException']);

/**
 * Runs AWS CLI command lines in one long-lived Python: each line is `aws …` (a fresh `create_clidriver()`, so
 * no session, client or credential carries over from one call to the next, and its stdout, stderr and exit code),
 * without starting Python, importing botocore and parsing its JSON models again for every call, which is most of
 * what a call costs. Requests and answers are JSON lines.
 */
const CLI_RUNNER = `
import contextlib, io, json, sys
import botocore.loaders
from awscli.clidriver import create_clidriver
# The files botocore and the CLI load (service models, endpoints, CLI data) are read and parsed once per process
# instead of once per call: two thirds of a call's CPU. What is loaded is the same for every call.
_loaded = {}
_load = botocore.loaders.Loader.load_data_with_path
def _load_once(self, name):
    key = (tuple(self.search_paths), name)
    if key not in _loaded:
        _loaded[key] = _load(self, name)
    return _loaded[key]
botocore.loaders.Loader.load_data_with_path = _load_once
for line in sys.stdin:
    req = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(req['args'])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    sys.__stdout__.write(json.dumps({'id': req['id'], 'rc': rc, 'stdout': out.getvalue(), 'stderr': err.getvalue()}) + '\\n')
    sys.__stdout__.flush()
`;

/**
 * Whether python3 imports the same AWS CLI as the `aws` command (`aws --version` prints `aws-cli/<version> …`);
 * if not, every call runs `aws` itself.
 */
function inProcessCli(awsVersion: string | undefined): boolean {
  if (!awsVersion) return false;
  try {
    const v = execFileSync('python3', ['-c', 'import awscli;print(awscli.__version__)'], { encoding: 'utf8' }).trim();
    return awsVersion.startsWith(`aws-cli/${v} `);
  } catch {
    return false;
  }
}

export type CliResult = { ok: boolean; stdout: string; stderr: string };

/** Python processes running CLI_RUNNER; each runs one command line at a time, a call goes to the least busy. */
class CliPool {
  private readonly workers: Array<{ child: ChildProcess; pending: Map<number, (r: CliResult) => void> }> = [];
  private next = 0;
  constructor(size: number, env: NodeJS.ProcessEnv) {
    for (let i = 0; i < size; i++) {
      const child = spawn('python3', ['-c', CLI_RUNNER], { env, stdio: ['pipe', 'pipe', 'inherit'] });
      const pending = new Map<number, (r: CliResult) => void>();
      let buf = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (c: string) => {
        buf += c;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const r = JSON.parse(buf.slice(0, nl)) as { id: number; rc: number; stdout: string; stderr: string };
          buf = buf.slice(nl + 1);
          pending.get(r.id)?.({ ok: r.rc === 0, stdout: r.stdout, stderr: r.stderr });
          pending.delete(r.id);
        }
      });
      child.once('exit', (code) => {
        for (const resolve of pending.values()) resolve({ ok: false, stdout: '', stderr: `the CLI runner exited ${code}` });
        pending.clear();
      });
      this.workers.push({ child, pending });
    }
  }
  run(args: string[]): Promise<CliResult> {
    const w = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.next++;
    return new Promise((resolve) => {
      w.pending.set(id, resolve);
      w.child.stdin!.write(`${JSON.stringify({ id, args })}\n`);
    });
  }
  close(): void {
    for (const w of this.workers) w.child.stdin!.end();
  }
}

let awsVersionOnPath: string | undefined | null = null;

/** `aws --version`, or undefined when the AWS CLI is not installed. */
export function awsVersion(): string | undefined {
  if (awsVersionOnPath === null) {
    try {
      awsVersionOnPath = execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch {
      awsVersionOnPath = undefined;
    }
  }
  return awsVersionOnPath;
}

/**
 * Runs `aws <args>` with this environment: in CliPool's Python processes when python3 has the same AWS CLI as
 * `aws`, else one `aws` process per call. `close()` ends the Python processes.
 */
export function awsCli(env: NodeJS.ProcessEnv, poolSize = 2): { run: (args: string[]) => Promise<CliResult>; close: () => void } {
  const pool = inProcessCli(awsVersion()) ? new CliPool(poolSize, env) : undefined;
  return {
    run: (args) =>
      pool
        ? pool.run(args)
        : new Promise<CliResult>((resolve) => {
            execFile('aws', args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr }));
          }),
    close: () => pool?.close(),
  };
}

/** The CLI runner of one session: `ok` validates a success against its output shape, `fails` checks a documented error code. */
function cliSession(emu: Emulator, models: Record<string, Model | undefined>) {
  const a = EMULATOR_ACCOUNTS[0]!;
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: a.accessKeyId,
    AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  let calls = 0;
  const errors: string[] = [];
  const problems: string[] = [];
  // Two Python runners: the session sends independent calls at once, and the emulator answers while Python works.
  const cli = awsCli(env, 2);
  const exec = (args: string[]) => {
    calls += 1;
    return cli.run(['--endpoint-url', emu.endpoint, '--output', 'json', ...args]);
  };
  /** A call that must succeed; its JSON is checked against the operation's output shape. */
  const ok = async (...args: string[]): Promise<any> => {
    const r = await exec(args);
    if (!r.ok) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`);
    const [service, command] = args.filter((x) => !x.startsWith('--'));
    if (command === 'wait' || !r.stdout.trim()) return {};
    const body = JSON.parse(r.stdout) as unknown;
    const model = models[service!];
    const output = model?.operations[operationOf(command!)]?.output?.shape;
    if (model && output) validateShape(model, output, body, `${service} ${command}`, problems);
    return body;
  };
  /** A call that must fail with `code`, a code AWS documents for it. */
  const fails = async (code: string, ...args: string[]): Promise<string> => {
    const r = await exec(args);
    expect(r.ok, `aws ${args.join(' ')} should fail with ${code}`).to.equal(false);
    const got = /An error occurred \(([^)]+)\)/.exec(r.stderr)?.[1];
    expect(got, `aws ${args.join(' ')}: ${r.stderr}`).to.equal(code);
    const [service, command] = args.filter((x) => !x.startsWith('--'));
    if (service === 'ec2') {
      expect(EC2_DOCUMENTED.has(code), `${code} is not on the EC2 error-code page`).to.equal(true);
    } else {
      // SSM, IAM and KMS models list each operation's errors; IAM's shapes carry their wire code.
      const model = models[service!]!;
      const listed = (model.operations[operationOf(command!)]?.errors ?? []).map((e) => model.shapes[e.shape]?.error?.code ?? e.shape);
      expect(
        listed.includes(code) || COMMON_ERRORS.has(code),
        `${code} is not an error of ${service} ${operationOf(command!)} (${listed.join(', ')})`,
      ).to.equal(true);
    }
    errors.push(`${service} ${command}: ${code}`);
    return r.stderr;
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async <T>(what: string, f: () => Promise<T | undefined>, tries = 60): Promise<T> => {
    for (let i = 0; i < tries; i++) {
      const v = await f();
      if (v !== undefined) return v;
      await pause(50);
    }
    throw new Error(`gave up waiting for ${what}`);
  };
  return {
    a,
    ok,
    fails,
    exec,
    until,
    pause,
    validate: (service: string, shape: string, node: unknown, path: string) => validateShape(models[service]!, shape, node, path, problems),
    report: () => ({ calls, errors, problems }),
    close: () => cli.close(),
  };
}

export interface CliSuite {
  /** The emulator of the block (started in its `before`). */
  emulator: () => Emulator;
  /** A new session's calls: `ok` validates a success against its output shape, `fails` checks a documented error code. */
  session: () => ReturnType<typeof cliSession>;
  /** Skip the test, saying why, when `aws` or botocore's models of these services are missing. */
  skipUnless: (ctx: Mocha.Context, services: string[]) => void;
}

/** A describe block with its own emulator and the CLI's models, for one scripted session. */
export function describeCliSession(title: string, define: (suite: CliSuite) => void): void {
  describe(title, function () {
    // A call runs the CLI (Python): on a loaded machine one call can take seconds.
    this.timeout(600_000);
    let emu: Emulator;
    const dir = botocoreDir();
    const models: Record<string, Model | undefined> = {};
    const sessions: Array<ReturnType<typeof cliSession>> = [];
    const hasAws = awsVersion() !== undefined;

    before(async function () {
      if (!hasAws || !dir) return;
      for (const s of Object.keys(MODEL_VERSIONS)) models[s] = loadModel(dir, s);
      emu = await withEmulator({ timeScale: 0.001 });
    });
    after(async () => {
      for (const s of sessions) s.close();
      await emu?.stop();
    });

    define({
      emulator: () => emu,
      session: () => {
        const s = cliSession(emu, models);
        sessions.push(s);
        return s;
      },
      skipUnless: (ctx, services) => {
        if (!hasAws) {
          console.log('      skipped: the aws CLI is not installed (apt-get install awscli, or pip install awscli)');
          ctx.skip();
        }
        if (!dir || services.some((s) => !models[s])) {
          console.log(`      skipped: botocore's ${services.join('/')} models were not found (${dir ?? 'botocore not importable'})`);
          ctx.skip();
        }
      },
    });
  });
}
