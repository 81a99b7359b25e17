/**
 * Every rendered answer file against the default answer file AWS ships with
 * its launch agent, setting by setting: each difference must be listed, with
 * its reason, in docs/answer-files.md, and each listed row must still be
 * needed by some example.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_DEFAULT_ANSWER_FILES } from '../../../src/knowledge/agents/aws-answer-files.js';
import type { LaunchAgent } from '../../../src/knowledge/releases.js';
import { renderAnswerFiles, type FileTree } from '../../../src/render/answer-files.js';
import { parityDifferences, parseReviewedTable, reviewFor, type ParityDifference, type ReviewedDifference } from './aws-parity.js';
import { packageRoot } from '../../../src/util/package-root.js';

const root = packageRoot();
const doc = readFileSync(join(root, 'docs/answer-files.md'), 'utf8');

function examples(tree: FileTree): { name: string; agent: LaunchAgent; unattend: string }[] {
  const names = [...new Set([...tree.keys()].map((p) => p.split('/')[0]!))].sort();
  return names.map((name) => {
    const plan = JSON.parse(tree.get(`${name}/plan.json`)!.toString('utf8')) as { launchAgent: LaunchAgent };
    return { name, agent: plan.launchAgent, unattend: tree.get(`${name}/unattend.xml`)!.toString('utf8') };
  });
}

const show = (d: ParityDifference) =>
  `${d.agent} ${d.kind} ${d.pass} / ${d.component} / ${d.path} (AWS ${JSON.stringify(d.aws)}, winami ${JSON.stringify(d.winami)})`;

describe("answer files against AWS's default answer files", function () {
  this.timeout(60_000);
  let rendered: ReturnType<typeof examples>;
  let table: ReviewedDifference[];

  before(async () => {
    rendered = examples(await renderAnswerFiles(join(root, 'examples')));
    table = parseReviewedTable(doc);
  });

  it('covers every agent with at least one example', () => {
    expect(new Set(rendered.map((e) => e.agent))).to.deep.equal(new Set(Object.keys(AWS_DEFAULT_ANSWER_FILES)));
  });

  it('lists every difference in docs/answer-files.md with its reason', () => {
    const unlisted = rendered.flatMap((e) =>
      parityDifferences(e.unattend, e.agent)
        .filter((d) => !reviewFor(d, table))
        .map((d) => `${e.name}: ${show(d)}`),
    );
    expect(unlisted, `unreviewed differences from AWS's default answer file:\n${unlisted.join('\n')}`).to.deep.equal([]);
  });

  it('has no reviewed row that no example needs', () => {
    const used = new Set<ReviewedDifference>();
    for (const e of rendered) for (const d of parityDifferences(e.unattend, e.agent)) used.add(reviewFor(d, table)!);
    const stale = table.filter((r) => !used.has(r)).map((r) => `docs/answer-files.md:${r.line} ${r.agent} ${r.kind} ${r.component} ${r.setting}`);
    expect(stale, 'stale rows').to.deep.equal([]);
  });

  it('keeps the password randomisation of each agent ahead of the command that opens Remote Desktop', () => {
    for (const e of rendered) {
      const run = (order: number) => new RegExp(`<Order>${order}</Order>\\s*<Path>([^<]*)</Path>`).exec(e.unattend)?.[1] ?? '';
      const randomAt = [1, 2, 3, 4].find((o) => /Randomize-LocalAdminPassword|ScramblePassword|SetPassword|RandomNumberGenerator/.test(run(o)));
      const rdpAt = [1, 2, 3, 4, 5].find((o) => /fDenyTSConnections/.test(run(o)));
      expect(randomAt, `${e.name}: no password randomisation`).to.be.a('number');
      if (rdpAt !== undefined) expect(randomAt!, e.name).to.be.lessThan(rdpAt);
      if (e.agent === 'ec2launch-v1') expect(randomAt, `${e.name}: SysprepInstance.ps1 fills only an empty order 1`).to.equal(1);
    }
  });

  describe('the comparison itself', () => {
    const v1 = () => rendered.find((e) => e.agent === 'ec2launch-v1')!;

    it('reports the v1 randomisation replaced at order 1, as the unreviewed change it is', () => {
      const broken = v1().unattend.replace(/<Path>[^<]*Randomize-LocalAdminPassword[^<]*<\/Path>/, '<Path>net user Administrator /ACTIVE:YES</Path>');
      const diffs = parityDifferences(broken, 'ec2launch-v1').filter((d) => !reviewFor(d, table));
      expect(diffs.map(show)).to.deep.equal([
        show({
          agent: 'ec2launch-v1',
          kind: 'changed',
          pass: 'specialize',
          component: 'Microsoft-Windows-Deployment',
          path: 'RunSynchronous/RunSynchronousCommand[1]/Path',
          aws: '/Randomize-LocalAdminPassword\\.ps1\'? (?:Administrator|\\$a\\.Name|\\$a)"?$/',
          winami: 'net user Administrator /ACTIVE:YES',
        }),
      ]);
    });

    it('reports a dropped firewall group and Defender id where the config did not ask for it', () => {
      const broken = v1()
        .unattend.replace(/<component name="Networking-MPSSVC-Svc"[\s\S]*?<\/component>\s*/, '')
        .replace(/<component name="Security-Malware-Windows-Defender"[\s\S]*?<\/component>\s*/, '');
      const kinds = parityDifferences(broken, 'ec2launch-v1')
        .filter((d) => !reviewFor(d, table))
        .map((d) => `${d.kind} ${d.component} ${d.path}`);
      expect(kinds).to.have.members([
        'missing Networking-MPSSVC-Svc FirewallGroups/FirewallGroup[RemoteDesktop]/Active',
        'missing Networking-MPSSVC-Svc FirewallGroups/FirewallGroup[RemoteDesktop]/Group',
        'missing Networking-MPSSVC-Svc FirewallGroups/FirewallGroup[RemoteDesktop]/Profile',
        'missing Security-Malware-Windows-Defender TrustedImageIdentifier',
      ]);
    });

    it('reports a locale forced in specialize on EC2Launch v1 and filled locale values in oobeSystem', () => {
      const broken = v1().unattend.replace('<InputLocale></InputLocale>', '<InputLocale>en-US</InputLocale>');
      const diffs = parityDifferences(broken, 'ec2launch-v1').filter((d) => !reviewFor(d, table));
      expect(diffs.map((d) => `${d.kind} ${d.path} ${d.winami}`)).to.deep.equal(['changed InputLocale en-US']);
    });

    it('refuses a reviewed table whose rows lack a reason', () => {
      expect(() =>
        parseReviewedTable('## Reviewed differences\n| agent | kind | pass | component | setting | why |\n| --- |\n| all | added | specialize | X | Y |  |\n'),
      ).to.throw(/line 4/);
    });
  });
});
