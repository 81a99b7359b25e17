/**
 * A direct decoder for the two EC2 listings an audit pages through
 * (DescribeImages, DescribeSnapshots): it walks the response bytes once and
 * builds the SDK's output objects, skipping the SDK's generic path (a
 * character-by-character XML tree, then a schema walk over it), which took
 * about 80 % of an audit's CPU.
 *
 * It gives what the SDK gives, field for field, including the SDK's quirks:
 * text is not trimmed, a whitespace-only value with a line break is empty, an
 * empty number is 0 and an empty boolean false, `\r\n` becomes `\n`, entities
 * decode as `@aws-sdk/xml-builder` decodes them, CDATA is kept raw, unknown
 * elements are ignored. Anything outside the plain shape EC2 sends
 * (attributes below the root, mixed content, a repeated field, a timestamp
 * the fast path does not read, malformed XML) throws `NotPlainXml`, and the
 * caller hands the same bytes to the SDK, whose answer (or error) stands.
 */

/** The response is not in the plain form this decoder reads; use the SDK's deserializer. */
export class NotPlainXml extends Error {
  constructor(why: string, at: number) {
    super(`${why} at byte ${at}`);
    this.name = 'NotPlainXml';
  }
}

/** Leaf types, as the SDK's XML deserializer reads them. */
type LeafType = 'string' | 'number' | 'boolean' | 'timestamp';

/** One modelled member: its SDK name and how its element reads. */
export type FieldSpec =
  { member: string; leaf: LeafType } | { member: string; struct: ShapeSpec } | { member: string; list: { item: string; struct: ShapeSpec } };

/** A structure: XML element name → member. */
export type ShapeSpec = Readonly<Record<string, FieldSpec>>;

const s = (member: string): FieldSpec => ({ member, leaf: 'string' });
const n = (member: string): FieldSpec => ({ member, leaf: 'number' });
const b = (member: string): FieldSpec => ({ member, leaf: 'boolean' });
const t = (member: string): FieldSpec => ({ member, leaf: 'timestamp' });
const list = (member: string, struct: ShapeSpec): FieldSpec => ({ member, list: { item: 'item', struct } });
const struct = (member: string, shape: ShapeSpec): FieldSpec => ({ member, struct: shape });

// Element names from the SDK's EC2 model (@aws-sdk/client-ec2 3.1169); a test
// compares these tables with the SDK's own schema so an upgrade that adds a
// member fails there rather than dropping a field here.
const TAG: ShapeSpec = { key: s('Key'), value: s('Value') };
const EBS_BLOCK_DEVICE: ShapeSpec = {
  deleteOnTermination: b('DeleteOnTermination'),
  iops: n('Iops'),
  snapshotId: s('SnapshotId'),
  volumeSize: n('VolumeSize'),
  volumeType: s('VolumeType'),
  kmsKeyId: s('KmsKeyId'),
  throughput: n('Throughput'),
  outpostArn: s('OutpostArn'),
  availabilityZone: s('AvailabilityZone'),
  encrypted: b('Encrypted'),
  VolumeInitializationRate: n('VolumeInitializationRate'),
  AvailabilityZoneId: s('AvailabilityZoneId'),
  EbsCardIndex: n('EbsCardIndex'),
};
const BLOCK_DEVICE_MAPPING: ShapeSpec = {
  ebs: struct('Ebs', EBS_BLOCK_DEVICE),
  noDevice: s('NoDevice'),
  deviceName: s('DeviceName'),
  virtualName: s('VirtualName'),
};
const INSTANCE_TYPE_ITEM: ShapeSpec = { instanceType: s('InstanceType') };

/** EC2's `Image`. */
export const IMAGE_SHAPE: ShapeSpec = {
  platformDetails: s('PlatformDetails'),
  usageOperation: s('UsageOperation'),
  blockDeviceMapping: list('BlockDeviceMappings', BLOCK_DEVICE_MAPPING),
  description: s('Description'),
  enaSupport: b('EnaSupport'),
  hypervisor: s('Hypervisor'),
  imageOwnerAlias: s('ImageOwnerAlias'),
  name: s('Name'),
  rootDeviceName: s('RootDeviceName'),
  rootDeviceType: s('RootDeviceType'),
  sriovNetSupport: s('SriovNetSupport'),
  stateReason: struct('StateReason', { code: s('Code'), message: s('Message') }),
  tagSet: list('Tags', TAG),
  virtualizationType: s('VirtualizationType'),
  bootMode: s('BootMode'),
  tpmSupport: s('TpmSupport'),
  deprecationTime: s('DeprecationTime'),
  imdsSupport: s('ImdsSupport'),
  sourceInstanceId: s('SourceInstanceId'),
  deregistrationProtection: s('DeregistrationProtection'),
  lastLaunchedTime: s('LastLaunchedTime'),
  imageAllowed: b('ImageAllowed'),
  sourceImageId: s('SourceImageId'),
  sourceImageRegion: s('SourceImageRegion'),
  freeTierEligible: b('FreeTierEligible'),
  publicSsmParameterName: s('PublicSsmParameterName'),
  imageWatermarkSet: list('ImageWatermarks', {
    watermarkKey: s('WatermarkKey'),
    sourceImageRegion: s('SourceImageRegion'),
    sourceImageId: s('SourceImageId'),
    sourceImageCreationTime: t('SourceImageCreationTime'),
    watermarkCreationTime: t('WatermarkCreationTime'),
  }),
  scanResults: struct('ScanResults', {
    highestFindingSeverityLabel: s('HighestFindingSeverityLabel'),
    findingScanDate: t('FindingScanDate'),
    informationalFixAvailableSince: t('InformationalFixAvailableSince'),
    lowFixAvailableSince: t('LowFixAvailableSince'),
    mediumFixAvailableSince: t('MediumFixAvailableSince'),
    highFixAvailableSince: t('HighFixAvailableSince'),
    criticalFixAvailableSince: t('CriticalFixAvailableSince'),
  }),
  instanceTypeSpecification: struct('InstanceTypeSpecification', {
    supportedInstanceTypeSet: list('SupportedInstanceTypes', INSTANCE_TYPE_ITEM),
    unsupportedInstanceTypeSet: list('UnsupportedInstanceTypes', INSTANCE_TYPE_ITEM),
  }),
  imageId: s('ImageId'),
  imageLocation: s('ImageLocation'),
  imageState: s('State'),
  imageOwnerId: s('OwnerId'),
  creationDate: s('CreationDate'),
  isPublic: b('Public'),
  productCodes: list('ProductCodes', { productCode: s('ProductCodeId'), type: s('ProductCodeType') }),
  architecture: s('Architecture'),
  imageType: s('ImageType'),
  kernelId: s('KernelId'),
  ramdiskId: s('RamdiskId'),
  platform: s('Platform'),
};

/** EC2's `Snapshot`. */
export const SNAPSHOT_SHAPE: ShapeSpec = {
  ownerAlias: s('OwnerAlias'),
  outpostArn: s('OutpostArn'),
  tagSet: list('Tags', TAG),
  storageTier: s('StorageTier'),
  restoreExpiryTime: t('RestoreExpiryTime'),
  sseType: s('SseType'),
  availabilityZone: s('AvailabilityZone'),
  transferType: s('TransferType'),
  completionDurationMinutes: n('CompletionDurationMinutes'),
  completionTime: t('CompletionTime'),
  fullSnapshotSizeInBytes: n('FullSnapshotSizeInBytes'),
  snapshotId: s('SnapshotId'),
  volumeId: s('VolumeId'),
  status: s('State'),
  statusMessage: s('StateMessage'),
  startTime: t('StartTime'),
  progress: s('Progress'),
  ownerId: s('OwnerId'),
  description: s('Description'),
  volumeSize: n('VolumeSize'),
  encrypted: b('Encrypted'),
  kmsKeyId: s('KmsKeyId'),
  dataEncryptionKeyId: s('DataEncryptionKeyId'),
};

/** `DescribeImagesResult`. */
export const DESCRIBE_IMAGES_SHAPE: ShapeSpec = { nextToken: s('NextToken'), imagesSet: list('Images', IMAGE_SHAPE) };
/** `DescribeSnapshotsResult`. */
export const DESCRIBE_SNAPSHOTS_SHAPE: ShapeSpec = { nextToken: s('NextToken'), snapshotSet: list('Snapshots', SNAPSHOT_SHAPE) };

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

// As @aws-sdk/xml-builder decodes (an unknown named entity becomes nothing, code points above U+FFFF are cut to 16 bits).
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeEntities(text: string): string {
  return text.replace(/&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z][a-zA-Z0-9]{0,30}));/g, (_m, hex?: string, dec?: string, named?: string) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (dec) return String.fromCharCode(parseInt(dec, 10));
    return Object.hasOwn(NAMED_ENTITIES, named!) ? NAMED_ENTITIES[named!]! : '';
  });
}

const digit = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
};
const digits = (text: string, i: number, n: number): number => {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 10 + digit(text, i + k);
  return v;
};

/**
 * EC2's usual form, `2025-01-02T03:04:05.678Z`, read without a regular
 * expression (two timestamps per snapshot); undefined for any other form, or
 * for values out of range, which go the general way.
 */
function millisecondsTimestamp(text: string): Date | undefined {
  if (
    text.length !== 24 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    (text[10] !== 'T' && text[10] !== 't') ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[19] !== '.' ||
    (text[23] !== 'Z' && text[23] !== 'z')
  ) {
    return undefined;
  }
  const y = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hours = digits(text, 11, 2);
  const minutes = digits(text, 14, 2);
  const seconds = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  // NaN (a non-digit) fails every comparison below and goes the general way.
  if (!(y >= 0 && ms >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hours <= 23 && minutes <= 59 && seconds <= 60)) return undefined;
  const date = new Date(Date.UTC(y, month - 1, day, hours, minutes, seconds, ms));
  date.setUTCFullYear(y);
  return date;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[tT](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([-+])(\d\d):(\d\d)|[zZ])$/;

/** RFC 3339 as the SDK reads EC2 timestamps; anything it would reject goes to the SDK so its error stands. */
function timestamp(text: string, at: number): Date {
  const fast = millisecondsTimestamp(text);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(text);
  if (!m) throw new NotPlainXml('a timestamp not in RFC 3339 form', at);
  const [, y, mo, d, h, mi, sec, frac, sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) throw new NotPlainXml('a timestamp out of range', at);
  const ms = Number(frac) ? Math.round(parseFloat(`0.${frac}`) * 1000) : 0;
  const date = new Date(Date.UTC(Number(y), month - 1, day, hours, minutes, seconds, ms));
  date.setUTCFullYear(Number(y));
  if (sign) date.setTime(date.getTime() + (sign === '-' ? 1 : -1) * (Number(oh) * 3_600_000 + Number(om) * 60_000));
  return date;
}

function leafValue(type: LeafType, text: string, at: number): unknown {
  if (type === 'string') return text;
  if (type === 'number') return Number(text);
  if (type === 'boolean') return text.toLowerCase() === 'true';
  return timestamp(text, at);
}

/** The value of a field whose element is empty (`<x/>` or `<x></x>`), as the SDK reads `""`. */
function emptyValue(f: FieldSpec, at: number): unknown {
  if ('leaf' in f) return leafValue(f.leaf, '', at);
  return 'list' in f ? [] : {};
}

/** A shape's fields by element name, each with its position (to spot a repeated element without reading the output back). */
type Fields = Map<string, { f: FieldSpec; i: number }>;
// A Map looks up a freshly sliced tag name without internalizing it, as an object key would.
const fieldMaps = new WeakMap<ShapeSpec, Fields>();
function fieldsOf(shape: ShapeSpec): Fields {
  let m = fieldMaps.get(shape);
  if (!m) {
    if (Object.keys(shape).length > 60) throw new Error('a shape of more than 60 fields');
    fieldMaps.set(shape, (m = new Map(Object.entries(shape).map(([k, f], i) => [k, { f, i }]))));
  }
  return m;
}

/**
 * A string value that does not keep the response alive: V8 makes a substring
 * of 13 or more characters a view into its parent, so one kept name would pin
 * a whole page of XML; the concatenation is flattened into a new string.
 */
const own = (v: string): string => (v.length < 13 ? v : (' ' + v).slice(1));

/** One pass over an EC2 Query response (already decoded from UTF-8, line ends normalized as the SDK does). */
class Reader {
  private p = 0;

  constructor(private readonly x: string) {}

  /** The root element's content read as `shape`; the root's name and attributes are ignored, as the SDK ignores them. */
  document(shape: ShapeSpec): Record<string, unknown> {
    const { x } = this;
    for (;;) {
      this.skipSpace();
      if (this.p >= x.length) throw new NotPlainXml('no root element', this.p);
      if (x.charCodeAt(this.p) !== LT) throw new NotPlainXml('text before the root element', this.p);
      const next = x.charCodeAt(this.p + 1);
      if (next === QUESTION) this.skipPast('?>');
      else if (x.startsWith('<!--', this.p)) this.skipPast('-->');
      else if (next === BANG) throw new NotPlainXml('a DOCTYPE', this.p);
      else break;
    }
    const name = x.slice(this.p + 1, this.nameEnd(this.p + 1));
    this.p += 1 + name.length;
    this.rootAttributes();
    const out = this.struct(shape, name);
    this.skipSpace();
    if (this.p !== x.length) throw new NotPlainXml('content after the root element', this.p);
    return out;
  }

  /** Past the root's attributes (EC2 sends xmlns) and its '>'. */
  private rootAttributes(): void {
    const { x } = this;
    for (;;) {
      this.skipSpace();
      const c = x.charCodeAt(this.p);
      if (c === GT) {
        this.p++;
        return;
      }
      const eq = x.indexOf('=', this.p);
      const quote = x[eq + 1];
      if (Number.isNaN(c) || c === SLASH || eq === -1 || (quote !== '"' && quote !== "'"))
        throw new NotPlainXml('a root tag not of the form <Name a="v">', this.p);
      const end = x.indexOf(quote, eq + 2);
      if (end === -1) throw new NotPlainXml('an unclosed attribute', eq);
      this.p = end + 1;
    }
  }

  private skipSpace(): void {
    while (this.p < this.x.length && isSpace(this.x.charCodeAt(this.p))) this.p++;
  }

  private skipPast(token: string): void {
    const i = this.x.indexOf(token, this.p + 1);
    if (i === -1) throw new NotPlainXml(`no closing ${token}`, this.p);
    this.p = i + token.length;
  }

  /** End of a tag name starting at `from` (the SDK ends names at space, '>' or '/'). */
  private nameEnd(from: number): number {
    const { x } = this;
    let i = from;
    for (; i < x.length; i++) {
      const c = x.charCodeAt(i);
      if (c === GT || c === SLASH || isSpace(c)) break;
    }
    if (i === from) throw new NotPlainXml('an empty tag name', from);
    return i;
  }

  /** At `</`: check it closes `name` and move past it (the SDK trims the closing name, so `</a >` closes `a`). */
  private close(name: string): void {
    const { x } = this;
    const at = this.p + 2;
    if (!x.startsWith(name, at)) throw new NotPlainXml('a mismatched closing tag', this.p);
    let i = at + name.length;
    while (i < x.length && isSpace(x.charCodeAt(i))) i++;
    if (x.charCodeAt(i) !== GT) throw new NotPlainXml('a mismatched closing tag', this.p);
    this.p = i + 1;
  }

  /**
   * At the `<` of a child's opening tag: its name, and moves past the tag.
   * Sets `empty` for a self-closing tag. Attributes below the root are not
   * plain EC2.
   */
  private empty = false;
  private open(): string {
    const { x } = this;
    const end = this.nameEnd(this.p + 1);
    const name = x.slice(this.p + 1, end);
    let i = end;
    while (i < x.length && isSpace(x.charCodeAt(i))) i++;
    const c = x.charCodeAt(i);
    if (c === GT) {
      this.p = i + 1;
      this.empty = false;
      return name;
    }
    if (c === SLASH && x.charCodeAt(i + 1) === GT) {
      this.p = i + 2;
      this.empty = true;
      return name;
    }
    throw new NotPlainXml(c === EQUALS || !Number.isNaN(c) ? 'an attribute below the root' : 'an unclosed tag', i);
  }

  /** A text run, decoded as the SDK decodes one. */
  private text(from: number, to: number): string {
    const v = this.x.slice(from, to);
    return v.includes('&') ? decodeEntities(v) : v;
  }

  /** A text run the SDK drops between child elements: empty, or whitespace with a line break. */
  private ignorable(from: number, to: number): boolean {
    const { x } = this;
    let newline = false;
    for (let i = from; i < to; i++) {
      const c = x.charCodeAt(i);
      if (c === 0x0a) newline = true;
      else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
    }
    return newline || from === to;
  }

  /** A leaf element's text, after its opening tag, up to and past its closing tag. */
  private leaf(name: string): string {
    const { x } = this;
    let v: string | undefined;
    let parts: string[] | undefined;
    for (;;) {
      const lt = x.indexOf('<', this.p);
      if (lt === -1) throw new NotPlainXml('an unclosed element', this.p);
      if (lt > this.p) {
        const run = this.text(this.p, lt);
        if (v === undefined) v = run;
        else (parts ??= [v]).push(run);
      }
      this.p = lt;
      const next = x.charCodeAt(lt + 1);
      if (next === SLASH) {
        this.close(name);
        break;
      }
      if (next === BANG && x.startsWith('<![CDATA[', lt)) {
        const end = x.indexOf(']]>', lt + 9);
        if (end === -1) throw new NotPlainXml('an unclosed CDATA section', lt);
        const raw = x.slice(lt + 9, end);
        if (v === undefined) v = raw;
        else (parts ??= [v]).push(raw);
        this.p = end + 3;
      } else if (next === BANG && x.startsWith('<!--', lt)) this.skipPast('-->');
      else if (next === QUESTION) this.skipPast('?>');
      else throw new NotPlainXml('an element inside a value', lt);
    }
    if (parts) v = parts.join('');
    if (v === undefined) return '';
    return v.includes('\n') && v.trim() === '' ? '' : v;
  }

  /**
   * A structure's or list's content: child elements, ignorable whitespace,
   * comments; `onChild` reads or skips each child element (at its name,
   * after its opening tag).
   */
  private children(name: string, onChild: (child: string) => void): void {
    const { x } = this;
    for (;;) {
      const lt = x.indexOf('<', this.p);
      if (lt === -1) throw new NotPlainXml('an unclosed element', this.p);
      // The SDK keeps such text as "#text" and then replaces the whole
      // element by it (or, with no child, reads the text as empty): not plain.
      if (lt > this.p && !this.ignorable(this.p, lt)) throw new NotPlainXml('text inside a structure', this.p);
      this.p = lt;
      const next = x.charCodeAt(lt + 1);
      if (next === SLASH) {
        this.close(name);
        return;
      }
      if (next === BANG && x.startsWith('<!--', lt)) this.skipPast('-->');
      else if (next === QUESTION) this.skipPast('?>');
      else if (next === BANG) throw new NotPlainXml('CDATA inside a structure', lt);
      else {
        onChild(this.open());
      }
    }
  }

  /** Skip an element the model does not know (the SDK ignores it), checking it is well formed. */
  private skip(name: string): void {
    const { x } = this;
    for (;;) {
      const lt = x.indexOf('<', this.p);
      if (lt === -1) throw new NotPlainXml('an unclosed element', this.p);
      this.p = lt;
      const next = x.charCodeAt(lt + 1);
      if (next === SLASH) return this.close(name);
      if (next === BANG && x.startsWith('<![CDATA[', lt)) this.skipPast(']]>');
      else if (next === BANG && x.startsWith('<!--', lt)) this.skipPast('-->');
      else if (next === QUESTION) this.skipPast('?>');
      else {
        const child = this.open();
        if (!this.empty) this.skip(child);
      }
    }
  }

  /** A structure's content read as `shape`. */
  private struct(shape: ShapeSpec, name: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const fields = fieldsOf(shape);
    let seenLow = 0;
    let seenHigh = 0;
    this.children(name, (child) => {
      const entry = fields.get(child);
      if (!entry) {
        if (!this.empty) this.skip(child);
        return;
      }
      const bit = 1 << (entry.i % 30);
      if (entry.i < 30 ? seenLow & bit : seenHigh & bit) throw new NotPlainXml(`a repeated <${child}>`, this.p);
      if (entry.i < 30) seenLow |= bit;
      else seenHigh |= bit;
      out[entry.f.member] = this.empty ? emptyValue(entry.f, this.p) : this.field(entry.f, child);
    });
    return out;
  }

  private field(f: FieldSpec, name: string): unknown {
    if ('leaf' in f) {
      const at = this.p;
      const text = this.leaf(name);
      return f.leaf === 'string' ? own(text) : leafValue(f.leaf, text, at);
    }
    if ('struct' in f) return this.struct(f.struct, name);
    const items: unknown[] = [];
    const { item, struct: itemShape } = f.list;
    this.children(name, (child) => {
      if (child !== item) {
        if (!this.empty) this.skip(child);
        return;
      }
      items.push(this.empty ? {} : this.struct(itemShape, child));
    });
    return items;
  }
}

/** Decode a 2xx EC2 Query response body with `shape` (e.g. `DESCRIBE_IMAGES_SHAPE`); throws `NotPlainXml` for anything unusual. */
export function decodeEc2Response(body: Uint8Array, shape: ShapeSpec): Record<string, unknown> {
  if (body.byteLength === 0) return {};
  let x = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  // XML end-of-line handling, over the whole document, as the SDK does it.
  if (x.includes('\r')) x = x.replace(/\r\n?/g, '\n');
  return new Reader(x).document(shape);
}
