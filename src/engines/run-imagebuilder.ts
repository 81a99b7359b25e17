/**
 * `bake --engine imagebuilder`: deploy the resources `winami export
 * imagebuilder` renders (an unchanged config reuses the component versions,
 * recipe and configurations that exist; a changed one creates new versions and
 * points the pipeline at them), start the pipeline, follow the image through
 * its statuses with progress events, then verify the billing of every output
 * image with winami's own check and discard the outputs when one is wrong. A
 * cancel asks Image Builder to cancel the image creation, waits for it, and
 * removes whatever the build left; the journal records the build's image ARN,
 * which `winami cleanup` uses the same way.
 */
import { randomUUID } from 'node:crypto';
import type { Image } from '@aws-sdk/client-imagebuilder';
import type { AwsSession, ImagebuilderPort, S3Port } from '../aws/ports.js';
import { awsErrorCode, isThrottling } from '../aws/errors.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { CancelledError, StepError, UsageError, VerificationError, ExitCode, type ExitCodeValue, type WinamiError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { renderBundle } from '../render/bundle.js';
import { discardImage, verifyImageBilling } from '../billing/index.js';
import { imageBuilderRequests, type IbRequest, type ResourceRef } from './imagebuilder.js';
import { enginePlan } from './plan.js';
import { bundleBucket, buildPrefix, checkBundleBucket, deleteBundle, s3Uri, uploadBundle } from './s3-delivery.js';
import { journalPath, openJournal, type Journal } from '../bake/journal.js';
import { newBuildId } from '../bake/index.js';
import { delays, scaled, type StepCtx } from '../bake/context.js';
import type { DescribeFastLaunchImagesSuccessItem } from '@aws-sdk/client-ec2';
import { pollUntil } from '../aws/poll-until.js';
import { parseDurationMs } from '../config/duration.js';
import { describeFastLaunch } from '../image/fast-launch.js';
import { FAST_LAUNCH_PRICING_BASIS, fastLaunchMonthlyUsd } from '../knowledge/fast-launch.js';
import type { FastLaunchCost } from '../events.js';
import { initialState, type BakeState } from '../bake/state.js';
import { resolveSource } from '../bake/steps/resolve-source.js';
import type { BakeManifest, PackerManifest } from '../bake/manifest.js';
import { engineManifests, sourceStepCtx } from './engine-bake.js';

export interface ImageBuilderBakeOptions {
  config: ResolvedConfig | string;
  session: AwsSession;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  allowSourceRoots?: readonly string[];
  /** Multiplies poll delays; 1 for AWS, small for the emulator. */
  timeScale?: number;
  /** Directory under which `.winami/builds/<build-id>.jsonl` is written; default the working directory. */
  journalDir?: string;
  buildId?: string;
  /** The bucket to store the component documents in (CreateComponent `uri`; else `engine.bundleBucket`; else they go inline). */
  bundleBucket?: string;
  /** Keep the component documents this bake stored (else deleted once the components are created; else `engine.keepBundle`). */
  keepBundle?: boolean;
}

/** What a deploy did to each resource, by the template's logical id. */
export type DeployAction = 'created' | 'updated' | 'unchanged';

export interface ImageBuilderDeploy {
  /** `created` (a new pipeline), `updated` (anything new or changed) or `unchanged` (everything was there). */
  deploy: DeployAction;
  pipelineArn: string;
  recipeArn: string;
  resources: { logicalId: string; arn: string; action: DeployAction }[];
}

export interface ImageBuilderBakeResult {
  ok: boolean;
  exitCode: ExitCodeValue;
  error: WinamiError | undefined;
  deploy: DeployAction;
  pipelineArn: string;
  recipeArn: string;
  resources: ImageBuilderDeploy['resources'];
  buildId: string;
  journalPath: string;
  /** The Image Builder image (build version) ARN of the execution. */
  imageBuildVersionArn: string | undefined;
  status: string | undefined;
  /** Images the build made that passed winami's billing check. */
  images: { region: string; imageId: string; platformDetails?: string; usageOperation?: string }[];
  /** Images winami discarded (a wrong billing anywhere discards every output). */
  discarded: string[];
  /** With a bundle bucket: where the component documents were stored, and whether they were deleted. */
  bundle?: { bucket: string; prefix: string; keys: string[]; deleted: boolean };
  manifest: BakeManifest;
  packerManifest: PackerManifest;
}

const POLL_MS = 15_000;
/** The shortest pause between two polls of a build, in real milliseconds (scaled runs on the emulator). */
const POLL_FLOOR_MS = 200;
/** Polls in a row that may stay throttled (each waiting longer, up to 64 poll intervals) before the bake gives up following the build. */
const MAX_THROTTLED_POLLS = 20;
const TERMINAL = new Set(['AVAILABLE', 'FAILED', 'CANCELLED', 'DELETED']);
/** The tag Image Builder puts on what a build makes, with the image's ARN (tag-resources.html). */
export const IMAGE_BUILDER_ARN_TAG = 'Ec2ImageBuilderArn';

function port(session: AwsSession, region: string): ImagebuilderPort {
  if (!session.imagebuilder) throw new UsageError('this AWS session has no EC2 Image Builder client');
  return session.imagebuilder(region);
}

const notFound = (err: unknown) => /ResourceNotFound/.test(awsErrorCode(err) ?? (err as Error).name ?? '');

/** Fields of a configuration the request sets, compared with what Image Builder holds (absent in the request = not compared). */
function differs(wanted: Record<string, unknown>, held: Record<string, unknown>): boolean {
  return Object.entries(wanted).some(([k, v]) => JSON.stringify(normalize(v)) !== JSON.stringify(normalize(held[k])));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, normalize(x)]),
    );
  return v;
}

/**
 * Deploy the resources idempotently. Components and the recipe are versioned
 * by their content (`contentVersion`), so one that exists at that version is
 * the same and is reused; configurations and the pipeline are updated in
 * place when a field differs.
 */
export async function deployImageBuilder(session: AwsSession, config: ResolvedConfig, requests: IbRequest[], account: string): Promise<ImageBuilderDeploy> {
  const ib = port(session, config.region);
  const arns = new Map<string, string>();
  const resources: ImageBuilderDeploy['resources'] = [];
  const base = `arn:aws:imagebuilder:${config.region}:${account}`;
  const resolve = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object' && '$ref' in v) {
      const arn = arns.get((v as ResourceRef).$ref);
      if (!arn) throw new Error(`winami: ${(v as ResourceRef).$ref} is used before it is deployed`);
      return arn;
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  const token = () => randomUUID();
  for (const r of requests) {
    const input = resolve(r.input) as Record<string, unknown>;
    const name = String(input.name).toLowerCase();
    let arn: string;
    let action: DeployAction = 'unchanged';
    switch (r.operation) {
      case 'CreateComponent': {
        const versionArn = `${base}:component/${name}/${String(input.semanticVersion)}`;
        const builds = await ib.listComponentBuildVersions({ componentVersionArn: versionArn }).then(
          (out) => out.componentSummaryList ?? [],
          (err: unknown) => {
            if (notFound(err)) return [];
            throw err;
          },
        );
        let found: string | undefined;
        for (const b of builds.reverse()) {
          const held = (await ib.getComponent({ componentBuildVersionArn: b.arn! })).component;
          if (held?.data === (r.document?.text ?? input.data)) {
            found = b.arn!;
            break;
          }
        }
        if (found) arn = found;
        else {
          arn = (await ib.createComponent({ ...input, clientToken: token() } as never)).componentBuildVersionArn!;
          action = 'created';
        }
        break;
      }
      case 'CreateImageRecipe': {
        arn = `${base}:image-recipe/${name}/${String(input.semanticVersion)}`;
        try {
          await ib.getImageRecipe({ imageRecipeArn: arn });
        } catch (err) {
          if (!notFound(err)) throw err;
          arn = (await ib.createImageRecipe({ ...input, clientToken: token() } as never)).imageRecipeArn!;
          action = 'created';
        }
        break;
      }
      case 'CreateInfrastructureConfiguration':
      case 'CreateDistributionConfiguration':
      case 'CreateImagePipeline': {
        const kind =
          r.operation === 'CreateInfrastructureConfiguration'
            ? 'infrastructure-configuration'
            : r.operation === 'CreateDistributionConfiguration'
              ? 'distribution-configuration'
              : 'image-pipeline';
        arn = `${base}:${kind}/${name}`;
        let held: Record<string, unknown> | undefined;
        try {
          held =
            kind === 'infrastructure-configuration'
              ? ((await ib.getInfrastructureConfiguration({ infrastructureConfigurationArn: arn })).infrastructureConfiguration as unknown as Record<
                  string,
                  unknown
                >)
              : kind === 'distribution-configuration'
                ? ((await ib.getDistributionConfiguration({ distributionConfigurationArn: arn })).distributionConfiguration as unknown as Record<
                    string,
                    unknown
                  >)
                : ((await ib.getImagePipeline({ imagePipelineArn: arn })).imagePipeline as unknown as Record<string, unknown>);
        } catch (err) {
          if (!notFound(err)) throw err;
        }
        const { name: _n, ...fields } = input;
        if (!held) {
          const out =
            kind === 'infrastructure-configuration'
              ? (await ib.createInfrastructureConfiguration({ ...input, clientToken: token() } as never)).infrastructureConfigurationArn
              : kind === 'distribution-configuration'
                ? (await ib.createDistributionConfiguration({ ...input, clientToken: token() } as never)).distributionConfigurationArn
                : (await ib.createImagePipeline({ ...input, clientToken: token() } as never)).imagePipelineArn;
          arn = out!;
          action = 'created';
        } else if (differs(fields, held)) {
          if (kind === 'infrastructure-configuration')
            await ib.updateInfrastructureConfiguration({ ...fields, infrastructureConfigurationArn: arn, clientToken: token() } as never);
          else if (kind === 'distribution-configuration')
            await ib.updateDistributionConfiguration({ ...fields, distributionConfigurationArn: arn, clientToken: token() } as never);
          else await ib.updateImagePipeline({ ...fields, imagePipelineArn: arn, clientToken: token() } as never);
          action = 'updated';
        }
        break;
      }
    }
    arns.set(r.logicalId, arn);
    resources.push({ logicalId: r.logicalId, arn, action });
  }
  const pipeline = resources.find((r) => r.logicalId === 'Pipeline')!;
  return {
    deploy: pipeline.action === 'created' ? 'created' : resources.some((r) => r.action !== 'unchanged') ? 'updated' : 'unchanged',
    pipelineArn: pipeline.arn,
    recipeArn: arns.get('Recipe')!,
    resources,
  };
}

type CoreResult = Omit<ImageBuilderBakeResult, 'manifest' | 'packerManifest'> & {
  config?: ResolvedConfig;
  source?: BakeState['source'];
  expectation?: BakeState['expectation'];
  phases?: { name: string; start: number; end?: number }[];
  names?: Record<string, string>;
};

/** Run the bake on EC2 Image Builder. */
export async function bakeOnImageBuilder(o: ImageBuilderBakeOptions): Promise<ImageBuilderBakeResult> {
  const startedAt = new Date();
  const r = await runOnImageBuilder(o);
  const finishedAt = new Date();
  const { config: _config, phases, names: _names, source: _source, expectation: _expectation, ...rest } = r;
  const { manifest, packerManifest } = engineManifests(
    r,
    (phases ?? []).map((p) => ({
      name: p.name,
      status: p.end !== undefined ? 'ok' : r.status === 'CANCELLED' ? 'cancelled' : 'failed',
      durationMs: (p.end ?? finishedAt.getTime()) - p.start,
    })),
    startedAt,
    finishedAt,
    { 'winami:imagebuilder-image': r.imageBuildVersionArn ?? '' },
  );
  return { ...rest, manifest, packerManifest };
}

async function runOnImageBuilder(o: ImageBuilderBakeOptions): Promise<CoreResult> {
  const report = reportTo(o.reporter ?? silentReporter);
  const config = typeof o.config === 'string' ? loadConfig(o.config, { ...(o.allowSourceRoots ? { allowSourceRoots: o.allowSourceRoots } : {}) }) : o.config;
  const bundle = await renderBundle(config);
  const buildId = o.buildId ?? newBuildId();
  const bucket = config.engine?.bundleDelivery === 'inline' ? undefined : bundleBucket(config, o.bundleBucket);
  const documents = bucket !== undefined ? { bucket, prefix: buildPrefix(config, buildId) } : undefined;
  const requests = imageBuilderRequests(config, enginePlan(config, bundle), documents ? { documents } : {});
  const s3 = documents ? o.session.s3?.(config.region) : undefined;
  if (documents) {
    if (!s3) throw new Error('winami: this AWS session has no S3 client');
    await checkBundleBucket(s3, documents.bucket, config.region);
  }
  const account = (await o.session.sts(config.region).getCallerIdentity({})).Account!;
  const journal = openJournal(journalPath(o.journalDir ?? process.cwd(), buildId));
  const regions = [config.region, ...config.image.regions.map((r) => r.region).filter((r) => r !== config.region)];
  journal.append({ type: 'build', buildId, region: config.region, regions, name: config.name, time: new Date().toISOString() });
  const result: CoreResult = {
    config,
    ok: false,
    exitCode: ExitCode.BUILD,
    error: undefined,
    deploy: 'unchanged',
    pipelineArn: '',
    recipeArn: '',
    resources: [],
    buildId,
    journalPath: journal.path,
    imageBuildVersionArn: undefined,
    status: undefined,
    images: [],
    discarded: [],
  };
  const finish = (ok: boolean) => journal.append({ type: 'finished', ok, time: new Date().toISOString() });
  // The local bake's own source step: the source must be Windows with billing fields, which gives the expectation.
  const state = initialState(buildId, config, account);
  const ctx = sourceStepCtx(o, journal, bundle);
  try {
    await resolveSource.run(state, ctx);
  } catch (err) {
    finish(false);
    throw err;
  }
  result.source = state.source;
  result.expectation = state.expectation;
  let dep: ImageBuilderDeploy;
  const stored: string[] = [];
  try {
    if (documents && s3) {
      // Journaled before each PutObject (an interrupted one may still be stored), so `winami cleanup` finds them if winami dies here.
      await uploadBundle(
        s3,
        { bucket: documents.bucket, prefix: documents.prefix },
        requests.flatMap((r) => (r.document ? [{ path: r.document.key.slice(documents.prefix.length + 1), content: Buffer.from(r.document.text) }] : [])),
        (key) => {
          stored.push(key);
          journal.append({
            type: 'created',
            kind: 's3-object',
            id: s3Uri(documents.bucket, key),
            region: config.region,
            role: 'component-document',
            time: new Date().toISOString(),
          });
        },
        o.abortSignal,
      );
      report.info('engine.bundle.uploaded', `stored ${stored.length} component documents under s3://${documents.bucket}/${documents.prefix}/`, {
        ...documents,
      });
    }
    dep = await deployImageBuilder(o.session, config, requests, account);
  } catch (err) {
    // Nothing was started: what the deploy made (components, recipe, configurations) is reused by the next run.
    finish(false);
    throw err;
  } finally {
    // Image Builder keeps a component's document from the moment it is created: the objects are no longer needed.
    if (documents && s3 && stored.length)
      result.bundle = await removeDocuments(s3, documents, stored, o.keepBundle ?? config.engine?.keepBundle ?? false, journal, report, buildId, config.region);
  }
  Object.assign(result, { deploy: dep.deploy, pipelineArn: dep.pipelineArn, recipeArn: dep.recipeArn, resources: dep.resources });
  for (const res of dep.resources)
    report.info('engine.deploy', `${res.logicalId} ${res.arn} (${res.action})`, { logicalId: res.logicalId, arn: res.arn, deploy: res.action });
  if (o.abortSignal?.aborted) {
    finish(false);
    result.error = new CancelledError('cancelled before the pipeline started');
    result.exitCode = ExitCode.CANCELLED;
    return result;
  }
  const ib = port(o.session, config.region);
  const started = await ib.startImagePipelineExecution({ imagePipelineArn: dep.pipelineArn, clientToken: randomUUID(), tags: { 'winami:build-id': buildId } });
  const arn = started.imageBuildVersionArn!;
  result.imageBuildVersionArn = arn;
  // Recorded before any wait: `winami cleanup` cancels the build and removes what carries its ARN.
  journal.append({ type: 'execution', engine: 'imagebuilder', arn, region: config.region, time: new Date().toISOString() });
  report.info('engine.started', `image ${arn} started`, { imageBuildVersionArn: arn });
  // At most five polls a second however small the time scale: each poll also lists the build's instances
  // (DescribeInstances), whose bucket refills in real time and which Image Builder's own polls share.
  const pollMs = Math.max(POLL_FLOOR_MS, POLL_MS * (o.timeScale ?? 1));
  const phases: { name: string; start: number; end?: number }[] = [];
  result.phases = phases;
  const seen = new Set<string>();
  let cancelled = false;
  let throttled = 0;
  let image: Image;
  for (;;) {
    if (o.abortSignal?.aborted && !cancelled) {
      cancelled = true;
      report.warn('engine.stopping', `cancelling image ${arn}; Image Builder stops the build`, { imageBuildVersionArn: arn });
      await ib
        .cancelImageCreation({ imageBuildVersionArn: arn, clientToken: randomUUID() })
        .catch((err: Error) => report.warn('engine.stop-failed', `CancelImageCreation: ${err.message}`, {}));
    }
    try {
      image = (await ib.getImage({ imageBuildVersionArn: arn })).image!;
    } catch (err) {
      // A poll still throttled after the SDK's own retries: the build runs on regardless, so back off and poll again.
      if (isThrottling(err) && throttled < MAX_THROTTLED_POLLS) {
        throttled++;
        await new Promise((r) => setTimeout(r, pollMs * 2 ** Math.min(throttled, 6)));
        continue;
      }
      throw err;
    }
    throttled = 0;
    const status = image.state?.status ?? 'PENDING';
    if (phases.at(-1)?.name !== status) {
      const now = Date.now();
      const last = phases.at(-1);
      if (last && last.end === undefined) last.end = now;
      if (!TERMINAL.has(status)) phases.push({ name: status, start: now });
      const level = status === 'FAILED' ? 'warn' : 'info';
      report[level]('engine.step', `${status}${image.state?.reason ? ` (${image.state.reason.slice(0, 300)})` : ''}`, {
        step: status,
        status: TERMINAL.has(status) ? status : 'InProgress',
      });
    }
    await noteInstances(o.session, config.region, arn, seen, journal);
    if (TERMINAL.has(status)) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  result.status = image.state?.status;
  await noteGone(o.session, config.region, seen, journal);
  if (result.status === 'CANCELLED' || cancelled) {
    await sweep(o.session, regions, arn, journal, report, pollMs);
    finish(false);
    result.error = new CancelledError(`image ${arn} was cancelled`);
    result.exitCode = ExitCode.CANCELLED;
    return result;
  }
  if (result.status !== 'AVAILABLE') {
    await sweep(o.session, regions, arn, journal, report, pollMs);
    finish(false);
    result.error = new StepError('imagebuilder', `image ${arn} ended ${result.status}: ${image.state?.reason ?? ''}`.trim(), {
      hint: `See the build log with: aws imagebuilder get-image --image-build-version-arn ${arn}`,
    });
    return result;
  }
  // winami's own check on every output image, whatever the test phase asserted.
  const made = (image.outputResources?.amis ?? []).flatMap((a) => (a.image && a.region ? [{ region: a.region, imageId: a.image }] : []));
  for (const m of made) journal.append({ type: 'created', kind: 'image', id: m.imageId, region: m.region, role: 'image', time: new Date().toISOString() });
  const wrong: string[] = [];
  const checked: ImageBuilderBakeResult['images'] = [];
  for (const m of made) {
    const v = await verifyImageBilling(o.session.ec2(m.region), m.imageId, result.expectation, { reporter: o.reporter ?? silentReporter });
    result.names = { ...result.names, [m.imageId]: v.name ?? '' };
    if (v.ok)
      checked.push({
        ...m,
        ...(v.fields.PlatformDetails ? { platformDetails: v.fields.PlatformDetails } : {}),
        ...(v.fields.UsageOperation ? { usageOperation: v.fields.UsageOperation } : {}),
      });
    else wrong.push(m.imageId);
  }
  if (wrong.length) {
    // One region's image billing wrongly fails the build: every output goes, as a failed local bake leaves none.
    for (const m of made) {
      await discardImage(o.session.ec2(m.region), m.imageId, { reporter: o.reporter ?? silentReporter });
      journal.append({ type: 'removed', kind: 'image', id: m.imageId, region: m.region, time: new Date().toISOString() });
      result.discarded.push(m.imageId);
    }
    finish(false);
    result.error = new VerificationError(`billing of ${wrong.join(', ')} was wrong; discarded the build's images`);
    result.exitCode = ExitCode.VERIFICATION;
    return result;
  }
  try {
    await finishImages(config, made, o.session, ctx, report);
  } catch (err) {
    // As a failed local bake leaves no image: every output goes (Fast Launch disabled first by discardImage).
    for (const m of made) {
      await discardImage(o.session.ec2(m.region), m.imageId, { reporter: o.reporter ?? silentReporter });
      journal.append({ type: 'removed', kind: 'image', id: m.imageId, region: m.region, time: new Date().toISOString() });
      result.discarded.push(m.imageId);
    }
    finish(false);
    result.error =
      err instanceof StepError
        ? err
        : new StepError('imagebuilder', `finishing the verified images failed: ${(err as Error).message}`, { cause: err as Error });
    return result;
  }
  result.images = checked;
  for (const i of checked) journal.append({ type: 'kept', kind: 'image', id: i.imageId, region: i.region, reason: 'output', time: new Date().toISOString() });
  finish(true);
  result.ok = true;
  result.exitCode = ExitCode.OK;
  return result;
}

/**
 * After winami's billing check, what the local bake does last: wait for the
 * Fast Launch the distribution enabled (`fastLaunchConfigurations`) to be
 * `enabled` on every output, reporting its estimated cost, then schedule
 * deprecation (`image.deprecateAfter`), which Image Builder's distribution has
 * no setting for.
 */
async function finishImages(
  config: ResolvedConfig,
  made: { region: string; imageId: string }[],
  session: AwsSession,
  ctx: StepCtx,
  report: ReturnType<typeof reportTo>,
): Promise<void> {
  const fl = config.image.fastLaunch;
  if (fl) {
    const costs: FastLaunchCost[] = [];
    for (const m of made) {
      const ec2 = session.ec2(m.region);
      let item: DescribeFastLaunchImagesSuccessItem;
      try {
        item = await waitForFastLaunch(ec2, m.imageId, { timeoutMs: scaled(ctx, config.deadlines.copy), ...delays(ctx, 'image'), abortSignal: ctx.signal });
      } catch (err) {
        throw new StepError('enableFastLaunch', `Fast Launch on ${m.imageId} in ${m.region}: ${(err as Error).message}`, {
          cause: err as Error,
          hint: 'Check the launch template (it must exist in each region), the default VPC where there is no template, and the quota "Max parallel launches". The images were discarded.',
        });
      }
      const root = (await ec2.describeImages({ ImageIds: [m.imageId] })).Images?.[0];
      const rootVolumeGiB = root?.BlockDeviceMappings?.find((b) => b.DeviceName === root.RootDeviceName)?.Ebs?.VolumeSize ?? 30;
      const count = item.SnapshotConfiguration?.TargetResourceCount ?? fl.targetResourceCount;
      costs.push({
        region: m.region,
        imageId: m.imageId,
        state: item.State ?? 'enabled',
        targetResourceCount: count,
        maxParallelLaunches: item.MaxParallelLaunches ?? fl.maxParallelLaunches,
        rootVolumeGiB,
        estimatedMonthlyUsd: fastLaunchMonthlyUsd(count, rootVolumeGiB),
      });
    }
    const total = Math.round(costs.reduce((sum, c) => sum + c.estimatedMonthlyUsd, 0) * 100) / 100;
    report.info(
      'bake.fastLaunch',
      `Fast Launch is enabled on ${costs.map((c) => `${c.imageId} (${c.region})`).join(', ')}; the pre-provisioned snapshots cost at most about USD ${total.toFixed(2)} a month (${FAST_LAUNCH_PRICING_BASIS})`,
      { images: costs, estimatedMonthlyUsd: total, pricingBasis: FAST_LAUNCH_PRICING_BASIS },
    );
  }
  if (config.image.deprecateAfter) {
    const at = new Date(Date.now() + parseDurationMs(config.image.deprecateAfter));
    at.setUTCSeconds(0, 0);
    for (const m of made) await session.ec2(m.region).enableImageDeprecation({ ImageId: m.imageId, DeprecateAt: at }, { abortSignal: ctx.signal });
    report.info('engine.deprecation', `deprecation of ${made.map((m) => m.imageId).join(', ')} scheduled for ${at.toISOString()}`, {
      deprecateAt: at.toISOString(),
      images: made.map((m) => m.imageId),
    });
  }
}

/** Wait for `enabled`; `enabling-failed`/`enabled-failed`, or no Fast Launch at all, is a failure. */
function waitForFastLaunch(
  ec2: ReturnType<AwsSession['ec2']>,
  imageId: string,
  wait: { timeoutMs: number; minDelayMs: number; maxDelayMs: number; abortSignal?: AbortSignal },
): Promise<DescribeFastLaunchImagesSuccessItem> {
  return pollUntil<DescribeFastLaunchImagesSuccessItem | undefined>({
    what: `Fast Launch on ${imageId} to be enabled`,
    probe: (signal) => describeFastLaunch(ec2, imageId, signal),
    acceptor: (item) => {
      if (item?.State === 'enabled') return { state: 'success', value: item };
      if (item?.State === 'enabling-failed' || item?.State === 'enabled-failed')
        return { state: 'failure', reason: `it is ${item.State}: ${item.StateTransitionReason ?? 'no reason given'}` };
      return { state: 'retry', observed: item ? `state ${item.State ?? 'unknown'}` : 'not listed' };
    },
    ...wait,
  }) as Promise<DescribeFastLaunchImagesSuccessItem>;
}

/** Delete the component documents a bake stored (unless kept); the journal says which remain for `winami cleanup`. */
async function removeDocuments(
  s3: S3Port,
  at: { bucket: string; prefix: string },
  keys: string[],
  keep: boolean,
  journal: Journal,
  report: ReturnType<typeof reportTo>,
  buildId: string,
  region: string,
): Promise<NonNullable<ImageBuilderBakeResult['bundle']>> {
  const time = () => new Date().toISOString();
  if (keep) {
    for (const key of keys) journal.append({ type: 'kept', kind: 's3-object', id: s3Uri(at.bucket, key), region, reason: 'keepBundle', time: time() });
    report.info('engine.bundle.kept', `kept ${keys.length} component documents under s3://${at.bucket}/${at.prefix}/`, { ...at });
    return { ...at, keys, deleted: false };
  }
  const out = await deleteBundle(s3, at.bucket, keys).catch((err: Error) => ({
    deleted: [] as string[],
    failed: keys.map((key) => ({ key, error: err.message })),
  }));
  for (const key of out.deleted) journal.append({ type: 'removed', kind: 's3-object', id: s3Uri(at.bucket, key), region, time: time() });
  if (out.failed.length)
    report.warn(
      'engine.bundle.left',
      `could not delete ${out.failed.length} component documents (${out.failed[0]!.error}); winami cleanup --build-id ${buildId} removes them`,
      { keys: out.failed.map((f) => f.key) },
    );
  else report.info('engine.bundle.deleted', `deleted ${out.deleted.length} component documents under s3://${at.bucket}/${at.prefix}/`, { ...at });
  return { ...at, keys, deleted: out.failed.length === 0 };
}

/** Journal the build's instances as they appear (Image Builder tags them with the image ARN), so a cleanup knows them. */
async function noteInstances(session: AwsSession, region: string, arn: string, seen: Set<string>, journal: Journal): Promise<void> {
  const out = await session
    .ec2(region)
    .describeInstances({ Filters: [{ Name: `tag:${IMAGE_BUILDER_ARN_TAG}`, Values: [arn] }] })
    .catch(() => undefined);
  for (const i of (out?.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
    if (!i.InstanceId || seen.has(i.InstanceId)) continue;
    seen.add(i.InstanceId);
    journal.append({ type: 'created', kind: 'instance', id: i.InstanceId, region, role: 'builder', time: new Date().toISOString() });
  }
}

/** Journal the build's instances Image Builder has terminated itself. */
async function noteGone(session: AwsSession, region: string, seen: Set<string>, journal: Journal): Promise<void> {
  if (!seen.size) return;
  const out = await session
    .ec2(region)
    .describeInstances({ InstanceIds: [...seen] })
    .catch(() => undefined);
  for (const i of (out?.Reservations ?? []).flatMap((r) => r.Instances ?? []))
    if (i.InstanceId && i.State?.Name === 'terminated')
      journal.append({ type: 'removed', kind: 'instance', id: i.InstanceId, region, time: new Date().toISOString() });
}

/**
 * Stop an Image Builder build the journal recorded (a bake that died while
 * it ran) and wait until it ends; a finished build is left as it is.
 */
export async function stopImageBuilderBuild(
  session: AwsSession,
  region: string,
  arn: string,
  o: { pollMs: number; timeoutMs?: number; reporter?: Reporter },
): Promise<string> {
  const ib = port(session, region);
  const report = reportTo(o.reporter ?? silentReporter);
  const end = Date.now() + (o.timeoutMs ?? 600_000);
  let asked = false;
  for (;;) {
    let status: string;
    try {
      status = (await ib.getImage({ imageBuildVersionArn: arn })).image?.state?.status ?? 'PENDING';
    } catch (err) {
      if (notFound(err)) return 'DELETED';
      throw err;
    }
    if (TERMINAL.has(status)) return status;
    if (!asked) {
      asked = true;
      report.info('cleanup.cancel', `cancelling image ${arn} (${status})`, { imageBuildVersionArn: arn });
      await ib
        .cancelImageCreation({ imageBuildVersionArn: arn, clientToken: randomUUID() })
        .catch((err: Error) => report.warn('cleanup.cancel-failed', err.message, {}));
    }
    if (Date.now() > end) return status;
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}

/**
 * Remove what a stopped or failed build left, found by Image Builder's
 * `Ec2ImageBuilderArn` tag: instances (terminated and waited for), images and
 * their snapshots. Image Builder removes them itself in the usual case; this
 * makes sure.
 */
export async function sweepImageBuilderBuild(
  session: AwsSession,
  regions: readonly string[],
  arn: string,
  o: { pollMs: number; reporter?: Reporter; timeoutMs?: number; keep?: ReadonlySet<string>; dryRun?: boolean },
): Promise<{ kind: 'instance' | 'image'; id: string; region: string }[]> {
  const report = reportTo(o.reporter ?? silentReporter);
  const removed: { kind: 'instance' | 'image'; id: string; region: string }[] = [];
  const filter = [{ Name: `tag:${IMAGE_BUILDER_ARN_TAG}`, Values: [arn] }];
  for (const region of regions) {
    const ec2 = session.ec2(region);
    const out = await ec2.describeInstances({
      Filters: [...filter, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }],
    });
    const ids = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
    if (ids.length && o.dryRun) for (const id of ids) removed.push({ kind: 'instance', id, region });
    else if (ids.length) {
      await ec2.terminateInstances({ InstanceIds: ids });
      const end = Date.now() + (o.timeoutMs ?? 600_000);
      for (;;) {
        const d = await ec2.describeInstances({ InstanceIds: ids });
        if ((d.Reservations ?? []).flatMap((r) => r.Instances ?? []).every((i) => i.State?.Name === 'terminated') || Date.now() > end) break;
        await new Promise((r) => setTimeout(r, o.pollMs));
      }
      for (const id of ids) removed.push({ kind: 'instance', id, region });
      report.warn('engine.swept', `terminated ${ids.join(', ')}, left by ${arn}`, { instanceIds: ids, region });
    }
    const images = await ec2.describeImages({ Owners: ['self'], Filters: filter });
    for (const img of images.Images ?? []) {
      if (o.keep?.has(img.ImageId!)) continue;
      if (!o.dryRun) await discardImage(ec2, img.ImageId!, { reporter: o.reporter ?? silentReporter });
      removed.push({ kind: 'image', id: img.ImageId!, region });
    }
  }
  return removed;
}

async function sweep(session: AwsSession, regions: readonly string[], arn: string, journal: Journal, report: ReturnType<typeof reportTo>, pollMs: number) {
  try {
    const removed = await sweepImageBuilderBuild(session, regions, arn, { pollMs });
    for (const r of removed) journal.append({ type: 'removed', kind: r.kind, id: r.id, region: r.region, time: new Date().toISOString() });
  } catch (err) {
    report.warn('engine.sweep-failed', `could not check what ${arn} left: ${(err as Error).message}; run winami cleanup --journal ${journal.path}`, {});
  }
}
