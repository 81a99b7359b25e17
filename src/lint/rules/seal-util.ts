/** Helpers of the seal-script rules: which file a command runs, and its switches. */
import type { ScriptCommand } from '../script-model.js';

/** Commands that run the file they are given: PowerShell hosts, cmd, Start-Process. */
const LAUNCHERS = /^(powershell(\.exe)?|pwsh(\.exe)?|cmd(\.exe)?|Start-Process|saps|start)$/i;

/**
 * True when `c` runs a file matching `target`: as the command itself (`& '…'`
 * or a bare path), or through a launcher (powershell -File, Start-Process
 * -FilePath, cmd /c). A path merely passed to another command (Test-Path,
 * Get-Content) is not run.
 */
export function runs(c: ScriptCommand, target: RegExp): boolean {
  return target.test(c.name) || (LAUNCHERS.test(c.name.split(/[\\/]/).pop() ?? '') && c.args.some((a) => target.test(a)));
}

/** True when `c` carries the switch `name` (case-insensitive), as an argument or inside a -ArgumentList string. */
export function hasSwitch(c: ScriptCommand, name: string): boolean {
  const n = name.toLowerCase();
  return c.args.some((a) => a.toLowerCase() === n || a.toLowerCase().startsWith(`${n}:`) || a.toLowerCase().split(/\s+/).includes(n));
}

/** The value following the parameter `param` (e.g. `-ArgumentList`), raw, if any. */
export function parameterValue(c: ScriptCommand, param: string): string | undefined {
  const i = c.args.findIndex((a) => a.toLowerCase() === param.toLowerCase());
  return i >= 0 ? c.rawArgs[i + 1] : undefined;
}

/** EC2Launch v1's scripts, EC2Launch v2's and EC2Config's executables, and sysprep.exe. */
export const INITIALIZE_INSTANCE = /InitializeInstance\.ps1$/i;
export const SYSPREP_INSTANCE = /SysprepInstance\.ps1$/i;
export const EC2LAUNCH_V2 = /(^|[\\/])ec2launch(\.exe)?$/i;
export const EC2CONFIG_EXE = /(^|[\\/])ec2config(\.exe)?$/i;
export const SYSPREP_EXE = /(^|[\\/])sysprep(\.exe)?$/i;
