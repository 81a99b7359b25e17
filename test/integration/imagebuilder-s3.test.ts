/**
 * `bake --engine imagebuilder` with a bundle bucket, end to end on the
 * emulator: every component's AWSTOE document is stored in S3 under a prefix
 * of the build and created from its `uri`, so a component may exceed the
 * 16,000 characters `data` takes inline; the objects are journaled and
 * deleted once the components exist (kept only when asked, and then removed by
 * `winami cleanup`); a missing bucket is refused before anything is created.
 * Also the emulator's side: `uri` read from its S3, refused when it is not
 * there or given with `data`.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as IB from '@aws-sdk/client-imagebuilder';
import { readJournal } from '../../src/bake/journal.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { bakeOnImageBuilder } from '../../src/engines/run-imagebuilder.js';
import { imageBuilderRequests, MAX_COMPONENT_CHARS } from '../../src/engines/imagebuilder.js';
import { enginePlan } from '../../src/engines/plan.js';
import { exportEngine } from '../../src/engines/export.js';
import { enginePolicies } from '../../src/engines/iam.js';
import { loadConfig } from '../../src/config/load.js';
import { renderBundle } from '../../src/render/bundle.js';
import { MemoryReporter } from '../../src/reporter.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { configFor, leftovers, NOTHING, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';
import { afterConsistencyWindow } from './billing-emulator.js';

const BUCKET = 'winami-components-test';

/** A config whose bundle holds `bytes` of incompressible data: inline, its delivery needs several 16,000-character components. */
function bigConfig(bytes: number): string {
  const path = configFor('2022', '', ['  - name: payload', '    file:', '      source: payload.bin', '      destination: C:\\Golden\\payload.bin']);
  writeFileSync(join(dirname(path), 'payload.bin'), randomBytes(bytes));
  return path;
}

describe('bake --engine imagebuilder with the component documents in S3 (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  const a = EMULATOR_ACCOUNTS[0]!;
  const client = <T>(C: new (c: object) => T) =>
    new C({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    });
  before(async () => {
    emu = await startBakeEmulator();
  });
  after(() => emu?.stop());
  beforeEach(async () => {
    await emu.control.reset();
    await client(S3Client).send(new CreateBucketCommand({ Bucket: BUCKET }));
    // The bucket was created by this test a moment ago: S3 may not show it to winami's HeadBucket yet.
    await afterConsistencyWindow();
  });

  const journalDir = mkdtempSync(join(tmpdir(), 'winami-ib-s3-journal-'));
  const run = (config: string, o: { bundleBucket?: string; keepBundle?: boolean } = {}) => {
    const reporter = new MemoryReporter();
    return bakeOnImageBuilder({ config, session: sessionOn(emu), reporter, timeScale: TIME_SCALE, journalDir, ...o }).then((r) => ({ r, reporter }));
  };
  const objects = () => emu.control.resources().s3Objects;

  it('creates every component from its document in S3, past the inline limit, bakes, and deletes the documents', async () => {
    const config = bigConfig(30_000);
    const inline = imageBuilderRequests(loadConfig(config), enginePlan(loadConfig(config), await renderBundle(loadConfig(config)))).filter(
      (x) => x.operation === 'CreateComponent',
    );
    const { r } = await run(config, { bundleBucket: BUCKET });
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.bundle).to.include({ bucket: BUCKET, prefix: `winami/golden/${r.buildId}`, deleted: true });
    const components = r.resources.filter((x) => x.arn.includes(':component/'));
    // Fewer, larger components than inline: one document holds what took several.
    expect(components.length).to.be.lessThan(inline.length);
    expect(r.bundle!.keys).to.have.length(components.length);
    const ib = client(IB.ImagebuilderClient);
    const held = await Promise.all(components.map((c) => ib.send(new IB.GetComponentCommand({ componentBuildVersionArn: c.arn }))));
    expect(Math.max(...held.map((h) => h.component!.data!.length))).to.be.greaterThan(MAX_COMPONENT_CHARS);
    // The emulator takes at most 16,000 characters as inline data: a larger component came from its uri. One object per component.
    expect(emu.control.calls().filter((c) => c.service === 's3' && c.action === 'PutObject' && c.status === 200)).to.have.length(components.length);
    expect(objects()).to.deep.equal([]);
    const journal = readJournal(r.journalPath);
    expect(journal.outstanding.filter((x) => x.kind === 's3-object')).to.deep.equal([]);
    expect(
      leftovers(
        emu,
        r.images.map((i) => i.imageId),
      ).instances,
    ).to.deep.equal([]);
    // A second bake of the same config reuses the components (same documents, same versions) and deletes its own objects too.
    const again = await run(config, { bundleBucket: BUCKET });
    expect(again.r.ok, again.r.error?.message).to.equal(true);
    expect(again.r.resources.filter((x) => x.arn.includes(':component/')).every((x) => x.action === 'unchanged')).to.equal(true);
    expect(objects()).to.deep.equal([]);
  });

  it('keeps the documents only when asked; when S3 refuses the delete they stay in the journal and winami cleanup removes them', async () => {
    const kept = await run(bigConfig(30_000), { bundleBucket: BUCKET, keepBundle: true });
    expect(kept.r.ok, kept.r.error?.message).to.equal(true);
    expect(kept.r.bundle?.deleted).to.equal(false);
    expect(
      objects()
        .map((o) => o.key)
        .sort(),
    ).to.deep.equal([...kept.r.bundle!.keys].sort());
    expect(readJournal(kept.r.journalPath).outstanding.filter((x) => x.kind === 's3-object')).to.deep.equal([]);
    await emu.control.reset();
    await client(S3Client).send(new CreateBucketCommand({ Bucket: BUCKET }));
    await afterConsistencyWindow();
    emu.control.addFault({ service: 's3', action: 'DeleteObjects', errorCode: 'InternalError', status: 500, times: 50 });
    const { r, reporter } = await run(bigConfig(30_000), { bundleBucket: BUCKET });
    expect(r.ok, r.error?.message).to.equal(true);
    expect(r.bundle?.deleted).to.equal(false);
    expect(reporter.events.find((e) => e.code === 'engine.bundle.left')!.message).to.include(`winami cleanup --build-id ${r.buildId}`);
    expect(readJournal(r.journalPath).outstanding.filter((x) => x.kind === 's3-object')).to.have.length(r.bundle!.keys.length);
    emu.control.clearFaults();
    const cleaned = await cleanupBuild({ session: sessionOn(emu), buildId: r.buildId, journal: r.journalPath, pollMs: 5 });
    expect(cleaned.removed.filter((x) => x.kind === 's3-object')).to.have.length(r.bundle!.keys.length);
    expect(objects()).to.deep.equal([]);
  });

  it('refuses a bucket that does not exist before anything is created, naming it and the fix', async () => {
    const err = await run(bigConfig(1_000), { bundleBucket: 'winami-no-such-bucket' }).then(
      () => undefined,
      (e: Error & { hint?: string }) => e,
    );
    expect(err?.message).to.contain('winami-no-such-bucket does not exist');
    expect(err?.hint).to.contain('--bundle-bucket');
    expect(emu.control.calls().filter((c) => c.service === 'imagebuilder')).to.deep.equal([]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('export imagebuilder with a bucket: the template names each document by Uri, the documents are uploaded, and the caller policy may write and read them', async () => {
    const config = bigConfig(30_000);
    const out = mkdtempSync(join(tmpdir(), 'winami-ib-export-'));
    const result = await exportEngine({ configPath: config, engine: 'imagebuilder', outDir: out, bundleBucket: BUCKET, session: sessionOn(emu) });
    expect(result.delivery).to.equal('s3');
    expect(result.bundle?.uploaded).to.equal(true);
    const template = readFileSync(join(out, 'template.yaml'), 'utf8');
    for (const key of result.bundle!.keys) expect(template).to.contain(`Uri: s3://${BUCKET}/${key}`);
    expect(template).not.to.match(/^\s+Data:/m);
    expect(
      objects()
        .map((o) => o.key)
        .sort(),
    ).to.deep.equal([...result.bundle!.keys].sort());
    const caller = JSON.stringify(enginePolicies(loadConfig(config), 'imagebuilder', { bundleBucket: BUCKET }).caller);
    expect(caller).to.contain('s3:PutObject').and.contain('s3:GetObject').and.contain(`arn:aws:s3:::${BUCKET}/winami/golden/*`);
  });

  it("the emulator reads uri from its S3, and refuses a missing object, another account's bucket, and data with uri", async () => {
    const ib = client(IB.ImagebuilderClient);
    const doc =
      'name: t\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecutePowerShell\n        inputs:\n          commands: ["x"]\n';
    await client(S3Client).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'c/t.yaml', Body: doc }));
    await afterConsistencyWindow();
    const base = { semanticVersion: '1.0.0', platform: 'Windows' as const };
    const made = await ib.send(new IB.CreateComponentCommand({ ...base, name: 'from-uri', uri: `s3://${BUCKET}/c/t.yaml`, clientToken: 'a1' }));
    const got = await ib.send(new IB.GetComponentCommand({ componentBuildVersionArn: made.componentBuildVersionArn! }));
    expect(got.component!.data).to.equal(doc);
    const refused = (input: Partial<IB.CreateComponentCommandInput>, token: string) =>
      ib.send(new IB.CreateComponentCommand({ ...base, name: 'refused', clientToken: token, ...input } as IB.CreateComponentCommandInput)).then(
        () => undefined,
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(await refused({ uri: `s3://${BUCKET}/c/missing.yaml` }, 'b1')).to.match(/^InvalidParameterValueException: .*does not exist/);
    expect(await refused({ uri: 'https://example.com/t.yaml' }, 'b2')).to.match(/^InvalidParameterValueException: .*s3:\/\/bucket\/key/);
    expect(await refused({ uri: `s3://${BUCKET}/c/t.yaml`, data: doc }, 'b3')).to.match(/^InvalidParameterCombinationException/);
    const other = EMULATOR_ACCOUNTS[1]!;
    const ib2 = new IB.ImagebuilderClient({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      credentials: { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey },
    });
    const denied = await ib2.send(new IB.CreateComponentCommand({ ...base, name: 'other', uri: `s3://${BUCKET}/c/t.yaml`, clientToken: 'c1' })).then(
      () => undefined,
      (e: Error) => `${e.name}: ${e.message}`,
    );
    expect(denied).to.match(/^InvalidParameterValueException: Access denied/);
  });
});
