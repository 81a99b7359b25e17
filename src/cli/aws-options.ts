/**
 * Options every AWS command shares (--region, --endpoint-url, --profile), the
 * session built from them, and the confirmation rule for destructive
 * commands: ask on a TTY, otherwise require --yes. The SDK is imported only
 * when a session is built.
 */
import type { Argv } from 'yargs';
import type { AwsSession } from '../aws/ports.js';
import { UsageError } from '../errors.js';

/** Add --region, --endpoint-url and --profile. */
export function awsOptions(y: Argv): Argv {
  return y
    .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)' })
    .option('endpoint-url', { type: 'string', describe: 'Send AWS calls here instead (a VPC endpoint, the local emulator); default AWS_ENDPOINT_URL' })
    .option('profile', { type: 'string', describe: 'Shared-config profile for credentials (AWS_PROFILE)' });
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/**
 * The region the args name, or the environment's, or us-east-1. A region
 * that is set but empty or malformed (`AWS_REGION=""`) is a usage error
 * naming where it came from, not a fallback and not an SDK crash.
 */
export function regionOf(args: Record<string, unknown>): string {
  const sources: [string, unknown][] = [
    ['--region', args.region],
    ['AWS_REGION', process.env.AWS_REGION],
    ['AWS_DEFAULT_REGION', process.env.AWS_DEFAULT_REGION],
  ];
  for (const [from, value] of sources) {
    if (value === undefined) continue;
    const region = String(value);
    if (REGION.test(region)) return region;
    throw new UsageError(`${from} is ${region === '' ? 'set but empty' : `"${region.replace(/[^\x20-\x7e]/g, '?')}", not a region`}`, {
      hint: `set ${from} to a region such as us-east-1${from === '--region' ? '' : `, or unset it`}`,
    });
  }
  return 'us-east-1';
}

/** Build the real session for the args; `fastListing` for audit sessions only (SessionOptions says why). */
export async function sessionFromArgs(args: Record<string, unknown>, o: { fastListing?: boolean } = {}): Promise<AwsSession> {
  if (typeof args.profile === 'string') process.env.AWS_PROFILE = args.profile;
  const { createAwsSession } = await import('../aws/session.js');
  const endpoint = (args.endpointUrl as string | undefined) ?? process.env.AWS_ENDPOINT_URL;
  return createAwsSession({ region: regionOf(args), ...(endpoint ? { endpoint } : {}), ...(o.fastListing ? { fastListing: true } : {}) });
}

/**
 * Ask before a destructive action. On a TTY, prints `question` to stderr and
 * reads y/N; otherwise returns true only with --yes, and says so.
 */
export async function confirm(question: string, args: Record<string, unknown>): Promise<boolean> {
  if (args.yes === true) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(`refusing to ${question.replace(/\?$/, '')} without confirmation`, {
      hint: 'Pass --yes to confirm (or --dry-run to see what would happen).',
    });
  }
  const { createInterface } = await import('node:readline/promises');
  const { withRawOutput } = await import('./streams.js');
  const { visibleLine } = await import('../util/visible-text.js');
  // readline edits the line with escape sequences of its own; the question quotes AWS ids, made visible here.
  return withRawOutput(async () => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${visibleLine(question)} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  });
}

/** A list option given as repeated flags and/or comma-separated values. */
export function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
