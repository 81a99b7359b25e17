/**
 * The HTTP front: one Node server, no framework. Routes `/_emulator/` to the
 * control API, `X-Amz-Target: AmazonSSM.*` / `TrentService.*` to SSM / KMS
 * JSON 1.1, and form posts to EC2, STS or IAM by the SigV4 credential scope;
 * applies faults, EC2 throttling and the call log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bucketFor, RESOURCE_BUCKETS, ssmBucketFor, type Bucket } from './throttling.js';
import { EC2_HANDLERS, filteredOrPaginated } from './ec2.js';
import { IAM_HANDLERS, IAM_NS } from './iam.js';
import { KMS_HANDLERS } from './kms.js';
import { INSTANCE_TYPE_HANDLERS } from './ec2-instance-types.js';
import { VPC_HANDLERS } from './ec2-vpc.js';
import { FAST_LAUNCH_HANDLERS } from './ec2-fast-launch.js';
import { LAUNCH_TEMPLATE_HANDLERS } from './ec2-launch-templates.js';
import type { CallRecord, EmulatorAccount, Fault } from './options.js';
import { SSM_HANDLERS } from './ssm.js';
import { STS_HANDLERS } from './sts.js';
import { OPT_IN_REGIONS, ORGANIZATIONS_HANDLERS, regionEnabled } from './organizations.js';
import { bucketFromHost, handleS3Error, handleS3, s3ActionName } from './s3.js';
import { parseQuery, qList, qInt, requestId, esc, type QueryObject, type XmlChunks } from './wire.js';
import { ApiError, DEFAULT_REGIONS, type World } from './world.js';

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CALL_LOG_LIMIT = 100_000;

type Service = 'ec2' | 'ssm' | 'sts' | 'iam' | 'kms' | 'organizations' | 'imagebuilder' | 's3';

interface Caller {
  account: string;
  arn: string;
}

interface TokenState {
  tokens: number;
  at: number;
}

/** Control routes, answered with JSON. Implemented by the control handle. */
export type ControlRouter = (method: string, path: string, query: URLSearchParams, body: unknown) => Promise<unknown> | unknown;

export class EmulatorHttp {
  readonly calls: CallRecord[] = [];
  readonly faults: Fault[] = [];
  /** Answers of `loseResponse` faults: the action runs, the answer is never sent. */
  private readonly losing = new WeakSet<ServerResponse>();
  private readonly buckets = new Map<string, TokenState>();
  /** While set, token buckets refill against this time (ms) instead of the wall clock (`holdRefill`). */
  private refillHeldAt: number | undefined;
  private readonly keys: Map<string, EmulatorAccount>;
  readonly knownAccounts: Set<string>;
  /** SSM actions served outside ssm.ts (Automation: automation.ts). */
  ssmExtra: Record<string, (c: { account: string; region: string; body: Record<string, unknown>; now: number }) => Record<string, unknown>> = {};
  /** EC2 Image Builder's REST-JSON operations (imagebuilder.ts), by operation name. */
  imageBuilder: Record<string, (c: { account: string; region: string; body: Record<string, unknown>; now: number }) => Record<string, unknown>> = {};

  constructor(
    public world: World,
    accounts: EmulatorAccount[],
    public throttling: boolean,
    private readonly control: ControlRouter,
  ) {
    this.keys = new Map(accounts.map((a) => [a.accessKeyId, a]));
    this.knownAccounts = new Set(accounts.map((a) => a.accountId));
  }

  /** Stop the token buckets' refill: they refill only by `advanceRefill`, until `releaseRefill`. */
  holdRefill(): void {
    this.refillHeldAt ??= Date.now();
  }

  /** With refill held, let `ms` of refill time pass. */
  advanceRefill(ms: number): void {
    if (this.refillHeldAt === undefined) throw new Error('advanceRefill needs holdRefill first: refill follows the wall clock');
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advanceRefill takes milliseconds >= 0, not ${String(ms)}`);
    this.refillHeldAt += ms;
  }

  /** Refill follows the wall clock again: the held time maps onto now, so the time held does not count. */
  releaseRefill(): void {
    if (this.refillHeldAt === undefined) return;
    const shift = Date.now() - this.refillHeldAt;
    this.refillHeldAt = undefined;
    for (const st of this.buckets.values()) st.at += shift;
  }

  resetTraffic(): void {
    this.calls.length = 0;
    this.faults.length = 0;
    this.buckets.clear();
    this.refillHeldAt = undefined;
  }

  /** Node request handler. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      this.dispatch(req, res, raw.toString('utf8'), raw).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err instanceof Error ? err.stack : err));
        }
      });
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse, body: string, raw: Buffer): Promise<void> {
    const url = req.url ?? '/';
    if (url.startsWith('/_emulator/')) return this.controlRoute(req, res, url, body);
    const target = req.headers['x-amz-target'];
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    if (scope?.[3] === 's3') return this.dispatchS3(req, res, raw, scope[1]!, scope[2]!);
    let service: Service;
    let action: string;
    let q: QueryObject = {};
    let json: Record<string, unknown> = {};
    if (
      typeof target === 'string' &&
      (target.startsWith('AmazonSSM.') || target.startsWith('TrentService.') || target.startsWith('AWSOrganizationsV20161128.'))
    ) {
      service = target.startsWith('AmazonSSM.') ? 'ssm' : target.startsWith('TrentService.') ? 'kms' : 'organizations';
      action = target.slice(target.indexOf('.') + 1);
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return this.fail(res, service, { account: '', region: '', action }, new ApiError('SerializationException', 'Request body is not valid JSON'));
      }
    } else if (scope?.[3] === 'imagebuilder') {
      // REST-JSON: the operation is the path; GET and DELETE carry their members in the query string.
      service = 'imagebuilder';
      const u = new URL(url, 'http://127.0.0.1');
      action = u.pathname.replace(/^\/+/, '');
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return this.fail(res, service, { account: '', region: '', action }, new ApiError('SerializationException', 'Request body is not valid JSON'));
      }
      for (const [k, v] of u.searchParams) json[k] = v;
    } else {
      q = parseQuery(body);
      action = typeof q.Action === 'string' ? q.Action : '';
      service = scope?.[3] === 'sts' || q.Version === '2011-06-15' ? 'sts' : scope?.[3] === 'iam' || q.Version === '2010-05-08' ? 'iam' : 'ec2';
    }
    const region = scope?.[2] ?? 'us-east-1';
    const callerKey = scope?.[1];
    const caller = callerKey ? this.callerOf(callerKey) : undefined;
    const ctx = { account: caller?.account ?? '', region, action };
    if (!caller) {
      const err =
        service === 'ec2'
          ? new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
          : service === 'ssm' || service === 'kms' || service === 'organizations'
            ? new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.')
            : service === 'imagebuilder'
              ? new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403)
              : new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      return this.fail(res, service, ctx, err);
    }
    if (!DEFAULT_REGIONS.includes(region) && service !== 'sts' && service !== 'iam' && service !== 'organizations') {
      if (!regionEnabled(this.world.optInRegions, ctx.account, region, DEFAULT_REGIONS)) {
        // A disabled opt-in region holds none of the account's credentials: they do not validate there.
        const err = !OPT_IN_REGIONS.includes(region)
          ? new ApiError('AuthFailure', `Credential should be scoped to a valid region, not '${region}'.`, 401)
          : service === 'ec2'
            ? new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
            : new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
        return this.fail(res, service, ctx, err);
      }
    }
    const fault = this.takeFault(service, action, ctx.account, region);
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.drop) {
      this.log(ctx, service, 0, 'ConnectionDropped');
      req.socket.destroy();
      return;
    }
    if (fault?.blackhole) {
      // No answer, ever: the socket stays open until the client times out (or the emulator stops).
      this.log(ctx, service, 0, 'Blackholed');
      return;
    }
    if (fault?.htmlPage) {
      this.log(ctx, service, 200, 'HtmlPage');
      return this.send(
        res,
        200,
        'text/html; charset=utf-8',
        '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Sign in to use this network</form></body></html>\n',
      );
    }
    if (fault?.loseResponse) this.losing.add(res);
    if (fault?.errorCode) {
      const status =
        fault.status ??
        (fault.errorCode === 'RequestLimitExceeded' || fault.errorCode === 'ServiceUnavailable' ? 503 : fault.errorCode === 'InternalError' ? 500 : 400);
      return this.fail(res, service, ctx, new ApiError(fault.errorCode, fault.message ?? `Injected fault: ${fault.errorCode}`, status));
    }
    try {
      const now = Date.now();
      if (service === 'ec2') {
        const handler =
          EC2_HANDLERS[action] ?? VPC_HANDLERS[action] ?? INSTANCE_TYPE_HANDLERS[action] ?? FAST_LAUNCH_HANDLERS[action] ?? LAUNCH_TEMPLATE_HANDLERS[action];
        if (!handler) throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
        if (this.throttling) this.throttle(ctx.account, region, action, q, this.refillHeldAt ?? now);
        const inner = handler({ world: this.world, account: ctx.account, region, q, now });
        const id = requestId();
        const head = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${id}</requestId>`;
        const tail = `</${action}Response>`;
        this.send(res, 200, 'text/xml;charset=UTF-8', typeof inner === 'string' ? head + inner + tail : joinChunks([head, ...inner, tail]), id);
      } else if (service === 'sts') {
        const handler = STS_HANDLERS[action];
        if (!handler) throw new ApiError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
        const inner = handler({ world: this.world, account: ctx.account, arn: caller.arn, q, now, knownAccounts: this.knownAccounts });
        const xml = `<${action}Response xmlns="${STS_NS}">${inner}<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`;
        this.send(res, 200, 'text/xml', xml);
      } else if (service === 'iam') {
        const handler = IAM_HANDLERS[action];
        if (!handler) throw new ApiError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
        const inner = handler({ iam: this.world.iam, account: ctx.account, callerArn: caller.arn, q, now });
        const result = inner ? `<${action}Result>${inner}</${action}Result>` : '';
        const xml = `<${action}Response xmlns="${IAM_NS}">${result}<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`;
        this.send(res, 200, 'text/xml', xml);
      } else if (service === 'organizations') {
        const handler = ORGANIZATIONS_HANDLERS[action];
        if (!handler) throw new ApiError('UnknownOperationException', `Unknown operation ${action}`);
        this.send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(handler({ org: this.world.organization, account: ctx.account, body: json })));
      } else if (service === 'kms') {
        const handler = KMS_HANDLERS[action];
        if (!handler) throw new ApiError('UnknownOperationException', `Unknown operation ${action}`);
        const out = handler({
          kms: this.world.kms,
          account: ctx.account,
          region,
          callerArn: caller.arn,
          body: json,
          now,
          dayMs: 86_400_000 * this.world.timeScale,
        });
        this.send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(out));
      } else if (service === 'imagebuilder') {
        const handler = this.imageBuilder[action];
        if (!handler) throw new ApiError('UnknownOperationException', `Unknown operation ${action}`, 404);
        this.send(res, 200, 'application/json', JSON.stringify(handler({ account: ctx.account, region, body: json, now })));
      } else {
        const handler = SSM_HANDLERS[action] ?? this.ssmExtra[action];
        if (!handler) throw new ApiError('UnknownOperationException', `Unknown operation ${action}`);
        if (this.throttling) this.throttleSsm(ctx.account, region, action, this.refillHeldAt ?? now);
        const out = handler({ world: this.world, account: ctx.account, region, body: json, now });
        this.send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(out));
      }
      this.log(ctx, service, 200, this.losing.has(res) ? 'ResponseLost' : undefined);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.fail(res, service, ctx, err);
    }
  }

  /** S3's REST protocol (s3.ts): signed for service `s3`, the bucket in the path or the host name; errors in S3's XML. */
  private async dispatchS3(req: IncomingMessage, res: ServerResponse, raw: Buffer, accessKeyId: string, region: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hostBucket = bucketFromHost(req.headers.host);
    const method = req.method ?? 'GET';
    const hasKey = hostBucket ? url.pathname.length > 1 : /^\/[^/]+\/./.test(url.pathname);
    const action = s3ActionName(method, hasKey, url.searchParams, req.headers);
    const caller = this.callerOf(accessKeyId);
    const ctx = { account: caller?.account ?? '', region, action };
    const answer = (r: { status: number; headers: Record<string, string>; body: Buffer }, errorCode?: string) => {
      if (this.losing.has(res)) return void res.socket?.destroy();
      // A HEAD answer says the length of the object it describes.
      res.writeHead(r.status, { 'content-length': String(r.body.length), ...r.headers, 'x-amz-request-id': requestId() });
      res.end(method === 'HEAD' ? undefined : r.body);
      this.log(ctx, 's3', r.status, errorCode);
    };
    const error = (code: string, message: string, status: number) => answer(handleS3Error(method, code, message, status), code);
    if (!caller) return error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
    const fault = this.takeFault('s3', action, ctx.account, region);
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.drop) {
      this.log(ctx, 's3', 0, 'ConnectionDropped');
      req.socket.destroy();
      return;
    }
    if (fault?.loseResponse) this.losing.add(res);
    if (fault?.errorCode)
      return error(fault.errorCode, fault.message ?? `Injected fault: ${fault.errorCode}`, fault.status ?? (fault.errorCode === 'SlowDown' ? 503 : 500));
    const out = handleS3(this.world.s3, {
      method,
      ...(hostBucket ? { hostBucket } : {}),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: raw,
      account: caller.account,
      region,
      now: Date.now(),
    });
    answer(out, out.errorCode);
  }

  private callerOf(accessKeyId: string): Caller | undefined {
    const a = this.keys.get(accessKeyId);
    if (a) return { account: a.accountId, arn: `arn:aws:iam::${a.accountId}:user/emulator` };
    const s = this.world.sessionKeys.get(accessKeyId);
    return s ? { account: s.accountId, arn: s.arn } : undefined;
  }

  private takeFault(service: Service, action: string, account: string, region: string): Fault | undefined {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.action !== '*' && f.action !== action) continue;
      if (f.service && f.service !== service) continue;
      if (f.account && f.account !== account) continue;
      if (f.region && f.region !== region) continue;
      if (f.probability !== undefined && Math.random() >= f.probability) continue;
      if (f.times !== undefined) {
        f.times -= 1;
        if (f.times <= 0) this.faults.splice(i, 1);
      }
      return f;
    }
    return undefined;
  }

  private take(key: string, bucket: Bucket, cost: number, now: number): boolean {
    let st = this.buckets.get(key);
    if (!st) {
      st = { tokens: bucket.capacity, at: now };
      this.buckets.set(key, st);
    }
    st.tokens = Math.min(bucket.capacity, st.tokens + ((now - st.at) / 1000) * bucket.refillPerSecond);
    st.at = now;
    if (st.tokens < cost) return false;
    st.tokens -= cost;
    return true;
  }

  /** EC2's request and resource token buckets (domain-facts §8.2). */
  private throttle(account: string, region: string, action: string, q: QueryObject, now: number): void {
    const { key, bucket } = bucketFor(action, filteredOrPaginated(q));
    const resource = RESOURCE_BUCKETS[action];
    const count = action === 'RunInstances' ? (qInt(q, 'MaxCount') ?? 1) : qList(q, 'InstanceId').length;
    if (!this.take(`${account}|${region}|${key}`, bucket, 1, now) || (resource && !this.take(`${account}|${region}|res:${action}`, resource, count, now))) {
      throw new ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    }
  }

  /** SSM's per-account, per-region request rates (`ssmBucketFor`). */
  private throttleSsm(account: string, region: string, action: string, now: number): void {
    const { key, bucket } = ssmBucketFor(action);
    if (!this.take(`${account}|${region}|${key}`, bucket, 1, now)) throw new ApiError('ThrottlingException', 'Rate exceeded');
  }

  private send(res: ServerResponse, status: number, type: string, body: string | Buffer, id = requestId()): void {
    if (this.losing.has(res)) return void res.socket?.destroy();
    res.writeHead(status, { 'content-type': type, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length, 'x-amzn-requestid': id });
    res.end(body);
  }

  private fail(res: ServerResponse, service: Service, ctx: { account: string; region: string; action: string }, err: ApiError): void {
    const id = requestId();
    if (service === 'ec2') {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;
      this.send(res, err.status, 'text/xml;charset=UTF-8', xml);
    } else if (service === 'sts' || service === 'iam') {
      const xml = `<ErrorResponse xmlns="${service === 'sts' ? STS_NS : IAM_NS}"><Error><Type>Sender</Type><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
      this.send(res, err.status, 'text/xml', xml);
    } else if (this.losing.has(res)) {
      res.socket?.destroy();
    } else if (service === 'imagebuilder') {
      // REST-JSON errors: the code in x-amzn-errortype, the message in the body.
      res.writeHead(err.status, { 'content-type': 'application/json', 'x-amzn-requestid': id, 'x-amzn-errortype': err.code });
      res.end(JSON.stringify({ message: err.message }));
    } else {
      res.writeHead(err.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': id });
      res.end(JSON.stringify({ __type: err.code, message: err.message, ...(err as ApiError & { extra?: Record<string, unknown> }).extra }));
    }
    this.log(ctx, service, err.status, err.code);
  }

  private log(ctx: { account: string; region: string; action: string }, service: Service, status: number, errorCode?: string): void {
    if (this.calls.length >= CALL_LOG_LIMIT) this.calls.splice(0, CALL_LOG_LIMIT / 10);
    this.calls.push({
      time: new Date().toISOString(),
      account: ctx.account,
      region: ctx.region,
      service,
      action: ctx.action,
      status,
      ...(errorCode ? { errorCode } : {}),
    });
  }

  private async controlRoute(req: IncomingMessage, res: ServerResponse, url: string, body: string): Promise<void> {
    const u = new URL(url, 'http://127.0.0.1');
    let parsed: unknown;
    if (body) {
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'body is not JSON' }));
        return;
      }
    }
    try {
      const out = await this.control(req.method ?? 'GET', u.pathname.slice('/_emulator/'.length), u.searchParams, parsed);
      if (out === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no control route ${req.method} ${u.pathname}` }));
        return;
      }
      const text = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    }
  }
}

/** One buffer from response pieces: strings encoded once, cached buffers copied as they are. */
function joinChunks(chunks: XmlChunks): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}
