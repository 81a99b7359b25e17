/**
 * The audit's listings through the EC2 listing decoder and through the SDK's
 * own deserializer, on the same emulator answers: hostile names, descriptions
 * and tags (entities, non-ASCII, "]]>", CR LF, 10 kB), empty billing fields,
 * pages with next tokens. Outputs must be deep-equal, and so must the audits
 * made with each. The SDK's retry on throttling and its error codes still
 * apply with the decoder in place.
 */
import { expect } from 'chai';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession, Ec2Port } from '../../src/aws/ports.js';
import { AwsError } from '../../src/errors.js';
import { audit } from '../../src/audit/index.js';
import { afterConsistencyWindow, EMULATOR_ACCOUNTS, startEmulator, type Emulator } from './billing-emulator.js';

const HOSTILE = `<script>alert("x")</script>" ' ]]> <![CDATA[ x ]]> &amp; &#x3c; =cmd|' /C calc'!A0 ünïcødé 日本語 🚀 \r\nnext line\rcr`;
const BIG = `${'<&>"\''.repeat(2000)}${'y'.repeat(240)}`;

function session(emu: Emulator, fastListing: boolean): AwsSession {
  const a = EMULATOR_ACCOUNTS[0]!;
  return createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 8,
    fastListing,
  });
}

/** Every page of a listing, request ids removed (they differ per call). */
async function pages(list: (token: string | undefined) => Promise<{ NextToken?: string | undefined; $metadata: { requestId?: string } }>): Promise<unknown[]> {
  const out: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await list(token);
    const { requestId: _ignored, ...metadata } = page.$metadata;
    out.push({ ...page, $metadata: metadata });
    token = page.NextToken;
  } while (token);
  return out;
}

describe('audit listings: the EC2 listing decoder gives what the SDK gives (emulator)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let fast: Ec2Port;
  let sdk: Ec2Port;

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1'], images: 12 } });
    fast = session(emu, true).ec2('us-east-1');
    sdk = session(emu, false).ec2('us-east-1');
    const seeded = (await sdk.describeImages({ Owners: ['self'] })).Images!;
    const source = seeded[0]!.ImageId!;
    emu.control.setImageOutcome({ actions: ['CopyImage'], billing: 'empty', times: 1 });
    const copies = [
      await sdk.copyImage({ Name: 'empty-billing', Description: HOSTILE, SourceImageId: source, SourceRegion: 'us-east-1' }),
      await sdk.copyImage({ Name: 'big-description', Description: BIG, SourceImageId: source, SourceRegion: 'us-east-1' }),
      await sdk.copyImage({ Name: 'plain', Description: '', SourceImageId: source, SourceRegion: 'us-east-1' }),
    ];
    await afterConsistencyWindow();
    const snaps = (await sdk.describeSnapshots({ OwnerIds: ['self'] })).Snapshots!.map((s) => s.SnapshotId!);
    await sdk.createTags({
      Resources: [copies[0]!.ImageId!, seeded[1]!.ImageId!, ...snaps.slice(0, 3)],
      Tags: [
        { Key: HOSTILE.slice(0, 120), Value: HOSTILE },
        { Key: 'empty', Value: '' },
        { Key: 'winami:expect', Value: 'windows' },
      ],
    });
    await sdk.deregisterImage({ ImageId: seeded[2]!.ImageId! });
    for (let i = 0; i < 200; i++) {
      const images = (await sdk.describeImages({ Owners: ['self'] })).Images ?? [];
      if (images.every((im) => im.State !== 'pending')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  after(async () => emu?.stop());

  it('DescribeImages, in pages of 5 with next tokens and in one page, deep-equal', async () => {
    for (const MaxResults of [5, 1000]) {
      const list = (port: Ec2Port) =>
        pages((NextToken) => port.describeImages({ Owners: ['self'], IncludeDeprecated: true, MaxResults, ...(NextToken ? { NextToken } : {}) }));
      const [a, b] = [await list(fast), await list(sdk)];
      expect(a).to.deep.equal(b);
      if (MaxResults === 5) expect(a.length).to.be.greaterThan(2);
    }
    const all = (await fast.describeImages({ Owners: ['self'] })).Images!;
    expect(all.map((i) => i.Description)).to.include.members([HOSTILE.replace(/\r\n?/g, '\n'), BIG]);
    expect(all.find((i) => i.Name === 'empty-billing')).to.include({ PlatformDetails: '', UsageOperation: '' });
    expect(all.flatMap((i) => i.Tags ?? []).map((t) => t.Value)).to.include.members([HOSTILE.replace(/\r\n?/g, '\n'), '']);
  });

  it('DescribeImages by id (the audit looks launch images up so) deep-equal', async () => {
    const ids = (await sdk.describeImages({ Owners: ['self'] })).Images!.map((i) => i.ImageId!);
    const [a, b] = [
      await fast.describeImages({ ImageIds: ids, IncludeDeprecated: true }),
      await sdk.describeImages({ ImageIds: ids, IncludeDeprecated: true }),
    ];
    expect({ ...a, $metadata: {} }).to.deep.equal({ ...b, $metadata: {} });
  });

  it('DescribeSnapshots, in pages of 5 with next tokens and in one page, deep-equal', async () => {
    for (const MaxResults of [5, 1000]) {
      const list = (port: Ec2Port) => pages((NextToken) => port.describeSnapshots({ OwnerIds: ['self'], MaxResults, ...(NextToken ? { NextToken } : {}) }));
      const [a, b] = [await list(fast), await list(sdk)];
      expect(a).to.deep.equal(b);
      if (MaxResults === 5) expect(a.length).to.be.greaterThan(2);
    }
  });

  it('an audit made through either gives the same result', async () => {
    const now = new Date();
    const strip = ({ startedAt: _s, finishedAt: _f, ...r }: Awaited<ReturnType<typeof audit>>) => r;
    const [a, b] = [
      await audit({ session: session(emu, true), regions: ['us-east-1'], now }),
      await audit({ session: session(emu, false), regions: ['us-east-1'], now }),
    ];
    expect(strip(a)).to.deep.equal(strip(b));
    expect(new Set(a.findings.map((f) => f.ruleId))).to.include.keys('billing-fields-empty', 'declared-expectation-mismatch', 'unencrypted-snapshot');
  });

  it('throttled calls are still retried by the SDK, and error codes still come through', async () => {
    const before = emu.control.calls().length;
    emu.control.addFault({ action: 'DescribeImages', errorCode: 'RequestLimitExceeded', times: 2 });
    const out = await fast.describeImages({ Owners: ['self'] });
    expect(out.Images!.length).to.be.greaterThan(10);
    const calls = emu.control
      .calls()
      .slice(before)
      .filter((c) => c.action === 'DescribeImages');
    expect(calls.map((c) => c.errorCode ?? 'ok')).to.deep.equal(['RequestLimitExceeded', 'RequestLimitExceeded', 'ok']);

    const err = await fast.describeImages({ ImageIds: ['ami-00000000000000000'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AwsError);
    expect((err as AwsError).awsCode).to.equal('InvalidAMIID.NotFound');
  });
});
