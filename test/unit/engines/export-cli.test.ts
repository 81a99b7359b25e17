import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../../src/util/package-root.js';

const root = packageRoot();
const main = join(root, 'dist', 'src', 'cli', 'main.js');

function winami(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('winami export and iam-policy --engine (CLI)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'winami-export-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes runbook.yaml and template.yaml for automation, the template holding the same runbook', async () => {
    const out = join(dir, 'automation');
    const r = await winami(['export', 'automation', 'examples/windows-2022-base.yaml', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    const runbook = parse(readFileSync(join(out, 'runbook.yaml'), 'utf8')) as { schemaVersion: string; mainSteps: { name: string }[] };
    const template = parse(readFileSync(join(out, 'template.yaml'), 'utf8')) as { Resources: { Runbook: { Properties: { Content: unknown } } } };
    expect(runbook.schemaVersion).to.equal('0.3');
    expect(template.Resources.Runbook.Properties.Content).to.deep.equal(runbook);
  });

  it('writes the Image Builder template and the Packer file', async () => {
    for (const [engine, file] of [
      ['imagebuilder', 'template.yaml'],
      ['packer', 'build.pkr.hcl'],
    ] as const) {
      const out = join(dir, engine);
      const r = await winami(['export', engine, 'examples/windows-2022-sql-2022-standard.yaml', '--out', out, '--json']);
      expect(r.code, r.stderr).to.equal(0);
      expect((JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { files: { path: string }[] }).files.map((f) => f.path)).to.deep.equal([file]);
      expect(readFileSync(join(out, file), 'utf8')).to.include('RunInstances:0006');
    }
  });

  it('refuses an unknown engine as a usage error', async () => {
    const r = await winami(['export', 'terraform', 'examples/windows-2022-base.yaml', '--out', join(dir, 'x')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/terraform/);
  });

  it('refuses an Image Builder export of a source it cannot use as a parent image, naming the field', async () => {
    const cfg = join(dir, 'filter.yaml');
    writeFileSync(
      cfg,
      [
        'name: filter-source',
        'region: us-east-1',
        'windows:',
        '  release: "2022"',
        'source:',
        '  filter:',
        '    name: "Windows_Server-2022-English-Full-Base-*"',
        '    owners: [amazon]',
        'builder:',
        '  instanceProfile: winami-builder',
        '',
      ].join('\n'),
    );
    const r = await winami(['export', 'imagebuilder', cfg, '--out', join(dir, 'f')]);
    expect(r.code, r.stderr).to.equal(4);
    expect(r.stderr).to.match(/source/);
  });

  it('prints the runbook role, derived from the bake steps, and the caller policy with --engine automation', async () => {
    const r = await winami(['iam-policy', 'examples/windows-2022-base.yaml', '--engine', 'automation']);
    expect(r.code, r.stderr).to.equal(0);
    const p = JSON.parse(r.stdout) as { caller: { Statement: { Action: string[] }[] }; runbookRole: { policy: { Statement: { Action: string[] }[] } } };
    const role = p.runbookRole.policy.Statement.flatMap((s) => s.Action);
    expect(role).to.include.members([
      'ec2:RunInstances',
      'ec2:CreateImage',
      'ec2:DeregisterImage',
      'ssm:SendCommand',
      'ec2:TerminateInstances',
      'ssm:ListCommandInvocations',
    ]);
    expect(p.caller.Statement.flatMap((s) => s.Action)).to.include.members(['ssm:StartAutomationExecution', 'ssm:StopAutomationExecution', 'iam:PassRole']);
  });
});
