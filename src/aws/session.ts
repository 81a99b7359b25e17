/**
 * The real adapter: SDK v3 clients behind the ports, one client per service and
 * region, created on first use. The SDK is imported lazily so commands that do
 * not talk to AWS (prepare, lint, --version) never load it.
 */
import type {
  AwsSession,
  Ec2Operations,
  Ec2Port,
  IamPort,
  KmsPort,
  S3Port,
  SsmOperations,
  SsmPort,
  StsOperations,
  StsPort,
  OrganizationsPort,
  ImagebuilderPort,
} from './ports.js';
import { createRequire } from 'node:module';
import { toAwsError } from './errors.js';
import { checkResponses, RESPONSE_CHECK_OPTIONS } from './response-check.js';
import { NETWORK_TIMEOUTS, withCallDeadline, type NetworkTimeouts } from './timeouts.js';

/** Static AWS credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SessionOptions {
  /** Region used when a call names none. */
  region: string;
  /** Endpoint override (the local emulator, a VPC endpoint); otherwise the SDK's default resolution. */
  endpoint?: string;
  /** Static credentials; otherwise the SDK's default provider chain. */
  credentials?: AwsCredentials;
  /** Total attempts per call, including the first. Default 8. */
  maxAttempts?: number;
  /** `adaptive` (default) adds the SDK's client-side rate limiter; `standard` does not. */
  retryMode?: 'adaptive' | 'standard';
  /**
   * Run the SDK's retry strategy in a world whose time runs this many times
   * as fast (the local emulator's time scale; default 1, AWS's): each back-off
   * delay is multiplied by it, and the adaptive rate limiter's lowest sending
   * rate divided by it. The strategy, its attempts and its error classes stay
   * the SDK's own.
   */
  retryTimeScale?: number;
  /**
   * Read successful DescribeImages/DescribeSnapshots answers with winami's
   * decoder, which gives the SDK's output several times faster
   * (`ec2-listing-protocol.ts`). Off by default: only audit sessions, which
   * page whole accounts' images and snapshots, turn it on (`winami audit` does);
   * every other session leaves every response to the SDK's deserializer.
   */
  fastListing?: boolean;
  /** Connection, per-attempt and per-call time limits; defaults `NETWORK_TIMEOUTS` (timeouts.ts says why). */
  timeouts?: Partial<NetworkTimeouts>;
}

type Sdk = {
  ec2: typeof import('@aws-sdk/client-ec2');
  ssm: typeof import('@aws-sdk/client-ssm');
  sts: typeof import('@aws-sdk/client-sts');
  iam: typeof import('@aws-sdk/client-iam');
  kms: typeof import('@aws-sdk/client-kms');
  organizations: typeof import('@aws-sdk/client-organizations');
  imagebuilder: typeof import('@aws-sdk/client-imagebuilder');
  s3: typeof import('@aws-sdk/client-s3');
};

const CLIENT_CLASS = {
  ec2: 'EC2Client',
  ssm: 'SSMClient',
  sts: 'STSClient',
  iam: 'IAMClient',
  kms: 'KMSClient',
  organizations: 'OrganizationsClient',
  imagebuilder: 'ImagebuilderClient',
  s3: 'S3Client',
} as const;

/** IAM's one endpoint per partition is reached through this region. */
function iamRegion(defaultRegion: string): string {
  return /^(cn|us-gov|us-iso[a-z]*)-/.test(defaultRegion) ? defaultRegion : 'us-east-1';
}

const sdkModules = new Map<keyof Sdk, Promise<Sdk[keyof Sdk]>>();
/**
 * One SDK client package, loaded on first use (an audit never loads SSM's).
 * With require(), not import(): Node's ESM loader would read these large
 * CommonJS files again to detect their format and list their exports, about
 * 0.3 s and 20 MiB more for EC2's.
 */
function loadSdk<K extends keyof Sdk>(service: K): Promise<Sdk[K]> {
  let m = sdkModules.get(service);
  if (!m) {
    const requireSdk = createRequire(import.meta.url);
    m = Promise.resolve().then(() => requireSdk(`@aws-sdk/client-${service}`) as Sdk[K]);
    sdkModules.set(service, m);
  }
  return m as Promise<Sdk[K]>;
}

/** The SDK's adaptive rate limiter sends at least this many requests a second after a throttle (its `minFillRate` default). */
const SDK_MIN_FILL_RATE = 0.5;

/**
 * The SDK's retry strategy for `retryMode`, with its back-off (the SDK's
 * full-jitter exponential one: a random share of base × 2^attempt, at most
 * 20 s) and its rate limiter's floor scaled by `scale`.
 */
function scaledRetryStrategy(options: Pick<SessionOptions, 'maxAttempts' | 'retryMode'>, scale: number): unknown {
  const retry = createRequire(import.meta.url)('@smithy/core/retry') as typeof import('@smithy/core/retry');
  let base = 0;
  const backoff = {
    setDelayBase: (delayMs: number) => void (base = delayMs),
    computeNextBackoffDelay: (attempt: number) => Math.floor(Math.random() * Math.min(base * 2 ** attempt, retry.MAXIMUM_RETRY_DELAY) * scale),
  };
  const maxAttempts = options.maxAttempts ?? 8;
  if (options.retryMode === 'standard') return new retry.StandardRetryStrategy({ maxAttempts, backoff });
  return new retry.AdaptiveRetryStrategy(maxAttempts, {
    maxAttempts,
    backoff,
    rateLimiter: new retry.DefaultRateLimiter({ minFillRate: SDK_MIN_FILL_RATE / scale }),
  });
}

/** `describeImages` → `DescribeImagesCommand` class from the module. */
function commandClass(module: Record<string, unknown>, method: string): new (input: unknown) => unknown {
  const name = `${method.charAt(0).toUpperCase()}${method.slice(1)}Command`;
  const C = module[name];
  if (typeof C !== 'function') throw new Error(`the SDK has no ${name}`);
  return C as new (input: unknown) => unknown;
}

interface Sendable {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * A port whose every method forwards to `client.send(new XCommand(input))`.
 * Errors come back as `AwsError`s naming the call and, for denials, the IAM action.
 */
function makePort<P>(service: keyof Sdk, client: () => Promise<{ client: Sendable; module: Record<string, unknown> }>, callTimeoutMs: number): P {
  return new Proxy(
    {},
    {
      get(_target, method) {
        if (typeof method !== 'string' || method === 'then') return undefined;
        return async (input: unknown, options?: { abortSignal?: AbortSignal }) => {
          const { client: c, module } = await client();
          const C = commandClass(module, method);
          try {
            return await withCallDeadline(callTimeoutMs, options?.abortSignal, (abortSignal) => c.send(new C(input ?? {}), { abortSignal }));
          } catch (err) {
            throw toAwsError(service, method, err, resourceOf(input));
          }
        };
      },
    },
  ) as P;
}

/** The main resource id in a request, for error messages. */
function resourceOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const i = input as Record<string, unknown>;
  for (const key of ['ImageId', 'InstanceId', 'SnapshotId', 'SourceImageId', 'CommandId', 'Name', 'KeyId', 'InstanceProfileName']) {
    if (typeof i[key] === 'string') return i[key] as string;
  }
  for (const key of ['ImageIds', 'InstanceIds', 'SnapshotIds', 'Resources']) {
    const v = i[key];
    if (Array.isArray(v) && v.length > 0) return v.join(',');
  }
  return undefined;
}

/**
 * The SDK's logger middleware calls `logger.info?.({ output: filter(output) })`:
 * with its default no-op logger the filter still deep-copies every response
 * (a second walk of 1,000 images per DescribeImages page). A logger without
 * `info` skips that work; winami reports through its own Reporter anyway.
 */
const QUIET_LOGGER = { debug: () => {}, warn: () => {}, error: () => {} } as unknown as import('@smithy/types').Logger;

/** Whether a client of this service in this session reads listings with winami's decoder: EC2 clients of sessions that ask for it. */
export function usesFastListing(service: string, options: Pick<SessionOptions, 'fastListing'>): boolean {
  return service === 'ec2' && options.fastListing === true;
}

/** Create a session backed by the real SDK. */
export function createAwsSession(options: SessionOptions): AwsSession {
  const clients = new Map<string, Promise<{ client: Sendable; module: Record<string, unknown> }>>();
  const timeouts = { ...NETWORK_TIMEOUTS, ...options.timeouts };
  const config = (region: string, service: keyof Sdk) => ({
    region,
    // The SDK's NodeHttpHandler, from options: without them it waits for an answer forever.
    requestHandler: {
      connectionTimeout: timeouts.connectionMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeouts.requestMs,
    },
    logger: QUIET_LOGGER,
    maxAttempts: options.maxAttempts ?? 8,
    retryMode: options.retryMode ?? 'adaptive',
    ...(options.retryTimeScale !== undefined && options.retryTimeScale !== 1 ? { retryStrategy: scaledRetryStrategy(options, options.retryTimeScale) } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // S3 at an endpoint override (the emulator) is addressed path-style: `/bucket/key` rather than a `bucket.` host name.
    ...(options.endpoint && service === 's3' ? { forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const get = (service: keyof Sdk, region: string) => {
    const key = `${service}:${region}`;
    let entry = clients.get(key);
    if (!entry) {
      entry = loadSdk(service).then(async (module) => {
        const Client = (module as unknown as Record<string, unknown>)[CLIENT_CLASS[service]] as new (c: unknown) => Sendable;
        const fast = usesFastListing(service, options);
        const protocol = fast ? (await import('./ec2-listing-protocol.js')).Ec2ListingProtocol : undefined;
        const client = new Client(protocol ? { ...config(region, service), protocol } : config(region, service));
        // S3 answers are not one XML document per operation (GetObject is the object itself): its SDK checks them.
        if (service !== 's3') {
          (client as unknown as { middlewareStack: { add(mw: unknown, o: unknown): void } }).middlewareStack.add(
            checkResponses(service === 'ssm' || service === 'kms' || service === 'organizations' || service === 'imagebuilder' ? 'json' : 'query-xml'),
            RESPONSE_CHECK_OPTIONS,
          );
        }
        return { client, module: module as unknown as Record<string, unknown> };
      });
      clients.set(key, entry);
    }
    return entry;
  };
  const session: AwsSession = {
    defaultRegion: options.region,
    ec2: (region = options.region) => makePort<Ec2Port>('ec2', () => get('ec2', region), timeouts.callMs),
    ssm: (region = options.region) => makePort<SsmPort>('ssm', () => get('ssm', region), timeouts.callMs),
    sts: (region = options.region) => makePort<StsPort>('sts', () => get('sts', region), timeouts.callMs),
    iam: () => makePort<IamPort>('iam', () => get('iam', iamRegion(options.region)), timeouts.callMs),
    kms: (region = options.region) => makePort<KmsPort>('kms', () => get('kms', region), timeouts.callMs),
    // Organizations has one endpoint per partition, signed for us-east-1 in the commercial partition.
    organizations: () => makePort<OrganizationsPort>('organizations', () => get('organizations', 'us-east-1'), timeouts.callMs),
    imagebuilder: (region = options.region) => makePort<ImagebuilderPort>('imagebuilder', () => get('imagebuilder', region), timeouts.callMs),
    s3: (region = options.region) => makePort<S3Port>('s3', () => get('s3', region), timeouts.callMs),
    destroy() {
      const all = [...clients.values()];
      clients.clear();
      for (const c of all)
        void c.then(
          (e) => (e.client as unknown as { destroy?: () => void }).destroy?.(),
          () => undefined,
        );
    },
    async assumeRole(roleArn, sessionName = 'winami') {
      const out = await session.sts().assumeRole({ RoleArn: roleArn, RoleSessionName: sessionName });
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      return createAwsSession({
        ...options,
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        },
      });
    },
  };
  return session;
}

export type { Ec2Operations, SsmOperations, StsOperations };
