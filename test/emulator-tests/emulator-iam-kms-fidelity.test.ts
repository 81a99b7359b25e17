/**
 * IAM and KMS fidelity against botocore's JSON models: every element the
 * emulator writes must be a member of the operation's output shape, with its
 * type, and every member the shape requires must be there. IAM is Query XML
 * (members named as in the model, lists as `<member>`), KMS is JSON 1.1.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { withEmulator } from './helpers.js';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
}
type Model = { shapes: Record<string, Shape>; operations: Record<string, { output?: { shape: string } }> };

function loadModel(service: string, version: string): Model | undefined {
  let dir: string;
  try {
    dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const base = `${dir}/data/${service}/${version}/service-2.json`;
  if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8')) as Model;
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as Model;
  return undefined;
}

const SCALAR: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  boolean: (v) => v === 'true' || v === 'false' || typeof v === 'boolean',
  integer: (v) => Number.isInteger(Number(v)) && v !== '',
  long: (v) => Number.isInteger(Number(v)) && v !== '',
  timestamp: (v) => (typeof v === 'number' ? v > 1e9 : !Number.isNaN(Date.parse(String(v)))),
};

/** Problems found checking a parsed response against a shape; `xml` lists are `{member: [...]}`. */
function check(model: Model, shapeName: string, node: unknown, path: string, xml: boolean, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  if (shape.type === 'structure') {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return void out.push(`${path}: expected structure`);
    for (const [k, v] of Object.entries(node)) {
      const m = shape.members?.[k];
      if (!m) out.push(`${path}.${k}: not in ${shapeName}`);
      else check(model, m.shape, v, `${path}.${k}`, xml, out);
    }
    for (const r of shape.required ?? []) if (!(r in node)) out.push(`${path}.${r}: required by ${shapeName}, missing`);
  } else if (shape.type === 'list') {
    const items = xml ? (node === '' ? [] : (node as { member?: unknown[] }).member) : node;
    if (!Array.isArray(items)) return void out.push(`${path}: expected list`);
    items.forEach((v, i) => check(model, shape.member!.shape, v, `${path}[${i}]`, xml, out));
  } else if (!SCALAR[shape.type]?.(node)) out.push(`${path}: ${JSON.stringify(node)} is not a ${shape.type}`);
}

describe('emulator: IAM and KMS fidelity to botocore models', function () {
  this.timeout(30_000);
  let emu: Emulator;
  const iamModel = loadModel('iam', '2010-05-08');
  const kmsModel = loadModel('kms', '2014-11-01');
  const a = EMULATOR_ACCOUNTS[0]!;
  const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/20261203/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  before(async () => {
    emu = await withEmulator();
  });
  after(async () => {
    await emu.stop();
  });

  async function iamRaw(action: string, params: Record<string, string>): Promise<unknown> {
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth('iam') },
    });
    const text = await res.text();
    expect(res.status, text).to.equal(200);
    const parsed = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'member' }).parse(text) as Record<
      string,
      Record<string, unknown>
    >;
    const response = parsed[`${action}Response`]!;
    expect(response.ResponseMetadata, action).to.have.property('RequestId');
    return response[`${action}Result`] ?? {};
  }

  async function kmsRaw(action: string, payload: unknown): Promise<unknown> {
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      body: JSON.stringify(payload),
      headers: { 'x-amz-target': `TrentService.${action}`, 'content-type': 'application/x-amz-json-1.1', authorization: auth('kms') },
    });
    expect(res.status).to.equal(200);
    return res.json();
  }

  it('writes only members of the IAM output shapes, with their types and required members', async function () {
    if (!iamModel) return this.skip();
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const calls: Array<[string, Record<string, string>]> = [
      ['CreateRole', { RoleName: 'fid', AssumeRolePolicyDocument: trust, Description: 'd' }],
      ['GetRole', { RoleName: 'winami-builder' }],
      ['ListRoles', { MaxItems: '1' }],
      ['CreateInstanceProfile', { InstanceProfileName: 'fid' }],
      ['AddRoleToInstanceProfile', { InstanceProfileName: 'fid', RoleName: 'fid' }],
      ['GetInstanceProfile', { InstanceProfileName: 'fid' }],
      ['ListInstanceProfiles', {}],
      ['ListInstanceProfilesForRole', { RoleName: 'fid' }],
      ['CreatePolicy', { PolicyName: 'fid', PolicyDocument: doc }],
      ['GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }],
      ['GetPolicyVersion', { PolicyArn: 'arn:aws:iam::111111111111:policy/fid', VersionId: 'v1' }],
      ['AttachRolePolicy', { RoleName: 'fid', PolicyArn: 'arn:aws:iam::111111111111:policy/fid' }],
      ['ListAttachedRolePolicies', { RoleName: 'fid' }],
      ['PutRolePolicy', { RoleName: 'fid', PolicyName: 'inline', PolicyDocument: doc }],
      ['GetRolePolicy', { RoleName: 'fid', PolicyName: 'inline' }],
      ['ListRolePolicies', { RoleName: 'fid' }],
      [
        'SimulatePrincipalPolicy',
        { PolicySourceArn: 'arn:aws:iam::111111111111:role/fid', 'ActionNames.member.1': 's3:GetObject', 'ActionNames.member.2': 'ec2:RunInstances' },
      ],
      ['DeleteRolePolicy', { RoleName: 'fid', PolicyName: 'inline' }],
      ['DetachRolePolicy', { RoleName: 'fid', PolicyArn: 'arn:aws:iam::111111111111:policy/fid' }],
      ['DeletePolicy', { PolicyArn: 'arn:aws:iam::111111111111:policy/fid' }],
      ['RemoveRoleFromInstanceProfile', { InstanceProfileName: 'fid', RoleName: 'fid' }],
      ['DeleteInstanceProfile', { InstanceProfileName: 'fid' }],
      ['DeleteRole', { RoleName: 'fid' }],
    ];
    const problems: string[] = [];
    for (const [action, params] of calls) {
      const body = await iamRaw(action, params);
      const out = iamModel.operations[action]!.output?.shape;
      if (out) check(iamModel, out, body, action, true, problems);
      else if (Object.keys(body as object).length) problems.push(`${action}: has a result but the model has no output`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('writes only members of the KMS output shapes, with their types', async function () {
    if (!kmsModel) return this.skip();
    const created = (await kmsRaw('CreateKey', { Description: 'fid' })) as { KeyMetadata: { KeyId: string } };
    const id = created.KeyMetadata.KeyId;
    const calls: Array<[string, unknown]> = [
      ['CreateKey', {}],
      ['DescribeKey', { KeyId: 'alias/aws/ebs' }],
      ['CreateAlias', { AliasName: 'alias/fid', TargetKeyId: id }],
      ['ListAliases', {}],
      ['ListKeys', { Limit: 1 }],
      ['DisableKey', { KeyId: id }],
      ['EnableKey', { KeyId: id }],
      ['ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 }],
      ['DescribeKey', { KeyId: id }],
      ['CancelKeyDeletion', { KeyId: id }],
      ['DeleteAlias', { AliasName: 'alias/fid' }],
    ];
    const problems: string[] = [created].flatMap((b) => {
      const out: string[] = [];
      check(kmsModel, kmsModel.operations.CreateKey!.output!.shape, b, 'CreateKey', false, out);
      return out;
    });
    for (const [action, payload] of calls) {
      const body = await kmsRaw(action, payload);
      const out = kmsModel.operations[action]!.output?.shape;
      if (out) check(kmsModel, out, body, action, false, problems);
      else expect(body, action).to.deep.equal({});
    }
    expect(problems).to.deep.equal([]);
  });
});
