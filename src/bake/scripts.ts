/**
 * The PowerShell the bake itself sends (apart from the bundle's scripts):
 * file delivery in base64 chunks with an on-instance SHA-256 check, and
 * reading the Sysprep logs. Written in a plain subset of PowerShell (literal
 * paths, one statement per line) that runs on Windows PowerShell 5.1 and in
 * the project's emulator alike.
 */

/** A PowerShell single-quoted literal. */
export function ps(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** Base64 characters per `Add-Content` line. */
export const CHUNK_CHARS = 16_000;
/** Characters per SendCommand script, well inside SSM's parameter size limit. */
export const SCRIPT_BUDGET = 40_000;

/** A file to deliver. */
export interface Delivery {
  destination: string;
  content: Buffer;
  sha256: string;
}

/** The Windows directory of a Windows path. */
export function windowsDir(path: string): string {
  const i = path.lastIndexOf('\\');
  return i <= 2 ? path.slice(0, 3) : path.slice(0, i);
}

/**
 * Scripts that deliver the files: each file's base64 is appended to
 * `<dest>.winami-b64` in chunks, decoded into place, the staging file removed,
 * and the hash printed as `WINAMI sha256.<n>=<hex>`. Scripts are packed up to
 * `SCRIPT_BUDGET` characters.
 */
export function deliveryScripts(files: readonly Delivery[], budget = SCRIPT_BUDGET, chunk = CHUNK_CHARS): string[] {
  const statements: string[] = [];
  files.forEach((f, n) => {
    const dest = f.destination;
    const staging = `${dest}.winami-b64`;
    statements.push(`New-Item -ItemType Directory -Force -Path ${ps(windowsDir(dest))} | Out-Null`);
    statements.push(`Set-Content -LiteralPath ${ps(staging)} -Value '' -NoNewline`);
    const b64 = f.content.toString('base64');
    for (let i = 0; i < b64.length; i += chunk) statements.push(`Add-Content -LiteralPath ${ps(staging)} -Value '${b64.slice(i, i + chunk)}' -NoNewline`);
    statements.push(`[IO.File]::WriteAllBytes(${ps(dest)}, [Convert]::FromBase64String((Get-Content -Raw -LiteralPath ${ps(staging)})))`);
    statements.push(`Remove-Item -LiteralPath ${ps(staging)}`);
    // One statement: the packing below may start a new command (a new PowerShell) between any two.
    statements.push(`Write-Output ('WINAMI sha256.${n}=' + (Get-FileHash -LiteralPath ${ps(dest)} -Algorithm SHA256).Hash)`);
  });
  // The first line names winami: the emulator holds such scripts to the commands it models.
  const header = "# winami: file delivery\r\n$ErrorActionPreference = 'Stop'";
  const scripts: string[] = [];
  let current: string[] = [];
  let size = header.length;
  for (const s of statements) {
    if (current.length > 0 && size + s.length + 2 > budget) {
      scripts.push([header, ...current].join('\r\n'));
      current = [];
      size = header.length;
    }
    current.push(s);
    size += s.length + 2;
  }
  if (current.length) scripts.push([header, ...current].join('\r\n'));
  return scripts;
}

/** Sysprep's logs (domain-facts §5.3). */
export const SYSPREP_LOGS = {
  setupact: 'C:\\Windows\\System32\\Sysprep\\Panther\\setupact.log',
  setuperr: 'C:\\Windows\\System32\\Sysprep\\Panther\\setuperr.log',
} as const;

/** A script printing the Sysprep logs between markers (SSM keeps the first 24,000 characters of stdout). */
export function readSysprepLogsScript(): string {
  return [
    `# winami: read the Sysprep logs`,
    `Write-Output '--- setuperr.log ---'`,
    `Get-Content -LiteralPath ${ps(SYSPREP_LOGS.setuperr)} -Tail 40`,
    `Write-Output '--- setupact.log ---'`,
    `Get-Content -LiteralPath ${ps(SYSPREP_LOGS.setupact)} -Tail 40`,
  ].join('\r\n');
}

/** Split the output of `readSysprepLogsScript` into the two logs. */
export function splitSysprepLogs(stdout: string): { setuperr: string; setupact: string } {
  const err = stdout.indexOf('--- setuperr.log ---');
  const act = stdout.indexOf('--- setupact.log ---');
  const setuperr = err >= 0 ? stdout.slice(err + 20, act >= 0 ? act : undefined).trim() : '';
  const setupact = act >= 0 ? stdout.slice(act + 20).trim() : '';
  return { setuperr, setupact };
}
