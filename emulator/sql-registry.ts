/**
 * SQL Server's Setup key in the registry, for inventories:
 * `HKLM:\SOFTWARE\Microsoft\Microsoft SQL Server\MSSQL<major>.<instance>\Setup`
 * with `Edition` ("Standard Edition (64-bit)"), `Version` and `PatchLevel`,
 * for a completed instance of sql-server.ts. Build numbers are the RTM ones.
 */
import type { GuestFs } from './guest-fs.js';
import { sqlInstances } from './sql-server.js';

/** Product year → major version and RTM build (`major.0.build.rev`). */
const VERSIONS: Readonly<Record<string, { major: number; rtm: string }>> = {
  '2016': { major: 13, rtm: '13.0.1601.5' },
  '2017': { major: 14, rtm: '14.0.1000.169' },
  '2019': { major: 15, rtm: '15.0.2000.5' },
  '2022': { major: 16, rtm: '16.0.1000.6' },
};

/** A value under an instance's Setup key, or undefined when the key or value is not there. */
export function sqlSetupValue(fs: GuestFs, registryPath: string, prop: string): string | undefined {
  const m = /microsoft sql server\\mssql(\d+)\.([^\\]+)\\setup$/i.exec(registryPath);
  if (!m) return undefined;
  const instance = sqlInstances(fs).find(
    (i) => i.state === 'complete' && i.id.toLowerCase() === m[2]!.toLowerCase() && VERSIONS[i.version]?.major === Number(m[1]),
  );
  if (!instance) return undefined;
  const v = VERSIONS[instance.version]!;
  switch (prop.toLowerCase()) {
    case 'edition':
      return instance.edition ? `${instance.edition} Edition (64-bit)` : undefined;
    case 'version':
    case 'patchlevel':
      return v.rtm;
    default:
      return undefined;
  }
}
