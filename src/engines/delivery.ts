/**
 * Which way an Automation runbook delivers its bundle (inline, compressed
 * inline, or from S3) and the document for it, checked against Automation's
 * rules before anything is written or deployed.
 */
import { stringify } from 'yaml';
import type { ResolvedConfig } from '../config/types.js';
import { ValidationError } from '../errors.js';
import { renderRunbook, type Runbook } from './automation.js';
import type { EnginePlan } from './plan.js';
import { MAX_DOCUMENT_BYTES, runbookProblems } from './runbook-rules.js';
import { bundleBucket, bundleObjects, exportPrefix, type BundleLocation } from './s3-delivery.js';

/** How the runbook delivers its bundle, with the document as deployed. */
export interface ChosenRunbook {
  runbook: Runbook;
  content: string;
  delivery: 'inline' | 'compressed' | 's3';
  /** The S3 location (the export's defaults) when delivered from S3. */
  location?: BundleLocation;
}

/**
 * Choose inline or S3 delivery and render the runbook, refusing one that
 * breaks Automation's rules. `engine.bundleDelivery`: `auto` (default) keeps
 * the bundle inline while the document fits in 64 KB (compressed if need be)
 * and uses the bucket otherwise; `s3` always uses it; `inline` never does.
 */
export function chooseRunbook(config: ResolvedConfig, plan: EnginePlan, o: { bucket?: string } = {}): ChosenRunbook {
  const bucket = bundleBucket(config, o.bucket);
  const mode = config.engine?.bundleDelivery ?? 'auto';
  if (mode === 's3' && !bucket) {
    throw new ValidationError(
      `engine.bundleDelivery is s3 but no bucket is named for ${config.name}`,
      [{ path: 'engine.bundleBucket', message: 'required with bundleDelivery: s3' }],
      {
        hint: 'Set engine.bundleBucket in the config or pass --bundle-bucket NAME.',
      },
    );
  }
  const fromS3 = (): ChosenRunbook => {
    const location = { bucket: bucket!, prefix: exportPrefix(config, plan) };
    const runbook = renderRunbook(config, plan, location);
    return checked(config, { runbook, content: stringify(runbook, { lineWidth: 0 }), delivery: 's3', location });
  };
  if (mode === 's3') return fromS3();
  const inline = renderRunbook(config, plan);
  const content = stringify(inline, { lineWidth: 0 });
  const bytes = Buffer.byteLength(content);
  const compressed = inline.mainSteps.some((s) => s.name === 'ExpandBundle');
  if (bytes <= MAX_DOCUMENT_BYTES) return checked(config, { runbook: inline, content, delivery: compressed ? 'compressed' : 'inline' });
  if (mode === 'auto' && bucket) return fromS3();
  const size = bundleObjects(plan).reduce((n, f) => n + f.content.length, 0);
  throw new ValidationError(
    `the runbook for ${config.name} is ${bytes} bytes with its bundle inline (compressed); an Automation document holds at most ${MAX_DOCUMENT_BYTES} bytes with its parameters`,
    [
      {
        path: 'runbook.yaml',
        message: `the bundle's ${bundleObjects(plan).length} delivered files are ${size} bytes; deliver them from S3 instead`,
      },
    ],
    {
      hint:
        mode === 'inline'
          ? 'engine.bundleDelivery is inline: set it to auto (or s3) and name a bucket with engine.bundleBucket or --bundle-bucket NAME.'
          : 'Name a bucket in the config region: --bundle-bucket NAME, or engine.bundleBucket in the config; winami uploads the bundle there and the runbook fetches it.',
    },
  );
}

function checked(config: ResolvedConfig, r: ChosenRunbook): ChosenRunbook {
  const problems = runbookProblems(r.runbook, r.content);
  if (problems.length) {
    throw new ValidationError(
      `the runbook for ${config.name} breaks Automation's rules`,
      problems.map((message) => ({ path: 'runbook.yaml', message })),
      { hint: 'Shorten the customize scripts; an Automation document holds at most 64 KB.' },
    );
  }
  return r;
}
