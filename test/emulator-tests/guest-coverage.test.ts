/**
 * Every command winami renders is modelled by the guest: each shipped
 * config's bundle (examples/*.yaml, examples/pipelines/configs/*.yaml, found
 * on disk), a SQL Server byol-prepare bundle (whose scripts no example
 * renders), and the scripts the bake itself sends are parsed, and every
 * command outside the user's own code must be one the guest models or a
 * function the script defines. A command run through a variable (`& $sqlcmd`)
 * is resolved only when it runs; the guest's strictness covers it there.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Node, Parser } from 'web-tree-sitter';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { renderBundle } from '../../src/render/bundle.js';
import { powershellParser } from '../../src/powershell/parse.js';
import { commandFor } from '../../src/bake/steps/bundle-script.js';
import { rebootOnceScript } from '../../src/bake/steps/check-ready-to-seal.js';
import { deliveryScripts, readSysprepLogsScript } from '../../src/bake/scripts.js';
import { isModelled, scriptRegions } from '../../emulator/guest.js';

/** Commands in `source` that winami wrote and the guest does not model. */
function unmodelled(parser: Parser, source: string): string[] {
  const text = source.replace(/^\uFEFF/, '');
  const tree = parser.parse(text);
  if (!tree) throw new Error('no tree');
  try {
    const { user } = scriptRegions(text);
    const inUser = (n: Node) => user.some(([a, b]) => n.startPosition.row > a && n.startPosition.row < b);
    const functions = new Set<string>();
    const commands: { name: string; node: Node }[] = [];
    const walk = (n: Node) => {
      if (n.type === 'function_statement') {
        const f = n.namedChildren.find((c) => c?.type === 'function_name');
        if (f) functions.add(f.text.toLowerCase());
      }
      if (n.type === 'command') {
        const nameNode = n.namedChildren.find((c) => c?.type === 'command_name' || c?.type === 'command_name_expr');
        if (nameNode && !inUser(n)) commands.push({ name: nameNode.text, node: n });
      }
      for (const c of n.namedChildren) if (c) walk(c);
    };
    walk(tree.rootNode);
    return commands
      .filter(({ name }) => !name.startsWith('$') && !name.startsWith('{'))
      .map(({ name }) => name.replace(/^['"]|['"]$/g, ''))
      .filter((name) => !functions.has(name.toLowerCase()) && !isModelled(name));
  } finally {
    tree.delete();
  }
}

const ROOT = process.cwd();
function shippedConfigs(): string[] {
  return ['examples', join('examples', 'pipelines', 'configs')].flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(ROOT, d, f)),
  );
}

const BYOL = `name: byol
region: us-east-1
windows:
  release: "2022"
builder:
  instanceProfile: winami-builder
sql:
  mode: byol-prepare
  version: "2022"
  edition: standard
  media: s3://media-bucket/sql2022.iso
  productKey: ssm:/keys/sql
`;

describe('emulator guest: every command winami renders is modelled', function () {
  this.timeout(60_000);
  let parser: Parser;
  before(async () => {
    parser = await powershellParser();
  });

  it('finds nothing unmodelled in a script that uses an unknown command (the check can fail)', () => {
    expect(unmodelled(parser, '# winami: x\nSet-Frobnication -Level 3\nfunction Own-Thing { }\nOwn-Thing')).to.deep.equal(['Set-Frobnication']);
  });

  for (const file of shippedConfigs()) {
    it(`${file.slice(ROOT.length + 1)}: every rendered script`, async () => {
      const bundle = await renderBundle(loadConfig(file), { buildId: 'b-coverage' });
      const scripts = bundle.files.filter((f) => f.path.endsWith('.ps1'));
      expect(scripts.length).to.be.greaterThan(3);
      for (const f of scripts) {
        const text = f.content.toString('utf8');
        expect(scriptRegions(text).rendered, `${f.path} must name winami on its first line`).to.equal(true);
        expect(unmodelled(parser, text), f.path).to.deep.equal([]);
      }
    });
  }

  it('a byol-prepare bundle (SQL Server PrepareImage / CompleteImage)', async () => {
    const bundle = await renderBundle(parseConfig(BYOL, { configPath: join(tmpdir(), 'byol.yaml') }), { buildId: 'b-coverage' });
    const scripts = bundle.files.filter((f) => f.path.endsWith('.ps1'));
    expect(scripts.map((f) => f.path)).to.include.members(['scripts/sql/prepare-image.ps1', 'scripts/sql/complete-image.ps1']);
    for (const f of scripts) expect(unmodelled(parser, f.content.toString('utf8')), f.path).to.deep.equal([]);
  });

  it("the scripts the bake sends itself (delivery, the Sysprep logs, the pending-reboot reboot, a large script's call)", () => {
    const sent = [
      ...deliveryScripts([{ destination: 'C:\\ProgramData\\winami\\x.txt', content: Buffer.from('x'), sha256: '' }]),
      readSysprepLogsScript(),
      rebootOnceScript('C:\\ProgramData\\winami\\state\\reboot'),
      commandFor({
        path: 'scripts/big.ps1',
        destination: 'C:\\ProgramData\\winami\\scripts\\big.ps1',
        content: Buffer.alloc(50_000, 0x41),
        sha256: '',
        role: 'script',
      }),
    ];
    for (const s of sent) {
      expect(scriptRegions(s).rendered, s.split('\n')[0]).to.equal(true);
      expect(unmodelled(parser, s), s.split('\n')[0]).to.deep.equal([]);
    }
  });
});
