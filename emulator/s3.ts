/**
 * S3 (REST, XML), the part winami uses to deliver a bundle: buckets
 * (CreateBucket with its LocationConstraint rules, HeadBucket,
 * GetBucketLocation, DeleteBucket) and objects (PutObject, GetObject,
 * HeadObject, DeleteObject, DeleteObjects, ListObjectsV2 paged). Path-style
 * (`/bucket/key`) and virtual-host-style (`bucket.localhost:port/key`)
 * requests are both understood. Bucket names are global across the
 * emulator's accounts, as they are across AWS. Errors carry S3's codes in
 * its XML error body (HEAD answers have no body). Sources: the S3 API
 * reference (CreateBucket, ListObjectsV2, DeleteObjects, ErrorResponses) and
 * botocore's s3 model.
 */
import { createHash } from 'node:crypto';
import { esc, requestId } from './wire.js';

/** One stored object. */
export interface S3Object {
  key: string;
  data: Buffer;
  etag: string;
  lastModified: number;
  contentType: string;
}

/** One bucket. */
export interface S3Bucket {
  name: string;
  account: string;
  region: string;
  createdAt: number;
  objects: Map<string, S3Object>;
}

/** An S3 request as the HTTP front hands it over. */
export interface S3Request {
  method: string;
  /** Bucket from the host name (virtual-host style), when there is one. */
  hostBucket?: string;
  /** The path, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  account: string;
  region: string;
  now: number;
}

/** The answer: status, headers and body. `action` names the operation for the call log. */
export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  action: string;
  errorCode?: string;
}

/** An S3 error: code, HTTP status and the extra fields S3 puts in the body. */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** ListObjectsV2 returns at most this many keys per page. */
const MAX_KEYS = 1000;
/** DeleteObjects takes at most this many keys. */
const MAX_DELETE = 1000;

/** The buckets of the whole emulator (names are global). */
export class S3Store {
  readonly buckets = new Map<string, S3Bucket>();

  /** Every object, for the control API. */
  objects(): Array<{ bucket: string; key: string; account: string; region: string; size: number }> {
    return [...this.buckets.values()].flatMap((b) =>
      [...b.objects.values()].map((o) => ({ bucket: b.name, key: o.key, account: b.account, region: b.region, size: o.data.length })),
    );
  }

  /** An object as a caller in `account` reads it (the guest's Read-S3Object); undefined bucket/key give S3's codes. */
  read(account: string, bucket: string, key: string): S3Object | { error: 'NoSuchBucket' | 'NoSuchKey' | 'AccessDenied' } {
    const b = this.buckets.get(bucket);
    if (!b) return { error: 'NoSuchBucket' };
    if (b.account !== account) return { error: 'AccessDenied' };
    return b.objects.get(key) ?? { error: 'NoSuchKey' };
  }
}

/** S3's bucket naming rules (general purpose buckets). */
function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'may hold only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit';
  if (/\.\.|\.-|-\./.test(name)) return 'may not hold two adjacent dots, or a dot next to a hyphen';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'may not be formatted as an IP address';
  if (/^xn--|^sthree-|-s3alias$|--ol-s3$/.test(name)) return 'uses a reserved prefix or suffix';
  return undefined;
}

const xml = (body: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');
const header = (h: S3Request['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function ok(action: string, status = 200, body: Buffer = Buffer.alloc(0), headers: Record<string, string> = {}): S3Response {
  return { status, headers: body.length ? { 'content-type': 'application/xml', ...headers } : headers, body, action };
}

function noSuchBucket(bucket: string): S3Error {
  return new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
}

/** The bucket named in a request for `account`: missing → NoSuchBucket, another account's → AccessDenied, another region → PermanentRedirect. */
function ownBucket(store: S3Store, r: S3Request, name: string): S3Bucket {
  const b = store.buckets.get(name);
  if (!b) throw noSuchBucket(name);
  if (b.account !== r.account) throw new S3Error('AccessDenied', 'Access Denied', 403);
  if (b.region !== r.region) {
    throw new S3Error(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
      { Bucket: name, Endpoint: `${name}.s3.${b.region}.amazonaws.com` },
      { 'x-amz-bucket-region': b.region },
    );
  }
  return b;
}

/** Decode an `aws-chunked` body (the SDK's streaming upload with a trailing checksum): the data of every chunk. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new S3Error('IncompleteBody', 'The request body terminated unexpectedly', 400);
    const size = Number.parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new S3Error('InvalidRequest', 'Invalid chunk size in aws-chunked body', 400);
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function createBucket(store: S3Store, r: S3Request, name: string): S3Response {
  const problem = bucketNameProblem(name);
  if (problem) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
  const text = r.body.toString('utf8');
  const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(text)?.[1];
  if (text.trim() && !/<CreateBucketConfiguration[\s>]/.test(text))
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  // us-east-1 takes no constraint (and refuses its own name); every other region needs its own name.
  if (r.region === 'us-east-1') {
    if (constraint === 'us-east-1')
      throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: constraint });
    if (constraint) {
      throw new S3Error(
        'IllegalLocationConstraintException',
        `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        400,
      );
    }
  } else if (constraint !== r.region) {
    throw new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint ? constraint : 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  }
  const existing = store.buckets.get(name);
  if (existing) {
    if (existing.account !== r.account) {
      throw new S3Error(
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        409,
        { BucketName: name },
      );
    }
    // us-east-1 answers a repeated CreateBucket by the owner with success (S3's legacy behaviour); other regions refuse it.
    if (existing.region === 'us-east-1' && r.region === 'us-east-1') return ok('CreateBucket', 200, Buffer.alloc(0), { location: `/${name}` });
    throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, {
      BucketName: name,
    });
  }
  store.buckets.set(name, { name, account: r.account, region: r.region, createdAt: r.now, objects: new Map() });
  return ok('CreateBucket', 200, Buffer.alloc(0), { location: r.region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/` });
}

function listObjectsV2(b: S3Bucket, q: URLSearchParams): S3Response {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxRaw = q.get('max-keys');
  const maxKeys = maxRaw === null ? MAX_KEYS : Number(maxRaw);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, {
      ArgumentName: 'max-keys',
      ArgumentValue: String(maxRaw),
    });
  const token = q.get('continuation-token');
  let after = q.get('start-after') ?? '';
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith('k:'))
      throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
    after = decoded.slice(2);
  }
  const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  // Keys under a delimiter after the prefix roll up into one CommonPrefixes entry, which counts as one key of the page.
  const entries: Array<{ key: string } | { common: string; last: string }> = [];
  for (const k of keys) {
    if (delimiter) {
      const i = k.indexOf(delimiter, prefix.length);
      if (i >= 0) {
        const common = k.slice(0, i + delimiter.length);
        const prev = entries[entries.length - 1];
        if (prev && 'common' in prev && prev.common === common) prev.last = k;
        else entries.push({ common, last: k });
        continue;
      }
    }
    entries.push({ key: k });
  }
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const lastOfPage = page.length ? page[page.length - 1]! : undefined;
  const last = lastOfPage ? ('key' in lastOfPage ? lastOfPage.key : lastOfPage.last) : '';
  const enc = q.get('encoding-type') === 'url';
  const k = (s: string) => esc(enc ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  let out = `<ListBucketResult xmlns="${S3_NS}"><Name>${esc(b.name)}</Name><Prefix>${k(prefix)}</Prefix>`;
  if (token !== null) out += `<ContinuationToken>${esc(token)}</ContinuationToken>`;
  if (truncated) out += `<NextContinuationToken>${Buffer.from(`k:${last}`).toString('base64url')}</NextContinuationToken>`;
  out += `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`;
  if (delimiter) out += `<Delimiter>${k(delimiter)}</Delimiter>`;
  out += `<IsTruncated>${truncated}</IsTruncated>`;
  if (q.get('start-after') !== null) out += `<StartAfter>${k(q.get('start-after')!)}</StartAfter>`;
  if (enc) out += '<EncodingType>url</EncodingType>';
  for (const e of page) {
    if ('key' in e) {
      const o = b.objects.get(e.key)!;
      out += `<Contents><Key>${k(o.key)}</Key><LastModified>${iso(o.lastModified)}</LastModified><ETag>${esc(o.etag)}</ETag><Size>${o.data.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    }
  }
  for (const e of page) if ('common' in e) out += `<CommonPrefixes><Prefix>${k(e.common)}</Prefix></CommonPrefixes>`;
  return ok('ListObjectsV2', 200, xml(`${out}</ListBucketResult>`));
}

function deleteObjects(b: S3Bucket, r: S3Request): S3Response {
  const text = r.body.toString('utf8');
  if (!/<Delete[\s>]/.test(text))
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  // S3 requires an integrity check on this call: Content-MD5 or an x-amz-checksum-* header (the SDK sends one).
  if (!header(r.headers, 'content-md5') && !Object.keys(r.headers).some((h) => h.startsWith('x-amz-checksum-'))) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*', 400);
  }
  const keys = [...text.matchAll(/<Object>\s*<Key>([^<]*)<\/Key>[\s\S]*?<\/Object>/g)].map((m) => unescapeXml(m[1]!));
  if (keys.length === 0 || keys.length > MAX_DELETE)
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(text);
  let out = `<DeleteResult xmlns="${S3_NS}">`;
  for (const key of keys) {
    // Deleting a key that is not there succeeds, as it does on S3.
    b.objects.delete(key);
    if (!quiet) out += `<Deleted><Key>${esc(key)}</Key></Deleted>`;
  }
  return ok('DeleteObjects', 200, xml(`${out}</DeleteResult>`));
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name: string, dec?: string, hex?: string) =>
    dec
      ? String.fromCodePoint(Number(dec))
      : hex
        ? String.fromCodePoint(Number.parseInt(hex, 16))
        : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name] ?? m),
  );
}

function objectHeaders(o: S3Object): Record<string, string> {
  return {
    'content-type': o.contentType,
    'content-length': String(o.data.length),
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
  };
}

function bucketOperation(store: S3Store, r: S3Request, name: string): S3Response {
  const q = r.query;
  switch (r.method) {
    case 'PUT':
      if ([...q.keys()].length) break;
      return createBucket(store, r, name);
    case 'HEAD': {
      const b = ownBucket(store, r, name);
      return ok('HeadBucket', 200, Buffer.alloc(0), { 'x-amz-bucket-region': b.region });
    }
    case 'DELETE': {
      if ([...q.keys()].length) break;
      const b = ownBucket(store, r, name);
      if (b.objects.size) throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: name });
      store.buckets.delete(name);
      return ok('DeleteBucket', 204);
    }
    case 'GET': {
      if (q.has('location')) {
        const b = store.buckets.get(name);
        if (!b) throw noSuchBucket(name);
        if (b.account !== r.account) throw new S3Error('AccessDenied', 'Access Denied', 403);
        // us-east-1 is answered with an empty constraint.
        const loc =
          b.region === 'us-east-1'
            ? '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
            : `<LocationConstraint xmlns="${S3_NS}">${b.region}</LocationConstraint>`;
        return ok('GetBucketLocation', 200, xml(loc));
      }
      if (q.get('list-type') === '2') return listObjectsV2(ownBucket(store, r, name), q);
      break;
    }
    case 'POST':
      if (q.has('delete')) return deleteObjects(ownBucket(store, r, name), r);
      break;
  }
  throw new S3Error('NotImplemented', `The emulator does not model ${r.method} on a bucket with ?${[...q.keys()].join('&')}`, 501);
}

function objectOperation(store: S3Store, r: S3Request, name: string, key: string): S3Response {
  const q = r.query;
  if ([...q.keys()].some((k) => k !== 'x-id'))
    throw new S3Error('NotImplemented', `The emulator does not model ${r.method} on an object with ?${[...q.keys()].join('&')}`, 501);
  switch (r.method) {
    case 'PUT': {
      if (header(r.headers, 'x-amz-copy-source')) throw new S3Error('NotImplemented', 'CopyObject is not modelled', 501);
      const b = ownBucket(store, r, name);
      if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
      const encoding = header(r.headers, 'content-encoding') ?? '';
      const sha = header(r.headers, 'x-amz-content-sha256') ?? '';
      const data = /aws-chunked/.test(encoding) || sha.startsWith('STREAMING-') ? decodeAwsChunked(r.body) : r.body;
      const declared = header(r.headers, 'x-amz-decoded-content-length');
      if (declared !== undefined && Number(declared) !== data.length)
        throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
      const md5 = header(r.headers, 'content-md5');
      if (md5 && createHash('md5').update(data).digest('base64') !== md5)
        throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
      const etag = `"${createHash('md5').update(data).digest('hex')}"`;
      b.objects.set(key, { key, data: Buffer.from(data), etag, lastModified: r.now, contentType: header(r.headers, 'content-type') ?? 'binary/octet-stream' });
      return ok('PutObject', 200, Buffer.alloc(0), { etag });
    }
    case 'GET':
    case 'HEAD': {
      const action = r.method === 'GET' ? 'GetObject' : 'HeadObject';
      const b = ownBucket(store, r, name);
      const o = b.objects.get(key);
      if (!o) throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
      const headers = objectHeaders(o);
      return { status: 200, headers, body: r.method === 'GET' ? o.data : Buffer.alloc(0), action };
    }
    case 'DELETE': {
      const b = ownBucket(store, r, name);
      b.objects.delete(key);
      return ok('DeleteObject', 204);
    }
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
}

/** The bucket named by the Host header of a virtual-host-style request (`bucket.localhost`, `bucket.s3.region.amazonaws.com`). */
export function bucketFromHost(host: string | undefined): string | undefined {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const m = /^(.+)\.(?:localhost|s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com)$/.exec(name);
  return m?.[1];
}

/** The operation a request names, for the call log and fault matching. */
export function s3ActionName(method: string, hasKey: boolean, q: URLSearchParams, headers: S3Request['headers'] = {}): string {
  if (hasKey) {
    if (method === 'PUT') return header(headers, 'x-amz-copy-source') ? 'CopyObject' : 'PutObject';
    return { GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[method] ?? `${method}Object`;
  }
  if (method === 'GET') return q.has('location') ? 'GetBucketLocation' : q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  if (method === 'POST' && q.has('delete')) return 'DeleteObjects';
  return { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' }[method] ?? `${method}Bucket`;
}

/** Answer one S3 request. */
export function handleS3(store: S3Store, r: S3Request): S3Response {
  let action = 'S3';
  try {
    const segments = r.path.split('?')[0]!.replace(/^\//, '');
    let bucket = r.hostBucket;
    let rest = segments;
    if (!bucket) {
      const i = segments.indexOf('/');
      bucket = decodeURIComponent(i < 0 ? segments : segments.slice(0, i));
      rest = i < 0 ? '' : segments.slice(i + 1);
    }
    if (!bucket) {
      action = 'ListBuckets';
      if (r.method !== 'GET') throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
      const mine = [...store.buckets.values()].filter((b) => b.account === r.account).sort((a, b) => a.name.localeCompare(b.name));
      const body = `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>${r.account}</ID></Owner><Buckets>${mine
        .map((b) => `<Bucket><Name>${esc(b.name)}</Name><CreationDate>${iso(b.createdAt)}</CreationDate><BucketRegion>${b.region}</BucketRegion></Bucket>`)
        .join('')}</Buckets></ListAllMyBucketsResult>`;
      return ok(action, 200, xml(body));
    }
    const key = decodeURIComponent(rest);
    action = s3ActionName(r.method, key !== '', r.query, r.headers);
    return key ? objectOperation(store, r, bucket, key) : bucketOperation(store, r, bucket);
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    const body =
      r.method === 'HEAD'
        ? Buffer.alloc(0)
        : xml(
            `<Error><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message>${Object.entries(err.extra)
              .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
              .join('')}<RequestId>${requestId()}</RequestId><HostId>emulator</HostId></Error>`,
          );
    return {
      status: err.status,
      headers: { ...(body.length ? { 'content-type': 'application/xml' } : {}), ...err.headers },
      body,
      action,
      errorCode: err.code,
    };
  }
}

/** An error answer outside `handleS3` (credentials, injected faults), in S3's XML. */
export function handleS3Error(method: string, code: string, message: string, status: number): S3Response {
  const body =
    method === 'HEAD'
      ? Buffer.alloc(0)
      : xml(`<Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message><RequestId>${requestId()}</RequestId><HostId>emulator</HostId></Error>`);
  return { status, headers: body.length ? { 'content-type': 'application/xml' } : {}, body, action: 'S3', errorCode: code };
}
