/**
 * Refuse answers that are not the service's. A captive portal, a proxy that
 * wants a login or an endpoint URL that points at a web server answers
 * HTTP 200 with an HTML page; the SDK's XML deserializer reads such a page as
 * an empty result (DescribeImages: no images; GetCallerIdentity: no account),
 * so an audit would pass with nothing audited and `verify` would say the image
 * does not exist. This middleware sits between the SDK's deserializer and the
 * HTTP handler and checks every successful answer before it is read: its
 * content type is the protocol's, and its document is the protocol's (for the
 * Query protocols of EC2 and STS, an XML document whose root element is
 * `<Operation>Response`; for SSM's JSON protocol, a JSON object).
 */

/** The wire protocol of a service. */
export type WireProtocol = 'query-xml' | 'json';

/** An answer that did not come from the AWS service (HTTP 2xx, but not its document). */
export class NotAnAwsResponseError extends Error {
  override readonly name = 'NotAnAwsResponse';
  constructor(
    message: string,
    readonly endpoint: string,
    readonly contentType: string | undefined,
  ) {
    super(message);
  }
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

interface RawRequest {
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
}

/** Read a Node stream (or pass a byte array through). */
async function collect(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return new Uint8Array();
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts);
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The first characters of a body, on one line, for the error message. */
function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 80)}…` : one;
}

/** The first element's name of an XML document (after a BOM, the declaration, comments and whitespace). */
export function rootElement(text: string): string | undefined {
  const m = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.:-]*)/.exec(text);
  return m?.[1];
}

/**
 * Why a 2xx answer is not the service's, or undefined when it is.
 * `operation` is the API name (`DescribeImages`).
 */
export function whyNotTheService(protocol: WireProtocol, operation: string, contentType: string | undefined, body: string): string | undefined {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  if (protocol === 'query-xml') {
    if (media && !/[/+]xml$/.test(media)) return `its content type is ${media}, not XML`;
    const root = rootElement(body);
    if (!root) return 'it is not an XML document';
    const local = root.slice(root.indexOf(':') + 1);
    if (local !== `${operation}Response`) return `its root element is <${root}>, not <${operation}Response>`;
    return undefined;
  }
  if (media && !/json/.test(media)) return `its content type is ${media}, not JSON`;
  const first = body.trimStart()[0];
  // An empty body is how some JSON operations answer with no output.
  if (first !== undefined && first !== '{') return 'it is not a JSON object';
  return undefined;
}

/**
 * The middleware: add to a client with
 * `client.middlewareStack.add(checkResponses(protocol), RESPONSE_CHECK_OPTIONS)`.
 */
export function checkResponses(protocol: WireProtocol) {
  return (next: (args: { request: unknown }) => Promise<{ response: unknown }>, context: { commandName?: string }) => async (args: { request: unknown }) => {
    const out = await next(args);
    const response = out.response as RawResponse;
    if (!response || response.statusCode < 200 || response.statusCode >= 300) return out;
    const bytes = await collect(response.body);
    // The deserializer reads a byte array as it reads the stream it replaces.
    response.body = bytes;
    // The start is enough to know the document; a 1,000-image page is not decoded twice.
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', 0, Math.min(bytes.byteLength, 4096));
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    const contentType = header(response.headers ?? {}, 'content-type');
    const why = whyNotTheService(protocol, operation, contentType, text);
    if (why) {
      const req = args.request as RawRequest;
      const endpoint = `${req.protocol ?? 'https:'}//${req.hostname ?? '?'}${req.port ? `:${req.port}` : ''}${req.path ?? '/'}`;
      throw new NotAnAwsResponseError(
        `the endpoint ${endpoint} answered HTTP ${response.statusCode} with something that is not a ${operation} response: ${why}${text ? ` ("${snippet(text)}")` : ''}. Something other than AWS answered: most likely a captive portal, a proxy that wants a login, or an endpoint URL that points elsewhere`,
        endpoint,
        contentType,
      );
    }
    return out;
  };
}

/** Where the check goes in the middleware stack: in the deserialize step, inside the SDK's deserializer. */
export const RESPONSE_CHECK_OPTIONS = { step: 'deserialize', priority: 'low', name: 'winamiResponseCheck' } as const;
