import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import {
  COMPILE_OPTIONS,
  createHandlebars,
  jsonValue,
  psLiteral,
  psLiteralValue,
  RenderValueError,
  xmlText,
  yamlBlock,
  yamlScalar,
} from '../../../src/render/helpers.js';
import { powershellParser } from '../../../src/powershell/parse.js';

const HOSTILE = [
  `it's "quoted" & <tagged> ]]> done`,
  `‘curly’ ‚low‛ and 'plain' ''doubled''`,
  '$(Remove-Item C:\\ -Recurse) ${env:PATH} $env:USERNAME `n `$ backtick',
  '@\'\nhere-string\n\'@\n@"\nexpandable\n"@',
  'line1\nline2\r\nline3\rline4\ttabbed',
  '--% verbatim; & calc.exe | Out-Null # comment <# block #>',
  '{{handlebars}} {{{triple}}} \\{{escaped}}',
  '- yaml: [flow, {map: 1}] # comment\n? key\n: value\n--- doc\n...',
  'null',
  'true',
  '0x1F',
  '',
  ' leading and trailing ',
  '"',
  "'",
];

function xmlRoundTrip(escaped: string): { text: unknown; attr: unknown } {
  const doc = `<r a="${escaped}">${escaped}</r>`;
  expect(XMLValidator.validate(doc), doc).to.equal(true);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    // Decodes numeric character references (&#10;) too, as any XML parser must.
    htmlEntities: true,
  }).parse(doc) as { r: { '#text'?: string; '@a': string } | string };
  const r = parsed.r;
  return typeof r === 'string' ? { text: r, attr: undefined } : { text: r['#text'] ?? '', attr: r['@a'] };
}

describe('render/helpers', () => {
  describe('xmlText', () => {
    it('escapes the five XML specials and whitespace controls, and reads back exactly in text and attributes', () => {
      expect(xmlText(`a&b<c>d"e'f`)).to.equal('a&amp;b&lt;c&gt;d&quot;e&apos;f');
      expect(xmlText('x\ty\nz\r')).to.equal('x&#9;y&#10;z&#13;');
      for (const value of HOSTILE) {
        const escaped = xmlText(value);
        expect(escaped).not.to.match(/[<>"'\r\n\t]|&(?!(amp|lt|gt|quot|apos|#9|#10|#13);)/);
        const back = xmlRoundTrip(escaped);
        if (value !== '') expect(back.text, JSON.stringify(value)).to.equal(value);
        expect(back.attr, JSON.stringify(value)).to.equal(value);
      }
    });

    it('refuses characters XML 1.0 cannot carry, naming the field and the character', () => {
      for (const bad of ['a\u0000b', 'bell\u0007', '\u001b[31m', 'x\ufffey', 'x\uffff', 'lone \ud800 high', 'lone \udc00 low', '\u000b\u000c']) {
        expect(() => xmlText(bad, { field: 'windowsSettings.registeredOwner' })).to.throw(
          RenderValueError,
          /^windowsSettings\.registeredOwner: contains U\+[0-9A-F]{4} at position \d+, which XML 1\.0 does not allow/,
        );
      }
    });

    it('keeps valid astral characters (surrogate pairs) outside answer files', () => {
      expect(xmlText('emoji 😀 ok')).to.equal('emoji 😀 ok');
      expect(xmlRoundTrip(xmlText('emoji 😀 é')).text).to.equal('emoji 😀 é');
    });

    it('refuses non-ASCII text for answer files and says why', () => {
      for (const bad of ['Société', 'Zürich', 'emoji 😀', '\u00a0nbsp', 'ｆｕｌｌwidth', '‘quote’', '\u0085next-line']) {
        expect(() => xmlText(bad, { field: 'windowsSettings.timeZone', asciiOnly: true })).to.throw(
          RenderValueError,
          /^windowsSettings\.timeZone: .*Windows Setup mishandles non-ASCII/,
        );
      }
      expect(xmlText('Pacific Standard Time', { asciiOnly: true })).to.equal('Pacific Standard Time');
    });

    it('refuses values that are not text', () => {
      expect(() => xmlText({ a: 1 }, { field: 'f' })).to.throw(RenderValueError, /^f: expected text, got object/);
      expect(() => xmlText(undefined, { field: 'f' })).to.throw(RenderValueError, /got undefined/);
      expect(xmlText(42)).to.equal('42');
    });
  });

  describe('psLiteral', () => {
    it('wraps in single quotes and doubles every quote PowerShell recognizes, including typographic ones', () => {
      expect(psLiteral("it's")).to.equal("'it''s'");
      expect(psLiteral('\u2018a\u2019b\u201ac\u201bd')).to.equal("'\u2018\u2018a\u2019\u2019b\u201a\u201ac\u201b\u201bd'");
      expect(psLiteral('')).to.equal("''");
      expect(psLiteral('$(calc) ${x} `n')).to.equal("'$(calc) ${x} `n'");
    });

    it('reads back through PowerShell tokenizer rules to the exact value', () => {
      for (const value of HOSTILE) expect(psLiteralValue(psLiteral(value))).to.equal(value);
      expect(psLiteralValue("'a\u2019\u2018b'''")).to.equal("a\u2018b'");
    });

    it('parses as exactly one verbatim string with no variables or sub-expressions', async () => {
      const parser = await powershellParser();
      for (const value of HOSTILE) {
        const literal = psLiteral(value);
        const tree = parser.parse(`$x = ${literal}\n`)!;
        try {
          expect(tree.rootNode.hasError, literal).to.equal(false);
          const strings = tree.rootNode.descendantsOfType('verbatim_string_characters');
          expect(strings.length, literal).to.equal(1);
          expect(strings[0]!.text).to.equal(literal);
          const inner = tree.rootNode.descendantsOfType(['variable', 'sub_expression', 'expandable_string_literal']);
          expect(inner.map((n) => n!.text)).to.deep.equal(['$x']);
        } finally {
          tree.delete();
        }
      }
    });

    it('refuses NUL and names the field', () => {
      expect(() => psLiteral('a\u0000b', 'customize.0.name')).to.throw(RenderValueError, /^customize\.0\.name: contains NUL/);
    });
  });

  describe('yamlScalar', () => {
    it('is a double-quoted scalar that parses back exactly, even with YAML syntax and controls inside', () => {
      const extra = ['\u0000\u0001\u007f\u0085\u009f', '\u2028\u2029\ufeff', 'lone \ud800', 'x'.repeat(10_000), '# not a comment', '*alias &anchor !tag'];
      for (const value of [...HOSTILE, ...extra]) {
        const scalar = yamlScalar(value);
        expect(scalar.startsWith('"') && scalar.endsWith('"')).to.equal(true);
        expect(scalar).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/);
        expect(parseYaml(`key: ${scalar}\n`)).to.deep.equal({ key: value });
      }
    });
  });

  describe('yamlBlock', () => {
    it('indents a user-written structure and parses back to the same data', () => {
      const inputs = [
        { frequency: 'once', type: 'powershell', content: "Write-Host 'hi'\n# not: yaml\n- [x]", runAs: 'localSystem', n: 3, on: true, nul: null },
      ];
      const text = yamlBlock(inputs, 6);
      for (const line of text.split('\n')) expect(line.startsWith('      ') || line === '').to.equal(true);
      expect(parseYaml(`inputs:\n${text}\n`)).to.deep.equal({ inputs });
    });
  });

  describe('jsonValue', () => {
    it('round-trips text with every kind of hostile character', () => {
      for (const value of [...HOSTILE, '\u0000\u2028\ud800']) expect(JSON.parse(jsonValue(value))).to.equal(value);
      expect(() => jsonValue(undefined)).to.throw(RenderValueError);
    });
  });

  describe('createHandlebars', () => {
    it('renders through the helpers, does no HTML escaping, and fails on a missing field', () => {
      const hb = createHandlebars();
      const t = hb.compile('<a>{{xml v "f"}}</a> {{ps v "f"}} {{yaml v "f"}} {{json v}}', COMPILE_OPTIONS);
      expect(t({ v: `<'&'>` })).to.equal(`<a>&lt;&apos;&amp;&apos;&gt;</a> '<''&''>' "<'&'>" "<'&'>"`);
      expect(() => hb.compile('{{missing}}', COMPILE_OPTIONS)({})).to.throw(/"missing" not defined/);
      // Strict mode does not check helper arguments; the helpers refuse undefined themselves.
      expect(() => hb.compile('{{xml missing "image.description"}}', COMPILE_OPTIONS)({})).to.throw(
        RenderValueError,
        /^image\.description: expected text, got undefined/,
      );
      expect(() => hb.compile('{{unattend v "windowsSettings.registeredOwner"}}', COMPILE_OPTIONS)({ v: 'Zoë' })).to.throw(RenderValueError, /registeredOwner/);
    });

    it('is isolated from the global Handlebars instance', async () => {
      const global = (await import('handlebars')).default;
      createHandlebars();
      expect(global.helpers).not.to.have.property('ps');
    });
  });
});
