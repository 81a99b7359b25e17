/**
 * What every engine export shares, derived from the same rendered bundle the
 * local bake delivers: the files and where they go, the delivery scripts the
 * bake itself sends, and one command per customize step taken from the plan's
 * step metadata (any step kind with a script runs the same way, so new kinds
 * need no engine change).
 */
import { gzipSync } from 'node:zlib';
import type { ResolvedConfig } from '../config/types.js';
import type { ComponentDocument } from '../knowledge/aws-components.js';
import type { Bundle, BundleFile, PlanCustomizeStep } from '../render/bundle.js';
import { deliveryScripts, ps, type Delivery } from '../bake/scripts.js';
import { ValidationError } from '../errors.js';
import { commandFor } from '../bake/steps/bundle-script.js';

/** The engines winami can export to. */
export const ENGINES = ['automation', 'imagebuilder', 'packer'] as const;
export type Engine = (typeof ENGINES)[number];

/** One customize step as an engine runs it. */
export interface EngineStep {
  /** A name usable as an engine step name: letters and digits, unique, e.g. `Customize01Iis`. */
  id: string;
  /** The plan's own name, for descriptions. */
  title: string;
  kind: PlanCustomizeStep['kind'];
  timeoutSeconds: number;
  /** The PowerShell an engine runs: the delivered script, its valid exit codes mapped to success; 3010 passed on (reboot and run again). */
  command: string;
  /** Where the delivered script is on the builder. */
  scriptDestination: string;
  /**
   * awsComponents steps: AWS's SSM documents that bring the components up to date, run between
   * two runs of `command` (the version report), as the bake runs them.
   */
  documents?: ComponentDocument[];
}

/** The parts of a bundle an engine needs. */
export interface EnginePlan {
  /** Files placed on the builder before any step. */
  delivered: Delivery[];
  /** Bundle files that go on the builder, as written next to the export (`bundle/<path>`). */
  deliveredFiles: BundleFile[];
  customize: EngineStep[];
  /** Commands of the bake's fixed scripts, by role. */
  resolveSecrets?: string;
  preseal?: string;
  checkReady: string;
  sqlCheck?: string;
  sysprep: string;
  smokeTest: string;
}

/** Letters and digits only, first letter upper case: safe as a step, resource or component name. */
export function pascal(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Step';
}

/** Run a delivered script and map its exit code: a valid code → 0, 3010 → 3010 (reboot, run again), anything else passed on. */
export function scriptCommand(destination: string, validExitCodes: readonly number[] = [0]): string {
  const valid = (validExitCodes.length ? validExitCodes : [0]).filter((c) => c !== 3010);
  return [
    `$ErrorActionPreference = 'Stop'`,
    `& ${ps(destination)}`,
    `$code = $LASTEXITCODE`,
    `if ($code -eq 3010) { exit 3010 }`,
    `if (${valid.map((c) => `$code -eq ${c}`).join(' -or ')}) { exit 0 }`,
    `exit $code`,
  ].join('\r\n');
}

function fileAt(bundle: Bundle, path: string): BundleFile | undefined {
  return bundle.files.find((f) => f.path === path);
}

/** The bake's own command for one of its fixed scripts (bake/steps/bundle-script.ts). */
function fixedScript(bundle: Bundle, path: string): string {
  const f = fileAt(bundle, path);
  if (!f?.destination) throw new Error(`winami: the bundle has no delivered ${path}`);
  return commandFor(f);
}

/** The engine plan of a rendered bundle. */
export function enginePlan(config: ResolvedConfig, bundle: Bundle): EnginePlan {
  // An engine has no winami process to put env: or literal secrets into SSM first: only ssm: references can be read by the builder.
  const unreadable = config.secrets.filter((s) => s.ref.kind !== 'ssm');
  if (unreadable.length) {
    throw new ValidationError(
      'an engine can only use secrets the builder reads from SSM Parameter Store',
      unreadable.map((s) => ({ path: s.path, message: 'use an ssm: reference (a SecureString the builder instance profile may read)' })),
      {
        hint: 'Store the secret as a SecureString parameter and refer to it as ssm:/path.',
      },
    );
  }
  const deliveredFiles = bundle.files.filter((f) => f.destination);
  const delivered = deliveredFiles.map((f) => ({ destination: f.destination!, content: f.content, sha256: f.sha256 }));
  const seen = new Set<string>();
  const customize: EngineStep[] = [];
  for (const s of bundle.plan.customize) {
    // File steps are placed with the bundle; every other kind runs its script.
    if (!s.script || !s.scriptDestination) continue;
    let id = `Customize${String(s.index).padStart(2, '0')}${pascal(s.name)}`.slice(0, 60);
    while (seen.has(id)) id = `${id}X`;
    seen.add(id);
    const file = fileAt(bundle, s.script);
    // Exit codes 0 and 3010 mean the same everywhere: the bake's own command text (the script inline, as it sends it). Other valid codes are mapped by a wrapper.
    const plain = s.validExitCodes.every((c) => c === 0 || c === 3010);
    const command = plain && file ? commandFor(file) : scriptCommand(s.scriptDestination, s.validExitCodes);
    customize.push({
      id,
      title: s.name,
      kind: s.kind,
      timeoutSeconds: s.timeoutSeconds,
      command,
      scriptDestination: s.scriptDestination,
      ...(s.documents?.length ? { documents: s.documents } : {}),
    });
  }
  const smoke = fileAt(bundle, 'scripts/smoke-test.ps1');
  if (!smoke) throw new Error('winami: the bundle has no scripts/smoke-test.ps1');
  return {
    delivered,
    deliveredFiles,
    customize,
    ...(config.secrets.length ? { resolveSecrets: fixedScript(bundle, 'scripts/resolve-secrets.ps1') } : {}),
    ...(config.cleanup.preSeal ? { preseal: fixedScript(bundle, 'scripts/cleanup-preseal.ps1') } : {}),
    checkReady: readyCommand(fileAt(bundle, 'scripts/check-ready.ps1')?.destination ?? '', Math.ceil(config.deadlines.readyToSeal / 1000)),
    ...(bundle.plan.sql ? { sqlCheck: fixedScript(bundle, bundle.plan.sql.presealCheck.path) } : {}),
    sysprep: fixedScript(bundle, 'scripts/sysprep.ps1'),
    smokeTest: smoke.content.toString('utf8').replace(/^\uFEFF/, ''),
  };
}

/** The bake's own delivery scripts for the plan, packed within `budget` characters each. */
export function deliveryCommands(plan: EnginePlan, budget: number): string[] {
  return deliveryScripts(plan.delivered, budget, Math.min(16_000, budget - 2_000));
}

/**
 * Delivery for a size-bound document: each file gzip-compressed (same
 * config, same bytes: no timestamp in the header) and delivered by the
 * bake's own delivery scripts as `<destination>.gz`, then expanded in place
 * by `expandCommand`; `verifyCommand` checks the expanded files.
 */
export function compressedDeliveryCommands(plan: EnginePlan, budget: number): string[] {
  const gz = plan.delivered.map((f) => ({ destination: `${f.destination}.gz`, content: gzipSync(f.content, { level: 9 }), sha256: '' }));
  return deliveryScripts(gz, budget, Math.min(16_000, budget - 2_000));
}

/** Expand the `.gz` files `compressedDeliveryCommands` placed. */
export function expandCommand(plan: EnginePlan): string {
  return [
    `$ErrorActionPreference = 'Stop'`,
    `function Expand-WinamiFile([string]$Path) {`,
    `  $in = [IO.File]::OpenRead($Path + '.gz')`,
    `  $zip = New-Object IO.Compression.GZipStream($in, [IO.Compression.CompressionMode]::Decompress)`,
    `  $out = [IO.File]::Create($Path)`,
    `  $zip.CopyTo($out)`,
    `  $out.Close()`,
    `  $zip.Close()`,
    `  Remove-Item -LiteralPath ($Path + '.gz')`,
    `}`,
    ...plan.delivered.map((f) => `Expand-WinamiFile ${ps(f.destination)}`),
  ].join('\r\n');
}

/** A command that fails unless every delivered file has the SHA-256 the bundle rendered (the check the local bake makes on its delivery output). */
export function verifyCommand(plan: EnginePlan): string {
  return [
    `$ErrorActionPreference = 'Stop'`,
    `$bad = @()`,
    ...plan.delivered.map(
      (f) => `if ((Get-FileHash -LiteralPath ${ps(f.destination)} -Algorithm SHA256).Hash -ne '${f.sha256.toUpperCase()}') { $bad += ${ps(f.destination)} }`,
    ),
    `if ($bad.Count -gt 0) { Write-Output ('WINAMI damaged=' + ($bad -join ';')); exit 1 }`,
    `Write-Output 'WINAMI delivered=${plan.delivered.length}'`,
  ].join('\r\n');
}

/** The image name template with the engine's own placeholders for the time and build id. */
export function engineImageName(config: ResolvedConfig, placeholders: { date: string; timestamp: string; buildId: string }): string {
  return engineText(config, config.image.name, placeholders);
}

/** A config text that may use the image-name placeholders (the name, tag values), filled with the engine's own. */
export function engineText(config: ResolvedConfig, text: string, placeholders: { date: string; timestamp: string; buildId: string }): string {
  const values: Record<string, string> = { name: config.name, release: config.windows.release, edition: config.windows.edition, ...placeholders };
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => values[k] ?? m);
}

/** The image tags with the image-name placeholders filled in. */
export function engineTags(config: ResolvedConfig, placeholders: { date: string; timestamp: string; buildId: string }): Record<string, string> {
  return Object.fromEntries(Object.entries(config.image.tags).map(([k, v]) => [k, engineText(config, v, placeholders)]));
}

/**
 * The readiness check as one command: the bake's check-ready script run until
 * it says ready, a pending reboot with no servicing running answered with exit
 * 3010 (the engine reboots and runs the command again), bounded by `seconds`.
 */
export function readyCommand(destination: string, seconds: number): string {
  if (!destination) throw new Error('winami: the bundle has no delivered scripts/check-ready.ps1');
  return [
    `$ErrorActionPreference = 'Stop'`,
    `$until = (Get-Date).AddSeconds(${seconds})`,
    `while ($true) {`,
    `  $out = @(& ${ps(destination)})`,
    `  $code = $LASTEXITCODE`,
    `  $out | Write-Output`,
    `  if ($code -eq 0) { exit 0 }`,
    `  $text = $out -join ' '`,
    `  if ($text -match 'WINAMI rebootPending=true' -and $text -notmatch 'WINAMI tiWorker=true') { exit 3010 }`,
    `  if ((Get-Date) -gt $until) { Write-Output 'WINAMI ready=timeout'; exit 1 }`,
    `  Start-Sleep -Seconds 30`,
    `}`,
  ].join('\r\n');
}
