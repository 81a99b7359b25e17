import { expect } from 'chai';
import { parsePolicyDocument, policiesAllow, trustsService, wildcardMatch } from '../../../src/preflight/policy-eval.js';
import { roleRequirements } from '../../../src/preflight/role-requirements.js';
import { config } from '../render/fixtures.js';

describe('preflight: policy evaluation without SimulatePrincipalPolicy', () => {
  const core = { Statement: [{ Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ec2messages:*', 'ssmmessages:*'], Resource: '*' }] };

  it('matches IAM wildcards, actions without regard to case', () => {
    expect(wildcardMatch('ec2messages:*', 'EC2Messages:GetMessages', true)).to.equal(true);
    expect(wildcardMatch('arn:aws:ssm:*:*:parameter/golden/*', 'arn:aws:ssm:us-east-1:1:parameter/golden/admin')).to.equal(true);
    expect(wildcardMatch('arn:aws:ssm:*:*:parameter/golden/?', 'arn:aws:ssm:us-east-1:1:parameter/golden/ab')).to.equal(false);
    expect(wildcardMatch('a.b', 'axb')).to.equal(false);
  });

  it('allows what an Allow covers, refuses what none does, and lets an unconditional Deny win', () => {
    expect(policiesAllow([core], 'ec2messages:GetMessages', '*')).to.equal(true);
    expect(policiesAllow([core], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:1:parameter/x')).to.equal(false);
    const deny = { Statement: { Effect: 'Deny', Action: 'ec2messages:GetMessages', Resource: '*' } };
    expect(policiesAllow([core, deny], 'ec2messages:GetMessages', '*')).to.equal(false);
    const conditionalDeny = {
      Statement: { Effect: 'Deny', Action: 'ec2messages:GetMessages', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    };
    expect(policiesAllow([core, conditionalDeny], 'ec2messages:GetMessages', '*')).to.equal(true);
    const notAction = { Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } };
    expect(policiesAllow([notAction], 'ssm:UpdateInstanceInformation', '*')).to.equal(true);
    expect(policiesAllow([notAction], 'iam:PassRole', '*')).to.equal(false);
  });

  it('reads URL-encoded documents as IAM returns them, and role trust for a service', () => {
    const trust = parsePolicyDocument(
      encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }] })),
    );
    expect(trustsService(trust, 'ec2.amazonaws.com')).to.equal(true);
    expect(trustsService(trust, 'lambda.amazonaws.com')).to.equal(false);
    expect(
      trustsService({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sts:AssumeRole' }] }, 'ec2.amazonaws.com'),
    ).to.equal(false);
  });

  it("lists the role's requirements from the config: agent actions, each secret's parameter, decryption, SQL media", () => {
    const c = config({
      name: 'g',
      region: 'eu-west-1',
      windows: { release: '2022' },
      windowsSettings: { administrator: { password: { static: 'ssm:/golden/admin' } }, productKey: 'env:KEY' },
    });
    const reqs = roleRequirements(c, { region: 'eu-west-1', account: '111122223333', buildId: 'b9' });
    expect(reqs.filter((r) => r.kind === 'agent').map((r) => r.action)).to.include.members([
      'ssm:UpdateInstanceInformation',
      'ec2messages:GetMessages',
      'ssmmessages:CreateControlChannel',
    ]);
    expect(
      reqs
        .filter((r) => r.kind === 'secret')
        .map((r) => r.resource)
        .sort(),
    ).to.deep.equal(['arn:aws:ssm:eu-west-1:111122223333:parameter/golden/admin', 'arn:aws:ssm:eu-west-1:111122223333:parameter/winami/b9/windowsProductKey']);
    expect(reqs.find((r) => r.kind === 'decrypt')?.context).to.deep.equal({ 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' });
    const plain = roleRequirements(config({ name: 'g', region: 'cn-north-1', windows: { release: '2022' } }), {
      region: 'cn-north-1',
      account: '1',
      buildId: 'b',
    });
    expect(plain.every((r) => r.kind === 'agent')).to.equal(true);
  });
});
