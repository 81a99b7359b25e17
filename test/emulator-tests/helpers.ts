/**
 * Shared setup for emulator tests: an emulator per suite and SDK sessions for
 * its accounts.
 */
import { spawnSync } from 'node:child_process';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession } from '../../src/aws/ports.js';
import { EMULATOR_ACCOUNTS, startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';

export const WIN2022 = '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base';
export const STATE_KEY = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State';

export async function withEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, timeScale: 0.001, ...options });
}

/** A session for account index `n` (0 → 111111111111). */
export function sessionFor(emu: Emulator, n = 0, region = 'us-east-1'): AwsSession {
  const a = EMULATOR_ACCOUNTS[n]!;
  return createAwsSession({
    region,
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 3,
    retryMode: 'standard',
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `f` until it returns a defined value, or fail after `ms`. */
export async function eventually<T>(f: () => Promise<T | undefined>, ms = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Launch a Windows builder from a public parameter and wait until its agent is Online. */
export async function launchOnline(s: AwsSession, parameter = WIN2022): Promise<{ instanceId: string; imageId: string }> {
  const p = await s.ssm().getParameter({ Name: parameter });
  const imageId = p.Parameter!.Value!;
  const r = await s
    .ec2()
    .runInstances({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.large', IamInstanceProfile: { Name: 'winami-builder' } });
  const instanceId = r.Instances![0]!.InstanceId!;
  await eventually(
    async () => {
      const info = await s.ssm().describeInstanceInformation({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] });
      return info.InstanceInformationList?.[0]?.PingStatus === 'Online' ? true : undefined;
    },
    5000,
    `${instanceId} Online`,
  );
  return { instanceId, imageId };
}

/** Send a PowerShell script and wait for its terminal invocation. */
export async function run(s: AwsSession, instanceId: string, commands: string[], extra: Record<string, unknown> = {}) {
  const sent = await s.ssm().sendCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [instanceId], Parameters: { commands }, ...extra });
  const commandId = sent.Command!.CommandId!;
  return eventually(
    async () => {
      const inv = await s.ssm().getCommandInvocation({ CommandId: commandId, InstanceId: instanceId });
      return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.Status ?? '') ? inv : undefined;
    },
    5000,
    `command ${commandId}`,
  );
}

/** Raw SDK clients (no winami adapter) for account index `n`, so tests see exactly what the SDK sees. */
export function sdk(emu: Emulator, n = 0, region = 'us-east-1', maxAttempts = 1): { ec2: EC2Client; ssm: SSMClient; sts: STSClient } {
  const a = EMULATOR_ACCOUNTS[n]!;
  const config = { region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts };
  return { ec2: new EC2Client(config), ssm: new SSMClient(config), sts: new STSClient(config) };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number }; code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string; $metadata?: { httpStatusCode?: number }; code?: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A control route of the emulator over HTTP. */
export async function controlFetch(emu: Emulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${emu.endpoint}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Why SSM Automation executions cannot run here, or undefined when they can: the emulator runs
 * `aws:executeScript` steps with the local python3 and boto3 (the AWS CLI's Python has them).
 */
export function automationScriptsUnavailable(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' });
  if (r.error) return `python3 is not on PATH (${r.error.message}); aws:executeScript steps need it`;
  if (r.status !== 0) return "python3 has no boto3 (pip install boto3, or use the AWS CLI's Python); aws:executeScript steps need it";
  return undefined;
}
