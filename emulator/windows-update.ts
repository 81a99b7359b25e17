/**
 * Windows Update on the guest: a seeded catalogue of monthly updates and the
 * part of the Windows Update Agent COM API a script drives
 * (`Microsoft.Update.Session`, its searcher, downloader and installer, and
 * `Microsoft.Update.UpdateColl`). What is installed lives on the guest disk,
 * so images made from a patched builder stay patched. SPEC.md, "Windows Update".
 */
import { RELEASE_INFO, RELEASES, type WindowsRelease } from '../src/knowledge/releases.js';
import { UPDATE_CATEGORIES, WSUS_POLICY, WU_E_INVALID_CRITERIA, WU_E_NO_UPDATE, WU_E_PT_WINHTTP_NAME_NOT_RESOLVED } from '../src/knowledge/windows-update.js';
import type { GuestFs } from './guest-fs.js';
import { getValue, registryKey } from './registry.js';
import type { WindowsState } from './windows.js';

/** Where the guest keeps its Windows Update state. */
export const WU_STATE = 'C:\\Windows\\.emulator\\windows-update.json';

const DAY = 86_400_000;
/** Months in the catalogue, newest first: month 0 came out 10 days before the epoch, each older one 30 days earlier. */
const MONTHS = 6;

/** One update of the catalogue. */
export interface CatalogueUpdate {
  kb: string;
  title: string;
  kind: 'ssu' | 'lcu' | 'dotnet';
  release: WindowsRelease;
  released: number;
  bytes: number;
  /** Install time at time scale 1. */
  installMs: number;
  rebootRequired: boolean;
  category: keyof typeof UPDATE_CATEGORIES;
  msrcSeverity: string;
}

interface WuState {
  release: WindowsRelease;
  /** When the emulator seeded the catalogue; every release date is relative to it. */
  epoch: number;
  installed: { kb: string; installedOn: number }[];
}

/**
 * The catalogue for a release: per month a servicing stack update (no
 * restart), a cumulative update that needs that servicing stack (restart) and
 * a .NET Framework cumulative update that needs the cumulative update in
 * place after its restart. A newer update of a kind supersedes the older ones.
 */
export function catalogue(release: WindowsRelease, epoch: number): CatalogueUpdate[] {
  const r = RELEASES.indexOf(release);
  const name = RELEASE_INFO[release].displayName;
  const out: CatalogueUpdate[] = [];
  for (let k = 0; k < MONTHS; k++) {
    const released = epoch - (10 + 30 * k) * DAY;
    const d = new Date(released);
    const ym = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    const base = 5040000 + r * 1000 + (MONTHS - k) * 10;
    const kb = (n: number) => `KB${base + n}`;
    out.push(
      {
        kb: kb(1),
        kind: 'ssu',
        release,
        released,
        bytes: 14_680_064,
        installMs: 120_000,
        rebootRequired: false,
        category: 'CriticalUpdates',
        msrcSeverity: '',
        title: `${ym} Servicing Stack Update for ${name} for x64-based Systems (${kb(1)})`,
      },
      {
        kb: kb(2),
        kind: 'lcu',
        release,
        released,
        bytes: 412_090_368,
        installMs: 1_200_000,
        rebootRequired: true,
        category: 'SecurityUpdates',
        msrcSeverity: 'Critical',
        title: `${ym} Cumulative Update for ${name} for x64-based Systems (${kb(2)})`,
      },
      {
        kb: kb(3),
        kind: 'dotnet',
        release,
        released,
        bytes: 73_400_320,
        installMs: 300_000,
        rebootRequired: false,
        category: 'SecurityUpdates',
        msrcSeverity: 'Important',
        title: `${ym} Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for ${name} for x64 (${kb(3)})`,
      },
    );
  }
  return out;
}

/** Seed an AWS image's disk: every update released by the image's creation is installed. */
export function seedWindowsUpdates(fs: GuestFs, release: WindowsRelease, createdAt: number, epoch: number): GuestFs {
  const installed = catalogue(release, epoch)
    .filter((u) => u.released <= createdAt)
    .map((u) => ({ kb: u.kb, installedOn: u.released + DAY }));
  const state: WuState = { release, epoch, installed };
  fs.write(WU_STATE, Buffer.from(JSON.stringify(state)));
  return fs;
}

function readState(fs: GuestFs): WuState | undefined {
  const raw = fs.read(WU_STATE);
  return raw ? (JSON.parse(raw.toString('utf8')) as WuState) : undefined;
}

/** The KBs installed on a guest, with their titles, oldest first (for inventories and tests). */
export function installedUpdates(fs: GuestFs): { kb: string; title: string; installedOn: number }[] {
  const s = readState(fs);
  if (!s) return [];
  const cat = catalogue(s.release, s.epoch);
  return s.installed.map((i) => ({ ...i, title: cat.find((u) => u.kb === i.kb)?.title ?? i.kb }));
}

/** Each release's build number (`CurrentBuild`) and the revision (UBR) its oldest catalogue month leaves. */
const BUILDS: Readonly<Record<WindowsRelease, number>> = { '2012r2': 9600, '2016': 14393, '2019': 17763, '2022': 20348, '2025': 26100 };

/** `CurrentBuild` and `UBR` under HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion: each cumulative update installed raises the UBR. */
export function osVersion(fs: GuestFs, release: WindowsRelease | undefined): { build: number; ubr: number } | undefined {
  const s = readState(fs);
  const rel = s?.release ?? release;
  if (!rel) return undefined;
  if (!s) return { build: BUILDS[rel], ubr: 1000 };
  const lcus = catalogue(s.release, s.epoch).filter((u) => u.kind === 'lcu' && s.installed.some((i) => i.kb === u.kb));
  const newest = Math.max(0, ...lcus.map((u) => MONTHS - Math.round((s.epoch - u.released - 10 * DAY) / (30 * DAY))));
  return { build: BUILDS[s.release], ubr: 1000 + 100 * newest };
}

/** A .NET DateTime as far as scripts use it: `ToString('yyyy-MM-dd')`, `ToString('o')`. */
function dateTime(ms: number): ComObject {
  const iso = new Date(ms).toISOString();
  return new ComObject(
    'System.DateTime',
    { Year: new Date(ms).getUTCFullYear() },
    { ToString: (a) => (String(a[0] ?? '') === 'yyyy-MM-dd' ? iso.slice(0, 10) : iso) },
  );
}

/** IUpdateSearcher.QueryHistory: one successful installation entry per installed update, oldest first. */
function history(ctx: ComContext): ComObject[] {
  return installedUpdates(ctx.win.fs).map(
    (u) => new ComObject('IUpdateHistoryEntry', { Title: u.title, Date: dateTime(u.installedOn), Operation: 1, ResultCode: 2, HResult: 0 }),
  );
}

/** What Windows Update offers now: the newest of each kind, released, not installed, its prerequisite in place. */
export function applicable(win: WindowsState, now: number): CatalogueUpdate[] {
  const s = readState(win.fs);
  if (!s) return [];
  const has = new Set(s.installed.map((i) => i.kb));
  const cat = catalogue(s.release, s.epoch).filter((u) => u.released <= now);
  const newest = (kind: CatalogueUpdate['kind']) => cat.filter((u) => u.kind === kind).sort((a, b) => b.released - a.released)[0];
  const ssu = newest('ssu');
  const lcu = newest('lcu');
  const dotnet = newest('dotnet');
  const out: CatalogueUpdate[] = [];
  if (ssu && !has.has(ssu.kb)) out.push(ssu);
  if (lcu && !has.has(lcu.kb) && ssu && has.has(ssu.kb)) out.push(lcu);
  // Offered once the cumulative update is in and Windows restarted after it.
  if (dotnet && !has.has(dotnet.kb) && lcu && has.has(lcu.kb) && !win.pendingReboot) out.push(dotnet);
  return out;
}

/** A WSUS server a guest can reach: the KBs approved for all computers, and per computer group. */
export interface WsusServer {
  approved: string[];
  groups?: Record<string, string[]>;
}

/** The WSUS policy the Windows Update service read when it last started (Restart-Service wuauserv, or a boot). */
const WU_POLICY_SEEN = 'C:\\Windows\\.emulator\\wuauserv-policy.json';

interface WsusPolicy {
  server?: string;
  targetGroup?: string;
}

/** The WSUS policy in the registry now: a server only when AU\UseWUServer is 1 (WUServer is ignored otherwise). */
function policyInRegistry(fs: GuestFs): WsusPolicy {
  const key = registryKey(WSUS_POLICY.key)!;
  const use = getValue(fs, registryKey(WSUS_POLICY.auKey)!, 'UseWUServer');
  const server = getValue(fs, key, 'WUServer');
  if (Number(use?.value) !== 1 || !server) return {};
  const group = getValue(fs, key, 'TargetGroup');
  const enabled = Number(getValue(fs, key, 'TargetGroupEnabled')?.value) === 1;
  return { server: String(server.value), ...(enabled && group ? { targetGroup: String(group.value) } : {}) };
}

/** The service (re)started: it reads the policy now, and searches by it until its next start. */
export function readPolicyAtServiceStart(fs: GuestFs): void {
  fs.write(WU_POLICY_SEEN, Buffer.from(JSON.stringify(policyInRegistry(fs))));
}

/** The policy the agent searches by: what it read at its last start (a boot or a restart of wuauserv). */
function effectivePolicy(fs: GuestFs): WsusPolicy {
  const seen = fs.read(WU_POLICY_SEEN);
  return seen ? (JSON.parse(seen.toString('utf8')) as WsusPolicy) : policyInRegistry(fs);
}

const normalUrl = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();

/**
 * What a search offers under the policy: with no WSUS server, everything applicable (Microsoft
 * Update); with one the guest cannot reach, nothing (the search fails with 0x8024402C); with one it
 * reaches, only what is approved for all computers or for the computer's group.
 */
function offeredUnderPolicy(offered: CatalogueUpdate[], ctx: ComContext): CatalogueUpdate[] {
  const policy = effectivePolicy(ctx.win.fs);
  if (!policy.server) return offered;
  const server = Object.entries(ctx.wsus ?? {}).find(([url]) => normalUrl(url) === normalUrl(policy.server!))?.[1];
  if (!server) throw new ComError('Search', 1, WU_E_PT_WINHTTP_NAME_NOT_RESOLVED);
  const approved = new Set([...server.approved, ...(policy.targetGroup ? (server.groups?.[policy.targetGroup] ?? []) : [])].map((k) => k.toUpperCase()));
  return offered.filter((u) => approved.has(u.kb));
}

/** A COM method failed: PowerShell shows it as `Exception from HRESULT: 0x…`. */
export class ComError extends Error {
  constructor(
    readonly method: string,
    readonly argCount: number,
    readonly hresult: number,
  ) {
    super(
      `Exception calling "${method}" with "${argCount}" argument(s): "Exception from HRESULT: 0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}"`,
    );
  }
}

/** What a script's COM calls may reach, and what they report back to the run. */
export interface ComContext {
  win: WindowsState;
  now: number;
  /** KB → HRESULT (e.g. `0x80240022`) its installation fails with. */
  failures: Record<string, string>;
  /** WSUS servers the guest reaches, by URL. */
  wsus?: Record<string, WsusServer>;
  /** Install time spent, at time scale 1. */
  busyMs: number;
}

/**
 * A COM object as the guest's interpreter sees it: properties (some settable),
 * methods, and for collections their items (`foreach`, `.Count`, `.Item(i)`).
 */
export class ComObject {
  constructor(
    readonly typeName: string,
    private readonly props: Record<string, unknown>,
    private readonly methods: Record<string, (args: unknown[]) => unknown> = {},
    private readonly settable: readonly string[] = [],
    readonly items?: unknown[],
  ) {}

  get(name: string): unknown {
    const lower = name.toLowerCase();
    if (this.items && lower === 'count') return this.items.length;
    for (const [k, v] of Object.entries(this.props)) if (k.toLowerCase() === lower) return typeof v === 'function' ? (v as () => unknown)() : v;
    return null;
  }

  /** Whether the property could be set (unknown or read-only properties cannot). */
  set(name: string, value: unknown): boolean {
    const key = this.settable.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key) return false;
    this.props[key] = value;
    return true;
  }

  call(name: string, args: unknown[]): unknown {
    const lower = name.toLowerCase();
    if (this.items && lower === 'item') {
      const i = Number(args[0]);
      if (!(i >= 0 && i < this.items.length)) throw new ComError('Item', 1, 0x80240007); // WU_E_INVALIDINDEX
      return this.items[i];
    }
    for (const [k, fn] of Object.entries(this.methods)) if (k.toLowerCase() === lower) return fn(args);
    return undefined;
  }

  hasMethod(name: string): boolean {
    return (!!this.items && name.toLowerCase() === 'item') || Object.keys(this.methods).some((k) => k.toLowerCase() === name.toLowerCase());
  }
}

function collection(typeName: string, items: unknown[] = []): ComObject {
  return new ComObject(typeName, {}, { Add: (a) => (items.push(a[0]), items.length - 1), Clear: () => void items.splice(0) }, [], items);
}

const updateOf = new WeakMap<ComObject, CatalogueUpdate>();

function updateObject(u: CatalogueUpdate, ctx: ComContext): ComObject {
  const cat = UPDATE_CATEGORIES[u.category];
  let eula = true;
  const downloaded = () => ctx.win.fs.exists(`C:\\Windows\\SoftwareDistribution\\Download\\${u.kb}.cab`);
  const obj = new ComObject(
    'IUpdate',
    {
      Title: u.title,
      KBArticleIDs: collection('IStringCollection', [u.kb.slice(2)]),
      MsrcSeverity: u.msrcSeverity,
      Categories: collection('ICategoryCollection', [
        new ComObject('ICategory', { CategoryID: cat.id.toLowerCase(), Name: cat.name, Type: 'UpdateClassification' }),
      ]),
      MaxDownloadSize: u.bytes,
      MinDownloadSize: u.bytes,
      LastDeploymentChangeTime: new Date(u.released).toISOString(),
      IsInstalled: false,
      IsHidden: false,
      IsDownloaded: downloaded,
      EulaAccepted: () => eula,
      InstallationBehavior: new ComObject('IInstallationBehavior', { RebootBehavior: u.rebootRequired ? 2 : 0, Impact: 0 }),
    },
    { AcceptEula: () => void (eula = true) },
  );
  updateOf.set(obj, u);
  return obj;
}

/** Parse IUpdateSearcher criteria: `or`-joined groups of `and`-joined terms; anything else is WU_E_INVALID_CRITERIA. */
function parseCriteria(criteria: string): { installed?: boolean; hidden?: boolean; type?: string; categories: string[] }[] {
  const groups = criteria.split(/\)\s+or\s+\(|\s+or\s+/i).map((g) => g.replace(/^\s*\(+|\)+\s*$/g, '').trim());
  return groups.map((g) => {
    const out: { installed?: boolean; hidden?: boolean; type?: string; categories: string[] } = { categories: [] };
    for (const term of g.split(/\s+and\s+/i)) {
      const t = term.trim();
      let m: RegExpExecArray | null;
      if ((m = /^IsInstalled\s*=\s*([01])$/i.exec(t))) out.installed = m[1] === '1';
      else if ((m = /^IsHidden\s*=\s*([01])$/i.exec(t))) out.hidden = m[1] === '1';
      else if ((m = /^Type\s*=\s*'(Software|Driver)'$/i.exec(t))) out.type = m[1]!.toLowerCase();
      else if ((m = /^CategoryIDs\s+contains\s+'([0-9A-Fa-f-]{36})'$/i.exec(t))) out.categories.push(m[1]!.toUpperCase());
      else throw new ComError('Search', 1, WU_E_INVALID_CRITERIA);
    }
    return out;
  });
}

function search(criteria: string, ctx: ComContext): ComObject {
  const groups = parseCriteria(criteria);
  const offered = offeredUnderPolicy(applicable(ctx.win, ctx.now), ctx);
  // Every catalogue update is software and not hidden; installed ones are never offered here.
  const hits = offered.filter((u) =>
    groups.some(
      (g) =>
        g.installed !== true &&
        g.hidden !== true &&
        (g.type === undefined || g.type === 'software') &&
        g.categories.every((c) => c === UPDATE_CATEGORIES[u.category].id),
    ),
  );
  return new ComObject('ISearchResult', {
    ResultCode: 2,
    Updates: collection(
      'IUpdateCollection',
      hits.map((u) => updateObject(u, ctx)),
    ),
  });
}

function updatesIn(coll: unknown, method: string): ComObject[] {
  const items = coll instanceof ComObject ? (coll.items ?? []) : [];
  if (items.length === 0) throw new ComError(method, 0, WU_E_NO_UPDATE);
  return items as ComObject[];
}

function hresultOf(text: string): number {
  return Number.parseInt(text.replace(/^0x/i, ''), 16) | 0;
}

function install(coll: unknown, ctx: ComContext): ComObject {
  const items = updatesIn(coll, 'Install');
  const s = readState(ctx.win.fs)!;
  const results: ComObject[] = [];
  let ok = 0;
  let reboot = false;
  for (const item of items) {
    const u = updateOf.get(item);
    if (!u) throw new ComError('Install', 0, WU_E_NO_UPDATE);
    ctx.busyMs += u.installMs;
    const fail = ctx.failures[u.kb];
    if (fail !== undefined) {
      results.push(new ComObject('IUpdateInstallationResult', { ResultCode: 4, HResult: hresultOf(fail), RebootRequired: false }));
      continue;
    }
    s.installed.push({ kb: u.kb, installedOn: ctx.now });
    ok++;
    if (u.rebootRequired) reboot = true;
    results.push(new ComObject('IUpdateInstallationResult', { ResultCode: 2, HResult: 0, RebootRequired: u.rebootRequired }));
  }
  ctx.win.fs.write(WU_STATE, Buffer.from(JSON.stringify(s)));
  if (reboot) ctx.win.pendingReboot = true;
  const code = ok === items.length ? 2 : ok === 0 ? 4 : 3;
  return new ComObject(
    'IInstallationResult',
    { ResultCode: code, HResult: 0, RebootRequired: reboot },
    {
      GetUpdateResult: (a) => {
        const r = results[Number(a[0])];
        if (!r) throw new ComError('GetUpdateResult', 1, 0x80240007); // WU_E_INVALIDINDEX
        return r;
      },
    },
  );
}

/** `New-Object -ComObject <progId>`: the Windows Update objects, or undefined for any other ProgID. */
export function newComObject(progId: string, ctx: ComContext): ComObject | undefined {
  switch (progId.toLowerCase()) {
    case 'microsoft.update.session':
      return new ComObject(
        'IUpdateSession',
        { ClientApplicationID: '' },
        {
          CreateUpdateSearcher: () =>
            new ComObject(
              'IUpdateSearcher',
              { Online: true, ServerSelection: 0 },
              {
                Search: (a) => search(String(a[0] ?? ''), ctx),
                GetTotalHistoryCount: () => history(ctx).length,
                QueryHistory: (a) => collection('IUpdateHistoryEntryCollection', history(ctx).slice(Number(a[0]), Number(a[0]) + Number(a[1]))),
              },
              ['Online', 'ServerSelection'],
            ),
          CreateUpdateDownloader: () => {
            const d: ComObject = new ComObject(
              'IUpdateDownloader',
              { Updates: null },
              {
                Download: () => {
                  for (const item of updatesIn(d.get('Updates'), 'Download')) {
                    const u = updateOf.get(item);
                    if (u) ctx.win.fs.write(`C:\\Windows\\SoftwareDistribution\\Download\\${u.kb}.cab`, Buffer.from(`${u.bytes} bytes`));
                  }
                  return new ComObject('IDownloadResult', { ResultCode: 2, HResult: 0 });
                },
              },
              ['Updates'],
            );
            return d;
          },
          CreateUpdateInstaller: () => {
            const inst: ComObject = new ComObject('IUpdateInstaller', { Updates: null }, { Install: () => install(inst.get('Updates'), ctx) }, ['Updates']);
            return inst;
          },
        },
        ['ClientApplicationID'],
      );
    case 'microsoft.update.updatecoll':
      return collection('IUpdateCollection');
    default:
      return undefined;
  }
}

/** AWS-InstallWindowsUpdates' Categories (AWS-UpdateWindowsAmi's documented list, which it passes through). */
export const AWS_INSTALL_CATEGORIES = [
  'Application',
  'Connectors',
  'CriticalUpdates',
  'DefinitionUpdates',
  'DeveloperKits',
  'Drivers',
  'FeaturePacks',
  'Guidance',
  'Microsoft',
  'SecurityUpdates',
  'ServicePacks',
  'Tools',
  'UpdateRollups',
  'Updates',
];
/** Its SeverityLevels; `Unspecified` is an update without an MSRC rating (UNCONFIRMED list). */
export const AWS_INSTALL_SEVERITIES = ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified'];

/** The outcome of `AWS-InstallWindowsUpdates` on the guest, as Run Command reports it. */
export interface InstallDocumentRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Install time spent, at time scale 1. */
  busyMs: number;
}

const csv = (v: string[] | undefined) =>
  (v?.[0] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * `AWS-InstallWindowsUpdates` on the guest's catalogue (parameters validated
 * here as the document's allowed values and patterns do; SPEC.md "Windows
 * Update"): Scan lists what is applicable; Install installs it, and with
 * AllowReboot=True exits 3010 when an installed update needs a restart, so SSM
 * reboots the instance and runs the document again until nothing is left.
 * Without AllowReboot the restart is left pending.
 */
export function runInstallWindowsUpdates(
  params: Record<string, string[]>,
  win: WindowsState,
  now: number,
  failures: Record<string, string> = {},
): InstallDocumentRun {
  const bad = (msg: string): InstallDocumentRun => ({ exitCode: 1, stdout: '', stderr: `${msg}\n`, busyMs: 0 });
  const action = params.Action?.[0] ?? 'Install';
  const allowReboot = (params.AllowReboot?.[0] ?? 'False') === 'True';
  const categories = csv(params.Categories);
  const severities = csv(params.SeverityLevels);
  const include = csv(params.IncludeKbs).map((k) => k.toUpperCase().replace(/^(?!KB)/, 'KB'));
  const exclude = csv(params.ExcludeKbs).map((k) => k.toUpperCase().replace(/^(?!KB)/, 'KB'));
  for (const c of categories) if (!AWS_INSTALL_CATEGORIES.includes(c)) return bad(`Invalid category: ${c}`);
  for (const s of severities) if (!AWS_INSTALL_SEVERITIES.includes(s)) return bad(`Invalid severity level: ${s}`);
  const daysOld = params.PublishedDaysOld?.[0];
  if (daysOld !== undefined && daysOld !== '' && !/^\d+$/.test(daysOld)) return bad(`Invalid PublishedDaysOld: ${daysOld}`);
  const after = params.PublishedDateAfter?.[0] ? Date.parse(params.PublishedDateAfter[0]) : undefined;
  const before = params.PublishedDateBefore?.[0] ? Date.parse(params.PublishedDateBefore[0]) : undefined;
  if (Number.isNaN(after) || Number.isNaN(before)) return bad('Invalid published date: use yyyy-MM-dd');
  const pick = () =>
    applicable(win, now).filter(
      (u) =>
        (categories.length === 0 || categories.includes(u.category)) &&
        (severities.length === 0 || severities.includes(u.msrcSeverity || 'Unspecified')) &&
        (include.length === 0 || include.includes(u.kb)) &&
        !exclude.includes(u.kb) &&
        (daysOld === undefined || daysOld === '' || now - u.released >= Number(daysOld) * DAY) &&
        (after === undefined || u.released >= after) &&
        (before === undefined || u.released <= before),
    );
  const offered = pick();
  const lines = offered.map((u) => `${u.kb} ${u.title}`);
  if (action === 'Scan') return { exitCode: 0, stdout: `Found ${offered.length} update(s).\n${lines.join('\n')}\n`, stderr: '', busyMs: 0 };
  if (offered.length === 0) return { exitCode: 0, stdout: 'No updates to install.\n', stderr: '', busyMs: 0 };
  const s = readState(win.fs)!;
  let busyMs = 0;
  let reboot = false;
  const out: string[] = [];
  // Searches again after each pass until nothing new is offered or a restart is needed (UNCONFIRMED: modelled
  // like a Windows Update Agent loop; the document's own module is not public).
  for (let batch = offered; batch.length > 0 && !reboot; batch = pick()) {
    for (const u of batch) {
      busyMs += u.installMs;
      const fail = failures[u.kb];
      if (fail !== undefined) {
        win.fs.write(WU_STATE, Buffer.from(JSON.stringify(s)));
        return { exitCode: 1, stdout: out.join('\n'), stderr: `Failed to install ${u.kb}: ${fail}\n`, busyMs };
      }
      s.installed.push({ kb: u.kb, installedOn: now });
      if (u.rebootRequired) reboot = true;
      out.push(`Installed ${u.kb} ${u.title}`);
    }
    win.fs.write(WU_STATE, Buffer.from(JSON.stringify(s)));
    if (reboot) win.pendingReboot = true;
  }
  if (reboot && allowReboot) return { exitCode: 3010, stdout: `${out.join('\n')}\nA restart is required; rebooting.\n`, stderr: '', busyMs };
  return { exitCode: 0, stdout: `${out.join('\n')}\n${reboot ? 'A restart is required; AllowReboot is False.\n' : ''}`, stderr: '', busyMs };
}
