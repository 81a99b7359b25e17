/**
 * The emulator's S3 through the real SDK client, path-style and
 * virtual-host-style: buckets with their LocationConstraint rules, objects,
 * paging, deletes, and S3's error codes; then its fidelity: every XML body
 * and header it serves validated against botocore's s3 model (members,
 * required members, enums, scalar types), every error code one S3 documents;
 * and the guest's Read-S3Object through the instance profile.
 */
import { expect } from 'chai';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { handleS3, S3Store, type S3Request } from '../../emulator/s3.js';
import { rejection, withEmulator } from './helpers.js';

/** Host names the virtual-host-style client looked up. */
const looked: string[] = [];

function s3(emu: Emulator, o: { region?: string; account?: number; virtualHost?: boolean } = {}): S3Client {
  const a = EMULATOR_ACCOUNTS[o.account ?? 0]!;
  const port = new URL(emu.endpoint).port;
  return new S3Client({
    region: o.region ?? 'us-east-1',
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 1,
    ...(o.virtualHost
      ? {
          // `bucket.localhost` resolved to the emulator, as a DNS wildcard would.
          endpoint: `http://localhost:${port}`,
          forcePathStyle: false,
          requestHandler: new NodeHttpHandler({
            httpAgent: new Agent({
              lookup: ((h: string, opts: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) =>
                looked.push(h) && opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
            }),
          }),
        }
      : { endpoint: emu.endpoint, forcePathStyle: true }),
  });
}

describe('emulator: S3 through the SDK', function () {
  this.timeout(60_000);
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator();
  });
  after(() => emu?.stop());
  beforeEach(() => emu.control.reset());

  for (const style of ['path-style', 'virtual-host-style'] as const) {
    it(`serves buckets and objects ${style}, with S3's error codes`, async () => {
      const c = s3(emu, { region: 'eu-west-1', virtualHost: style === 'virtual-host-style' });
      const bad = await rejection(c.send(new CreateBucketCommand({ Bucket: 'b-one', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })));
      expect(bad.name).to.equal('IllegalLocationConstraintException');
      await c.send(new CreateBucketCommand({ Bucket: 'b-one', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      expect(
        (await rejection(c.send(new CreateBucketCommand({ Bucket: 'b-one', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })))).name,
      ).to.equal('BucketAlreadyOwnedByYou');
      expect((await rejection(s3(emu, { region: 'eu-west-1', account: 1 }).send(new CreateBucketCommand({ Bucket: 'b-one' })))).name).to.equal(
        'BucketAlreadyExists',
      );
      expect((await c.send(new HeadBucketCommand({ Bucket: 'b-one' }))).BucketRegion).to.equal('eu-west-1');
      expect((await c.send(new GetBucketLocationCommand({ Bucket: 'b-one' }))).LocationConstraint).to.equal('eu-west-1');
      const body = Buffer.from('bytes with a \u00e9 and \r\n');
      const put = await c.send(new PutObjectCommand({ Bucket: 'b-one', Key: 'dir/a key+&.txt', Body: body }));
      const got = await c.send(new GetObjectCommand({ Bucket: 'b-one', Key: 'dir/a key+&.txt' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).to.equal(true);
      expect(got.ETag).to.equal(put.ETag);
      expect((await c.send(new HeadObjectCommand({ Bucket: 'b-one', Key: 'dir/a key+&.txt' }))).ContentLength).to.equal(body.length);
      expect((await rejection(c.send(new GetObjectCommand({ Bucket: 'b-one', Key: 'missing' })))).name).to.equal('NoSuchKey');
      expect((await rejection(c.send(new HeadObjectCommand({ Bucket: 'b-one', Key: 'missing' })))).name).to.equal('NotFound');
      expect((await rejection(c.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })))).name).to.equal('NoSuchBucket');
      expect((await rejection(c.send(new DeleteBucketCommand({ Bucket: 'b-one' })))).name).to.equal('BucketNotEmpty');
      // Deleting an absent key succeeds, as on S3.
      await c.send(new DeleteObjectCommand({ Bucket: 'b-one', Key: 'never-there' }));
      await c.send(new DeleteObjectCommand({ Bucket: 'b-one', Key: 'dir/a key+&.txt' }));
      await c.send(new DeleteBucketCommand({ Bucket: 'b-one' }));
      expect((await rejection(c.send(new HeadBucketCommand({ Bucket: 'b-one' })))).name).to.equal('NotFound');
      if (style === 'virtual-host-style') expect(looked).to.include('b-one.localhost');
    });
  }

  it('stores a streamed upload (aws-chunked with a trailing checksum) as its bytes', async () => {
    const c = s3(emu);
    await c.send(new CreateBucketCommand({ Bucket: 'streamed' }));
    const parts = [Buffer.alloc(70_000, 1), Buffer.from('tail'), Buffer.alloc(5_000, 2)];
    const all = Buffer.concat(parts);
    await c.send(new PutObjectCommand({ Bucket: 'streamed', Key: 's', Body: Readable.from(parts), ContentLength: all.length }));
    const got = await c.send(new GetObjectCommand({ Bucket: 'streamed', Key: 's' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(all)).to.equal(true);
    // The SDK streamed it chunked: the emulator decoded the chunks, not stored their framing.
    expect(emu.control.resources().s3Objects.find((o) => o.key === 's')!.size).to.equal(all.length);
  });

  it('applies the LocationConstraint rules of us-east-1 and refuses bad names', async () => {
    const c = s3(emu);
    await c.send(new CreateBucketCommand({ Bucket: 'east-bucket' }));
    // us-east-1 answers the owner's repeated CreateBucket with success.
    await c.send(new CreateBucketCommand({ Bucket: 'east-bucket' }));
    expect((await c.send(new GetBucketLocationCommand({ Bucket: 'east-bucket' }))).LocationConstraint).to.equal(undefined);
    expect(
      (await rejection(c.send(new CreateBucketCommand({ Bucket: 'xx2', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never } })))).name,
    ).to.equal('InvalidLocationConstraint');
    expect((await rejection(c.send(new CreateBucketCommand({ Bucket: 'Upper_Case' })))).name).to.equal('InvalidBucketName');
    expect((await rejection(c.send(new CreateBucketCommand({ Bucket: '10.0.0.1' })))).name).to.equal('InvalidBucketName');
    // Another region's bucket is redirected; another account's is denied.
    expect((await rejection(s3(emu, { region: 'eu-west-1' }).send(new HeadBucketCommand({ Bucket: 'east-bucket' })))).$metadata?.httpStatusCode).to.equal(301);
    expect((await rejection(s3(emu, { account: 1 }).send(new GetObjectCommand({ Bucket: 'east-bucket', Key: 'k' })))).name).to.equal('AccessDenied');
  });

  it('pages ListObjectsV2 with continuation tokens, prefixes and delimiters, and deletes in batches', async () => {
    const c = s3(emu);
    await c.send(new CreateBucketCommand({ Bucket: 'paged' }));
    const keys = Array.from({ length: 25 }, (_, i) => `p/${String(i).padStart(2, '0')}`);
    for (const Key of [...keys, 'q/one', 'q/sub/two']) await c.send(new PutObjectCommand({ Bucket: 'paged', Key, Body: Key }));
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: c, pageSize: 7 }, { Bucket: 'paged', Prefix: 'p/' })) {
      pages += 1;
      expect(page.KeyCount).to.be.at.most(7);
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).to.equal(4);
    expect(seen).to.deep.equal(keys);
    const tree = await c.send(new ListObjectsV2Command({ Bucket: 'paged', Prefix: 'q/', Delimiter: '/' }));
    expect(tree.Contents!.map((o) => o.Key)).to.deep.equal(['q/one']);
    expect(tree.CommonPrefixes!.map((p) => p.Prefix)).to.deep.equal(['q/sub/']);
    const out = await c.send(new DeleteObjectsCommand({ Bucket: 'paged', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect(out.Deleted!.map((d) => d.Key)).to.deep.equal(keys);
    expect((await c.send(new ListObjectsV2Command({ Bucket: 'paged' }))).KeyCount).to.equal(2);
  });

  it("lets the guest's Read-S3Object fetch an object only when the instance profile's role allows s3:GetObject", async () => {
    const c = s3(emu);
    await c.send(new CreateBucketCommand({ Bucket: 'guest-bucket' }));
    await c.send(new PutObjectCommand({ Bucket: 'guest-bucket', Key: 'in/file.txt', Body: 'from s3' }));
    const { IAMClient, PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
    const { SSMClient, SendCommandCommand, GetCommandInvocationCommand, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const { EC2Client, RunInstancesCommand } = await import('@aws-sdk/client-ec2');
    const a = EMULATOR_ACCOUNTS[0]!;
    const cfg = { region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } };
    const ssm = new SSMClient(cfg);
    const ami = (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' }))).Parameter!.Value!;
    const run = await new EC2Client(cfg).send(
      new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'winami-builder' } }),
    );
    const id = run.Instances![0]!.InstanceId!;
    const script =
      "$ErrorActionPreference = 'Stop'\r\nRead-S3Object -BucketName 'guest-bucket' -Key 'in/file.txt' -File 'C:\\Fetched\\file.txt' -Region 'us-east-1' | Out-Null";
    const runScript = async () => {
      for (let i = 0; i < 500; i++) {
        try {
          const cmd = await ssm.send(
            new SendCommandCommand({ InstanceIds: [id], DocumentName: 'AWS-RunPowerShellScript', Parameters: { commands: [script] } }),
          );
          for (let j = 0; j < 500; j++) {
            const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: cmd.Command!.CommandId!, InstanceId: id })).catch(() => undefined);
            if (inv && ['Success', 'Failed'].includes(inv.Status!)) return inv;
            await new Promise((r) => setTimeout(r, 10));
          }
        } catch {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      throw new Error('the command never finished');
    };
    const denied = await runScript();
    expect(denied.Status).to.equal('Failed');
    expect(denied.StandardErrorContent).to.match(/Read-S3Object : Access Denied/);
    await new IAMClient(cfg).send(
      new PutRolePolicyCommand({
        RoleName: 'winami-builder',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guest-bucket/in/*' }],
        }),
      }),
    );
    const allowed = await runScript();
    expect(allowed.Status, allowed.StandardErrorContent).to.equal('Success');
    expect(emu.control.readGuestFile(id, 'C:\\Fetched\\file.txt')).to.equal('from s3');
  });
});

describe('emulator: S3 through the AWS CLI (botocore)', function () {
  // Each `aws` call starts a Python interpreter: seconds apiece on a loaded machine.
  this.timeout(300_000);
  let emu: Emulator;
  let hasAws = true;
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
  } catch {
    hasAws = false;
  }
  before(async () => {
    if (hasAws) emu = await withEmulator();
  });
  after(() => emu?.stop());

  it('copies files up and down with `aws s3 cp`, lists, and answers errors with their codes', async function () {
    if (!hasAws) {
      console.log('      skipped: the aws CLI is not installed (apt-get install awscli, or pip install awscli)');
      return this.skip();
    }
    const a = EMULATOR_ACCOUNTS[0]!;
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
    };
    // Asynchronous: the emulator answers from this same process.
    const aws = (...args: string[]) =>
      new Promise<{ ok: boolean; stdout: string; stderr: string }>((resolve) =>
        execFile('aws', ['--endpoint-url', emu.endpoint, '--output', 'json', ...args], { env }, (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr })),
      );
    const code = (r: { stderr: string }) => /An error occurred \(([^)]+)\)/.exec(r.stderr)?.[1];
    const dir = mkdtempSync(join(tmpdir(), 'winami-aws-s3-'));
    const up = join(dir, 'up.bin');
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    writeFileSync(up, data);
    expect((await aws('s3api', 'create-bucket', '--bucket', 'cli-bucket', '--create-bucket-configuration', 'LocationConstraint=eu-west-1')).ok).to.equal(true);
    expect(code(await aws('s3api', 'create-bucket', '--bucket', 'cli-bucket', '--create-bucket-configuration', 'LocationConstraint=eu-west-1'))).to.equal(
      'BucketAlreadyOwnedByYou',
    );
    const cp = await aws('s3', 'cp', up, 's3://cli-bucket/in/up.bin');
    expect(cp.ok, cp.stderr).to.equal(true);
    const down = join(dir, 'down.bin');
    const back = await aws('s3', 'cp', 's3://cli-bucket/in/up.bin', down);
    expect(back.ok, back.stderr).to.equal(true);
    expect(readFileSync(down).equals(data)).to.equal(true);
    const listed = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'in/')).stdout) as {
      Contents: { Key: string; Size: number }[];
    };
    expect(listed.Contents.map((o) => [o.Key, o.Size])).to.deep.equal([['in/up.bin', data.length]]);
    expect(code(await aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'nope', join(dir, 'x')))).to.equal('NoSuchKey');
    expect(code(await aws('s3api', 'delete-bucket', '--bucket', 'cli-bucket'))).to.equal('BucketNotEmpty');
    expect((await aws('s3', 'rm', 's3://cli-bucket/', '--recursive')).ok).to.equal(true);
    expect((await aws('s3api', 'delete-bucket', '--bucket', 'cli-bucket')).ok).to.equal(true);
    expect(code(await aws('s3api', 'head-bucket', '--bucket', 'cli-bucket'))).to.equal('404');
  });
});

interface Shape {
  type: string;
  members?: Record<string, { shape: string; location?: string; locationName?: string }>;
  member?: { shape: string; locationName?: string };
  flattened?: boolean;
  required?: string[];
  enum?: string[];
}
interface Model {
  shapes: Record<string, Shape>;
  operations: Record<string, { output?: { shape: string }; errors?: { shape: string }[] }>;
}

function s3Model(): Model | undefined {
  try {
    const dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
    const base = `${dir}/data/s3/2006-03-01/service-2.json`;
    if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8')) as Model;
    if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as Model;
  } catch {
    /* no botocore */
  }
  return undefined;
}

/** Problems of an XML element (parsed with every child as a list) against a botocore shape. */
function validateXml(model: Model, shapeName: string, node: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  if (shape.type === 'structure') {
    const el = (node ?? {}) as Record<string, unknown[]>;
    const byWire = new Map(
      Object.entries(shape.members ?? {})
        .filter(([, m]) => !m.location)
        .map(([name, m]) => [m.locationName ?? name, { name, ...m }]),
    );
    for (const [tag, values] of Object.entries(el)) {
      if (tag.startsWith('@_') || tag === '#text') continue;
      const m = byWire.get(tag);
      if (!m) {
        out.push(`${path}.${tag}: not a member of ${shapeName}`);
        continue;
      }
      const target = model.shapes[m.shape]!;
      if (target.type === 'list' && target.flattened) values.forEach((v, i) => validateXml(model, target.member!.shape, v, `${path}.${tag}[${i}]`, out));
      else if (target.type === 'list') {
        const items = ((values[0] ?? {}) as Record<string, unknown[]>)[target.member!.locationName ?? 'member'] ?? [];
        items.forEach((v, i) => validateXml(model, target.member!.shape, v, `${path}.${tag}[${i}]`, out));
      } else {
        if (values.length > 1) out.push(`${path}.${tag}: appears ${values.length} times`);
        validateXml(model, m.shape, values[0], `${path}.${tag}`, out);
      }
    }
    for (const r of shape.required ?? []) if (byWire.has(r) && !(r in el)) out.push(`${path}: required ${r} missing`);
    return;
  }
  const text = typeof node === 'object' && node !== null ? String((node as Record<string, unknown>)['#text'] ?? '') : String(node ?? '');
  if (shape.enum && !shape.enum.includes(text)) out.push(`${path}: "${text}" is not one of ${shapeName}`);
  if ((shape.type === 'integer' || shape.type === 'long') && !/^-?\d+$/.test(text)) out.push(`${path}: "${text}" is not an integer`);
  if (shape.type === 'boolean' && text !== 'true' && text !== 'false') out.push(`${path}: "${text}" is not a boolean`);
  if (shape.type === 'timestamp' && Number.isNaN(Date.parse(text))) out.push(`${path}: "${text}" is not a timestamp`);
}

/** Error codes on S3's "List of error codes" page (ErrorResponses) that the emulator answers. */
const S3_DOCUMENTED = new Set([
  'AccessDenied',
  'BadDigest',
  'BucketAlreadyExists',
  'BucketAlreadyOwnedByYou',
  'BucketNotEmpty',
  'IllegalLocationConstraintException',
  'IncompleteBody',
  'InvalidArgument',
  'InvalidBucketName',
  'InvalidLocationConstraint',
  'InvalidRequest',
  'KeyTooLongError',
  'MalformedXML',
  'MethodNotAllowed',
  'NoSuchBucket',
  'NoSuchKey',
  'NotImplemented',
  'PermanentRedirect',
]);

describe("emulator: S3 answers against botocore's s3 model", () => {
  const model = s3Model();
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: () => true });
  let now = 1_780_000_000_000;
  const req = (method: string, path: string, query = '', body = '', headers: Record<string, string> = {}, region = 'us-east-1'): S3Request => ({
    method,
    path,
    query: new URLSearchParams(query),
    headers,
    body: Buffer.from(body),
    account: '111111111111',
    region,
    now: (now += 1000),
  });

  it('serves bodies and headers of the model and documented error codes', function () {
    if (!model) {
      console.log("      skipped: botocore's s3 model was not found (pip install botocore)");
      return this.skip();
    }
    const store = new S3Store();
    const problems: string[] = [];
    const errors: string[] = [];
    const call = (operation: string, r: S3Request, expectStatus: number) => {
      const res = handleS3(store, r);
      expect(res.status, `${operation}: ${res.body.toString()}`).to.equal(expectStatus);
      if (res.status >= 300) {
        const code = res.errorCode!;
        errors.push(code);
        expect(S3_DOCUMENTED.has(code), `${code} is not on S3's error-code page`).to.equal(true);
        if (res.body.length) {
          const doc = parser.parse(res.body.toString()) as Record<string, Array<Record<string, unknown[]>>>;
          expect(String((doc.Error![0]!.Code![0] as unknown as string) ?? '')).to.equal(code);
        }
        return res;
      }
      const output = model.operations[operation]!.output?.shape;
      if (output) {
        const shape = model.shapes[output]!;
        // Every header the answer carries is a header member of the output (or HTTP's own).
        const wire = new Set(Object.values(shape.members ?? {}).flatMap((m) => (m.location === 'header' ? [m.locationName!.toLowerCase()] : [])));
        for (const h of Object.keys(res.headers))
          if (!['content-type', 'location'].includes(h) && !wire.has(h)) problems.push(`${operation}: header ${h} is not in ${output}`);
        if (res.body.length && !['GetObject'].includes(operation)) {
          const doc = parser.parse(res.body.toString()) as Record<string, unknown[]>;
          const root = Object.keys(doc).find((k) => k !== '?xml')!;
          validateXml(model, output, doc[root]![0], operation, problems);
        }
      }
      return res;
    };
    call('CreateBucket', req('PUT', '/fid'), 200);
    call(
      'CreateBucket',
      req('PUT', '/fid-eu', '', '<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>', {}, 'eu-west-1'),
      200,
    );
    call(
      'CreateBucket',
      req('PUT', '/fid-eu', '', '<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>', {}, 'eu-west-1'),
      409,
    );
    call('CreateBucket', req('PUT', '/bad', '', '', {}, 'eu-west-1'), 400);
    call('CreateBucket', req('PUT', '/No_Good'), 400);
    call('HeadBucket', req('HEAD', '/fid'), 200);
    call('HeadBucket', req('HEAD', '/fid-eu'), 301);
    call('GetBucketLocation', req('GET', '/fid', 'location'), 200);
    call('GetBucketLocation', req('GET', '/fid-eu', 'location', '', {}, 'eu-west-1'), 200);
    for (let i = 0; i < 5; i++) call('PutObject', req('PUT', `/fid/k/${i}`, '', `v${i}`, { 'content-type': 'text/plain' }), 200);
    call('PutObject', req('PUT', '/fid/md5', '', 'abc', { 'content-md5': 'wrong' }), 400);
    call('GetObject', req('GET', '/fid/k/1'), 200);
    call('HeadObject', req('HEAD', '/fid/k/1'), 200);
    call('GetObject', req('GET', '/fid/none'), 404);
    call('GetObject', req('GET', '/nobucket/none'), 404);
    call('ListObjectsV2', req('GET', '/fid', 'list-type=2&max-keys=2&prefix=k/'), 200);
    const page = handleS3(store, req('GET', '/fid', 'list-type=2&max-keys=2&prefix=k/'));
    const token = /<NextContinuationToken>([^<]+)</.exec(page.body.toString())![1]!;
    call('ListObjectsV2', req('GET', '/fid', `list-type=2&max-keys=2&prefix=k/&continuation-token=${encodeURIComponent(token)}&start-after=k/0`), 200);
    call('ListObjectsV2', req('GET', '/fid', 'list-type=2&delimiter=/&encoding-type=url'), 200);
    call('ListObjectsV2', req('GET', '/fid', 'list-type=2&max-keys=x'), 400);
    call('ListBuckets', req('GET', '/'), 200);
    call(
      'DeleteObjects',
      req('POST', '/fid', 'delete', '<Delete><Object><Key>k/0</Key></Object><Object><Key>k/9</Key></Object></Delete>', { 'x-amz-checksum-crc32': 'AAAAAA==' }),
      200,
    );
    call('DeleteObjects', req('POST', '/fid', 'delete', '<Delete><Object><Key>k/1</Key></Object></Delete>'), 400);
    call('DeleteBucket', req('DELETE', '/fid'), 409);
    for (let i = 1; i < 5; i++) call('DeleteObject', req('DELETE', `/fid/k/${i}`), 204);
    call('DeleteBucket', req('DELETE', '/fid'), 204);
    call('DeleteBucket', req('DELETE', '/fid'), 404);
    expect(problems).to.deep.equal([]);
    expect(new Set(errors)).to.have.length.greaterThan(7);
  });
});
