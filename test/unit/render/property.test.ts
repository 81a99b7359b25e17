/**
 * Property tests: hostile text in every user-controlled string field must
 * come out of the templates as exactly that text (or be refused with an
 * error naming the field), never as markup, code or structure.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import type { Node, Parser } from 'web-tree-sitter';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { canonicalJson, redactedConfig, UNATTEND_TEMPLATE } from '../../../src/render/bundle.js';
import { psLiteral, psLiteralValue, RenderValueError } from '../../../src/render/helpers.js';
import { agentConfigModel, unattendModel } from '../../../src/render/model.js';
import { renderTemplate } from '../../../src/render/templates.js';
import { sqlBundlePart } from '../../../src/render/sql-bundle.js';
import { powershellParser } from '../../../src/powershell/parse.js';
import { config, richConfig } from './fixtures.js';

const RUNS = 1000;

/** Fragments that break naive escaping in one of the target languages. */
const ASCII_FRAGMENTS = [
  "'",
  '"',
  '<',
  '>',
  '&',
  ']]>',
  '<![CDATA[',
  '$(',
  '${',
  '}',
  '$env:PATH',
  '`',
  '`n',
  "@'",
  "'@",
  '@"',
  '"@',
  '\n',
  '\r',
  '\t',
  '\r\n',
  '{{',
  '}}',
  '--%',
  '#',
  '<#',
  '#>',
  ';',
  '|',
  '%PATH%',
  '\\',
  ' ',
  '&amp;',
  '&#0;',
  '- ',
  ': ',
  '? ',
  '*a',
  '!tag',
  '---',
  '...',
];
const UNICODE_FRAGMENTS = ['\u2018', '\u2019', '\u201a', '\u201b', '\u201c', 'é', '😀', '\u00a0', '\u2028', '\ufeff', 'ｆ'];
const FORBIDDEN_FRAGMENTS = ['\u0000', '\u0007', '\u001b', '\u000b', '\ud800', '\udfff', '\ufffe', '\uffff'];

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

function textOf(fragments: string[], unit: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...fragments), fc.string({ unit, maxLength: 12 }));
  const normal = fc.array(piece, { maxLength: 24 }).map((a) => a.join(''));
  // Now and then a 10 kB value with hostile text at both ends.
  const long = fc.tuple(normal, normal).map(([a, b]) => `${a}${'A'.repeat(10_000)}${b}`);
  return fc.oneof({ weight: 19, arbitrary: normal }, { weight: 1, arbitrary: long });
}

/** Printable ASCII plus tab/CR/LF, with every escaping hazard: accepted in answer files. */
const asciiHostile = textOf(ASCII_FRAGMENTS, printable);
/** Anything at all, including non-ASCII, controls, NUL and lone surrogates. */
const anyText = textOf([...ASCII_FRAGMENTS, ...UNICODE_FRAGMENTS, ...FORBIDDEN_FRAGMENTS], fc.string({ unit: 'binary', maxLength: 1 }));
/** Text an answer file must refuse: at least one non-ASCII or non-XML character. */
const refusedText = fc.tuple(asciiHostile, fc.constantFrom(...UNICODE_FRAGMENTS, ...FORBIDDEN_FRAGMENTS), asciiHostile).map(([a, bad, b]) => a + bad + b);

let base: ResolvedConfig;
let parser: Parser;

before(async () => {
  base = config(richConfig('2022', 'ec2launch-v2', 'full'));
  parser = await powershellParser();
});

function clone(): ResolvedConfig {
  return structuredClone(base);
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (n) => ['settings', 'component', 'SynchronousCommand'].includes(n),
});

type Xml = Record<string, unknown>;
function component(doc: Xml, pass: string, name: string): Xml {
  const settings = (doc.unattend as { settings: Xml[] }).settings.find((s) => s['@pass'] === pass)!;
  return (settings.component as Xml[]).find((c) => c['@name'] === name)!;
}
/** Element text as written: an empty element parses as '' (fast-xml-parser gives no #text). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as Xml)['#text']);
  return '';
}

const UNATTEND_FIELDS = ['registeredOwner', 'registeredOrganization', 'timeZone', 'firstLogonCommand', 'firstLogonDescription'] as const;
type UnattendField = (typeof UNATTEND_FIELDS)[number];
const FIELD_PATH: Record<UnattendField, string> = {
  registeredOwner: 'windowsSettings.registeredOwner',
  registeredOrganization: 'windowsSettings.registeredOrganization',
  timeZone: 'windowsSettings.timeZone',
  firstLogonCommand: 'windowsSettings.firstLogonCommands.command',
  firstLogonDescription: 'windowsSettings.firstLogonCommands.description',
};

/** Top-level statement types of a script, to prove a value added or removed no code. */
function shape(root: Node): string {
  return root.namedChildren.map((c) => c!.type).join(',');
}

/** The string literal assigned by `<variable> = '...'`, checked to be one verbatim string with nothing expanded. */
function assignedLiteral(root: Node, variable: string): string {
  const assignments = root.descendantsOfType('assignment_expression').filter((a) => a!.text.startsWith(`${variable} = `));
  expect(assignments.length, variable).to.equal(1);
  const value = assignments[0]!.text.slice(variable.length + 3);
  const strings = assignments[0]!.descendantsOfType('verbatim_string_characters');
  expect(strings.length).to.equal(1);
  expect(strings[0]!.text).to.equal(value);
  expect(
    assignments[0]!.descendantsOfType(['variable', 'sub_expression', 'expandable_string_literal', 'expandable_here_string_literal']).map((n) => n!.text),
  ).to.deep.equal([variable]);
  return psLiteralValue(value);
}

describe('render/property: hostile values in every user-controlled field', function () {
  this.timeout(120_000);

  it(`answer files: ${RUNS} values per field for ${UNATTEND_FIELDS.length} fields (${UNATTEND_FIELDS.join(', ')}), for each of 3 agents, read back exactly or refused by name`, () => {
    const agents = Object.keys(UNATTEND_TEMPLATE) as (keyof typeof UNATTEND_TEMPLATE)[];
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.record({
          registeredOwner: asciiHostile,
          registeredOrganization: asciiHostile,
          timeZone: asciiHostile,
          firstLogonCommand: asciiHostile,
          firstLogonDescription: asciiHostile,
        }),
        fc.option(fc.tuple(fc.constantFrom(...UNATTEND_FIELDS), refusedText), { freq: 3 }),
        fc.constantFrom(...agents),
        (values, bad, agent) => {
          const v: Record<UnattendField, string> = { ...values };
          if (bad) v[bad[0]] = bad[1];
          const c = clone();
          c.launchAgent = agent;
          c.windowsSettings.registeredOwner = v.registeredOwner;
          c.windowsSettings.registeredOrganization = v.registeredOrganization;
          c.windowsSettings.timeZone = v.timeZone;
          c.windowsSettings.firstLogonCommands = [{ command: v.firstLogonCommand, description: v.firstLogonDescription, requiresUserInput: false }];
          let out: string;
          try {
            out = renderTemplate(UNATTEND_TEMPLATE[agent], unattendModel(c));
          } catch (err) {
            expect(bad, String(err)).to.not.equal(null);
            expect(err).to.be.instanceOf(RenderValueError);
            expect((err as RenderValueError).field).to.equal(FIELD_PATH[bad![0]]);
            expect((err as Error).message).to.match(/XML 1\.0 does not allow|non-ASCII/);
            refused++;
            return;
          }
          expect(bad, 'a value with a forbidden character was rendered').to.equal(null);
          expect(XMLValidator.validate(out)).to.equal(true);
          const doc = xml.parse(out) as Xml;
          const spec = component(doc, 'specialize', 'Microsoft-Windows-Shell-Setup');
          const oobe = component(doc, 'oobeSystem', 'Microsoft-Windows-Shell-Setup');
          expect(text(spec.RegisteredOwner)).to.equal(v.registeredOwner);
          expect(text(oobe.RegisteredOwner)).to.equal(v.registeredOwner);
          expect(text(spec.RegisteredOrganization)).to.equal(v.registeredOrganization);
          expect(text(spec.TimeZone)).to.equal(v.timeZone);
          expect(text(oobe.TimeZone)).to.equal(v.timeZone);
          const cmd = (oobe.FirstLogonCommands as { SynchronousCommand: Xml[] }).SynchronousCommand[0]!;
          expect(text(cmd.CommandLine)).to.equal(v.firstLogonCommand);
          expect(text(cmd.Description)).to.equal(v.firstLogonDescription);
          accepted++;
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted + refused).to.equal(RUNS);
    expect(accepted).to.be.greaterThan(RUNS / 4);
    expect(refused).to.be.greaterThan(RUNS / 10);
  });

  it(`PowerShell: ${RUNS} step names and ${RUNS} feature names each parse as one verbatim string that reads back exactly`, () => {
    const baseline = (name: string, feature: string) => {
      const code = renderTemplate('scripts/customize-code.ps1', { index: 1, kind: 'powershell', name, sourceNote: false, code: 'Write-Output 1' });
      const features = renderTemplate('scripts/customize-windows-features.ps1', { index: 2, name, features: ['Web-Server', feature] });
      return { code, features };
    };
    const shapes = (() => {
      const b = baseline('x', 'y');
      const t1 = parser.parse(b.code)!;
      const t2 = parser.parse(b.features)!;
      const s = { code: shape(t1.rootNode), features: shape(t2.rootNode) };
      t1.delete();
      t2.delete();
      return s;
    })();
    let refusedNul = 0;
    fc.assert(
      fc.property(anyText, anyText, (name, feature) => {
        let rendered: { code: string; features: string };
        try {
          rendered = baseline(name, feature);
        } catch (err) {
          expect(err).to.be.instanceOf(RenderValueError);
          expect(`${name}${feature}`).to.contain('\u0000');
          expect((err as RenderValueError).field).to.match(/^customize\.(name|windowsFeatures)$/);
          refusedNul++;
          return;
        }
        const t1 = parser.parse(rendered.code)!;
        const t2 = parser.parse(rendered.features)!;
        try {
          expect(t1.rootNode.hasError, rendered.code).to.equal(false);
          expect(t2.rootNode.hasError, rendered.features).to.equal(false);
          expect(shape(t1.rootNode)).to.equal(shapes.code);
          expect(shape(t2.rootNode)).to.equal(shapes.features);
          expect(assignedLiteral(t1.rootNode, '$winamiStep')).to.equal(name);
          expect(assignedLiteral(t2.rootNode, '$winamiStep')).to.equal(name);
          const array = t2.rootNode.descendantsOfType('array_expression')[0]!;
          const items = array.descendantsOfType('verbatim_string_characters').map((n) => psLiteralValue(n!.text));
          expect(items).to.deep.equal(['Web-Server', feature]);
          expect(array.descendantsOfType(['variable', 'sub_expression'])).to.have.length(0);
          expect(psLiteral(feature)).to.equal(array.descendantsOfType('verbatim_string_characters')[1]!.text);
        } finally {
          t1.delete();
          t2.delete();
        }
      }),
      { numRuns: RUNS },
    );
    expect(refusedNul).to.be.lessThan(RUNS / 2);
  });

  it(`YAML: ${RUNS} values each for DNS suffixes, the administrator name, task inputs (keys and values) and user-data tasks round-trip exactly`, () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, anyText, anyText, (suffix, adminName, key, value, content) => {
        const c = clone();
        c.agent.ec2launchV2.dnsSuffixes = [suffix];
        c.windowsSettings.administrator.name = adminName;
        c.agent.ec2launchV2.tasks.postReady = [
          { task: 'executeScript', inputs: [{ frequency: 'always', type: 'powershell', runAs: 'admin', content }] },
          { task: 'writeFile', inputs: [{ frequency: 'once', destination: key, content: { [key]: [value, { nested: value }] } }] },
        ];
        const out = renderTemplate('agent/agent-config.yml', agentConfigModel(c));
        const doc = parseYaml(out) as { version: number; config: { stage: string; tasks: { task: string; inputs?: unknown }[] }[] };
        expect(doc.version).to.equal(1);
        const pre = doc.config.find((s) => s.stage === 'preReady')!.tasks;
        expect(pre.find((t) => t.task === 'setDnsSuffix')!.inputs).to.deep.equal({ suffixes: [suffix] });
        expect((pre.find((t) => t.task === 'setAdminAccount')!.inputs as { name: string }).name).to.equal(adminName);
        const post = doc.config.find((s) => s.stage === 'postReady')!.tasks;
        expect((post.find((t) => t.task === 'executeScript')!.inputs as unknown[])[1]).to.deep.equal({
          frequency: 'always',
          type: 'powershell',
          runAs: 'admin',
          content,
        });
        expect(post.find((t) => t.task === 'writeFile')!.inputs).to.deep.equal([
          { frequency: 'once', destination: key, content: { [key]: [value, { nested: value }] } },
        ]);
        const ud = parseYaml(renderTemplate('user-data/user-data.yml', { userData: { tasks: [{ task: 'executeScript', inputs: [{ content }] }] } })) as {
          tasks: { inputs: { content: string }[] }[];
        };
        expect(ud.tasks[0]!.inputs[0]!.content).to.equal(content);
      }),
      { numRuns: RUNS },
    );
  });

  it(`plan.json: ${RUNS} values each for the description, image description, tag values and file destinations round-trip exactly`, () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, anyText, (description, imageDescription, tag, destination) => {
        const c = clone();
        c.description = description;
        c.image.description = imageDescription;
        c.image.tags = { team: tag, [tag]: 'as-key' };
        const step = c.customize[3] as { file: { destination: string } };
        step.file.destination = `C:\\${destination}`;
        const plan = JSON.parse(canonicalJson({ config: redactedConfig(c) })) as { config: ResolvedConfig };
        expect(plan.config.description).to.equal(description);
        expect(plan.config.image.description).to.equal(imageDescription);
        expect(plan.config.image.tags).to.deep.equal({ team: tag, [tag]: 'as-key' });
        expect((plan.config.customize[3] as { file: { destination: string } }).file.destination).to.equal(`C:\\${destination}`);
      }),
      { numRuns: RUNS },
    );
  });

  it(`SQL Server part: ${RUNS} values each for sysadmin accounts and collation leave every script parsing, or are refused by name`, () => {
    const sqlBase = config({
      ...richConfig('2022', 'ec2launch-v2', 'full'),
      sql: { mode: 'byol-prepare', version: '2022', edition: 'developer', media: 'C:\\media\\SQL2022' },
      licensing: {},
    });
    let refusedCount = 0;
    fc.assert(
      fc.property(anyText, anyText, (account, collation) => {
        const c = structuredClone(sqlBase);
        c.sql!.sysadminAccounts = [account];
        c.sql!.collation = collation;
        let part: NonNullable<ReturnType<typeof sqlBundlePart>>;
        try {
          part = sqlBundlePart(c)!;
        } catch (err) {
          expect(err).to.be.instanceOf(RenderValueError);
          expect((err as RenderValueError).field).to.match(/^sql\./);
          refusedCount++;
          return;
        }
        for (const f of part.files.filter((x) => x.path.endsWith('.ps1'))) {
          const tree = parser.parse(f.content)!;
          try {
            expect(tree.rootNode.hasError, f.path).to.equal(false);
          } finally {
            tree.delete();
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(refusedCount).to.be.lessThan(RUNS);
  });
});
