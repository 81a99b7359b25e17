import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { commandFor } from '../../../src/bake/steps/bundle-script.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { renderBundle } from '../../../src/render/bundle.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { renderRunbook, type Runbook, type RunbookStep } from '../../../src/engines/automation.js';
import { imageBuilderRequests, toApiInput, MAX_COMPONENT_CHARS } from '../../../src/engines/imagebuilder.js';
import { enginePlan, type EnginePlan } from '../../../src/engines/plan.js';
import { renderEngine } from '../../../src/engines/export.js';
import { renderPacker } from '../../../src/engines/packer.js';
import { createImageRequest, pathsLeavingBuilder, runbookProblems, runInstancesRequest, successors } from '../../../src/engines/runbook-rules.js';
import { botocoreProblems, cfnLint, packerValidate, packerVersion, type ModelRequest } from './tools.js';

const EXAMPLES = ['windows-2022-base', 'windows-2022-sql-2022-standard', 'windows-2022-monthly'];
/** Examples the Image Builder export takes: not those with an awsComponents step (see imageBuilderRequests). */
const imageBuilderExports = (name: string) => name !== 'windows-2022-monthly';
const load = (name: string) => loadConfig(join(packageRoot(), 'examples', `${name}.yaml`), {});

async function planOf(config: ResolvedConfig): Promise<EnginePlan> {
  return enginePlan(config, await renderBundle(config));
}

/** Each API call a runbook step makes, as a request botocore can check (placeholders are strings, as SSM sends them after substitution). */
function runbookRequests(name: string, doc: Runbook): ModelRequest[] {
  const out: ModelRequest[] = [];
  for (const s of doc.mainSteps) {
    const label = `${name}:${s.name}`;
    const inputs = s.inputs as Record<string, unknown>;
    if (s.action === 'aws:runInstances') out.push({ label, service: 'ec2', operation: 'RunInstances', params: runInstancesRequest(inputs) });
    if (s.action === 'aws:runCommand') out.push({ label, service: 'ssm', operation: 'SendCommand', params: inputs });
    if (s.action === 'aws:createImage') out.push({ label, service: 'ec2', operation: 'CreateImage', params: createImageRequest(inputs) });
    if (s.action === 'aws:createTags') {
      const { ResourceType: _t, ...rest } = inputs;
      out.push({ label, service: 'ec2', operation: 'CreateTags', params: { Resources: rest.ResourceIds, Tags: rest.Tags } });
    }
    if (['aws:executeAwsApi', 'aws:waitForAwsResourceProperty', 'aws:assertAwsResourceProperty'].includes(s.action)) {
      const { Service, Api, PropertySelector: _p, DesiredValues: _d, ...params } = inputs;
      out.push({ label, service: String(Service), operation: String(Api), params });
    }
  }
  return out;
}

describe('engine exports', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'winami-engines-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const example of EXAMPLES) {
    describe(example, () => {
      let config: ResolvedConfig;
      let plan: EnginePlan;
      let runbook: Runbook;
      before(async () => {
        config = load(example);
        plan = await planOf(config);
        runbook = renderRunbook(config, plan);
      });

      it('renders a runbook that follows the Automation rules winami checks, within 64 KB', async () => {
        const docs = await renderEngine(config, 'automation');
        expect(runbookProblems(parse(docs['runbook.yaml']!) as Runbook, docs['runbook.yaml'])).to.deep.equal([]);
        expect(Buffer.byteLength(docs['runbook.yaml']!)).to.be.below(64 * 1024);
      });

      it('terminates the builder on every path: success, failure and cancel of every step', () => {
        expect(pathsLeavingBuilder(runbook)).to.deep.equal([]);
      });

      it('asserts both billing fields and discards a wrong image with its snapshots', () => {
        const byName = new Map(runbook.mainSteps.map((s) => [s.name, s]));
        for (const field of ['PlatformDetails', 'UsageOperation']) {
          const a = byName.get(`Assert${field}`)!;
          expect(a.action).to.equal('aws:assertAwsResourceProperty');
          expect(a.inputs.PropertySelector).to.equal(`$.Images[0].${field}`);
          expect(a.inputs.DesiredValues).to.deep.equal([
            field === 'PlatformDetails' ? config.expectation!.platformDetails : config.expectation!.usageOperation,
          ]);
          expect(a.onFailure).to.equal('step:DiscardImage');
        }
        const discard = byName.get('DiscardImage')!;
        expect(discard.inputs).to.include({ Api: 'DeregisterImage', DeleteAssociatedSnapshots: true });
        expect(successors(runbook, discard).find((x) => x.outcome === 'success')!.next).to.equal('TerminateBuilderAfterFailure');
        expect(runbook.outputs[0]).to.equal('CreateImage.ImageId');
      });

      it("runs every customize step of the plan with the command text the local bake sends, in order, and AWS's documents between two reports", async () => {
        const bundle = await renderBundle(config);
        const scripted = bundle.plan.customize.filter((s) => s.script);
        // What the bake runs, in order: each step's script; for awsComponents its documents, then the script again.
        const expected = scripted.flatMap((s) => {
          const script = {
            DocumentName: 'AWS-RunPowerShellScript',
            command: commandFor(bundle.files.find((f) => f.path === s.script)!).replace(/\r\n/g, '\n'),
          };
          return s.documents?.length ? [script, ...s.documents.map((d) => ({ DocumentName: d.documentName, parameters: d.parameters })), script] : [script];
        });
        const run = runbook.mainSteps
          .filter((s) => s.name.startsWith('Customize'))
          .map((s) =>
            s.inputs.DocumentName === 'AWS-RunPowerShellScript'
              ? { DocumentName: 'AWS-RunPowerShellScript', command: (s.inputs.Parameters as { commands: string[] }).commands[0] }
              : { DocumentName: s.inputs.DocumentName, parameters: s.inputs.Parameters },
          );
        expect(run).to.deep.equal(expected);
        if (example === 'windows-2022-monthly') expect(run.filter((r) => r.DocumentName !== 'AWS-RunPowerShellScript')).to.have.length(5);
      });

      it('sends only requests botocore accepts (SSM, EC2, Image Builder), limits included', async function () {
        const requests: ModelRequest[] = [
          ...runbookRequests(example, runbook),
          {
            label: `${example}:CreateDocument`,
            service: 'ssm',
            operation: 'CreateDocument',
            params: { Name: `winami-${config.name}`, Content: stringify(runbook), DocumentType: 'Automation', DocumentFormat: 'YAML' },
          },
          {
            label: `${example}:StartAutomationExecution`,
            service: 'ssm',
            operation: 'StartAutomationExecution',
            params: { DocumentName: `winami-${config.name}`, Parameters: { AutomationAssumeRole: ['arn:aws:iam::111122223333:role/winami-runbook'] } },
          },
          ...(imageBuilderExports(example) ? imageBuilderRequests(config, plan) : []).map((r) => ({
            label: `${example}:${r.logicalId}`,
            service: 'imagebuilder',
            operation: r.operation,
            params: { ...toApiInput(r.input, config.region, '111122223333'), clientToken: 'winami-test-token-0001' },
          })),
        ];
        const problems = botocoreProblems(requests);
        if (!problems) return this.skip();
        expect(Object.keys(problems)).to.have.length(requests.length);
        expect(Object.entries(problems).filter(([, p]) => p.length)).to.deep.equal([]);
      });

      it('passes cfn-lint: the Automation and the Image Builder templates', async function () {
        for (const engine of imageBuilderExports(example) ? (['automation', 'imagebuilder'] as const) : (['automation'] as const)) {
          const path = join(dir, `${example}-${engine}.yaml`);
          writeFileSync(path, (await renderEngine(config, engine))['template.yaml']!);
          const findings = cfnLint(path);
          if (findings === undefined) {
            console.log('      (skipped: cfn-lint is not on PATH)');
            return this.skip();
          }
          expect(findings, `${engine} template`).to.equal('');
        }
      });

      it('keeps every Image Builder component within the inline limit, the bake sealed by Image Builder', function () {
        if (!imageBuilderExports(example)) {
          // awsComponents needs SSM documents, which Image Builder components cannot run: refused, not half exported.
          expect(() => imageBuilderRequests(config, plan)).to.throw(/cannot run AWS-ConfigureAWSPackage or AWS-UpdateSSMAgent/);
          return;
        }
        const reqs = imageBuilderRequests(config, plan);
        const components = reqs.filter((r) => r.operation === 'CreateComponent');
        for (const c of components) expect((c.input.data as string).length).to.be.at.most(MAX_COMPONENT_CHARS);
        const commands = components.flatMap((c) =>
          (parse(c.input.data as string) as { phases: { steps: { inputs: { commands?: string[] } }[] }[] }).phases.flatMap((p) =>
            p.steps.flatMap((st) => st.inputs.commands ?? []),
          ),
        );
        const run = (path: string) => commands.some((c) => c.includes(`& '${path}'`));
        expect(run('C:\\ProgramData\\winami\\scripts\\check-ready.ps1'), 'the readiness check runs').to.equal(true);
        expect(
          commands.some((c) => c === plan.sysprep || c.includes("Start-ScheduledTask -TaskName 'winami-sysprep'")),
          "Image Builder seals: no component runs the bake's Sysprep",
        ).to.equal(false);
        expect(plan.sysprep).to.include("Start-ScheduledTask -TaskName 'winami-sysprep'");
        expect(commands.join('\n')).to.include(`$usage = '${config.expectation!.usageOperation}'`);
      });

      it('writes a Packer file packer validates (where a packer binary exists)', async function () {
        const version = packerVersion();
        if (!version) {
          console.log('      (skipped: no packer binary on PATH)');
          return this.skip();
        }
        let text = (await renderEngine(config, 'packer'))['build.pkr.hcl']!;
        const [major, minor] = version.split('.').map(Number) as [number, number];
        if (major === 1 && minor < 7) {
          // Packer before 1.7 has no required_plugins, no data sources and an amazon-ebs without deprecate_at:
          // those three are taken out and the rest is validated.
          console.log(`      (packer ${version}: required_plugins, data sources and deprecate_at removed before validating)`);
          text = text
            .replace(/packer \{\n {2}required_plugins \{[\s\S]*?\n {2}\}\n\}\n/, '')
            .replace(/data "amazon-parameterstore" "source" \{[\s\S]*?\n\}\n/, '')
            .replace('data.amazon-parameterstore.source.value', '"ami-0123456789abcdef0"')
            .replace(/^ {2}deprecate_at = .*$/m, '');
        }
        const file = `${example}.pkr.hcl`;
        writeFileSync(join(dir, file), text);
        const r = packerValidate(dir, file);
        expect(r.output).to.not.match(/Error/);
        expect(r.status, r.output).to.equal(0);
      });
    });
  }

  describe('checks that can fail', () => {
    let runbook: Runbook;
    before(async () => {
      const config = load('windows-2022-base');
      runbook = renderRunbook(config, await planOf(config));
    });
    const edit = (f: (steps: RunbookStep[]) => void): Runbook => {
      const copy = JSON.parse(JSON.stringify(runbook)) as Runbook;
      f(copy.mainSteps);
      return copy;
    };

    it('finds a path that leaves the builder running when a step aborts', () => {
      const broken = edit((steps) => {
        steps.find((s) => s.name === 'CheckReadyToSeal')!.onFailure = 'Abort';
      });
      expect(pathsLeavingBuilder(broken)).to.deep.include([
        'LaunchBuilder:success',
        'WaitForSsmOnline:success',
        'DeliverBundle1:success',
        ...pathTo(broken, 'CheckReadyToSeal'),
        'CheckReadyToSeal:failure',
      ]);
    });

    it('refuses unknown actions, duplicate names, missing targets, onCancel on createImage and an oversized document', () => {
      const broken = edit((steps) => {
        steps[1]!.action = 'aws:sleep';
        steps[2]!.name = steps[3]!.name;
        steps[4]!.onFailure = 'step:Nowhere';
        steps.find((s) => s.action === 'aws:createImage')!.onCancel = 'Abort';
      });
      const problems = runbookProblems(broken, 'x'.repeat(64 * 1024 + 1));
      expect(problems.join('\n'))
        .to.match(/aws:sleep is not one winami models/)
        .and.match(/used twice/)
        .and.match(/Nowhere does not exist/)
        .and.match(/does not support onCancel/)
        .and.match(/at most 65536/);
    });

    it('botocore reports a component over the inline limit', function () {
      const problems = botocoreProblems([
        {
          label: 'big',
          service: 'imagebuilder',
          operation: 'CreateComponent',
          params: {
            name: 'x',
            semanticVersion: '1.0.0',
            platform: 'Windows',
            clientToken: 'winami-test-token-0001',
            data: 'x'.repeat(MAX_COMPONENT_CHARS + 1),
          },
        },
      ]);
      if (!problems) return this.skip();
      expect(problems.big!.join('\n')).to.match(/exceeds max 16000/);
    });

    it('cfn-lint reports a template with an unknown property', function () {
      const path = join(dir, 'bad.yaml');
      writeFileSync(
        path,
        stringify({
          AWSTemplateFormatVersion: '2010-09-09',
          Resources: { Doc: { Type: 'AWS::SSM::Document', Properties: { Content: {}, DocumentType: 'Automation', Bogus: 1 } } },
        }),
      );
      const findings = cfnLint(path);
      if (findings === undefined) return this.skip();
      expect(findings).to.match(/Bogus/);
    });
  });

  it('reads ssm: secrets on the builder before the customize steps, and refuses env: secrets it has no process to store', async () => {
    const config = load('windows-2016-ec2launch-v2');
    const runbook = renderRunbook(config, await planOf(config));
    const names = runbook.mainSteps.map((s) => s.name);
    expect(names.indexOf('ResolveSecrets')).to.be.within(names.indexOf('VerifyBundle') + 1, names.findIndex((n) => n.startsWith('Customize')) - 1);
    const bundle = await renderBundle(config);
    const resolve = runbook.mainSteps.find((s) => s.name === 'ResolveSecrets')!;
    expect((resolve.inputs.Parameters as { commands: string[] }).commands[0]).to.equal(
      commandFor(bundle.files.find((f) => f.path === 'scripts/resolve-secrets.ps1')!).replace(/\r\n/g, '\n'),
    );
    const envDir = mkdtempSync(join(tmpdir(), 'winami-engines-env-'));
    const envConfig = join(envDir, 'env.yaml');
    writeFileSync(
      envConfig,
      [
        'name: env-secret',
        'region: us-east-1',
        'windows:',
        '  release: "2022"',
        'builder:',
        '  instanceProfile: winami-builder',
        'windowsSettings:',
        '  administrator:',
        '    password:',
        '      static: env:WINAMI_TEST_PASSWORD',
        '',
      ].join('\n'),
    );
    try {
      const c = loadConfig(envConfig, {});
      let error: Error | undefined;
      await planOf(c).catch((e: Error) => (error = e));
      expect(error?.message).to.match(/only use secrets the builder reads from SSM/);
    } finally {
      rmSync(envDir, { recursive: true, force: true });
    }
  });

  it("carries hostile text in tags and descriptions safely into every engine, the image-name placeholders filled with the engine's own", async function () {
    const hostileDir = mkdtempSync(join(tmpdir(), 'winami-engines-hostile-'));
    const value = `it's "q" \${x} %{y} \\ {{release}}-{{buildId}}`;
    const path = join(hostileDir, 'image.yaml');
    writeFileSync(
      path,
      stringify({
        name: 'hostile',
        region: 'us-east-1',
        windows: { release: '2022' },
        source: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' },
        builder: { instanceProfile: 'winami-builder' },
        image: { description: `a "quoted" it's \${x}`, tags: { team: value }, regions: [{ region: 'eu-west-1' }], deprecateAfter: '30d' },
      }),
    );
    try {
      const config = loadConfig(path, {});
      const docs = await renderEngine(config, 'automation');
      const runbook = parse(docs['runbook.yaml']!) as Runbook;
      expect(runbookProblems(runbook, docs['runbook.yaml'])).to.deep.equal([]);
      const tags = runbook.mainSteps.find((st) => st.name === 'TagImage')!.inputs.Tags as { Key: string; Value: string }[];
      expect(tags.find((t) => t.Key === 'team')!.Value).to.equal(`it's "q" \${x} %{y} \\ 2022-{{ BuildId }}`);
      const ib = imageBuilderRequests(config, await planOf(config)).find((r) => r.operation === 'CreateDistributionConfiguration')!;
      const dist = (ib.input.distributions as { amiDistributionConfiguration: { amiTags: Record<string, string>; description: string } }[])[0]!
        .amiDistributionConfiguration;
      expect(dist.amiTags.team).to.equal(`it's "q" \${x} %{y} \\ 2022-{{imagebuilder:buildVersion}}`);
      expect(dist.description).to.equal(`a "quoted" it's \${x}`);
      const version = packerVersion();
      if (!version) return;
      let text = (await renderEngine(config, 'packer'))['build.pkr.hcl']!;
      expect(text).to.include('"it\'s \\"q\\" $${x} %%{y} \\\\ 2022-${uuidv4()}"');
      if (version.startsWith('1.6.')) {
        text = text
          .replace(/packer \{\n {2}required_plugins \{[\s\S]*?\n {2}\}\n\}\n/, '')
          .replace(/data "amazon-parameterstore" "source" \{[\s\S]*?\n\}\n/, '')
          .replace('data.amazon-parameterstore.source.value', '"ami-0123456789abcdef0"')
          .replace(/^ {2}deprecate_at = .*$/m, '');
      }
      writeFileSync(join(hostileDir, 'h.pkr.hcl'), text);
      const r = packerValidate(hostileDir, 'h.pkr.hcl');
      expect(r.status, r.output).to.equal(0);
    } finally {
      rmSync(hostileDir, { recursive: true, force: true });
    }
  });

  it('versions Image Builder components and the recipe by content: unchanged config, same versions; a changed step, new ones', async () => {
    const config = load('windows-2022-base');
    const versions = async (c: ResolvedConfig) =>
      Object.fromEntries(
        imageBuilderRequests(c, await planOf(c))
          .filter((r) => r.input.semanticVersion)
          .map((r) => [r.logicalId, r.input.semanticVersion as string]),
      );
    const first = await versions(config);
    expect(await versions(load('windows-2022-base'))).to.deep.equal(first);
    const changed = {
      ...config,
      customize: config.customize.map((st, i) => (i === 2 ? { ...st, powershell: "Write-Output 'changed'" } : st)),
    } as ResolvedConfig;
    const second = await versions(changed);
    expect(second.Recipe).to.not.equal(first.Recipe);
    expect(Object.keys(second).filter((k) => k.includes('Build') && second[k] !== first[k])).to.not.be.empty;
    expect(
      Object.keys(second)
        .filter((k) => k.includes('Test'))
        .every((k) => second[k] === first[k]),
    ).to.equal(true);
  });

  it("Packer runs AWS's documents from the machine running Packer, on the builder Packer launched, between two version reports", async () => {
    const config = load('windows-2022-monthly');
    const plan = await planOf(config);
    const text = renderPacker(config, plan);
    const report = text.indexOf('# customize: AWS drivers and agents\"');
    const after = text.indexOf("# customize: AWS drivers and agents: versions after AWS's documents");
    const documents = [
      ...text.matchAll(/provisioner "shell-local" \{\n {4}environment_vars = \["WINAMI_INSTANCE_ID=\$\{build\.ID\}", "WINAMI_REGION=us-east-1"\]/g),
    ].map((m) => m.index!);
    expect(documents).to.have.length(5);
    for (const at of documents) expect(at).to.be.within(report, after);
    expect(text.indexOf('# customize: Patch Tuesday')).to.be.greaterThan(after);
    expect(text).to.contain(`--document-name 'AWS-UpdateSSMAgent' --parameters '{\\"allowDowngrade\\":[\\"false\\"]}'`);
    const { instanceProfile: _p, ...builder } = config.builder;
    expect(() => renderPacker({ ...config, builder } as ResolvedConfig, plan)).to.throw(/needs the builder to be managed by SSM/);
  });

  it('renders a customize step of any kind from its metadata alone (a new kind needs no engine change)', async () => {
    const config = load('windows-2022-base');
    const bundle = await renderBundle(config);
    const last = bundle.plan.customize.at(-1)!;
    const content = Buffer.from("Write-Output 'a future step kind'", 'utf8');
    bundle.files.push({
      path: 'scripts/customize/99-future.ps1',
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      role: 'customize',
      destination: 'C:\\ProgramData\\winami\\scripts\\customize\\99-future.ps1',
    });
    bundle.plan.customize.push({
      ...last,
      index: last.index + 1,
      name: 'future kind',
      kind: 'futureKind' as never,
      script: 'scripts/customize/99-future.ps1',
      scriptDestination: 'C:\\ProgramData\\winami\\scripts\\customize\\99-future.ps1',
    });
    const plan = enginePlan(config, bundle);
    const runbook = renderRunbook(config, plan);
    const step = runbook.mainSteps.find((s) => s.name.endsWith('FutureKind'))!;
    expect((step.inputs.Parameters as { commands: string[] }).commands[0]).to.equal("Write-Output 'a future step kind'");
    expect(runbook.mainSteps.find((s) => s.name === 'VerifyBundle')!.inputs.Parameters).to.satisfy((p: { commands: string[] }) =>
      p.commands[0]!.includes('99-future.ps1'),
    );
    expect(imageBuilderRequests(config, plan).some((r) => String(r.input.data ?? '').includes('a future step kind'))).to.equal(true);
    expect(readFileSync(join(packageRoot(), 'examples', 'windows-2022-base.yaml'), 'utf8')).to.include('customize');
  });
});

/** The success path's step names from after DeliverBundle1 up to (not including) `target`. */
function pathTo(doc: Runbook, target: string): string[] {
  const names = doc.mainSteps.map((s) => s.name);
  return names.slice(names.indexOf('DeliverBundle1') + 1, names.indexOf(target)).map((n) => `${n}:success`);
}
