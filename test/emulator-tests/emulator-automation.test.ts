/**
 * SSM Automation in the emulator, through the real SDK client: documents with
 * versions and the schema's rules, and winami's exported runbook executed end
 * to end on the emulator's instances, guest and images (success with a copy
 * and a published parameter, wrong billing discarded, a failing customize
 * step, a cancel), nothing left behind on any failure path.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeAutomationExecutionsCommand,
  DescribeAutomationStepExecutionsCommand,
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  GetDocumentCommand,
  GetParameterCommand,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type AutomationExecution,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { renderEngine } from '../../src/engines/export.js';
import type { Emulator } from '../../emulator/index.js';
import { automationScriptsUnavailable, rejection, sdk, sleep } from './helpers.js';
import { startEmulator } from '../../emulator/index.js';

const ACCOUNT = '111111111111';
const ROLE = ['arn:aws:iam::111111111111:role/winami-runbook'];

async function runbookFor(dir: string, extra: string[] = []): Promise<string> {
  const path = join(dir, `image-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(join(dir, 'step.ps1'), "Set-Content -LiteralPath 'C:\\Golden\\marker.txt' -Value 'golden'\r\nWrite-Output 'customized'\r\n");
  writeFileSync(
    path,
    [
      'name: golden',
      'region: us-east-1',
      'windows:',
      '  release: "2022"',
      'builder:',
      '  instanceProfile: winami-builder',
      'customize:',
      '  - name: marker',
      '    script: step.ps1',
      '  - name: inline',
      '    powershell: "Write-Output \'inline ran\'"',
      'licensing:',
      '  expect: windows',
      ...extra,
      '',
    ].join('\n'),
  );
  return (await renderEngine(loadConfig(path, {}), 'automation'))['runbook.yaml']!;
}

async function finished(ssm: SSMClient, id: string, ms = 60_000): Promise<AutomationExecution> {
  const end = Date.now() + ms;
  for (;;) {
    const e = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
    if (['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(e.AutomationExecutionStatus!)) return e;
    if (Date.now() > end) throw new Error(`execution ${id} still ${e.AutomationExecutionStatus} at ${e.CurrentStepName}`);
    await sleep(50);
  }
}

function left(emu: Emulator): { instances: string[]; images: string[]; snapshots: string[] } {
  const r = emu.control.resources({ account: ACCOUNT });
  return { instances: r.instances.map((i) => `${i.id} ${i.state}`), images: r.images.map((i) => i.id), snapshots: r.snapshots.map((s) => s.id) };
}

describe('emulator: SSM Automation', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let ssm: SSMClient;
  const dir = mkdtempSync(join(tmpdir(), 'winami-automation-'));
  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.002 });
    ssm = sdk(emu).ssm;
  });
  after(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => emu.control.reset());

  describe('documents', () => {
    it('creates, versions, reads, describes and deletes a runbook; identical content is not a new version', async () => {
      const content = await runbookFor(dir);
      const created = await ssm.send(
        new CreateDocumentCommand({ Name: 'winami-golden', Content: content, DocumentType: 'Automation', DocumentFormat: 'YAML' }),
      );
      expect(created.DocumentDescription).to.include({
        DocumentVersion: '1',
        LatestVersion: '1',
        DefaultVersion: '1',
        DocumentType: 'Automation',
        SchemaVersion: '0.3',
      });
      expect(
        (await rejection(ssm.send(new UpdateDocumentCommand({ Name: 'winami-golden', Content: content, DocumentVersion: '$LATEST', DocumentFormat: 'YAML' }))))
          .name,
      ).to.equal('DuplicateDocumentContent');
      const changed = content.replace('winami bake of golden', 'winami bake of golden (v2)');
      const v2 = await ssm.send(new UpdateDocumentCommand({ Name: 'winami-golden', Content: changed, DocumentVersion: '$LATEST', DocumentFormat: 'YAML' }));
      expect(v2.DocumentDescription).to.include({ DocumentVersion: '2', LatestVersion: '2', DefaultVersion: '1' });
      expect((await ssm.send(new GetDocumentCommand({ Name: 'winami-golden' }))).Content).to.equal(content);
      await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'winami-golden', DocumentVersion: '2' }));
      expect((await ssm.send(new DescribeDocumentCommand({ Name: 'winami-golden' }))).Document).to.include({ DefaultVersion: '2', DocumentVersion: '2' });
      expect(
        (await rejection(ssm.send(new CreateDocumentCommand({ Name: 'winami-golden', Content: content, DocumentType: 'Automation', DocumentFormat: 'YAML' }))))
          .name,
      ).to.equal('DocumentAlreadyExists');
      await ssm.send(new DeleteDocumentCommand({ Name: 'winami-golden' }));
      expect((await rejection(ssm.send(new GetDocumentCommand({ Name: 'winami-golden' })))).name).to.equal('InvalidDocument');
    });

    it('refuses an action it does not model, broken step targets, a wrong schema version and a document over 64 KB', async () => {
      const doc = (body: unknown) =>
        ssm.send(new CreateDocumentCommand({ Name: 'winami-bad', Content: JSON.stringify(body), DocumentType: 'Automation', DocumentFormat: 'JSON' }));
      const step = { name: 'Sleep', action: 'aws:sleep', isEnd: true, inputs: { Duration: 'PT1S' } };
      const unknown = await rejection(doc({ schemaVersion: '0.3', mainSteps: [step] }));
      expect(unknown.name).to.equal('InvalidDocumentContent');
      expect(unknown.message).to.match(/aws:sleep/);
      const target = await rejection(
        doc({
          schemaVersion: '0.3',
          mainSteps: [
            { name: 'Tag', action: 'aws:createTags', onFailure: 'step:Nowhere', isEnd: true, inputs: { ResourceType: 'EC2', ResourceIds: ['i-1'], Tags: [] } },
          ],
        }),
      );
      expect(target.message).to.match(/Nowhere does not exist/);
      expect((await rejection(doc({ schemaVersion: '2.2', mainSteps: [] }))).name).to.equal('InvalidDocumentSchemaVersion');
      const big = await rejection(doc({ schemaVersion: '0.3', description: 'x'.repeat(66_000), mainSteps: [] }));
      expect(big.name).to.equal('MaxDocumentSizeExceeded');
    });

    it('refuses unknown parameters and values over 512 characters at start', async () => {
      await ssm.send(new CreateDocumentCommand({ Name: 'winami-params', Content: await runbookFor(dir), DocumentType: 'Automation', DocumentFormat: 'YAML' }));
      const unknown = await rejection(
        ssm.send(new StartAutomationExecutionCommand({ DocumentName: 'winami-params', Parameters: { AutomationAssumeRole: ROLE, Bogus: ['x'] } })),
      );
      expect(unknown.name).to.equal('InvalidAutomationExecutionParametersException');
      const long = await rejection(
        ssm.send(new StartAutomationExecutionCommand({ DocumentName: 'winami-params', Parameters: { AutomationAssumeRole: ['x'.repeat(513)] } })),
      );
      expect(long.name).to.equal('InvalidAutomationExecutionParametersException');
      expect((await rejection(ssm.send(new StartAutomationExecutionCommand({ DocumentName: 'winami-missing' })))).name).to.equal(
        'AutomationDefinitionNotFoundException',
      );
    });
  });

  describe('executions of the exported runbook', () => {
    before(function () {
      const why = automationScriptsUnavailable();
      if (why) {
        console.log(`      skipped: ${why}`);
        this.skip();
      }
    });
    async function start(content: string): Promise<string> {
      const name = `winami-${Math.random().toString(36).slice(2, 10)}`;
      await ssm.send(new CreateDocumentCommand({ Name: name, Content: content, DocumentType: 'Automation', DocumentFormat: 'YAML' }));
      return (await ssm.send(new StartAutomationExecutionCommand({ DocumentName: name, Parameters: { AutomationAssumeRole: ROLE } }))).AutomationExecutionId!;
    }

    it('bakes: the image verified, copied with its own check, the parameter published, the builder terminated', async () => {
      const id = await start(await runbookFor(dir, ['image:', '  regions:', '    - region: eu-west-1', '  publishParameter: /golden/test/latest']));
      const e = await finished(ssm, id);
      expect(e.AutomationExecutionStatus, e.FailureMessage).to.equal('Success');
      const image = e.Outputs!['CreateImage.ImageId']![0]!;
      const copy = e.Outputs!['FinishRegionEuWest1.ImageId']![0]!;
      const r = emu.control.resources({ account: ACCOUNT });
      expect(r.instances).to.deep.equal([]);
      expect(r.images.find((i) => i.id === image)).to.include({ region: 'us-east-1', platformDetails: 'Windows', usageOperation: 'RunInstances:0002' });
      expect(r.images.find((i) => i.id === copy)).to.include({ region: 'eu-west-1', usageOperation: 'RunInstances:0002', sourceImageId: image });
      const published = await sdk(emu, 0, 'eu-west-1').ssm.send(new GetParameterCommand({ Name: '/golden/test/latest' }));
      expect(published.Parameter!.Value).to.equal(copy);
      const steps = (await ssm.send(new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: id }))).StepExecutions!;
      expect(steps.map((s) => s.StepName)).to.include.members(['LaunchBuilder', 'StartSysprep', 'AssertUsageOperation', 'TerminateBuilder']);
      expect(steps.every((s) => s.StepStatus === 'Success')).to.equal(true);
      const listed = await ssm.send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'ExecutionId', Values: [id] }] }));
      expect(listed.AutomationExecutionMetadataList![0]!.AutomationExecutionStatus).to.equal('Success');
    });

    it('discards an image whose billing is wrong, with its snapshots, and fails', async () => {
      emu.control.setImageOutcome({ actions: ['CreateImage'], billing: { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' } });
      const e = await finished(ssm, await start(await runbookFor(dir)));
      expect(e.AutomationExecutionStatus).to.equal('Failed');
      const byName = new Map(e.StepExecutions!.map((s) => [s.StepName, s]));
      expect(byName.get('AssertPlatformDetails')!.StepStatus).to.equal('Failed');
      expect(byName.get('AssertPlatformDetails')!.FailureMessage).to.match(/Windows BYOL/);
      expect(byName.get('DiscardImage')!.StepStatus).to.equal('Success');
      expect(byName.get('TerminateBuilderAfterFailure')!.StepStatus).to.equal('Success');
      expect(left(emu)).to.deep.equal({ instances: [], images: [], snapshots: [] });
    });

    it('fails on a failing customize step, terminating the builder: nothing is left', async () => {
      emu.control.setGuestDefaults({ failCommand: { match: 'C:\\Golden\\marker.txt', exitCode: 5, stdout: 'boom' } });
      const e = await finished(ssm, await start(await runbookFor(dir)));
      expect(e.AutomationExecutionStatus).to.equal('Failed');
      expect(e.FailureMessage).to.match(/Customize01Marker/);
      expect(e.StepExecutions!.map((s) => s.StepName)).to.not.include('CreateImage');
      expect(left(emu)).to.deep.equal({ instances: [], images: [], snapshots: [] });
    });

    it('is cancelled by StopAutomationExecution: the cancel path terminates the builder', async () => {
      const id = await start(await runbookFor(dir));
      for (let i = 0; i < 400; i++) {
        const e = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
        if (e.CurrentStepName?.startsWith('Customize') || e.CurrentStepName === 'VerifyBundle' || e.CurrentStepName?.startsWith('DeliverBundle')) break;
        await sleep(10);
      }
      await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id }));
      expect((await rejection(ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id })))).name).to.equal(
        'InvalidAutomationStatusUpdateException',
      );
      const e = await finished(ssm, id);
      expect(e.AutomationExecutionStatus).to.equal('Cancelled');
      expect(e.StepExecutions!.at(-1)!.StepName).to.equal('TerminateBuilderAfterFailure');
      expect(left(emu)).to.deep.equal({ instances: [], images: [], snapshots: [] });
    });
  });

  it('keeps runbooks in their own account and region', async () => {
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'winami-scoped',
        Content: stringify({
          schemaVersion: '0.3',
          mainSteps: [{ name: 'Tag', action: 'aws:createTags', isEnd: true, inputs: { ResourceType: 'EC2', ResourceIds: ['i-1'], Tags: [] } }],
        }),
        DocumentType: 'Automation',
        DocumentFormat: 'YAML',
      }),
    );
    expect((await rejection(sdk(emu, 1).ssm.send(new GetDocumentCommand({ Name: 'winami-scoped' })))).name).to.equal('InvalidDocument');
    expect((await rejection(sdk(emu, 0, 'eu-west-1').ssm.send(new GetDocumentCommand({ Name: 'winami-scoped' })))).name).to.equal('InvalidDocument');
  });
});
