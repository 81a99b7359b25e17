/**
 * `export automation` with the bundle in S3: the choice between inline and
 * S3, the runbook's Read-S3Object steps and their parameters (a hostile
 * prefix cannot reach PowerShell), the IAM statements scoped to the prefix,
 * and a CloudFormation template over the 51,200-byte TemplateBody limit
 * reported as such (offline: no session is given).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { exportEngine, MAX_TEMPLATE_BODY_BYTES } from '../../../src/engines/export.js';
import { enginePolicies } from '../../../src/engines/iam.js';
import { ValidationError } from '../../../src/errors.js';
import { MemoryReporter } from '../../../src/reporter.js';

function configWith(payloadBytes: number, engine = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'winami-export-s3-'));
  writeFileSync(join(dir, 'payload.bin'), randomBytes(payloadBytes));
  writeFileSync(
    join(dir, 'image.yaml'),
    [
      'name: big',
      'region: eu-west-1',
      'windows:',
      '  release: "2022"',
      'builder:',
      '  instanceProfile: winami-builder',
      'customize:',
      '  - name: payload',
      '    file:',
      '      source: payload.bin',
      '      destination: C:\\Golden\\payload.bin',
      engine,
    ].join('\n'),
  );
  return join(dir, 'image.yaml');
}

describe('export automation: bundle delivery and template size', () => {
  it('delivers a bundle too large for 64 KB from the bucket, with Read-S3Object steps and the objects written beside it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'winami-export-out-'));
    const reporter = new MemoryReporter();
    const r = await exportEngine({ configPath: configWith(80_000), engine: 'automation', outDir: out, bundleBucket: 'my-bundles', reporter });
    expect(r.delivery).to.equal('s3');
    expect(r.bundle).to.include({ bucket: 'my-bundles', uploaded: false });
    expect(r.bundle!.prefix).to.match(/^winami\/big\/[0-9a-f]{16}$/);
    expect(existsSync(join(out, 'bundle', 'files', '01-payload.bin'))).to.equal(true);
    const runbook = parse(readFileSync(join(out, 'runbook.yaml'), 'utf8'));
    expect(runbook.parameters.BundleBucket).to.include({ default: 'my-bundles' });
    expect(runbook.parameters.BundlePrefix.default).to.equal(r.bundle!.prefix);
    const deliver = runbook.mainSteps.find((s: { name: string }) => s.name === 'DeliverBundle1');
    expect(deliver.inputs.Parameters.commands[0]).to.include(
      "Read-S3Object -BucketName '{{ BundleBucket }}' -Key '{{ BundlePrefix }}/files/01-payload.bin' -File 'C:\\Golden\\payload.bin' -Region 'eu-west-1'",
    );
    expect(Buffer.byteLength(readFileSync(join(out, 'runbook.yaml')))).to.be.below(20_000);
    expect(reporter.events.map((e) => e.code)).to.include('export.upload-skipped');
    // The prefix is a parameter: its pattern admits no quote, so no value can leave the single-quoted string.
    const pattern = new RegExp(runbook.parameters.BundlePrefix.allowedPattern);
    for (const hostile of ["x'; Remove-Item C:\\ -Recurse; '", 'a/{{ BuildId }}', 'a b', '$(whoami)']) expect(pattern.test(hostile), hostile).to.equal(false);
    expect(pattern.test('winami/big/20261203t120000-abcdef')).to.equal(true);
  });

  it('keeps a small bundle inline, and refuses a large one without a bucket naming the limit and the option', async () => {
    const small = await exportEngine({
      configPath: configWith(100),
      engine: 'automation',
      outDir: mkdtempSync(join(tmpdir(), 'winami-x-')),
      bundleBucket: 'my-bundles',
    });
    expect(small.delivery).to.equal('inline');
    expect(small.bundle).to.equal(undefined);
    const out = mkdtempSync(join(tmpdir(), 'winami-x-'));
    const err = await exportEngine({ configPath: configWith(80_000), engine: 'automation', outDir: out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).message).to.match(/is \d+ bytes .* at most 65536 bytes/);
    expect((err as ValidationError).hint).to.include('--bundle-bucket NAME');
    expect(existsSync(join(out, 'runbook.yaml'))).to.equal(false);
    const forced = await exportEngine({
      configPath: configWith(100, 'engine:\n  bundleBucket: cfg-bucket\n  bundleDelivery: s3'),
      engine: 'automation',
      outDir: mkdtempSync(join(tmpdir(), 'winami-x-')),
    });
    expect(forced.delivery).to.equal('s3');
    expect(forced.bundle!.bucket).to.equal('cfg-bucket');
    const inlineOnly = await exportEngine({
      configPath: configWith(80_000, 'engine:\n  bundleBucket: cfg-bucket\n  bundleDelivery: inline'),
      engine: 'automation',
      outDir: mkdtempSync(join(tmpdir(), 'winami-x-')),
    }).then(
      () => undefined,
      (e: unknown) => e as ValidationError,
    );
    expect(inlineOnly?.hint).to.match(/bundleDelivery is inline/);
    // A bucket name reaches PowerShell and YAML: anything but S3's own characters is refused before rendering.
    const hostile = await exportEngine({
      configPath: configWith(80_000),
      engine: 'automation',
      outDir: mkdtempSync(join(tmpdir(), 'winami-x-')),
      bundleBucket: "b'; Remove-Item C:\\ -Recurse; '",
    }).then(
      () => undefined,
      (e: unknown) => e as ValidationError,
    );
    expect(hostile).to.be.instanceOf(ValidationError);
    expect(hostile!.message).to.match(/is not an S3 bucket name/);
  });

  it('reports a template over the 51,200-byte TemplateBody limit: it must be deployed from S3', async () => {
    // A script of about 16 KB that compresses poorly: the runbook (the script inline in its step, and delivered compressed) stays
    // within 64 KB, while the template holding it passes 51,200 bytes.
    const path = configWith(0);
    const text = Array.from({ length: 220 }, () => `Write-Output '${randomBytes(28).toString('hex')}'`).join('\r\n');
    writeFileSync(path.replace('image.yaml', 'long.ps1'), text);
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n  - name: long\n    script: long.ps1\n`);
    const reporter = new MemoryReporter();
    const out = mkdtempSync(join(tmpdir(), 'winami-x-'));
    const r = await exportEngine({ configPath: path, engine: 'automation', outDir: out, reporter });
    const template = r.files.find((f) => f.path === 'template.yaml')!;
    expect(template.bytes).to.be.above(MAX_TEMPLATE_BODY_BYTES);
    expect(r.largeTemplates).to.deep.equal(['template.yaml']);
    const warning = reporter.events.find((e) => e.code === 'export.template-large')!;
    expect(warning.message).to.match(/at most 51200 bytes inline \(TemplateBody\).*TemplateURL from S3/);
  });

  it('adds exactly the S3 actions needed to the policies, scoped to the bucket and the config prefix', () => {
    const config = loadConfig(configWith(10, 'engine:\n  bundleBucket: my-bundles\n  bundlePrefix: team/a'));
    const p = enginePolicies(config, 'automation') as {
      caller: { Statement: { Sid: string; Action: string[]; Resource: string }[] };
      runbookRole: { policy: { Statement: { Action: string[] }[] } };
      builderInstanceProfile: { inline: { Statement: { Sid: string; Action: string[]; Resource: string }[] } };
    };
    const s3 = p.caller.Statement.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3).to.deep.equal([
      { Sid: 'WinamiBundleBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::my-bundles' },
      { Sid: 'WinamiBundleObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::my-bundles/team/a/big/*' },
    ]);
    expect(p.runbookRole.policy.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('s3:'))).to.deep.equal([]);
    expect(p.builderInstanceProfile.inline.Statement.filter((s) => s.Sid === 'ReadBundle')).to.deep.equal([
      { Sid: 'ReadBundle', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::my-bundles/team/a/big/*' },
    ]);
    const none = enginePolicies(loadConfig(configWith(10)), 'automation') as typeof p;
    expect(JSON.stringify(none)).not.to.include('"s3:');
  });
});
