/**
 * `exportEngine`: one config → the documents an AWS engine (or Packer) runs
 * the bake with, rendered from the same bundle and step metadata as the local
 * bake, checked before anything is written. Offline: no AWS call is made.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import type { AwsSession } from '../aws/ports.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { renderBundle } from '../render/bundle.js';
import { automationTemplateYaml } from './automation-template.js';
import { chooseRunbook } from './delivery.js';
import { imageBuilderRequests, imageBuilderTemplateYaml } from './imagebuilder.js';
import { renderPacker } from './packer.js';
import { enginePlan, type Engine } from './plan.js';
import { bundleBucket, bundleObjects, checkBundleBucket, uploadBundle, type BundleLocation } from './s3-delivery.js';

/** CloudFormation takes a template of at most this many bytes inline (`TemplateBody`); larger ones come from S3 (`TemplateURL`). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export interface ExportOptions {
  configPath: string;
  engine: Engine;
  outDir: string;
  allowPlaintextSecrets?: boolean;
  allowSourceRoots?: readonly string[];
  reporter?: Reporter;
  /** Automation: the bucket to deliver the bundle from; Image Builder: the bucket of the component documents (else `engine.bundleBucket`). */
  bundleBucket?: string;
  /** Automation with S3 delivery: uploads the bundle objects with it; without it they are only written under `bundle/`. */
  session?: AwsSession | (() => Promise<AwsSession>);
}

export interface ExportedFile {
  path: string;
  bytes: number;
}

export interface ExportResult {
  engine: Engine;
  outDir: string;
  files: ExportedFile[];
  /** Automation: how the runbook delivers the bundle. */
  delivery?: 'inline' | 'compressed' | 's3';
  /** With S3 delivery: where the objects are (the runbook's defaults) and whether this export uploaded them. */
  bundle?: BundleLocation & { keys: string[]; uploaded: boolean };
  /** Templates over CloudFormation's 51,200-byte `TemplateBody` limit: they must be deployed with a TemplateURL from S3. */
  largeTemplates: string[];
}

/** One engine's documents, and for Automation how its bundle is delivered. */
export interface RenderedEngine {
  docs: Record<string, string>;
  delivery?: 'inline' | 'compressed' | 's3';
  location?: BundleLocation;
  /** Bundle objects for S3 delivery, by key under the prefix. */
  objects?: { path: string; content: Buffer }[];
}

/** The documents of one engine for a resolved config, by file name. */
export async function renderEngine(config: ResolvedConfig, engine: Engine): Promise<Record<string, string>> {
  return (await renderEngineWith(config, engine)).docs;
}

/** The documents of one engine, with how an Automation runbook delivers its bundle (`bundleBucket`: s3-delivery.ts). */
export async function renderEngineWith(config: ResolvedConfig, engine: Engine, o: { bundleBucket?: string } = {}): Promise<RenderedEngine> {
  const bundle = await renderBundle(config);
  const plan = enginePlan(config, bundle);
  switch (engine) {
    case 'automation': {
      const chosen = chooseRunbook(config, plan, o.bundleBucket !== undefined ? { bucket: o.bundleBucket } : {});
      return {
        docs: { 'runbook.yaml': chosen.content, 'template.yaml': automationTemplateYaml(config, chosen.runbook) },
        delivery: chosen.delivery,
        ...(chosen.location ? { location: chosen.location, objects: bundleObjects(plan) } : {}),
      };
    }
    case 'imagebuilder': {
      const bucket = config.engine?.bundleDelivery === 'inline' ? undefined : bundleBucket(config, o.bundleBucket);
      if (bucket === undefined) return { docs: { 'template.yaml': imageBuilderTemplateYaml(config, plan) } };
      // Component documents from S3 (CreateComponent Uri), keyed by their content version under the config's prefix.
      const location = { bucket, prefix: `${config.engine?.bundlePrefix ?? 'winami'}/${config.name}` };
      const requests = imageBuilderRequests(config, plan, { documents: location });
      return {
        docs: { 'template.yaml': imageBuilderTemplateYaml(config, plan, { documents: location }) },
        delivery: 's3',
        location,
        objects: requests
          .filter((r) => r.document)
          .map((r) => ({ path: r.document!.key.slice(location.prefix.length + 1), content: Buffer.from(r.document!.text) })),
      };
    }
    case 'packer':
      return { docs: { 'build.pkr.hcl': renderPacker(config, plan) } };
  }
}

/** Render, check and write one engine's documents into `outDir`. */
export async function exportEngine(o: ExportOptions): Promise<ExportResult> {
  const report = reportTo(o.reporter ?? silentReporter);
  const config = loadConfig(o.configPath, {
    allowPlaintextSecrets: o.allowPlaintextSecrets ?? false,
    ...(o.allowSourceRoots ? { allowSourceRoots: o.allowSourceRoots } : {}),
  });
  const rendered = await renderEngineWith(config, o.engine, o.bundleBucket !== undefined ? { bundleBucket: o.bundleBucket } : {});
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const files: ExportedFile[] = [];
  const largeTemplates: string[] = [];
  for (const [name, text] of Object.entries(rendered.docs)) {
    const bytes = Buffer.byteLength(text);
    writeFileSync(join(outDir, name), text);
    files.push({ path: name, bytes });
    report.info('export.written', `wrote ${name} (${bytes} bytes)`, { engine: o.engine, path: name });
    if (name.endsWith('template.yaml') && bytes > MAX_TEMPLATE_BODY_BYTES) {
      largeTemplates.push(name);
      report.warn(
        'export.template-large',
        `${name} is ${bytes} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BODY_BYTES} bytes inline (TemplateBody), so deploy it with a TemplateURL from S3: aws cloudformation deploy --template-file ${name} --s3-bucket BUCKET ...`,
        { path: name, bytes, limit: MAX_TEMPLATE_BODY_BYTES },
      );
    }
  }
  const result: ExportResult = { engine: o.engine, outDir, files, largeTemplates, ...(rendered.delivery ? { delivery: rendered.delivery } : {}) };
  if (rendered.location && rendered.objects) {
    // The objects beside the documents too (bundle/<path>), so they can be synced to the bucket by hand.
    for (const obj of rendered.objects) {
      const path = join(outDir, 'bundle', ...obj.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, obj.content);
    }
    const { bucket, prefix } = rendered.location;
    const keys = rendered.objects.map((obj) => `${prefix}/${obj.path}`);
    let uploaded = false;
    if (o.session) {
      const session = typeof o.session === 'function' ? await o.session() : o.session;
      const s3 = session.s3?.(config.region);
      if (!s3) throw new Error('winami: this AWS session has no S3 client');
      await checkBundleBucket(s3, bucket, config.region);
      const done = await uploadBundle(s3, rendered.location, rendered.objects, () => undefined);
      report.info('export.uploaded', `uploaded ${done.length} bundle objects to s3://${bucket}/${prefix}/`, { bucket, prefix, keys: done });
      uploaded = true;
    } else {
      report.warn(
        'export.upload-skipped',
        `${o.engine === 'imagebuilder' ? 'the template creates its components from' : 'the runbook fetches its bundle from'} s3://${bucket}/${prefix}/: upload it with aws s3 sync ${join(outDir, 'bundle')} s3://${bucket}/${prefix}/`,
        {
          bucket,
          prefix,
        },
      );
    }
    result.bundle = { bucket, prefix, keys, uploaded };
  }
  return result;
}
