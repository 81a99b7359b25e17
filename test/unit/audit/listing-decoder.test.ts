/**
 * The EC2 listing decoder against the SDK's own deserializer: the same canned
 * response bodies go through an EC2Client with the SDK's protocol and one with
 * `Ec2ListingProtocol`, and the outputs (or errors) must be deep-equal. The
 * bodies cover the plain form EC2 sends and the unusual forms the decoder
 * hands back to the SDK. A last test holds the decoder's field tables to the
 * SDK's schema, so an SDK upgrade that adds a member fails here.
 */
import { expect } from 'chai';
import * as EC2 from '@aws-sdk/client-ec2';
import { Ec2ListingProtocol } from '../../../src/aws/ec2-listing-protocol.js';
import {
  decodeEc2Response,
  DESCRIBE_IMAGES_SHAPE,
  DESCRIBE_SNAPSHOTS_SHAPE,
  IMAGE_SHAPE,
  NotPlainXml,
  SNAPSHOT_SHAPE,
  type ShapeSpec,
} from '../../../src/aws/ec2-listing-decoder.js';

const NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';

/** A client whose every call is answered with `body` (status 200 unless given). */
function cannedClient(fast: boolean, answer: () => { status?: number; body: string }): EC2.EC2Client {
  return new EC2.EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...(fast ? { protocol: Ec2ListingProtocol } : {}),
    requestHandler: {
      handle: async () => {
        const a = answer();
        return { response: { statusCode: a.status ?? 200, headers: { 'Content-Type': 'text/xml', 'X-Amzn-RequestId': 'req-1' }, body: Buffer.from(a.body) } };
      },
    } as never,
  });
}

async function both(
  command: () => EC2.DescribeImagesCommand | EC2.DescribeSnapshotsCommand,
  body: string,
  status?: number,
): Promise<{ sdk: unknown; fast: unknown }> {
  const run = (fast: boolean) =>
    cannedClient(fast, () => ({ body, ...(status ? { status } : {}) }))
      .send(command() as never)
      .then(
        (out) => ({ ok: out as unknown }),
        (err: Error & { $metadata?: unknown; Code?: string }) => ({ error: { name: err.name, message: err.message, code: err.Code, metadata: err.$metadata } }),
      );
  return { sdk: await run(false), fast: await run(true) };
}

const images = (items: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse ${NS}>\n<requestId>r</requestId>\n<imagesSet>${items}</imagesSet>${extra}</DescribeImagesResponse>`;
const snapshots = (items: string, extra = '') =>
  `<DescribeSnapshotsResponse ${NS}><requestId>r</requestId><snapshotSet>${items}</snapshotSet>${extra}</DescribeSnapshotsResponse>`;
const describeImages = () => new EC2.DescribeImagesCommand({ Owners: ['self'] });
const describeSnapshots = () => new EC2.DescribeSnapshotsCommand({ OwnerIds: ['self'] });

const FULL_IMAGE = `<item><imageId>ami-0123456789abcdef0</imageId><imageLocation>111111111111/golden</imageLocation><imageState>available</imageState>
<imageOwnerId>111111111111</imageOwnerId><creationDate>2025-01-02T03:04:05.000Z</creationDate><isPublic>false</isPublic>
<productCodes><item><productCode>abc</productCode><type>marketplace</type></item></productCodes>
<architecture>x86_64</architecture><imageType>machine</imageType><kernelId>k</kernelId><ramdiskId>r</ramdiskId><platform>windows</platform>
<sriovNetSupport>simple</sriovNetSupport><stateReason><code>c</code><message>m</message></stateReason><imageOwnerAlias>amazon</imageOwnerAlias>
<name>golden-2025</name><description>d</description><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/sda1</rootDeviceName>
<blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><snapshotId>snap-1</snapshotId><volumeSize>30</volumeSize><deleteOnTermination>true</deleteOnTermination>
<volumeType>gp3</volumeType><iops>3000</iops><throughput>125</throughput><kmsKeyId>kms</kmsKeyId><outpostArn>o</outpostArn><availabilityZone>us-east-1a</availabilityZone>
<encrypted>TRUE</encrypted><VolumeInitializationRate>100</VolumeInitializationRate><AvailabilityZoneId>use1-az1</AvailabilityZoneId><EbsCardIndex>0</EbsCardIndex></ebs></item>
<item><deviceName>xvdb</deviceName><virtualName>ephemeral0</virtualName></item><item><deviceName>xvdc</deviceName><noDevice></noDevice></item></blockDeviceMapping>
<virtualizationType>hvm</virtualizationType><tagSet><item><key>a</key><value>1</value></item><item><key>b</key><value></value></item></tagSet>
<hypervisor>xen</hypervisor><enaSupport>true</enaSupport><bootMode>uefi</bootMode><tpmSupport>v2.0</tpmSupport><deprecationTime>2030-01-01T00:00:00.000Z</deprecationTime>
<imdsSupport>v2.0</imdsSupport><sourceInstanceId>i-1</sourceInstanceId><deregistrationProtection>disabled</deregistrationProtection><lastLaunchedTime>2025-02-02T00:00:00Z</lastLaunchedTime>
<imageAllowed>true</imageAllowed><sourceImageId>ami-src</sourceImageId><sourceImageRegion>us-west-2</sourceImageRegion><freeTierEligible>false</freeTierEligible>
<publicSsmParameterName>/aws/x</publicSsmParameterName><imageWatermarkSet><item><watermarkKey>w</watermarkKey><sourceImageRegion>r</sourceImageRegion><sourceImageId>ami-w</sourceImageId>
<sourceImageCreationTime>2024-05-06T07:08:09.5Z</sourceImageCreationTime><watermarkCreationTime>2024-05-06T07:08:09+02:00</watermarkCreationTime></item></imageWatermarkSet>
<scanResults><highestFindingSeverityLabel>HIGH</highestFindingSeverityLabel><findingScanDate>2025-01-01T00:00:00.123456Z</findingScanDate><informationalFixAvailableSince>2025-01-01T00:00:00Z</informationalFixAvailableSince>
<lowFixAvailableSince>2025-01-01T00:00:00Z</lowFixAvailableSince><mediumFixAvailableSince>2025-01-01T00:00:00Z</mediumFixAvailableSince><highFixAvailableSince>2025-01-01T00:00:00Z</highFixAvailableSince>
<criticalFixAvailableSince>2025-01-01T00:00:00-05:30</criticalFixAvailableSince></scanResults>
<instanceTypeSpecification><supportedInstanceTypeSet><item><instanceType>m5.large</instanceType></item></supportedInstanceTypeSet><unsupportedInstanceTypeSet/></instanceTypeSpecification>
<platformDetails>Windows</platformDetails><usageOperation>RunInstances:0002</usageOperation><someFutureField><x>1</x></someFutureField></item>`;

const FULL_SNAPSHOT = `<item><snapshotId>snap-1</snapshotId><volumeId>vol-1</volumeId><status>completed</status><statusMessage>ok</statusMessage><startTime>2025-01-02T03:04:05.000Z</startTime>
<progress>100%</progress><ownerId>111111111111</ownerId><ownerAlias>self</ownerAlias><volumeSize>30</volumeSize><description>Created by CreateImage(i-1) for ami-1</description>
<encrypted>false</encrypted><kmsKeyId>k</kmsKeyId><dataEncryptionKeyId>d</dataEncryptionKeyId><outpostArn>o</outpostArn><storageTier>standard</storageTier>
<restoreExpiryTime>2026-01-01T00:00:00Z</restoreExpiryTime><sseType>none</sseType><availabilityZone>us-east-1a</availabilityZone><transferType>standard</transferType>
<completionDurationMinutes>3</completionDurationMinutes><completionTime>2025-01-02T03:07:05.000Z</completionTime><fullSnapshotSizeInBytes>32212254720</fullSnapshotSizeInBytes>
<tagSet><item><key>k</key><value>v</value></item></tagSet></item>`;

const HOSTILE = `&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;amp; &#x3c;&#60;&#x1F680; &apos;&unknown; ünïcødé 日本語 🚀 ]]&gt; =cmd|' /C calc'!A0`;
const BIG = 'x'.repeat(10_240);

/** Bodies the decoder reads itself, and bodies it must hand to the SDK; either way the outputs must match. */
const IMAGE_CASES: Record<string, string> = {
  'every Image member, nested lists and structures, an unknown element': images(FULL_IMAGE),
  'no images, a next token': images('', '<nextToken>tok+/=&amp;</nextToken>'),
  'an empty imagesSet': `<DescribeImagesResponse ${NS}><requestId>r</requestId><imagesSet/></DescribeImagesResponse>`,
  'entities, non-ASCII, "]]>" and a 10 kB value': images(
    `<item><imageId>ami-1</imageId><name>${HOSTILE}</name><description>${BIG}${HOSTILE}</description><tagSet><item><key>${HOSTILE}</key><value>${HOSTILE}</value></item></tagSet></item>`,
  ),
  'CDATA, comments and processing instructions inside values': images(
    `<item><imageId>ami-1</imageId><description>a<![CDATA[<b>&amp; ]] ]>]]>b<!-- c --><?pi x?>&lt;</description><name><![CDATA[]]></name></item>`,
  ),
  'empty and missing billing fields, empty numbers and booleans': images(
    `<item><imageId>ami-1</imageId><platformDetails/><usageOperation></usageOperation><isPublic/><enaSupport>yes</enaSupport><blockDeviceMapping><item><ebs><volumeSize/><encrypted></encrypted><iops>12abc</iops></ebs></item><item/></blockDeviceMapping><tagSet/><stateReason/></item>`,
  ),
  'whitespace: kept in values, dropped between elements, a blank value with a line break': images(
    `\n  <item>\n    <imageId> ami-1 </imageId>\n    <name>\n   </name>\n    <description>   </description>\n    <tagSet>\n      <item>\n        <key>\tk\t</key>\n      </item>\n    </tagSet>\n  </item>\n`,
  ),
  'CRLF and lone CR line ends': images(`<item><imageId>ami-1</imageId><description>a\r\nb\rc&#13;d</description></item>`).replace(/\n/g, '\r\n'),
  'closing tags with spaces, a self-closing tag with a space': images(`<item ><imageId>ami-1</imageId ><name/><description /></item>`),
  // The rest are not plain: the decoder hands them to the SDK.
  'an attribute below the root': images(`<item a="1"><imageId>ami-1</imageId></item>`),
  'text beside child elements': images(`<item>text<imageId>ami-1</imageId></item>`),
  'space-only text without a line break between elements': images(`<item> <imageId>ami-1</imageId></item>`),
  'a repeated field': images(`<item><imageId>ami-1</imageId><imageId>ami-2</imageId></item>`),
  'a repeated list': images(`<item><imageId>ami-1</imageId><tagSet><item><key>a</key></item></tagSet><tagSet><item><key>b</key></item></tagSet></item>`),
  'an element inside a value': images(`<item><imageId>ami-<b>1</b></imageId></item>`),
  'a self-closing tag with a space before its ">" (malformed)': images(`<item><imageId>ami-1</imageId><name/ ></item>`),
  'a closing tag with a leading space': images(`<item><imageId>ami-1</ imageId></item>`),
  'content after the root element': `${images('<item><imageId>ami-1</imageId></item>')}<extra/>`,
  'a DOCTYPE': `<!DOCTYPE x>${images('<item><imageId>ami-1</imageId></item>')}`,
  'a self-closing root': `<DescribeImagesResponse ${NS}/>`,
  'an empty body': '',
  'a mismatched closing tag (malformed)': images(`<item><imageId>ami-1</imageName></item>`),
  'an unclosed element (malformed)': `<DescribeImagesResponse ${NS}><imagesSet><item><imageId>ami-1`,
  'an unknown element holding malformed XML': images(`<item><imageId>ami-1</imageId><future><a></b></future></item>`),
};

const SNAPSHOT_CASES: Record<string, string> = {
  'every Snapshot member': snapshots(FULL_SNAPSHOT, '<nextToken>n</nextToken>'),
  'hostile description and tags': snapshots(
    `<item><snapshotId>snap-1</snapshotId><description>${HOSTILE}${BIG}</description><tagSet><item><key>${HOSTILE}</key><value/></item></tagSet></item>`,
  ),
  'a timestamp with an offset and a long fraction': snapshots(
    `<item><snapshotId>snap-1</snapshotId><startTime>2025-01-02T03:04:05.123999+01:30</startTime></item>`,
  ),
  'a timestamp in another form (the SDK rejects it)': snapshots(
    `<item><snapshotId>snap-1</snapshotId><startTime>Thu, 02 Jan 2025 03:04:05 GMT</startTime></item>`,
  ),
  'an empty timestamp (the SDK rejects it)': snapshots(`<item><snapshotId>snap-1</snapshotId><startTime/></item>`),
  'a timestamp out of range (the SDK rejects it)': snapshots(`<item><snapshotId>snap-1</snapshotId><startTime>2025-13-02T03:04:05Z</startTime></item>`),
  'a year below 100': snapshots(`<item><snapshotId>snap-1</snapshotId><startTime>0050-01-02T03:04:05Z</startTime></item>`),
  'timestamps in EC2s usual form, at their edges': snapshots(
    ['2025-01-02T03:04:05.000Z', '0050-01-02T03:04:05.123Z', '2025-02-31T23:59:60.999z', '2024-12-31t00:00:00.001Z']
      .map((t, i) => `<item><snapshotId>snap-${i}</snapshotId><startTime>${t}</startTime><completionTime>${t}</completionTime></item>`)
      .join(''),
  ),
  'a timestamp in the usual form with an hour of 24 (the SDK rejects it)': snapshots(
    `<item><snapshotId>snap-1</snapshotId><startTime>2025-01-02T24:04:05.123Z</startTime></item>`,
  ),
  'a timestamp in the usual form with a letter for a digit (the SDK rejects it)': snapshots(
    `<item><snapshotId>snap-1</snapshotId><startTime>2025-01-02T03:04:0x.123Z</startTime></item>`,
  ),
};

describe('EC2 listing decoder (against the SDK deserializer)', () => {
  for (const [name, body] of Object.entries(IMAGE_CASES)) {
    it(`DescribeImages: ${name}`, async () => {
      const { sdk, fast } = await both(describeImages, body);
      expect(fast).to.deep.equal(sdk);
    });
  }
  for (const [name, body] of Object.entries(SNAPSHOT_CASES)) {
    it(`DescribeSnapshots: ${name}`, async () => {
      const { sdk, fast } = await both(describeSnapshots, body);
      expect(fast).to.deep.equal(sdk);
    });
  }

  it('reads the plain cases itself and hands the unusual ones to the SDK', () => {
    const plain = (body: string, shape: ShapeSpec) => {
      try {
        decodeEc2Response(Buffer.from(body), shape);
        return true;
      } catch (err) {
        if (err instanceof NotPlainXml) return false;
        throw err;
      }
    };
    const handedOver = Object.entries(IMAGE_CASES)
      .filter(([, body]) => !plain(body, DESCRIBE_IMAGES_SHAPE))
      .map(([name]) => name);
    expect(handedOver).to.deep.equal(
      Object.keys(IMAGE_CASES)
        .slice(Object.keys(IMAGE_CASES).indexOf('an attribute below the root'))
        .filter((n) => n !== 'an empty body'),
    );
    expect(plain(SNAPSHOT_CASES['every Snapshot member']!, DESCRIBE_SNAPSHOTS_SHAPE)).to.equal(true);
    expect(plain(SNAPSHOT_CASES['a timestamp in another form (the SDK rejects it)']!, DESCRIBE_SNAPSHOTS_SHAPE)).to.equal(false);
  });

  it('gives the SDK the error answers: code, message and metadata match', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidAMIID.Malformed</Code><Message>Invalid id: "x"</Message></Error></Errors><RequestID>req-9</RequestID></Response>`;
    const { sdk, fast } = await both(() => new EC2.DescribeImagesCommand({ ImageIds: ['x'] }), body, 400);
    expect((fast as { error: { code: string } }).error.code).to.equal('InvalidAMIID.Malformed');
    expect(fast).to.deep.equal(sdk);
  });

  it('its field tables hold every member of the SDK schema, with the SDK element names and types', () => {
    type Ref = number | (() => Ref) | unknown[];
    const deref = (r: Ref): number | unknown[] => (typeof r === 'function' ? deref(r()) : (r as number | unknown[]));
    const kind = (r: Ref): string => {
      const v = deref(r);
      if (typeof v === 'number')
        return ({ 0: 'string', 1: 'number', 2: 'boolean', 4: 'timestamp', 5: 'timestamp' } as Record<number, string>)[v] ?? `schema ${v}`;
      return v[0] === 3 ? 'struct' : v[0] === 1 ? 'list' : `schema ${String(v[0])}`;
    };
    const compare = (schema: unknown[], shape: ShapeSpec, path: string) => {
      const names = schema[4] as string[];
      // A member is [schema, traits], or the bare schema when it has no traits (the element is then named as the member).
      const members = (schema[5] as unknown[]).map((m) =>
        Array.isArray(m) && m.length === 2 && typeof m[1] === 'object' ? (m as [Ref, { xmlName?: string }]) : ([m as Ref, {}] as [Ref, { xmlName?: string }]),
      );
      const fromSdk = names.map((member, i) => ({ member, xml: members[i]![1].xmlName ?? member, kind: kind(members[i]![0]), ref: members[i]![0] }));
      const ours = Object.entries(shape).map(([xml, f]) => ({ member: f.member, xml, kind: 'leaf' in f ? f.leaf : 'struct' in f ? 'struct' : 'list' }));
      expect(ours.map((o) => `${o.member}:${o.xml}:${o.kind}`).sort(), path).to.deep.equal(fromSdk.map((o) => `${o.member}:${o.xml}:${o.kind}`).sort());
      for (const m of fromSdk) {
        const f = shape[m.xml]!;
        if ('struct' in f) compare(deref(m.ref) as unknown[], f.struct, `${path}.${m.member}`);
        if ('list' in f) {
          const item = (deref(m.ref) as unknown[])[4] as [Ref, { xmlName?: string }];
          expect(item[1]?.xmlName ?? 'member', `${path}.${m.member} item`).to.equal(f.list.item);
          compare(deref(item[0]) as unknown[], f.list.struct, `${path}.${m.member}[]`);
        }
      }
    };
    const sdk = EC2 as unknown as Record<string, unknown[]>;
    compare(sdk['DescribeImagesResult$']!, DESCRIBE_IMAGES_SHAPE, 'DescribeImagesResult');
    compare(sdk['DescribeSnapshotsResult$']!, DESCRIBE_SNAPSHOTS_SHAPE, 'DescribeSnapshotsResult');
    expect(Object.keys(IMAGE_SHAPE)).to.have.length((sdk['Image$']![4] as string[]).length);
    expect(Object.keys(SNAPSHOT_SHAPE)).to.have.length((sdk['Snapshot$']![4] as string[]).length);
  });
});
