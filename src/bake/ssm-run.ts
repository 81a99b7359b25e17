/**
 * Run one PowerShell script on an instance through SSM Run Command
 * (`AWS-RunPowerShellScript`) and wait for it. Right after SendCommand the
 * invocation may not exist yet (InvocationDoesNotExist is normal and retried).
 * A script that exits 3010 makes SSM Agent reboot the instance and run it
 * again; the invocation stays InProgress meanwhile, so waiting simply
 * continues (domain-facts §6.5). SSM keeps only the first 24,000 characters of
 * stdout and 8,000 of stderr (§6.3); the result says when it was cut.
 */
import type { GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
import type { SsmPort } from '../aws/ports.js';
import { pollUntil } from '../aws/poll-until.js';
import { CancelledError } from '../errors.js';

export const STDOUT_LIMIT = 24_000;
export const STDERR_LIMIT = 8_000;

const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Cancelling']);

export interface RunScriptOptions {
  instanceId: string;
  /** The PowerShell script text. */
  script: string;
  /** Run this SSM document with these parameters instead of the script through AWS-RunPowerShellScript. */
  document?: { name: string; parameters: Record<string, string[]> };
  /** What it does, for messages and the SSM command comment (at most 100 characters are sent). */
  what: string;
  /** SSM executionTimeout, in seconds (1..172800). */
  executionTimeoutSeconds: number;
  /** How long winami waits for the result, in ms. */
  deadlineMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  expectedMs?: number;
  abortSignal?: AbortSignal;
  clock?: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  onObservation?: (observed: string) => void;
}

export interface RunScriptResult {
  commandId: string;
  status: string;
  statusDetails: string | undefined;
  /** The script's exit code; -1 when it never ran. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when SSM cut stdout or stderr at its limit. */
  truncated: boolean;
  /** `WINAMI key=value` lines from stdout. */
  facts: Record<string, string>;
}

/** Parse the `WINAMI key=value` lines of the script output contract (docs/bundle.md). */
export function parseFacts(stdout: string): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^WINAMI ([A-Za-z][\w.-]*)=(.*)$/.exec(line.trim());
    if (m) facts[m[1]!] = m[2]!;
  }
  return facts;
}

/** The last `lines` lines of some output, for error messages. */
export function tail(text: string, lines = 20): string {
  const all = text.replace(/\s+$/, '').split(/\r?\n/);
  return all.slice(-lines).join('\n');
}

/** Send the script and wait for its invocation to finish; returns whatever the outcome (a non-zero exit is a result, not a throw). */
export async function runScript(ssm: SsmPort, o: RunScriptOptions): Promise<RunScriptResult> {
  const sent = await ssm.sendCommand(
    {
      DocumentName: o.document?.name ?? 'AWS-RunPowerShellScript',
      InstanceIds: [o.instanceId],
      Comment: `winami: ${o.what}`.slice(0, 100),
      Parameters: o.document?.parameters ?? {
        commands: [o.script],
        executionTimeout: [String(Math.min(172_800, Math.max(1, Math.round(o.executionTimeoutSeconds))))],
      },
    },
    o.abortSignal ? { abortSignal: o.abortSignal } : undefined,
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error(`SendCommand for ${o.what} returned no command id`);
  let inv: GetCommandInvocationCommandOutput;
  try {
    inv = await pollUntil<GetCommandInvocationCommandOutput>({
      what: `${o.what} on ${o.instanceId} (command ${commandId})`,
      probe: (signal) => ssm.getCommandInvocation({ CommandId: commandId, InstanceId: o.instanceId }, { abortSignal: signal }),
      acceptor: (out) => {
        const status = out.Status ?? 'Pending';
        if (TERMINAL.has(status)) return { state: 'success', value: out };
        return { state: 'retry', observed: `${status}${out.StatusDetails && out.StatusDetails !== status ? ` (${out.StatusDetails})` : ''}` };
      },
      timeoutMs: o.deadlineMs,
      // Right after SendCommand the invocation does not exist yet (InvocationDoesNotExist): do not ask.
      initialDelayMs: o.minDelayMs,
      minDelayMs: o.minDelayMs,
      maxDelayMs: o.maxDelayMs,
      ...(o.expectedMs === undefined ? {} : { expectedMs: o.expectedMs }),
      ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.onObservation ? { onObservation: (s: string) => o.onObservation!(s) } : {}),
    });
  } catch (err) {
    // Do not leave the script running on the instance when winami stops waiting.
    await ssm.cancelCommand({ CommandId: commandId, InstanceIds: [o.instanceId] }).catch(() => undefined);
    if (o.abortSignal?.aborted && !(err instanceof CancelledError)) throw new CancelledError(`cancelled while running ${o.what}`, { cause: err });
    throw err;
  }
  const stdout = inv.StandardOutputContent ?? '';
  const stderr = inv.StandardErrorContent ?? '';
  return {
    commandId,
    status: inv.Status ?? 'unknown',
    statusDetails: inv.StatusDetails,
    exitCode: inv.ResponseCode ?? -1,
    stdout,
    stderr,
    truncated: stdout.length >= STDOUT_LIMIT || stderr.length >= STDERR_LIMIT,
    facts: parseFacts(stdout),
  };
}
