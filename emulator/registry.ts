/**
 * The part of a guest's HKLM registry scripts write (policy keys such as
 * `SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate`): keys and their values,
 * kept on the guest disk so images carry them. Keys the emulator derives from
 * other state (Setup\State, CurrentVersion, ComputerName, SQL Server's Setup)
 * are answered in guest.ts before this store is asked. SPEC.md, "Registry".
 */
import type { GuestFs } from './guest-fs.js';

/** Where the guest keeps the registry keys scripts created. */
export const REGISTRY_FILE = 'C:\\Windows\\.emulator\\registry.json';

/** A registry value as PowerShell's registry provider types it. */
export interface RegistryValue {
  name: string;
  value: string | number;
  kind: 'String' | 'DWord' | 'QWord' | 'ExpandString' | 'MultiString' | 'Binary';
}

type Store = Record<string, Record<string, RegistryValue>>;

/** `HKLM:\A\B`, `Registry::HKEY_LOCAL_MACHINE\A\B` → `hklm:\a\b`; undefined for anything not under HKLM. */
export function registryKey(path: string): string | undefined {
  const p = path
    .trim()
    .replace(/^registry::hkey_local_machine/i, 'HKLM:')
    .replace(/^hkey_local_machine/i, 'HKLM:')
    .replace(/[\\/]+$/, '')
    .replace(/\//g, '\\');
  return /^hklm:(\\|$)/i.test(p) ? p.toLowerCase() : undefined;
}

function read(fs: GuestFs): Store {
  const raw = fs.read(REGISTRY_FILE);
  return raw ? (JSON.parse(raw.toString('utf8')) as Store) : {};
}

function write(fs: GuestFs, s: Store): void {
  fs.write(REGISTRY_FILE, Buffer.from(JSON.stringify(s)));
}

/** Whether a key exists (created by a script; parents of a created key exist too). */
export function keyExists(fs: GuestFs, key: string): boolean {
  const s = read(fs);
  return Object.keys(s).some((k) => k === key || k.startsWith(`${key}\\`));
}

/** New-Item on a key: creates it (and, as -Force does, its parents); with `empty`, an existing key loses its values (New-Item -Force's overwrite). */
export function createKey(fs: GuestFs, key: string, empty: boolean): void {
  const s = read(fs);
  if (!s[key] || empty) s[key] = {};
  write(fs, s);
}

/** Set-ItemProperty / New-ItemProperty; false when the key does not exist. */
export function setValue(fs: GuestFs, key: string, v: RegistryValue): boolean {
  const s = read(fs);
  if (!s[key] && !keyExists(fs, key)) return false;
  s[key] = { ...(s[key] ?? {}), [v.name.toLowerCase()]: v };
  write(fs, s);
  return true;
}

/** One value, or undefined. */
export function getValue(fs: GuestFs, key: string, name: string): RegistryValue | undefined {
  return read(fs)[key]?.[name.toLowerCase()];
}

/** Remove-ItemProperty; false when the value (or its key) does not exist. */
export function removeValue(fs: GuestFs, key: string, name: string): boolean {
  const s = read(fs);
  const values = s[key];
  if (!values?.[name.toLowerCase()]) return false;
  delete values[name.toLowerCase()];
  write(fs, s);
  return true;
}

/** Remove-Item on a key (with its subkeys); false when it does not exist. */
export function removeKey(fs: GuestFs, key: string): boolean {
  const s = read(fs);
  const gone = Object.keys(s).filter((k) => k === key || k.startsWith(`${key}\\`));
  for (const k of gone) delete s[k];
  write(fs, s);
  return gone.length > 0;
}
