/**
 * A scripted AWS CLI session against the emulator: the `aws` command of this
 * machine (botocore's own parsers, not the JS SDK), pointed at it with
 * --endpoint-url, over instances, Run Command, parameters, images and copies.
 * Every successful answer must validate against botocore's output shape of
 * the operation (no unknown member, required members present, enum values
 * valid, scalars of their type); every error must carry the code AWS
 * documents for that case (SSM codes also appear in the operation's error
 * list of the model; EC2 codes are those of the EC2 API error-code page).
 * Skipped, saying why, where `aws` or botocore's models are absent.
 */
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
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

describe('emulator: a scripted AWS CLI session, validated against botocore', function () {
  this.timeout(300_000);
  let emu: Emulator;
  const dir = botocoreDir();
  const models: Record<string, Model | undefined> = {};
  let hasAws = true;
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
  } catch {
    hasAws = false;
  }

  before(async function () {
    if (!hasAws || !dir) return;
    for (const s of Object.keys(MODEL_VERSIONS)) models[s] = loadModel(dir, s);
    emu = await withEmulator({ timeScale: 0.001 });
  });
  after(async () => emu?.stop());

  /** The CLI runner of one session: `ok` validates a success against its output shape, `fails` checks a documented error code. */
  function cliSession() {
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
    const exec = (args: string[]) =>
      new Promise<{ ok: boolean; stdout: string; stderr: string }>((resolve) => {
        calls += 1;
        execFile('aws', ['--endpoint-url', emu.endpoint, '--output', 'json', ...args], { env }, (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr }));
      });
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
    };
  }

  it('answers 60+ CLI calls, every success in its output shape and every error with its documented code', async function () {
    if (!hasAws) {
      console.log('      skipped: the aws CLI is not installed (apt-get install awscli, or pip install awscli)');
      return this.skip();
    }
    if (!dir || !models.ec2 || !models.ssm) {
      console.log(`      skipped: botocore's ec2/ssm models were not found (${dir ?? 'botocore not importable'})`);
      return this.skip();
    }
    const { a, ok, fails, exec, until, validate, report } = cliSession();
    const PUBLIC = '/aws/service/ami-windows-latest';

    // Identity, regions and public parameters, beside the caller's own parameters: independent, so at once.
    let base = '';
    await Promise.all([
      (async () => {
        // Identity and regions.
        expect((await ok('sts', 'get-caller-identity')).Account).to.equal(a.accountId);
        expect((await ok('ec2', 'describe-regions')).Regions.length).to.equal(17);

        // Public parameters, by path and by name.
        const listed = await ok('ssm', 'get-parameters-by-path', '--path', PUBLIC);
        const names: string[] = listed.Parameters.map((p: { Name: string }) => p.Name);
        expect(names).to.include(`${PUBLIC}/Windows_Server-2019-English-Full-SQL_2019_Standard`);
        const paged = await ok('ssm', 'get-parameters-by-path', '--path', PUBLIC, '--page-size', '10', '--max-items', '3');
        expect(paged.Parameters).to.have.length(3);
        await Promise.all([
          fails('ValidationException', 'ssm', 'get-parameters-by-path', '--path', PUBLIC, '--page-size', '11'),
          fails('InvalidFilterKey', 'ssm', 'get-parameters-by-path', '--path', PUBLIC, '--parameter-filters', 'Key=Name,Values=x'),
          fails('ParameterNotFound', 'ssm', 'get-parameter', '--name', '/winami/nope'),
        ]);
        base = (await ok('ssm', 'get-parameter', '--name', `${PUBLIC}/Windows_Server-2022-English-Full-Base`)).Parameter.Value as string;
        const both = await ok(
          'ssm',
          'get-parameters',
          '--names',
          `${PUBLIC}/Windows_Server-2019-English-Full-Base`,
          `${PUBLIC}/Windows_Server-1999-English-Full-Base`,
        );
        expect(both.InvalidParameters).to.deep.equal([`${PUBLIC}/Windows_Server-1999-English-Full-Base`]);
      })(),
      (async () => {
        // Own parameters.
        await ok('ssm', 'put-parameter', '--name', '/winami/session/plain', '--type', 'String', '--value', 'v1');
        await ok('ssm', 'put-parameter', '--name', '/winami/session/deep/secret', '--type', 'SecureString', '--value', 's3cret');
        await Promise.all([
          fails('AccessDeniedException', 'ssm', 'put-parameter', '--name', '/aws/service/mine', '--type', 'String', '--value', 'x'),
          fails('ValidationException', 'ssm', 'put-parameter', '--name', '/ssm/mine', '--type', 'String', '--value', 'x'),
        ]);
        await fails('ParameterAlreadyExists', 'ssm', 'put-parameter', '--name', '/winami/session/plain', '--type', 'String', '--value', 'v2');
        expect((await ok('ssm', 'put-parameter', '--name', '/winami/session/plain', '--type', 'String', '--value', 'v2', '--overwrite')).Version).to.equal(2);
        expect((await ok('ssm', 'get-parameter', '--name', '/winami/session/deep/secret', '--with-decryption')).Parameter.Value).to.equal('s3cret');
        const own = await ok('ssm', 'get-parameters-by-path', '--path', '/winami/session', '--recursive');
        expect(own.Parameters.map((p: { Name: string }) => p.Name).sort()).to.deep.equal(['/winami/session/deep/secret', '/winami/session/plain']);
        await ok('ssm', 'delete-parameter', '--name', '/winami/session/plain');
        await fails('ParameterNotFound', 'ssm', 'delete-parameter', '--name', '/winami/session/plain');
      })(),
    ]);

    // Images AWS publishes, and ids that do not exist.
    const amazon = await ok('ec2', 'describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=Windows_Server-2022-English-Full-SQL_2022_*');
    expect(amazon.Images).to.have.length(4);
    expect((await ok('ec2', 'describe-images', '--image-ids', base)).Images[0].CreationDate).to.match(/\.000Z$/);
    await Promise.all([
      fails('InvalidAMIID.NotFound', 'ec2', 'describe-images', '--image-ids', 'ami-0123456789abcdef0'),
      fails('InvalidAMIID.Malformed', 'ec2', 'describe-images', '--image-ids', 'ami-nothex'),
      fails('InvalidParameterCombination', 'ec2', 'describe-images', '--image-ids', base, '--max-results', '5'),
      fails('InvalidAMIID.NotFound', 'ec2', 'run-instances', '--image-id', 'ami-0123456789abcdef0', '--count', '1', '--instance-type', 't3.large'),
      fails('InvalidInstanceID.NotFound', 'ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0'),
      fails('InvalidInstanceID.Malformed', 'ec2', 'describe-instances', '--instance-ids', 'i-xyz'),
      fails('InvalidSnapshot.NotFound', 'ec2', 'delete-snapshot', '--snapshot-id', 'snap-0123456789abcdef0'),
    ]);

    // A builder.
    const ran = await ok(
      'ec2',
      'run-instances',
      '--image-id',
      base,
      '--count',
      '1',
      '--instance-type',
      't3.large',
      '--iam-instance-profile',
      'Name=winami-builder',
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=Name,Value=cli-builder}]',
    );
    const iid = ran.Instances[0].InstanceId as string;
    await ok('ec2', 'create-tags', '--resources', iid, '--tags', 'Key=winami:role,Value=builder');
    expect((await ok('ec2', 'describe-tags', '--filters', `Name=resource-id,Values=${iid}`)).Tags).to.have.length(2);
    await until('running', async () =>
      (await ok('ec2', 'describe-instances', '--instance-ids', iid)).Reservations[0].Instances[0].State.Name === 'running' ? true : undefined,
    );
    await ok('ec2', 'describe-instance-status', '--instance-ids', iid);
    const info = await until('Online', async () => {
      const r = await ok('ssm', 'describe-instance-information', '--filters', `Key=InstanceIds,Values=${iid}`);
      return r.InstanceInformationList[0]?.PingStatus === 'Online' ? r.InstanceInformationList[0] : undefined;
    });
    expect([info.PlatformName, info.PlatformVersion]).to.deep.equal(['Microsoft Windows Server 2022 Datacenter', '10.0.20348']);

    // Run Command. A CLI call takes longer than the scaled invocationVisible: stretch it so the first read comes early.
    emu.control.setDurations({ invocationVisible: 3_000_000 });
    const sent = await ok(
      'ssm',
      'send-command',
      '--document-name',
      'AWS-RunPowerShellScript',
      '--instance-ids',
      iid,
      '--parameters',
      'commands=["Write-Output hello"]',
      '--comment',
      'cli session',
    );
    const commandId = sent.Command.CommandId as string;
    await fails('InvocationDoesNotExist', 'ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', iid);
    emu.control.setDurations({ invocationVisible: 1_000 });
    const inv = await until('Success', async () => {
      const r = await exec(['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', iid]);
      const body = r.ok ? JSON.parse(r.stdout) : undefined;
      return body?.Status === 'Success' ? body : undefined;
    });
    validate('ssm', 'GetCommandInvocationResult', inv, 'ssm get-command-invocation');
    expect(inv.StandardOutputContent).to.equal('hello\n');
    await fails('InvalidPluginName', 'ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', iid, '--plugin-name', 'nope');
    expect((await ok('ssm', 'list-commands', '--command-id', commandId)).Commands[0].Status).to.equal('Success');
    expect((await ok('ssm', 'list-command-invocations', '--command-id', commandId, '--details')).CommandInvocations[0].CommandPlugins[0].Output).to.equal(
      'hello\n',
    );
    await Promise.all([
      fails('InvalidDocument', 'ssm', 'send-command', '--document-name', 'No-Such-Document', '--instance-ids', iid),
      fails(
        'InvalidParameters',
        'ssm',
        'send-command',
        '--document-name',
        'AWS-RunPowerShellScript',
        '--instance-ids',
        iid,
        '--parameters',
        'commands=["x"],nope=["y"]',
      ),
      fails(
        'InvalidInstanceId',
        'ssm',
        'send-command',
        '--document-name',
        'AWS-RunPowerShellScript',
        '--instance-ids',
        'i-0123456789abcdef0',
        '--parameters',
        'commands=["x"]',
      ),
      fails('InvalidCommandId', 'ssm', 'cancel-command', '--command-id', '00000000-0000-0000-0000-000000000000'),
      ok('ec2', 'get-console-output', '--instance-id', iid),
      ok('ec2', 'get-password-data', '--instance-id', iid),
    ]);
    const slow = await ok(
      'ssm',
      'send-command',
      '--document-name',
      'AWS-RunPowerShellScript',
      '--instance-ids',
      iid,
      '--parameters',
      'commands=["Write-Output later"]',
    );
    await ok('ssm', 'cancel-command', '--command-id', slow.Command.CommandId);

    // Volumes, snapshots, images.
    const vol = (await ok('ec2', 'describe-volumes', '--filters', `Name=attachment.instance-id,Values=${iid}`)).Volumes[0].VolumeId as string;
    const snap = (await ok('ec2', 'create-snapshot', '--volume-id', vol, '--description', 'cli pre-snapshot')).SnapshotId as string;
    await ok('ec2', 'describe-snapshots', '--snapshot-ids', snap);
    await ok('ec2', 'delete-snapshot', '--snapshot-id', snap);
    const made = (
      await ok(
        'ec2',
        'create-image',
        '--instance-id',
        iid,
        '--name',
        'cli-session-golden',
        '--no-reboot',
        '--tag-specifications',
        'ResourceType=image,Tags=[{Key=winami:role,Value=golden}]',
      )
    ).ImageId as string;
    await fails('InvalidAMIName.Duplicate', 'ec2', 'create-image', '--instance-id', iid, '--name', 'cli-session-golden', '--no-reboot');
    const image = await until('available', async () => {
      const r = await exec(['ec2', 'describe-images', '--image-ids', made]);
      const img = r.ok ? JSON.parse(r.stdout).Images[0] : undefined;
      return img?.State === 'available' ? img : undefined;
    });
    validate('ec2', 'Image', image, 'ec2 describe-images Image');
    expect([image.PlatformDetails, image.UsageOperation]).to.deep.equal(['Windows', 'RunInstances:0002']);
    // Attributes, deprecation, the snapshot in use and the copies (same region, and another region, called there): at once.
    const rootSnap = image.BlockDeviceMappings[0].Ebs.SnapshotId as string;
    let copy = '';
    let west = '';
    await Promise.all([
      (async () => {
        await ok('ec2', 'describe-images', '--owners', 'self', '--filters', 'Name=tag:winami:role,Values=golden');
        await ok('ec2', 'modify-image-attribute', '--image-id', made, '--launch-permission', `Add=[{UserId=${EMULATOR_ACCOUNTS[1]!.accountId}}]`);
        expect((await ok('ec2', 'describe-image-attribute', '--image-id', made, '--attribute', 'launchPermission')).LaunchPermissions).to.have.length(1);
      })(),
      (async () => {
        const deprecateAt = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000 + 31_000).toISOString();
        await ok('ec2', 'enable-image-deprecation', '--image-id', made, '--deprecate-at', deprecateAt);
        expect((await ok('ec2', 'describe-images', '--image-ids', made)).Images[0].DeprecationTime).to.match(/:01:00\.000Z$/);
        await ok('ec2', 'disable-image-deprecation', '--image-id', made);
      })(),
      (async () => {
        await fails('InvalidSnapshot.InUse', 'ec2', 'delete-snapshot', '--snapshot-id', rootSnap);
      })(),
      (async () => {
        // Copies: same region, and another region (called there).
        copy = (
          await ok('ec2', 'copy-image', '--source-image-id', made, '--source-region', 'us-east-1', '--name', 'cli-session-copy', '--client-token', 'cli-copy-1')
        ).ImageId as string;
        expect(
          (
            await ok(
              'ec2',
              'copy-image',
              '--source-image-id',
              made,
              '--source-region',
              'us-east-1',
              '--name',
              'cli-session-copy',
              '--client-token',
              'cli-copy-1',
            )
          ).ImageId,
        ).to.equal(copy);
      })(),
      (async () => {
        west = (
          await ok(
            'ec2',
            'copy-image',
            '--region',
            'eu-west-1',
            '--source-image-id',
            made,
            '--source-region',
            'us-east-1',
            '--name',
            'cli-session-west',
            '--encrypted',
          )
        ).ImageId as string;
        const westImage = await until(
          'west available',
          async () => {
            const r = await exec(['ec2', 'describe-images', '--region', 'eu-west-1', '--image-ids', west]);
            const img = r.ok ? JSON.parse(r.stdout).Images[0] : undefined;
            return img?.State === 'available' ? img : undefined;
          },
          200,
        );
        validate('ec2', 'Image', westImage, 'ec2 describe-images (eu-west-1) Image');
        expect([westImage.SourceImageId, westImage.SourceImageRegion, westImage.PlatformDetails]).to.deep.equal([made, 'us-east-1', 'Windows']);
      })(),
    ]);

    // A registered twin of the golden image shares its snapshot: deregistering the first skips it.
    const twin = (
      await ok(
        'ec2',
        'register-image',
        '--name',
        'cli-session-twin',
        '--root-device-name',
        '/dev/sda1',
        '--architecture',
        'x86_64',
        '--virtualization-type',
        'hvm',
        '--block-device-mappings',
        `DeviceName=/dev/sda1,Ebs={SnapshotId=${rootSnap}}`,
      )
    ).ImageId as string;
    emu.control.setDurations({ imageDeregisteredVisible: 600_000_000 });
    const first = await ok('ec2', 'deregister-image', '--image-id', made, '--delete-associated-snapshots');
    expect(first.DeleteSnapshotResults).to.deep.equal([{ SnapshotId: rootSnap, ReturnCode: 'skipped' }]);
    expect((await ok('ec2', 'describe-images', '--image-ids', made)).Images[0].State).to.equal('deregistered');
    await fails('InvalidAMIID.Unavailable', 'ec2', 'deregister-image', '--image-id', made);
    await fails('InvalidAMIID.Unavailable', 'ec2', 'run-instances', '--image-id', made, '--count', '1', '--instance-type', 't3.large');
    expect((await ok('ec2', 'deregister-image', '--image-id', twin, '--delete-associated-snapshots')).DeleteSnapshotResults).to.deep.equal([
      { SnapshotId: rootSnap, ReturnCode: 'success' },
    ]);
    await ok('ec2', 'deregister-image', '--image-id', copy, '--delete-associated-snapshots');
    await ok('ec2', 'deregister-image', '--region', 'eu-west-1', '--image-id', west, '--delete-associated-snapshots');

    // The builder's lifecycle to the end.
    await ok('ec2', 'reboot-instances', '--instance-ids', iid);
    await ok('ec2', 'stop-instances', '--instance-ids', iid);
    await until('stopped', async () =>
      (await ok('ec2', 'describe-instances', '--instance-ids', iid)).Reservations[0].Instances[0].State.Name === 'stopped' ? true : undefined,
    );
    await ok('ec2', 'start-instances', '--instance-ids', iid);
    await ok('ec2', 'terminate-instances', '--instance-ids', iid);
    await until('terminated', async () =>
      (await ok('ec2', 'describe-instances', '--instance-ids', iid)).Reservations[0].Instances[0].State.Name === 'terminated' ? true : undefined,
    );
    await fails(
      'InvalidInstanceId',
      'ssm',
      'send-command',
      '--document-name',
      'AWS-RunPowerShellScript',
      '--instance-ids',
      iid,
      '--parameters',
      'commands=["x"]',
    );

    const { calls, errors, problems } = report();
    console.log(`      ${calls} CLI calls, ${errors.length} error cases, ${problems.length} shape problems`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(calls).to.be.at.least(60);
    expect(errors.length).to.be.at.least(15);
  });

  it('answers IAM, KMS and VPC calls of the CLI, each section at once: successes in their shapes, errors with their documented codes', async function () {
    if (!hasAws) {
      console.log('      skipped: the aws CLI is not installed (apt-get install awscli, or pip install awscli)');
      return this.skip();
    }
    if (!dir || !models.ec2 || !models.iam || !models.kms) {
      console.log(`      skipped: botocore's ec2/iam/kms models were not found (${dir ?? 'botocore not importable'})`);
      return this.skip();
    }
    const { a, ok, fails, report } = cliSession();
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });

    const iam = async () => {
      expect((await ok('iam', 'get-role', '--role-name', 'winami-builder')).Role.Arn).to.equal(`arn:aws:iam::${a.accountId}:role/winami-builder`);
      expect((await ok('iam', 'get-instance-profile', '--instance-profile-name', 'winami-builder')).InstanceProfile.Roles[0].RoleName).to.equal(
        'winami-builder',
      );
      expect(
        (await ok('iam', 'list-attached-role-policies', '--role-name', 'winami-builder')).AttachedPolicies.map((p: { PolicyName: string }) => p.PolicyName),
      ).to.include('AmazonSSMManagedInstanceCore');
      await fails('NoSuchEntity', 'iam', 'get-role', '--role-name', 'cli-no-such-role');
      await ok('iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trust);
      await fails('EntityAlreadyExists', 'iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trust);
      await fails(
        'MalformedPolicyDocument',
        'iam',
        'create-role',
        '--role-name',
        'cli-bad-trust',
        '--assume-role-policy-document',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}',
      );
      await ok('iam', 'attach-role-policy', '--role-name', 'cli-role', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
      await ok(
        'iam',
        'put-role-policy',
        '--role-name',
        'cli-role',
        '--policy-name',
        'logs',
        '--policy-document',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}',
      );
      expect((await ok('iam', 'list-role-policies', '--role-name', 'cli-role')).PolicyNames).to.deep.equal(['logs']);
      await ok('iam', 'create-instance-profile', '--instance-profile-name', 'cli-profile');
      await ok('iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'cli-role');
      await fails('LimitExceeded', 'iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'winami-builder');
      await fails('DeleteConflict', 'iam', 'delete-role', '--role-name', 'cli-role');
      const sim = await ok(
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        `arn:aws:iam::${a.accountId}:role/cli-role`,
        '--action-names',
        'ssm:UpdateInstanceInformation',
        'ec2:TerminateInstances',
      );
      expect(sim.EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision)).to.deep.equal(['allowed', 'implicitDeny']);
      expect((await ok('iam', 'list-instance-profiles-for-role', '--role-name', 'cli-role')).InstanceProfiles).to.have.length(1);
      await ok('iam', 'list-roles');
      await ok('iam', 'remove-role-from-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'cli-role');
      await ok('iam', 'delete-instance-profile', '--instance-profile-name', 'cli-profile');
      await ok('iam', 'detach-role-policy', '--role-name', 'cli-role', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
      await ok('iam', 'delete-role-policy', '--role-name', 'cli-role', '--policy-name', 'logs');
      await ok('iam', 'delete-role', '--role-name', 'cli-role');
      await fails('NoSuchEntity', 'iam', 'get-instance-profile', '--instance-profile-name', 'cli-profile');
    };

    const kms = async () => {
      const key = (await ok('kms', 'create-key', '--description', 'cli session key')).KeyMetadata.KeyId as string;
      expect((await ok('kms', 'describe-key', '--key-id', key)).KeyMetadata.KeyState).to.equal('Enabled');
      await ok('kms', 'create-alias', '--alias-name', 'alias/cli-session', '--target-key-id', key);
      await fails('AlreadyExistsException', 'kms', 'create-alias', '--alias-name', 'alias/cli-session', '--target-key-id', key);
      expect((await ok('kms', 'list-aliases', '--key-id', key)).Aliases.map((x: { AliasName: string }) => x.AliasName)).to.deep.equal(['alias/cli-session']);
      expect((await ok('kms', 'describe-key', '--key-id', 'alias/cli-session')).KeyMetadata.KeyId).to.equal(key);
      expect((await ok('kms', 'describe-key', '--key-id', 'alias/aws/ebs')).KeyMetadata.KeyManager).to.equal('AWS');
      await fails('NotFoundException', 'kms', 'describe-key', '--key-id', 'alias/cli-no-such-alias');
      await ok('kms', 'disable-key', '--key-id', key);
      expect((await ok('kms', 'describe-key', '--key-id', key)).KeyMetadata.KeyState).to.equal('Disabled');
      await ok('kms', 'enable-key', '--key-id', key);
      await fails('ValidationException', 'kms', 'schedule-key-deletion', '--key-id', key, '--pending-window-in-days', '3');
      expect((await ok('kms', 'schedule-key-deletion', '--key-id', key, '--pending-window-in-days', '7')).KeyState).to.equal('PendingDeletion');
      await fails('KMSInvalidStateException', 'kms', 'enable-key', '--key-id', key);
      await ok('kms', 'cancel-key-deletion', '--key-id', key);
      await ok('kms', 'list-keys');
      await ok('kms', 'delete-alias', '--alias-name', 'alias/cli-session');
    };

    const vpc = async () => {
      expect((await ok('ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].CidrBlock).to.equal('172.31.0.0/16');
      expect((await ok('ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true')).Subnets.length).to.be.greaterThan(1);
      await fails('InvalidVpc.Range', 'ec2', 'create-vpc', '--cidr-block', '10.0.0.0/8');
      const v = (await ok('ec2', 'create-vpc', '--cidr-block', '10.20.0.0/16')).Vpc.VpcId as string;
      const sub = (await ok('ec2', 'create-subnet', '--vpc-id', v, '--cidr-block', '10.20.1.0/24', '--availability-zone', 'us-east-1a')).Subnet
        .SubnetId as string;
      await fails('InvalidSubnet.Range', 'ec2', 'create-subnet', '--vpc-id', v, '--cidr-block', '10.30.1.0/24');
      await fails('InvalidSubnet.Conflict', 'ec2', 'create-subnet', '--vpc-id', v, '--cidr-block', '10.20.1.128/25');
      const sg = (await ok('ec2', 'create-security-group', '--group-name', 'cli-sg', '--description', 'cli session', '--vpc-id', v)).GroupId as string;
      await ok('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '443', '--cidr', '10.20.0.0/16');
      await fails(
        'InvalidPermission.Duplicate',
        'ec2',
        'authorize-security-group-ingress',
        '--group-id',
        sg,
        '--protocol',
        'tcp',
        '--port',
        '443',
        '--cidr',
        '10.20.0.0/16',
      );
      expect((await ok('ec2', 'describe-security-groups', '--group-ids', sg)).SecurityGroups[0].IpPermissions[0].FromPort).to.equal(443);
      await ok('ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${v}`);
      await fails(
        'InvalidParameter',
        'ec2',
        'create-vpc-endpoint',
        '--vpc-id',
        v,
        '--service-name',
        'com.amazonaws.us-east-1.ssm',
        '--vpc-endpoint-type',
        'Interface',
        '--subnet-ids',
        sub,
        '--security-group-ids',
        sg,
        '--private-dns-enabled',
      );
      const ep = (
        await ok(
          'ec2',
          'create-vpc-endpoint',
          '--vpc-id',
          v,
          '--service-name',
          'com.amazonaws.us-east-1.ssm',
          '--vpc-endpoint-type',
          'Interface',
          '--subnet-ids',
          sub,
          '--security-group-ids',
          sg,
          '--no-private-dns-enabled',
        )
      ).VpcEndpoint.VpcEndpointId as string;
      await ok('ec2', 'describe-vpc-endpoints', '--vpc-endpoint-ids', ep);
      await fails('DependencyViolation', 'ec2', 'delete-vpc', '--vpc-id', v);
      await fails('InvalidVpcID.NotFound', 'ec2', 'describe-vpcs', '--vpc-ids', 'vpc-0123456789abcdef0');
      await ok('ec2', 'describe-instance-types', '--instance-types', 't3.large', 'm6i.large');
      await ok('ec2', 'describe-instance-type-offerings', '--location-type', 'availability-zone', '--filters', 'Name=instance-type,Values=t3.large');
      await ok('ec2', 'describe-availability-zones');
      await fails(
        'InvalidParameterValue',
        'ec2',
        'run-instances',
        '--image-id',
        (await ok('ssm', 'get-parameter', '--name', '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base')).Parameter.Value,
        '--count',
        '1',
        '--instance-type',
        'm5.hyperlarge',
      );
      await ok('ec2', 'delete-vpc-endpoints', '--vpc-endpoint-ids', ep);
      await ok('ec2', 'delete-security-group', '--group-id', sg);
      await ok('ec2', 'delete-subnet', '--subnet-id', sub);
      await ok('ec2', 'delete-vpc', '--vpc-id', v);
    };

    await Promise.all([iam(), kms(), vpc()]);
    const { calls, errors, problems } = report();
    console.log(`      ${calls} CLI calls, ${errors.length} error cases, ${problems.length} shape problems`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(errors.length).to.be.at.least(15);
  });
});
