/** A scripted AWS CLI session over IAM, KMS and VPCs (see cli-session.ts). Skipped, saying why, where `aws` or botocore's models are absent. */
import { expect } from 'chai';
import { describeCliSession } from './cli-session.js';

describeCliSession('emulator: a scripted AWS CLI session over IAM, KMS and VPCs, validated against botocore', ({ session: cliSession, skipUnless }) => {
  it('answers IAM, KMS and VPC calls of the CLI, each section at once: successes in their shapes, errors with their documented codes', async function () {
    skipUnless(this, ['ec2', 'iam', 'kms']);
    const { a, ok, fails, report } = cliSession();
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });

    const iam = async () => {
      expect((await ok('iam', 'get-role', '--role-name', 'winami-builder')).Role.Arn).to.equal(`arn:aws:iam::${a.accountId}:role/winami-builder`);
      expect((await ok('iam', 'get-instance-profile', '--instance-profile-name', 'winami-builder')).InstanceProfile.Roles[0].RoleName).to.equal(
        'winami-builder',
      );
      expect(
        (await ok('iam', 'list-attached-role-policies', '--role-name', 'winami-builder')).AttachedPolicies.map((p: { PolicyName: string }) => p.PolicyName),
      ).to.include('AmazonSSMManagedInstanceCore');
      await fails('NoSuchEntity', 'iam', 'get-role', '--role-name', 'cli-no-such-role');
      await ok('iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trust);
      await fails('EntityAlreadyExists', 'iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trust);
      await fails(
        'MalformedPolicyDocument',
        'iam',
        'create-role',
        '--role-name',
        'cli-bad-trust',
        '--assume-role-policy-document',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}',
      );
      await ok('iam', 'attach-role-policy', '--role-name', 'cli-role', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
      await ok(
        'iam',
        'put-role-policy',
        '--role-name',
        'cli-role',
        '--policy-name',
        'logs',
        '--policy-document',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}',
      );
      expect((await ok('iam', 'list-role-policies', '--role-name', 'cli-role')).PolicyNames).to.deep.equal(['logs']);
      await ok('iam', 'create-instance-profile', '--instance-profile-name', 'cli-profile');
      await ok('iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'cli-role');
      await fails('LimitExceeded', 'iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'winami-builder');
      await fails('DeleteConflict', 'iam', 'delete-role', '--role-name', 'cli-role');
      const sim = await ok(
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        `arn:aws:iam::${a.accountId}:role/cli-role`,
        '--action-names',
        'ssm:UpdateInstanceInformation',
        'ec2:TerminateInstances',
      );
      expect(sim.EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision)).to.deep.equal(['allowed', 'implicitDeny']);
      expect((await ok('iam', 'list-instance-profiles-for-role', '--role-name', 'cli-role')).InstanceProfiles).to.have.length(1);
      await ok('iam', 'list-roles');
      await ok('iam', 'remove-role-from-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'cli-role');
      await ok('iam', 'delete-instance-profile', '--instance-profile-name', 'cli-profile');
      await ok('iam', 'detach-role-policy', '--role-name', 'cli-role', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
      await ok('iam', 'delete-role-policy', '--role-name', 'cli-role', '--policy-name', 'logs');
      await ok('iam', 'delete-role', '--role-name', 'cli-role');
      await fails('NoSuchEntity', 'iam', 'get-instance-profile', '--instance-profile-name', 'cli-profile');
    };

    const kms = async () => {
      const key = (await ok('kms', 'create-key', '--description', 'cli session key')).KeyMetadata.KeyId as string;
      expect((await ok('kms', 'describe-key', '--key-id', key)).KeyMetadata.KeyState).to.equal('Enabled');
      await ok('kms', 'create-alias', '--alias-name', 'alias/cli-session', '--target-key-id', key);
      await fails('AlreadyExistsException', 'kms', 'create-alias', '--alias-name', 'alias/cli-session', '--target-key-id', key);
      expect((await ok('kms', 'list-aliases', '--key-id', key)).Aliases.map((x: { AliasName: string }) => x.AliasName)).to.deep.equal(['alias/cli-session']);
      expect((await ok('kms', 'describe-key', '--key-id', 'alias/cli-session')).KeyMetadata.KeyId).to.equal(key);
      expect((await ok('kms', 'describe-key', '--key-id', 'alias/aws/ebs')).KeyMetadata.KeyManager).to.equal('AWS');
      await fails('NotFoundException', 'kms', 'describe-key', '--key-id', 'alias/cli-no-such-alias');
      await ok('kms', 'disable-key', '--key-id', key);
      expect((await ok('kms', 'describe-key', '--key-id', key)).KeyMetadata.KeyState).to.equal('Disabled');
      await ok('kms', 'enable-key', '--key-id', key);
      await fails('ValidationException', 'kms', 'schedule-key-deletion', '--key-id', key, '--pending-window-in-days', '3');
      expect((await ok('kms', 'schedule-key-deletion', '--key-id', key, '--pending-window-in-days', '7')).KeyState).to.equal('PendingDeletion');
      await fails('KMSInvalidStateException', 'kms', 'enable-key', '--key-id', key);
      await ok('kms', 'cancel-key-deletion', '--key-id', key);
      await ok('kms', 'list-keys');
      await ok('kms', 'delete-alias', '--alias-name', 'alias/cli-session');
    };

    const vpc = async () => {
      expect((await ok('ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].CidrBlock).to.equal('172.31.0.0/16');
      expect((await ok('ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true')).Subnets.length).to.be.greaterThan(1);
      await fails('InvalidVpc.Range', 'ec2', 'create-vpc', '--cidr-block', '10.0.0.0/8');
      const v = (await ok('ec2', 'create-vpc', '--cidr-block', '10.20.0.0/16')).Vpc.VpcId as string;
      const sub = (await ok('ec2', 'create-subnet', '--vpc-id', v, '--cidr-block', '10.20.1.0/24', '--availability-zone', 'us-east-1a')).Subnet
        .SubnetId as string;
      await fails('InvalidSubnet.Range', 'ec2', 'create-subnet', '--vpc-id', v, '--cidr-block', '10.30.1.0/24');
      await fails('InvalidSubnet.Conflict', 'ec2', 'create-subnet', '--vpc-id', v, '--cidr-block', '10.20.1.128/25');
      const sg = (await ok('ec2', 'create-security-group', '--group-name', 'cli-sg', '--description', 'cli session', '--vpc-id', v)).GroupId as string;
      await ok('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '443', '--cidr', '10.20.0.0/16');
      await fails(
        'InvalidPermission.Duplicate',
        'ec2',
        'authorize-security-group-ingress',
        '--group-id',
        sg,
        '--protocol',
        'tcp',
        '--port',
        '443',
        '--cidr',
        '10.20.0.0/16',
      );
      expect((await ok('ec2', 'describe-security-groups', '--group-ids', sg)).SecurityGroups[0].IpPermissions[0].FromPort).to.equal(443);
      await ok('ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${v}`);
      await fails(
        'InvalidParameter',
        'ec2',
        'create-vpc-endpoint',
        '--vpc-id',
        v,
        '--service-name',
        'com.amazonaws.us-east-1.ssm',
        '--vpc-endpoint-type',
        'Interface',
        '--subnet-ids',
        sub,
        '--security-group-ids',
        sg,
        '--private-dns-enabled',
      );
      const ep = (
        await ok(
          'ec2',
          'create-vpc-endpoint',
          '--vpc-id',
          v,
          '--service-name',
          'com.amazonaws.us-east-1.ssm',
          '--vpc-endpoint-type',
          'Interface',
          '--subnet-ids',
          sub,
          '--security-group-ids',
          sg,
          '--no-private-dns-enabled',
        )
      ).VpcEndpoint.VpcEndpointId as string;
      await ok('ec2', 'describe-vpc-endpoints', '--vpc-endpoint-ids', ep);
      await fails('DependencyViolation', 'ec2', 'delete-vpc', '--vpc-id', v);
      await fails('InvalidVpcID.NotFound', 'ec2', 'describe-vpcs', '--vpc-ids', 'vpc-0123456789abcdef0');
      await ok('ec2', 'describe-instance-types', '--instance-types', 't3.large', 'm6i.large');
      await ok('ec2', 'describe-instance-type-offerings', '--location-type', 'availability-zone', '--filters', 'Name=instance-type,Values=t3.large');
      await ok('ec2', 'describe-availability-zones');
      await fails(
        'InvalidParameterValue',
        'ec2',
        'run-instances',
        '--image-id',
        (await ok('ssm', 'get-parameter', '--name', '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base')).Parameter.Value,
        '--count',
        '1',
        '--instance-type',
        'm5.hyperlarge',
      );
      await ok('ec2', 'delete-vpc-endpoints', '--vpc-endpoint-ids', ep);
      await ok('ec2', 'delete-security-group', '--group-id', sg);
      await ok('ec2', 'delete-subnet', '--subnet-id', sub);
      await ok('ec2', 'delete-vpc', '--vpc-id', v);
    };

    await Promise.all([iam(), kms(), vpc()]);
    const { calls, errors, problems } = report();
    console.log(`      ${calls} CLI calls, ${errors.length} error cases, ${problems.length} shape problems`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(errors.length).to.be.at.least(15);
  });
});
