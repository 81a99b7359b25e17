/**
 * What the HTML report tells an auditor to do: every rule has a remedy with
 * docs, and the fix commands carry hostile values (quotes, backticks, `$()`,
 * `<script>`) quoted so that bash parses back exactly the value and runs
 * nothing; malformed ids get no command at all.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleMetadata } from '../../../src/audit/pack.js';
import { fixCommands, RULE_REMEDIES, shellQuote } from '../../../src/audit/remedy.js';
import { formatHtml } from '../../../src/audit/format/html.js';
import { totalsOf, type AuditResult } from '../../../src/audit/result.js';
import type { Finding } from '../../../src/audit/types.js';

const dir = mkdtempSync(join(tmpdir(), 'winami-remedy-'));
const CANARY = join(dir, 'ran');
const HOSTILE = [
  `<script>alert("x")</script>`,
  `it's "quoted"`,
  '`touch ' + CANARY + '`',
  `$(touch ${CANARY})`,
  `a b\\c;d|e&f>g`,
  '-rf',
  '',
  'ünïcødé 🚀 ${HOME} !! *',
];

/** The words bash makes of a command line, without running anything but printf. */
function bashWords(line: string): string[] {
  const r = spawnSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout.split('\0').slice(0, -1);
}

const image = (over: Partial<Finding> = {}): Finding => ({
  ruleId: 'unencrypted-snapshot',
  severity: 'warning',
  title: 'Unencrypted image snapshot',
  account: '111111111111',
  region: 'us-east-1',
  resourceType: 'image',
  resourceId: 'ami-0123456789abcdef0',
  message: 'snapshot snap-1 at /dev/sda1 is not encrypted',
  evidence: { name: 'golden' },
  time: '2025-06-01T00:00:00.000Z',
  ...over,
});

describe('audit remedies and fix commands', () => {
  it('every rule of the pack, and rule-failed, has a fix and https docs', () => {
    for (const r of ruleMetadata()) {
      const remedy = RULE_REMEDIES[r.id];
      expect(remedy, r.id).to.not.equal(undefined);
      expect(remedy!.fix.length, r.id).to.be.greaterThan(20);
      expect(remedy!.docs.length, r.id).to.be.greaterThan(0);
      for (const d of remedy!.docs) expect(d.url, r.id).to.match(/^https:\/\/(docs\.aws\.amazon\.com|github\.com\/winami\/winami)\//);
    }
  });

  it('shellQuote gives bash back each hostile value exactly and runs nothing', () => {
    const words = bashWords(HOSTILE.map(shellQuote).join(' '));
    expect(words).to.deep.equal(HOSTILE);
    expect(existsSync(CANARY)).to.equal(false);
    expect(shellQuote('ami-0123456789abcdef0')).to.equal('ami-0123456789abcdef0');
    expect(shellQuote('us-east-1=alias/aws/ebs')).to.equal('us-east-1=alias/aws/ebs');
  });

  it('each rule gets the winami (or AWS CLI) command that fits it', () => {
    const cmd = (over: Partial<Finding>) => fixCommands(image(over));
    expect(cmd({ ruleId: 'billing-fields-empty' })).to.deep.equal(['winami discard ami-0123456789abcdef0 --region us-east-1']);
    expect(cmd({ ruleId: 'windows-billed-as-linux', region: 'eu-west-1' })).to.deep.equal(['winami discard ami-0123456789abcdef0 --region eu-west-1']);
    expect(cmd({})).to.deep.equal([
      'winami copy ami-0123456789abcdef0 --region us-east-1 --to us-east-1=alias/aws/ebs --name=golden-encrypted',
      'winami discard ami-0123456789abcdef0 --region us-east-1',
    ]);
    expect(cmd({ ruleId: 'orphaned-snapshot', resourceType: 'snapshot', resourceId: 'snap-0123456789abcdef0' })).to.deep.equal([
      'aws ec2 delete-snapshot --snapshot-id snap-0123456789abcdef0 --region us-east-1',
    ]);
    expect(cmd({ ruleId: 'unapproved-image', resourceType: 'instance', resourceId: 'i-0123456789abcdef0' })).to.deep.equal([
      'aws ec2 terminate-instances --instance-ids i-0123456789abcdef0 --region us-east-1',
    ]);
    for (const ruleId of ['deprecated-image-in-use', 'image-inventory-stale', 'rule-failed']) expect(cmd({ ruleId }), ruleId).to.deep.equal([]);
  });

  it('a hostile image name reaches the copy command quoted: bash parses back the exact name', () => {
    for (const name of HOSTILE.filter(Boolean)) {
      const [copy] = fixCommands(image({ evidence: { name } }));
      const words = bashWords(copy!.replace(/^winami /, ''));
      expect(words).to.deep.equal(['copy', 'ami-0123456789abcdef0', '--region', 'us-east-1', '--to', 'us-east-1=alias/aws/ebs', `--name=${name}-encrypted`]);
    }
    expect(existsSync(CANARY)).to.equal(false);
    const long = fixCommands(image({ evidence: { name: 'n'.repeat(128) } }))[0]!;
    expect(/--name=(\S+)/.exec(long)![1]).to.have.length(128);
  });

  it('malformed ids or regions, and control characters, get no command', () => {
    for (const over of [
      { resourceId: 'ami-0123456789abcdef0; rm -rf /' },
      { resourceId: '$(reboot)' },
      { resourceId: '(no image id)' },
      { region: 'us-east-1$(id)' },
      { region: '' },
      { evidence: { name: 'a\u001b[2Jb' } },
      { evidence: { name: 'a\u202eb' } },
      { evidence: { name: 'a\nb' } },
    ] as Partial<Finding>[])
      expect(fixCommands(image(over)), JSON.stringify(over)).to.deep.equal([]);
  });

  it('the HTML report shows each command HTML-escaped, so the page shows what bash would get', () => {
    const name = HOSTILE.slice(0, 3).join(' ');
    const f = image({ evidence: { name } });
    const result: AuditResult = {
      startedAt: 'a',
      finishedAt: 'b',
      accounts: ['111111111111'],
      regions: ['us-east-1'],
      scanned: { images: 1, snapshots: 1, instances: 0 },
      findings: [f],
      totals: totalsOf([f]),
      failures: [],
      coverage: { scopes: 1, audited: 1 },
      partial: false,
      rules: ruleMetadata(),
    };
    const html = formatHtml(result);
    expect(html).to.not.contain('<script>');
    const shown = [...html.matchAll(/<code class="fix">([^<]*)<\/code>/g)].map((m) =>
      m[1]!.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!),
    );
    expect(shown).to.deep.equal(fixCommands(f));
    expect(bashWords(shown[0]!.replace(/^winami /, '')).at(-1)).to.equal(`--name=${name}-encrypted`);
    expect(html).to.contain('<span class="name">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });
});
