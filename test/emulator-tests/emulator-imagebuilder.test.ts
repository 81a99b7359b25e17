/**
 * EC2 Image Builder in the emulator: every answer checked against botocore's
 * output shapes (members, types, required members) and error codes with the
 * model's HTTP statuses; the resources' rules through the real SDK client;
 * and builds run on the emulator's world (statuses in order, the test phase on
 * an instance of the new image, distribution with a copy, launch permission
 * and parameter; a failing step and a cancel leave nothing behind).
 */
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as IB from '@aws-sdk/client-imagebuilder';
import { DescribeImageAttributeCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { startEmulator } from '../integration/billing-emulator.js';
import { BUILD_STATUSES } from '../../emulator/imagebuilder.js';
import { rejection, sdk, sleep } from './helpers.js';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string; location?: string }>;
  member?: { shape: string };
  error?: { httpStatusCode: number };
}
type Model = {
  shapes: Record<string, Shape>;
  operations: Record<string, { http: { method: string }; output?: { shape: string }; errors?: { shape: string }[] }>;
};

function loadModel(): Model | undefined {
  let dir: string;
  try {
    dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const base = `${dir}/data/imagebuilder/2019-12-02/service-2.json`;
  if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8')) as Model;
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as Model;
  return undefined;
}

const SCALAR: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => Number.isInteger(v),
  long: (v) => Number.isInteger(v),
  timestamp: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
};

function check(model: Model, shapeName: string, node: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  if (shape.type === 'structure') {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return void out.push(`${path}: expected structure`);
    for (const [k, v] of Object.entries(node)) {
      const m = shape.members?.[k];
      if (!m) out.push(`${path}.${k}: not in ${shapeName}`);
      else check(model, m.shape, v, `${path}.${k}`, out);
    }
    for (const r of shape.required ?? []) if (!(r in node)) out.push(`${path}.${r}: required by ${shapeName}, missing`);
  } else if (shape.type === 'list') {
    if (!Array.isArray(node)) return void out.push(`${path}: expected list`);
    node.forEach((v, i) => check(model, shape.member!.shape, v, `${path}[${i}]`, out));
  } else if (shape.type === 'map') {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) out.push(`${path}: expected map`);
  } else if (!SCALAR[shape.type]?.(node)) out.push(`${path}: ${JSON.stringify(node)} is not a ${shape.type}`);
}

const DOC = (build: string[], test: string[] = []) =>
  [
    'name: probe',
    'schemaVersion: 1.0',
    'phases:',
    '  - name: build',
    '    steps:',
    ...build.map(
      (c, i) =>
        `      - name: Step${i}\n        action: ExecutePowerShell\n        onFailure: Abort\n        inputs:\n          commands: [${JSON.stringify(c)}]`,
    ),
    ...(test.length
      ? [
          '  - name: test',
          '    steps:',
          ...test.map((c, i) => `      - name: Test${i}\n        action: ExecutePowerShell\n        inputs:\n          commands: [${JSON.stringify(c)}]`),
        ]
      : []),
  ].join('\n');

describe('emulator: EC2 Image Builder', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let ib: IB.ImagebuilderClient;
  const model = loadModel();
  let n = 0;
  const token = () => `t-${++n}-${Math.random().toString(36).slice(2)}`;
  before(async () => {
    emu = await startEmulator({ timeScale: 0.002 });
    const a = EMULATOR_ACCOUNTS[0]!;
    ib = new IB.ImagebuilderClient({
      endpoint: emu.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      maxAttempts: 1,
    });
  });
  after(() => emu?.stop());

  async function raw(method: string, op: string, payload: Record<string, unknown>): Promise<{ status: number; type: string | null; body: unknown }> {
    const a = EMULATOR_ACCOUNTS[0]!;
    const query = method === 'GET' || method === 'DELETE' ? `?${new URLSearchParams(payload as Record<string, string>).toString()}` : '';
    const res = await fetch(`${emu.endpoint}/${op}${query}`, {
      method,
      ...(query ? {} : { body: JSON.stringify(payload) }),
      headers: {
        'content-type': 'application/json',
        authorization: `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/20261123/us-east-1/imagebuilder/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: await res.json() };
  }

  async function pipeline(build: string[], test: string[] = [], extra: { regions?: string[]; parameter?: string; share?: string } = {}) {
    const c = await ib.send(
      new IB.CreateComponentCommand({ name: `comp-${n}`, semanticVersion: '1.0.0', platform: 'Windows', data: DOC(build, test), clientToken: token() }),
    );
    const name = `pipe-${n}x`;
    const r = await ib.send(
      new IB.CreateImageRecipeCommand({
        name,
        semanticVersion: '1.0.0',
        parentImage: 'ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
        components: [{ componentArn: c.componentBuildVersionArn! }],
        blockDeviceMappings: [{ deviceName: '/dev/sda1', ebs: { volumeSize: 50, volumeType: 'gp3', deleteOnTermination: true } }],
        clientToken: token(),
      }),
    );
    const i = await ib.send(
      new IB.CreateInfrastructureConfigurationCommand({
        name,
        instanceProfileName: 'winami-builder',
        instanceTypes: ['m5.large'],
        terminateInstanceOnFailure: true,
        clientToken: token(),
      }),
    );
    const d = await ib.send(
      new IB.CreateDistributionConfigurationCommand({
        name,
        distributions: ['us-east-1', ...(extra.regions ?? [])].map((region) => ({
          region,
          amiDistributionConfiguration: {
            name: `${name}-{{imagebuilder:buildDate}}`,
            amiTags: { team: 'images' },
            ...(extra.share ? { launchPermission: { userIds: [extra.share] } } : {}),
          },
          ...(extra.parameter ? { ssmParameterConfigurations: [{ parameterName: extra.parameter, dataType: 'aws:ec2:image' as const }] } : {}),
        })),
        clientToken: token(),
      }),
    );
    const p = await ib.send(
      new IB.CreateImagePipelineCommand({
        name,
        imageRecipeArn: r.imageRecipeArn!,
        infrastructureConfigurationArn: i.infrastructureConfigurationArn!,
        distributionConfigurationArn: d.distributionConfigurationArn!,
        imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 90 },
        clientToken: token(),
      }),
    );
    return {
      component: c.componentBuildVersionArn!,
      recipe: r.imageRecipeArn!,
      infra: i.infrastructureConfigurationArn!,
      dist: d.distributionConfigurationArn!,
      pipeline: p.imagePipelineArn!,
    };
  }

  async function follow(arn: string, onStatus?: (s: string) => Promise<void>): Promise<{ seen: string[]; image: IB.Image }> {
    const seen: string[] = [];
    for (;;) {
      const image = (await ib.send(new IB.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
      const s = image.state!.status!;
      if (seen.at(-1) !== s) {
        seen.push(s);
        await onStatus?.(s);
      }
      if (['AVAILABLE', 'FAILED', 'CANCELLED'].includes(s)) return { seen, image };
      await sleep(20);
    }
  }

  const live = () => {
    const r = emu.control.resources();
    return {
      instances: r.instances.filter((i) => i.state !== 'terminated').map((i) => i.id),
      images: r.images.filter((i) => i.state !== 'deregistered').map((i) => i.id),
      snapshots: r.snapshots.map((s) => s.id),
    };
  };

  it('answers only members of botocore output shapes, required members included, and errors with the model codes and statuses', async function () {
    if (!model) {
      console.log('      skipped: no botocore imagebuilder model (python3 -c "import botocore" failed)');
      return this.skip();
    }
    const problems: string[] = [];
    const ok = async (method: string, op: string, payload: Record<string, unknown>) => {
      expect(model.operations[op]!.http.method, op).to.equal(method);
      const r = await raw(method, op, payload);
      expect(r.status, `${op}: ${JSON.stringify(r.body)}`).to.equal(200);
      check(model, model.operations[op]!.output!.shape, r.body, op, problems);
      return r.body as Record<string, string>;
    };
    const ids = await pipeline(['Write-Output built'], ['Write-Output tested'], {
      regions: ['eu-west-1'],
      parameter: '/probe/fidelity',
      share: '222222222222',
    });
    const started = await ok('PUT', 'StartImagePipelineExecution', { imagePipelineArn: ids.pipeline, clientToken: token() });
    await ok('GET', 'GetComponent', { componentBuildVersionArn: ids.component });
    await ok('POST', 'ListComponents', { owner: 'Self' });
    await ok('POST', 'ListComponentBuildVersions', { componentVersionArn: ids.component.replace(/\/\d+$/, '') });
    await ok('GET', 'GetImageRecipe', { imageRecipeArn: ids.recipe });
    await ok('POST', 'ListImageRecipes', {});
    await ok('GET', 'GetInfrastructureConfiguration', { infrastructureConfigurationArn: ids.infra });
    await ok('POST', 'ListInfrastructureConfigurations', {});
    await ok('GET', 'GetDistributionConfiguration', { distributionConfigurationArn: ids.dist });
    await ok('POST', 'ListDistributionConfigurations', {});
    await ok('GET', 'GetImagePipeline', { imagePipelineArn: ids.pipeline });
    await ok('POST', 'ListImagePipelines', {});
    const done = await follow(started.imageBuildVersionArn!);
    expect(done.image.state?.status, done.image.state?.reason).to.equal('AVAILABLE');
    await ok('GET', 'GetImage', { imageBuildVersionArn: started.imageBuildVersionArn! });
    await ok('POST', 'ListImageBuildVersions', { imageVersionArn: started.imageBuildVersionArn!.replace(/\/\d+$/, '') });
    await ok('POST', 'ListImagePipelineImages', { imagePipelineArn: ids.pipeline });
    await ok('PUT', 'UpdateInfrastructureConfiguration', {
      infrastructureConfigurationArn: ids.infra,
      instanceProfileName: 'winami-builder',
      instanceTypes: ['m5.xlarge'],
      clientToken: token(),
    });
    await ok('PUT', 'UpdateDistributionConfiguration', {
      distributionConfigurationArn: ids.dist,
      distributions: [{ region: 'us-east-1', amiDistributionConfiguration: { name: 'renamed-{{imagebuilder:buildDate}}' } }],
      clientToken: token(),
    });
    await ok('PUT', 'UpdateImagePipeline', {
      imagePipelineArn: ids.pipeline,
      imageRecipeArn: ids.recipe,
      infrastructureConfigurationArn: ids.infra,
      distributionConfigurationArn: ids.dist,
      clientToken: token(),
    });
    const another = await ok('PUT', 'StartImagePipelineExecution', { imagePipelineArn: ids.pipeline, clientToken: token() });
    await ok('PUT', 'CancelImageCreation', { imageBuildVersionArn: another.imageBuildVersionArn!, clientToken: token() });
    expect((await follow(another.imageBuildVersionArn!)).image.state?.status).to.equal('CANCELLED');
    await ok('DELETE', 'DeleteImage', { imageBuildVersionArn: another.imageBuildVersionArn! });
    await ok('DELETE', 'DeleteImage', { imageBuildVersionArn: started.imageBuildVersionArn! });
    await ok('DELETE', 'DeleteImagePipeline', { imagePipelineArn: ids.pipeline });
    await ok('DELETE', 'DeleteImageRecipe', { imageRecipeArn: ids.recipe });
    await ok('DELETE', 'DeleteComponent', { componentBuildVersionArn: ids.component });
    await ok('DELETE', 'DeleteInfrastructureConfiguration', { infrastructureConfigurationArn: ids.infra });
    await ok('DELETE', 'DeleteDistributionConfiguration', { distributionConfigurationArn: ids.dist });
    expect(problems).to.deep.equal([]);
    // Errors: a code the operation declares, with its shape's HTTP status.
    const errs: [string, string, Record<string, unknown>][] = [
      ['PUT', 'StartImagePipelineExecution', { imagePipelineArn: ids.pipeline, clientToken: token() }],
      ['PUT', 'CreateComponent', { name: 'bad', semanticVersion: '1.0', platform: 'Windows', data: DOC(['x']), clientToken: token() }],
    ];
    for (const [method, op, payload] of errs) {
      const r = await raw(method, op, payload);
      const declared = (model.operations[op]!.errors ?? []).map((e) => e.shape);
      expect(declared, `${op} answered ${r.type}`).to.include(r.type);
      expect(r.status, op).to.equal(model.shapes[r.type!]!.error!.httpStatusCode);
    }
  });

  it('serves the AWS CLI (botocore, an independent client): component, recipe, pipeline, a build followed with get-image, and an error it parses', async function () {
    // Each CLI call starts a Python interpreter: seconds apiece on a loaded machine.
    this.timeout(600_000);
    try {
      execFileSync('aws', ['--version'], { stdio: 'ignore' });
    } catch {
      console.log('      skipped: the aws CLI is not installed');
      return this.skip();
    }
    const a = EMULATOR_ACCOUNTS[0]!;
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const aws = (...args: string[]) =>
      new Promise<{ ok: boolean; out: string }>((resolve) =>
        execFile('aws', ['--endpoint-url', emu.endpoint, '--output', 'json', 'imagebuilder', ...args], { env }, (e, stdout, stderr) =>
          resolve({ ok: !e, out: e ? stderr : stdout }),
        ),
      );
    const json = async (...args: string[]) => {
      const r = await aws(...args);
      expect(r.ok, `${args[0]}: ${r.out}`).to.equal(true);
      return JSON.parse(r.out) as Record<string, any>;
    };
    const comp = await json(
      'create-component',
      '--name',
      'cli-comp',
      '--semantic-version',
      '1.0.0',
      '--platform',
      'Windows',
      '--data',
      DOC(['Write-Output cli']),
    );
    expect(comp.componentBuildVersionArn).to.match(/component\/cli-comp\/1\.0\.0\/1$/);
    expect((await json('get-component', '--component-build-version-arn', comp.componentBuildVersionArn)).component.data).to.equal(DOC(['Write-Output cli']));
    const listed = await json('list-components', '--owner', 'Self', '--filters', 'name=name,values=cli-comp');
    expect(listed.componentVersionList.map((c: { name: string }) => c.name)).to.deep.equal(['cli-comp']);
    const recipe = await json(
      'create-image-recipe',
      '--name',
      'cli-recipe',
      '--semantic-version',
      '1.0.0',
      '--parent-image',
      'ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
      '--components',
      `componentArn=${comp.componentBuildVersionArn}`,
    );
    const infra = await json('create-infrastructure-configuration', '--name', 'cli-infra', '--instance-profile-name', 'winami-builder');
    const pipeline = await json(
      'create-image-pipeline',
      '--name',
      'cli-pipeline',
      '--image-recipe-arn',
      recipe.imageRecipeArn,
      '--infrastructure-configuration-arn',
      infra.infrastructureConfigurationArn,
    );
    const started = await json('start-image-pipeline-execution', '--image-pipeline-arn', pipeline.imagePipelineArn);
    let image: Record<string, any> = {};
    for (let i = 0; i < 300; i++) {
      image = (await json('get-image', '--image-build-version-arn', started.imageBuildVersionArn)).image;
      if (['AVAILABLE', 'FAILED', 'CANCELLED'].includes(image.state.status)) break;
      await sleep(1000);
    }
    expect(image.state.status, image.state.reason).to.equal('AVAILABLE');
    expect(image.outputResources.amis).to.have.length(1);
    const bad = await aws('get-image-pipeline', '--image-pipeline-arn', 'arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/none');
    expect(bad.ok).to.equal(false);
    expect(bad.out).to.match(/ResourceNotFoundException/);
  });

  it('refuses what it does not model and enforces the documented limits at create time', async () => {
    const create = (data: string, name = 'limits') =>
      ib.send(new IB.CreateComponentCommand({ name, semanticVersion: '1.0.0', platform: 'Windows', data, clientToken: token() }));
    const s3 = await rejection(create(DOC(['x']).replace('ExecutePowerShell', 'S3Download')));
    expect(s3.name).to.equal('InvalidParameterValueException');
    expect(s3.message).to.match(/does not model the action S3Download/);
    const big = await rejection(create(DOC([`Write-Output '${'x'.repeat(16_001)}'`])));
    expect(big.message).to.match(/16000/);
    const loop = await rejection(create(DOC(['x']).replace('onFailure: Abort', 'loop: {forEach: [a, b]}')));
    expect(loop.message).to.match(/does not model the step field loop/);
    const variable = await rejection(create(DOC(["Write-Output '{{ build.Step.outputs.stdout }}'"])));
    expect(variable.message).to.match(/does not model AWSTOE variables/);
    const constants = await rejection(create(`constants:\n  - X: {type: string, value: y}\n${DOC(['x'])}`));
    expect(constants.message).to.match(/does not model constants/);
    const v = await rejection(
      ib.send(new IB.CreateComponentCommand({ name: 'vers', semanticVersion: '1.0', platform: 'Windows', data: DOC(['x']), clientToken: token() })),
    );
    expect(v.name).to.equal('InvalidVersionNumberException');
    // The same name and version again is build version 2; the same client token gives the first answer.
    const t = token();
    const first = await ib.send(
      new IB.CreateComponentCommand({ name: 'again', semanticVersion: '2.0.0', platform: 'Windows', data: DOC(['a']), clientToken: t }),
    );
    const replay = await ib.send(
      new IB.CreateComponentCommand({ name: 'again', semanticVersion: '2.0.0', platform: 'Windows', data: DOC(['a']), clientToken: t }),
    );
    expect(replay.componentBuildVersionArn).to.equal(first.componentBuildVersionArn);
    const mismatch = await rejection(
      ib.send(new IB.CreateComponentCommand({ name: 'again', semanticVersion: '2.0.0', platform: 'Windows', data: DOC(['b']), clientToken: t })),
    );
    expect(mismatch.name).to.equal('IdempotentParameterMismatchException');
    const build2 = await ib.send(
      new IB.CreateComponentCommand({ name: 'again', semanticVersion: '2.0.0', platform: 'Windows', data: DOC(['c']), clientToken: token() }),
    );
    expect(build2.componentBuildVersionArn).to.match(/component\/again\/2\.0\.0\/2$/);
    // A recipe: at most 20 components, Amazon-managed components not modelled, a version only once.
    const recipe = (components: string[], name = 'r-limits') =>
      ib.send(
        new IB.CreateImageRecipeCommand({
          name,
          semanticVersion: '1.0.0',
          parentImage: 'ami-0123456789abcdef0',
          components: components.map((componentArn) => ({ componentArn })),
          clientToken: token(),
        }),
      );
    const many = await rejection(recipe(Array.from({ length: 21 }, () => first.componentBuildVersionArn!)));
    expect(many.name).to.equal('ServiceQuotaExceededException');
    const managed = await rejection(recipe(['arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.x.x']));
    expect(managed.message).to.match(/Amazon-managed components/);
    await recipe([first.componentBuildVersionArn!.replace(/2\.0\.0\/1$/, 'x.x.x')]);
    const dup = await rejection(recipe([first.componentBuildVersionArn!]));
    expect(dup.name).to.equal('ResourceAlreadyExistsException');
    const inUse = await rejection(ib.send(new IB.DeleteComponentCommand({ componentBuildVersionArn: build2.componentBuildVersionArn! })));
    expect(inUse.name).to.equal('ResourceDependencyException', 'x.x.x resolved to the latest build, 2.0.0/2');
    // Fast Launch: the AMI owner's only; another account's, or more than one entry, is not modelled.
    const fast = (entries: IB.FastLaunchConfiguration[]) =>
      rejection(
        ib.send(
          new IB.CreateDistributionConfigurationCommand({
            name: 'fast-launch',
            distributions: [{ region: 'us-east-1', fastLaunchConfigurations: entries }],
            clientToken: token(),
          }),
        ),
      );
    expect((await fast([{ enabled: true, accountId: '222222222222' }])).message).to.match(/does not model Fast Launch for another account/);
    expect((await fast([{ enabled: true }, { enabled: false }])).message).to.match(/one Fast Launch configuration per distribution/);
    expect((await fast([{ enabled: true, maxParallelLaunches: 0 }])).name).to.equal('InvalidParameterValueException');
    const missing = await rejection(
      ib.send(
        new IB.StartImagePipelineExecutionCommand({
          imagePipelineArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/nope',
          clientToken: token(),
        }),
      ),
    );
    expect(missing.name).to.equal('ResourceNotFoundException');
    expect(missing.$metadata?.httpStatusCode).to.equal(404);
  });

  it('builds: statuses in order, build phase on the build instance, test phase on an instance of the new image, then a copy, a launch permission and a parameter', async () => {
    const ids = await pipeline(
      ["Set-Content -LiteralPath 'C:\\Golden\\built.txt' -Value 'yes'"],
      [
        "if (-not (Test-Path -LiteralPath 'C:\\Golden\\built.txt')) { exit 1 }",
        "$t = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token'; $ami = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/ami-id' -Headers @{ 'X-aws-ec2-metadata-token' = $t }; $i = Get-EC2Image -ImageId $ami; if ($i.UsageOperation -ne 'RunInstances:0002') { throw 'billing' }",
      ],
      { regions: ['eu-west-1'], parameter: '/probe/latest', share: '222222222222' },
    );
    const s = await ib.send(new IB.StartImagePipelineExecutionCommand({ imagePipelineArn: ids.pipeline, clientToken: token() }));
    const { seen, image } = await follow(s.imageBuildVersionArn!);
    expect(image.state?.status, image.state?.reason).to.equal('AVAILABLE');
    expect(
      seen.every((x, i) => i === 0 || BUILD_STATUSES.indexOf(x as never) > BUILD_STATUSES.indexOf(seen[i - 1] as never)),
      seen.join(' → '),
    ).to.equal(true);
    expect(seen).to.include.members(['BUILDING', 'TESTING', 'DISTRIBUTING', 'AVAILABLE']);
    const amis = image.outputResources!.amis!;
    expect(amis.map((a) => a.region)).to.deep.equal(['us-east-1', 'eu-west-1']);
    const c = sdk(emu);
    const home = (await c.ec2.send(new DescribeImagesCommand({ ImageIds: [amis[0]!.image!] }))).Images![0]!;
    expect(home.Tags).to.deep.include({ Key: 'Ec2ImageBuilderArn', Value: s.imageBuildVersionArn });
    expect(home.Tags).to.deep.include({ Key: 'team', Value: 'images' });
    expect(home.Name).to.match(/^pipe-\d+x-\d{8}T\d{6}Z$/);
    const perm = await c.ec2.send(new DescribeImageAttributeCommand({ ImageId: amis[0]!.image!, Attribute: 'launchPermission' }));
    expect(perm.LaunchPermissions).to.deep.equal([{ UserId: '222222222222' }]);
    const eu = sdk(emu, 0, 'eu-west-1');
    expect((await eu.ssm.send(new GetParameterCommand({ Name: '/probe/latest' }))).Parameter?.Value).to.equal(amis[1]!.image);
    const resources = emu.control.resources({ includeGone: true });
    const ran = resources.instances.filter((i) => i.tags?.Ec2ImageBuilderArn === s.imageBuildVersionArn);
    expect(ran.map((i) => i.imageId)).to.include(amis[0]!.image, 'the test instance ran the new image');
    expect(ran.every((i) => i.state === 'terminated')).to.equal(true);
    expect(resources.commands.filter((x) => x.documentName === 'AWSEC2-RunSysprep')).to.have.length.greaterThan(0);
  });

  it('fails a build whose step fails, with the reason, and leaves no instance or image', async () => {
    const before = live();
    const ids = await pipeline(["Write-Output 'about to fail'", 'exit 7'], ['Write-Output tested']);
    const s = await ib.send(new IB.StartImagePipelineExecutionCommand({ imagePipelineArn: ids.pipeline, clientToken: token() }));
    const { image } = await follow(s.imageBuildVersionArn!);
    expect(image.state?.status).to.equal('FAILED');
    expect(image.state?.reason).to.match(/Step1 ended Failed \(exit 7\)/);
    expect(image.outputResources?.amis).to.deep.equal([]);
    expect(live()).to.deep.equal(before);
  });

  it('fails in the test phase and removes the image it made', async () => {
    const before = live();
    const ids = await pipeline(['Write-Output built'], ['exit 3']);
    const s = await ib.send(new IB.StartImagePipelineExecutionCommand({ imagePipelineArn: ids.pipeline, clientToken: token() }));
    const { seen, image } = await follow(s.imageBuildVersionArn!);
    expect(seen).to.include('TESTING');
    expect(image.state?.status).to.equal('FAILED');
    expect(image.state?.reason).to.match(/^Test failed/);
    expect(live()).to.deep.equal(before);
  });

  it('cancels a build in progress: CANCELLED, its instance terminated, and a second cancel refused', async () => {
    const before = live();
    const ids = await pipeline(['Write-Output one', 'Write-Output two', 'Write-Output three']);
    const s = await ib.send(new IB.StartImagePipelineExecutionCommand({ imagePipelineArn: ids.pipeline, clientToken: token() }));
    const { image } = await follow(s.imageBuildVersionArn!, async (status) => {
      if (status === 'BUILDING') await ib.send(new IB.CancelImageCreationCommand({ imageBuildVersionArn: s.imageBuildVersionArn!, clientToken: token() }));
    });
    expect(image.state?.status).to.equal('CANCELLED');
    const again = await rejection(ib.send(new IB.CancelImageCreationCommand({ imageBuildVersionArn: s.imageBuildVersionArn!, clientToken: token() })));
    expect(again.name).to.equal('ResourceInUseException');
    expect(live()).to.deep.equal(before);
  });
});
