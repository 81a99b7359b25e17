/**
 * Deterministic mutation corpus for the linter. Seeds mistakes of each named
 * class into the valid fixtures ("bad" mutants, which must be caught) and
 * makes harmless edits ("neutral" mutants, which must raise no new error).
 * Shared by test/unit/lint/mutation.test.ts and bench/lint.bench.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, type Finding, type LintOptions } from '../../../src/lint/index.js';
import { buildUnattendModel, type SettingNode } from '../../../src/lint/unattend-model.js';
import { parseXml, type XmlElement } from '../../../src/lint/xml.js';
import { componentPasses, PASSES, type Pass } from '../../../src/knowledge/unattend/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

/** The mistake classes the issue names, plus agent-settings ones. */
export type MutantClass =
  | 'wrong-pass-name'
  | 'component-wrong-pass'
  | 'setting-wrong-pass'
  | 'misspelled-setting'
  | 'wrong-case'
  | 'bad-value'
  | 'duplicate-order'
  | 'wrong-attribute'
  | 'agent-task'
  | 'agent-stage'
  | 'agent-input'
  | 'launch-config';

/** One mutated file. */
export interface Mutant {
  id: string;
  fixture: string;
  kind: 'bad' | 'neutral';
  cls: MutantClass | 'neutral';
  description: string;
  text: string;
  options: LintOptions;
}

/** A valid fixture and the options it is linted with. */
export interface Fixture {
  name: string;
  text: string;
  options: LintOptions;
}

const AGENT_OF: Readonly<Record<string, LintOptions['agent']>> = {
  'ec2launch-v2-unattend.xml': 'ec2launch-v2',
  'ec2launch-v1-unattend.xml': 'ec2launch-v1',
  'sysprep2008.xml': 'ec2config',
};

/** Every valid fixture with its lint options. */
export function validFixtures(): Fixture[] {
  const dir = join(packageRoot(), 'test/fixtures/lint/valid');
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const agent = AGENT_OF[name];
      const options: LintOptions = { fileName: name, allowPlaceholders: true, architecture: 'amd64', ...(agent ? { agent } : {}) };
      return { name, text: readFileSync(join(dir, name), 'utf8'), options };
    });
}

/** mulberry32: a small seeded PRNG, so the corpus is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T | undefined {
  return xs.length ? xs[Math.floor(r() * xs.length)] : undefined;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Rename an element in its start and end tags. */
function rename(text: string, el: XmlElement, name: string): string {
  let t = text;
  if (el.innerEnd !== el.end) t = splice(t, el.innerEnd + 2, el.innerEnd + 2 + el.name.length, name);
  return splice(t, el.start + 1, el.start + 1 + el.name.length, name);
}

function misspell(r: () => number, name: string): string {
  const i = 1 + Math.floor(r() * (name.length - 2));
  const op = Math.floor(r() * 3);
  if (op === 0) return name.slice(0, i) + (name[i + 1] ?? '') + (name[i] ?? '') + name.slice(i + 2);
  if (op === 1) return name.slice(0, i) + name.slice(i + 1);
  return name.slice(0, i) + (name[i] ?? '') + name.slice(i);
}

function recase(r: () => number, name: string): string {
  const letters = [...name].map((c, i) => (/[A-Za-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
  const i = pick(r, letters) ?? 0;
  const c = name[i] ?? '';
  return name.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + name.slice(i + 1);
}

function badValueFor(r: () => number, s: SettingNode): string | undefined {
  const spec = s.spec;
  if (!spec) return undefined;
  if (spec.type === 'boolean') return pick(r, ['yes', 'Enabled', 'treu', '2']);
  if (spec.type === 'integer') return String((spec.max ?? 0) + 1 + Math.floor(r() * 5));
  if (spec.type === 'enum') return pick(r, ['Default', 'Sometimes', '99', 'Unknown']);
  return undefined;
}

interface Op {
  cls: MutantClass;
  apply: (r: () => number, text: string) => { text: string; description: string } | undefined;
}

function unattendOps(): Op[] {
  const model = (text: string) => {
    const doc = parseXml(text);
    return doc.root ? buildUnattendModel(doc.root) : undefined;
  };
  return [
    {
      cls: 'wrong-pass-name',
      apply: (r, text) => {
        const p = pick(r, model(text)?.passes ?? []);
        const a = p?.el.attributes.find((x) => x.name === 'pass');
        if (!p || !a) return undefined;
        const bad =
          pick(r, [a.value.toLowerCase(), misspell(r, a.value), `${a.value[0]?.toUpperCase() ?? ''}${a.value.slice(1)}`, a.value.replace('System', '')]) ?? '';
        if (bad === a.value || (PASSES as readonly string[]).includes(bad)) return undefined;
        const at = text.indexOf(`pass="${a.value}"`, p.el.start);
        return { text: splice(text, at + 6, at + 6 + a.value.length, bad), description: `pass ${a.value} -> ${bad}` };
      },
    },
    {
      cls: 'component-wrong-pass',
      apply: (r, text) => {
        const m = model(text);
        const c = pick(
          r,
          (m?.components ?? []).filter((x) => x.spec),
        );
        if (!m || !c?.spec) return undefined;
        const valid = componentPasses(c.spec);
        const target = pick(
          r,
          m.passes.filter((p) => p.valid && !valid.includes(p.name as Pass)),
        );
        if (!target) return undefined;
        const chunk = text.slice(c.el.start, c.el.end);
        const removed = splice(text, c.el.start, c.el.end, '');
        const at = target.el.start < c.el.start ? target.el.innerStart : target.el.innerStart - chunk.length;
        return { text: splice(removed, at, at, chunk), description: `${c.spec.name} moved to ${target.name ?? ''}` };
      },
    },
    {
      cls: 'setting-wrong-pass',
      apply: (r, text) => {
        const m = model(text);
        if (!m) return undefined;
        const candidates = m.settings.filter((s) => s.spec?.passes && s.el.parent === s.component.el);
        const s = pick(r, candidates);
        if (!s?.spec?.passes) return undefined;
        const passes = s.spec.passes as readonly string[];
        const other = pick(
          r,
          m.components.filter((c) => c.name === s.component.name && c !== s.component && c.pass.valid && !passes.includes(c.pass.name ?? '')),
        );
        if (!other) return undefined;
        const chunk = text.slice(s.el.start, s.el.end);
        const removed = splice(text, s.el.start, s.el.end, '');
        const at = other.el.start < s.el.start ? other.el.innerStart : other.el.innerStart - chunk.length;
        return { text: splice(removed, at, at, chunk), description: `${s.path} moved to ${other.pass.name ?? ''}` };
      },
    },
    {
      cls: 'misspelled-setting',
      apply: (r, text) => {
        const s = pick(
          r,
          (model(text)?.settings ?? []).filter((x) => x.spec && x.el.localName.length > 3),
        );
        if (!s) return undefined;
        const bad = misspell(r, s.el.localName);
        if (bad === s.el.localName) return undefined;
        return { text: rename(text, s.el, bad), description: `${s.path}: ${s.el.localName} -> ${bad}` };
      },
    },
    {
      cls: 'wrong-case',
      apply: (r, text) => {
        const s = pick(
          r,
          (model(text)?.settings ?? []).filter((x) => x.spec),
        );
        if (!s) return undefined;
        const bad = recase(r, s.el.localName);
        return bad === s.el.localName ? undefined : { text: rename(text, s.el, bad), description: `${s.path}: ${s.el.localName} -> ${bad}` };
      },
    },
    {
      cls: 'bad-value',
      apply: (r, text) => {
        const s = pick(
          r,
          (model(text)?.settings ?? []).filter(
            (x) => x.spec && ['boolean', 'integer', 'enum'].includes(x.spec.type) && x.el.children.length === 0 && x.el.innerEnd > x.el.innerStart,
          ),
        );
        const bad = s && badValueFor(r, s);
        if (!s || bad === undefined) return undefined;
        return { text: splice(text, s.el.innerStart, s.el.innerEnd, bad), description: `${s.path} = ${bad}` };
      },
    },
    {
      cls: 'duplicate-order',
      apply: (r, text) => {
        const m = model(text);
        const lists = new Map<unknown, XmlElement[]>();
        for (const it of m?.listItems ?? []) {
          if (it.item.key !== 'Order') continue;
          const order = it.el.children.find((c) => c.localName === 'Order');
          if (order) lists.set(it.list, [...(lists.get(it.list) ?? []), order]);
        }
        const orders = pick(
          r,
          [...lists.values()].filter((l) => l.length >= 2),
        );
        if (!orders) return undefined;
        const [a, b] = [orders[0] as XmlElement, orders[1 + Math.floor(r() * (orders.length - 1))] as XmlElement];
        return { text: splice(text, b.innerStart, b.innerEnd, a.text), description: `Order ${b.text} -> ${a.text}` };
      },
    },
    {
      cls: 'wrong-attribute',
      apply: (r, text) => {
        const m = model(text);
        const c = pick(r, m?.components ?? []);
        if (!c) return undefined;
        const choice = Math.floor(r() * 5);
        const edits: [string, string][] = [
          ['publicKeyToken="31bf3856ad364e35"', 'publicKeyToken="31bf3856ad364e53"'],
          ['language="neutral"', pick(r, ['language="en-US"', 'language="Neutral"']) ?? ''],
          ['versionScope="nonSxS"', 'versionScope="nonsxs"'],
          ['processorArchitecture="amd64"', pick(r, ['processorArchitecture="x64"', 'processorArchitecture="AMD64"', 'processorArchitecture="x86"']) ?? ''],
          ['wcm:action="add"', pick(r, ['wcm:action="Add"', 'wcm:action="append"']) ?? ''],
        ];
        const [from, to] = edits[choice] as [string, string];
        const at = text.indexOf(from, choice === 4 ? 0 : c.el.start);
        if (at < 0 || (choice !== 4 && at > c.el.innerStart)) return undefined;
        if (choice === 3 && c.pass.name === 'windowsPE') return undefined;
        return { text: splice(text, at, at + from.length, to), description: `${from} -> ${to}` };
      },
    },
  ];
}

function lineOps(): Op[] {
  const replaceLine = (
    r: () => number,
    text: string,
    re: RegExp,
    f: (m: RegExpExecArray) => string | undefined,
  ): { text: string; description: string } | undefined => {
    const all = [...text.matchAll(new RegExp(re.source, 'gm'))];
    const m = pick(r, all);
    if (!m || m.index === undefined) return undefined;
    const repl = f(m as RegExpExecArray);
    if (repl === undefined || repl === m[0]) return undefined;
    return { text: splice(text, m.index, m.index + m[0].length, repl), description: `${m[0].trim()} -> ${repl.trim()}` };
  };
  return [
    {
      cls: 'agent-task',
      apply: (r, text) =>
        replaceLine(r, text, /task: (\w+)/, (m) => {
          const name = m[1] ?? '';
          const bad = pick(r, [misspell(r, name), recase(r, name), name === 'setHostName' ? 'setComputerName' : misspell(r, name)]);
          return `task: ${bad ?? name}`;
        }),
    },
    {
      cls: 'agent-stage',
      apply: (r, text) =>
        replaceLine(r, text, /stage: (\w+)/, (m) => {
          const stage = m[1] ?? '';
          const other: Record<string, string[]> = {
            boot: ['preReady', 'postReady', 'Boot'],
            preReady: ['boot', 'PreReady', 'postReady'],
            postReady: ['boot', 'preReady', 'PostReady'],
          };
          return `stage: ${pick(r, other[stage] ?? ['userData']) ?? ''}`;
        }),
    },
    {
      cls: 'agent-input',
      apply: (r, text) =>
        replaceLine(r, text, /(type|runAs|frequency|partition|initialize|reboot): (\w+)/, (m) => {
          const bad: Record<string, string[]> = {
            type: ['Random', 'Powershell', 'ps1'],
            runAs: ['system', 'Admin'],
            frequency: ['daily', 'Once'],
            partition: ['GPT', 'dos'],
            initialize: ['some'],
            reboot: ['"yes"', 'maybe'],
          };
          return `${m[1] ?? ''}: ${pick(r, bad[m[1] ?? ''] ?? ['x']) ?? ''}`;
        }),
    },
  ];
}

function launchConfigOps(): Op[] {
  return [
    {
      cls: 'launch-config',
      apply: (r, text) => {
        const keys = [...text.matchAll(/"(\w+)": ("[^"]*"|true|false)/g)];
        const m = pick(r, keys);
        if (!m || m.index === undefined) return undefined;
        const key = m[1] ?? '';
        const variant = Math.floor(r() * 3);
        const repl =
          variant === 0
            ? `"${misspell(r, key)}": ${m[2] ?? ''}`
            : variant === 1
              ? `"${key}": ${m[2] === 'true' || m[2] === 'false' ? '"yes"' : key === 'adminPasswordType' ? '"random"' : '42'}`
              : `"${recase(r, key)}": ${m[2] ?? ''}`;
        if (repl === m[0] || (key === 'adminPassword' && variant === 1)) return undefined;
        return { text: splice(text, m.index, m.index + m[0].length, repl), description: `${m[0]} -> ${repl}` };
      },
    },
  ];
}

function neutralOps(): ((r: () => number, text: string, fixture: Fixture) => { text: string; description: string } | undefined)[] {
  return [
    (r, text, f) => {
      if (!f.name.endsWith('.xml') || !text.includes('<unattend')) return undefined;
      const doc = parseXml(text);
      const m = doc.root ? buildUnattendModel(doc.root) : undefined;
      const s = pick(
        r,
        (m?.settings ?? []).filter(
          (x) =>
            x.spec?.type === 'string' &&
            !x.spec.values &&
            x.el.children.length === 0 &&
            ['Description', 'RegisteredOwner', 'RegisteredOrganization', 'Label', 'FullName', 'Organization'].includes(x.el.localName),
        ),
      );
      if (!s) return undefined;
      return { text: splice(text, s.el.innerStart, s.el.innerEnd, 'Example Org'), description: `${s.path} = Example Org` };
    },
    (r, text) => {
      const m = pick(r, [...text.matchAll(/<(InputLocale|SystemLocale|UserLocale|UILanguage)>en-US</g)]);
      if (!m || m.index === undefined) return undefined;
      const loc = pick(r, ['de-DE', 'fr-FR', 'ja-JP', 'en-GB']) ?? 'de-DE';
      return { text: splice(text, m.index, m.index + m[0].length, `<${m[1] ?? ''}>${loc}<`), description: `${m[1] ?? ''} = ${loc}` };
    },
    (r, text) => {
      const m = pick(r, [...text.matchAll(/<(ComputerName)>[^<]*</g)]);
      if (!m || m.index === undefined) return undefined;
      const name = pick(r, ['WEB-01', '*', 'build2022', 'APP-SERVER-07']) ?? '*';
      return { text: splice(text, m.index, m.index + m[0].length, `<ComputerName>${name}<`), description: `ComputerName = ${name}` };
    },
    (r, text) => {
      const m = pick(r, [
        ...text.matchAll(
          /<(HideEULAPage|HideWirelessSetupInOOBE|IEHardenAdmin|IEHardenUser|DoNotOpenServerManagerAtLogon|SkipAutoActivation|BluetoothTaskbarIconEnabled|EnableLUA|UseDomainNameDevolution)>(true|false)</g,
        ),
      ]);
      if (!m || m.index === undefined) return undefined;
      const v = m[2] === 'true' ? pick(r, ['false', 'False', '0']) : pick(r, ['true', 'True', '1']);
      return { text: splice(text, m.index, m.index + m[0].length, `<${m[1] ?? ''}>${v ?? 'true'}<`), description: `${m[1] ?? ''} = ${v ?? ''}` };
    },
    (r, text) => {
      const m = pick(r, [...text.matchAll(/<(ProtectYourPC|NetworkLocation|WillReboot|SecurityLayer)>(\w+)</g)]);
      if (!m || m.index === undefined) return undefined;
      const alt: Record<string, string[]> = {
        ProtectYourPC: ['1', '2', '3'],
        NetworkLocation: ['Home', 'Work', 'Other'],
        WillReboot: ['Always', 'OnRequest', 'Never'],
        SecurityLayer: ['0', '1', '2'],
      };
      const v = pick(r, alt[m[1] ?? ''] ?? []) ?? '';
      return { text: splice(text, m.index, m.index + m[0].length, `<${m[1] ?? ''}>${v}<`), description: `${m[1] ?? ''} = ${v}` };
    },
    (r, text, f) => {
      if (!/\.(ya?ml)$/.test(f.name)) return undefined;
      const m = pick(r, [...text.matchAll(/type: (random|powershell)/g)]);
      if (!m || m.index === undefined) return undefined;
      const v = m[1] === 'random' ? pick(r, ['doNothing', 'random']) : pick(r, ['batch', 'powershell']);
      return { text: splice(text, m.index, m.index + m[0].length, `type: ${v ?? ''}`), description: `type = ${v ?? ''}` };
    },
    (r, text) => {
      const m = pick(r, [...text.matchAll(/"(setWallpaper|setMonitorAlwaysOn|addDnsSuffixList|handleUserData)": (true|false)/g)]);
      if (!m || m.index === undefined) return undefined;
      return {
        text: splice(text, m.index, m.index + m[0].length, `"${m[1] ?? ''}": ${m[2] === 'true' ? 'false' : 'true'}`),
        description: `${m[1] ?? ''} flipped`,
      };
    },
  ];
}

/** Build `perFixture` bad mutants for each fixture (and a neutral set), deterministically from `seed`. */
export function buildCorpus(seed = 20240601, perFixture = 60, neutralPerFixture = 12): Mutant[] {
  const r = rng(seed);
  const out: Mutant[] = [];
  for (const f of validFixtures()) {
    const ops = f.text.includes('<unattend') ? unattendOps() : /\.ya?ml$/.test(f.name) ? lineOps() : /\.json$/i.test(f.name) ? launchConfigOps() : [];
    const seen = new Set<string>();
    const budget = f.text.includes('<unattend') ? perFixture : Math.ceil(perFixture / 3);
    for (let attempt = 0, made = 0; made < budget && attempt < budget * 20 && ops.length; attempt++) {
      const op = ops[attempt % ops.length] as Op;
      const res = op.apply(r, f.text);
      if (!res || seen.has(res.text)) continue;
      seen.add(res.text);
      out.push({ id: `${f.name}#${made}`, fixture: f.name, kind: 'bad', cls: op.cls, description: res.description, text: res.text, options: f.options });
      made++;
    }
    const neutral = neutralOps();
    for (let attempt = 0, made = 0; made < neutralPerFixture && attempt < neutralPerFixture * 20; attempt++) {
      const res = (neutral[attempt % neutral.length] as (typeof neutral)[number])(r, f.text, f);
      if (!res || seen.has(res.text)) continue;
      seen.add(res.text);
      out.push({
        id: `${f.name}#n${made}`,
        fixture: f.name,
        kind: 'neutral',
        cls: 'neutral',
        description: res.description,
        text: res.text,
        options: f.options,
      });
      made++;
    }
  }
  return out;
}

const key = (f: Finding) => `${f.ruleId}|${f.severity}|${f.message.replace(/\d+/g, '#')}`;

/** Findings of `mutant` that its unmutated fixture does not have (as a multiset of rule, severity and message shape). */
export function newFindings(_mutant: Mutant, baseline: readonly Finding[], findings: readonly Finding[]): Finding[] {
  const left = new Map<string, number>();
  for (const f of baseline) left.set(key(f), (left.get(key(f)) ?? 0) + 1);
  return findings.filter((f) => {
    const n = left.get(key(f)) ?? 0;
    if (n > 0) {
      left.set(key(f), n - 1);
      return false;
    }
    return true;
  });
}

/** Outcome of linting the corpus. */
export interface CorpusResult {
  bad: number;
  caught: number;
  neutral: number;
  falseAlarms: number;
  precision: number;
  recall: number;
  missed: Mutant[];
  falseAlarmMutants: { mutant: Mutant; findings: Finding[] }[];
  byClass: Record<string, { bad: number; caught: number }>;
}

/** Lint every mutant: a bad one is caught by a new error or warning; a neutral one is a false alarm on a new error. */
export function evaluateCorpus(corpus: readonly Mutant[]): CorpusResult {
  const baselines = new Map(validFixtures().map((f) => [f.name, lintText(f.text, f.options)]));
  const res: CorpusResult = { bad: 0, caught: 0, neutral: 0, falseAlarms: 0, precision: 0, recall: 0, missed: [], falseAlarmMutants: [], byClass: {} };
  for (const m of corpus) {
    const fresh = newFindings(m, baselines.get(m.fixture) ?? [], lintText(m.text, m.options));
    if (m.kind === 'bad') {
      res.bad++;
      const cls = (res.byClass[m.cls] ??= { bad: 0, caught: 0 });
      cls.bad++;
      if (fresh.some((f) => f.severity !== 'info')) {
        res.caught++;
        cls.caught++;
      } else res.missed.push(m);
    } else {
      res.neutral++;
      const errors = fresh.filter((f) => f.severity === 'error');
      if (errors.length) {
        res.falseAlarms++;
        res.falseAlarmMutants.push({ mutant: m, findings: errors });
      }
    }
  }
  res.recall = res.bad ? res.caught / res.bad : 0;
  res.precision = res.caught + res.falseAlarms ? res.caught / (res.caught + res.falseAlarms) : 1;
  return res;
}
