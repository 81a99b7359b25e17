/** A scripted AWS CLI session over instances, Run Command, parameters, images and copies (see cli-session.ts). Skipped, saying why, where `aws` or botocore's models are absent. */
import { expect } from 'chai';
import { EMULATOR_ACCOUNTS } from '../../emulator/index.js';
import { describeCliSession } from './cli-session.js';

describeCliSession('emulator: a scripted AWS CLI session, validated against botocore', ({ emulator, session: cliSession, skipUnless }) => {
  it('answers 60+ CLI calls, every success in its output shape and every error with its documented code', async function () {
    skipUnless(this, ['ec2', 'ssm']);
    const emu = emulator();
    const { a, ok, fails, exec, until, validate, report } = cliSession();
    const PUBLIC = '/aws/service/ami-windows-latest';

    // Identity, regions and public parameters, beside the caller's own parameters: independent, so at once.
    let base = '';
    await Promise.all([
      (async () => {
        // Identity and regions.
        expect((await ok('sts', 'get-caller-identity')).Account).to.equal(a.accountId);
        expect((await ok('ec2', 'describe-regions')).Regions.length).to.equal(17);

        // Public parameters, by path and by name.
        const listed = await ok('ssm', 'get-parameters-by-path', '--path', PUBLIC);
        const names: string[] = listed.Parameters.map((p: { Name: string }) => p.Name);
        expect(names).to.include(`${PUBLIC}/Windows_Server-2019-English-Full-SQL_2019_Standard`);
        const paged = await ok('ssm', 'get-parameters-by-path', '--path', PUBLIC, '--page-size', '10', '--max-items', '3');
        expect(paged.Parameters).to.have.length(3);
        await Promise.all([
          fails('ValidationException', 'ssm', 'get-parameters-by-path', '--path', PUBLIC, '--page-size', '11'),
          fails('InvalidFilterKey', 'ssm', 'get-parameters-by-path', '--path', PUBLIC, '--parameter-filters', 'Key=Name,Values=x'),
          fails('ParameterNotFound', 'ssm', 'get-parameter', '--name', '/winami/nope'),
        ]);
        base = (await ok('ssm', 'get-parameter', '--name', `${PUBLIC}/Windows_Server-2022-English-Full-Base`)).Parameter.Value as string;
        const both = await ok(
          'ssm',
          'get-parameters',
          '--names',
          `${PUBLIC}/Windows_Server-2019-English-Full-Base`,
          `${PUBLIC}/Windows_Server-1999-English-Full-Base`,
        );
        expect(both.InvalidParameters).to.deep.equal([`${PUBLIC}/Windows_Server-1999-English-Full-Base`]);
      })(),
      (async () => {
        // Own parameters.
        await ok('ssm', 'put-parameter', '--name', '/winami/session/plain', '--type', 'String', '--value', 'v1');
        await ok('ssm', 'put-parameter', '--name', '/winami/session/deep/secret', '--type', 'SecureString', '--value', 's3cret');
        await Promise.all([
          fails('AccessDeniedException', 'ssm', 'put-parameter', '--name', '/aws/service/mine', '--type', 'String', '--value', 'x'),
          fails('ValidationException', 'ssm', 'put-parameter', '--name', '/ssm/mine', '--type', 'String', '--value', 'x'),
        ]);
        await fails('ParameterAlreadyExists', 'ssm', 'put-parameter', '--name', '/winami/session/plain', '--type', 'String', '--value', 'v2');
        expect((await ok('ssm', 'put-parameter', '--name', '/winami/session/plain', '--type', 'String', '--value', 'v2', '--overwrite')).Version).to.equal(2);
        expect((await ok('ssm', 'get-parameter', '--name', '/winami/session/deep/secret', '--with-decryption')).Parameter.Value).to.equal('s3cret');
        const own = await ok('ssm', 'get-parameters-by-path', '--path', '/winami/session', '--recursive');
        expect(own.Parameters.map((p: { Name: string }) => p.Name).sort()).to.deep.equal(['/winami/session/deep/secret', '/winami/session/plain']);
        await ok('ssm', 'delete-parameter', '--name', '/winami/session/plain');
        await fails('ParameterNotFound', 'ssm', 'delete-parameter', '--name', '/winami/session/plain');
      })(),
    ]);

    // Images AWS publishes, and ids that do not exist.
    const amazon = await ok('ec2', 'describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=Windows_Server-2022-English-Full-SQL_2022_*');
    expect(amazon.Images).to.have.length(4);
    expect((await ok('ec2', 'describe-images', '--image-ids', base)).Images[0].CreationDate).to.match(/\.000Z$/);
    await Promise.all([
      fails('InvalidAMIID.NotFound', 'ec2', 'describe-images', '--image-ids', 'ami-0123456789abcdef0'),
      fails('InvalidAMIID.Malformed', 'ec2', 'describe-images', '--image-ids', 'ami-nothex'),
      fails('InvalidParameterCombination', 'ec2', 'describe-images', '--image-ids', base, '--max-results', '5'),
      fails('InvalidAMIID.NotFound', 'ec2', 'run-instances', '--image-id', 'ami-0123456789abcdef0', '--count', '1', '--instance-type', 't3.large'),
      fails('InvalidInstanceID.NotFound', 'ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0'),
      fails('InvalidInstanceID.Malformed', 'ec2', 'describe-instances', '--instance-ids', 'i-xyz'),
      fails('InvalidSnapshot.NotFound', 'ec2', 'delete-snapshot', '--snapshot-id', 'snap-0123456789abcdef0'),
    ]);

    // A builder.
    const ran = await ok(
      'ec2',
      'run-instances',
      '--image-id',
      base,
      '--count',
      '1',
      '--instance-type',
      't3.large',
      '--iam-instance-profile',
      'Name=winami-builder',
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=Name,Value=cli-builder}]',
    );
    const iid = ran.Instances[0].InstanceId as string;
    await ok('ec2', 'create-tags', '--resources', iid, '--tags', 'Key=winami:role,Value=builder');
    expect((await ok('ec2', 'describe-tags', '--filters', `Name=resource-id,Values=${iid}`)).Tags).to.have.length(2);
    await until('running', async () =>
      (await ok('ec2', 'describe-instances', '--instance-ids', iid)).Reservations[0].Instances[0].State.Name === 'running' ? true : undefined,
    );
    await ok('ec2', 'describe-instance-status', '--instance-ids', iid);
    const info = await until('Online', async () => {
      const r = await ok('ssm', 'describe-instance-information', '--filters', `Key=InstanceIds,Values=${iid}`);
      return r.InstanceInformationList[0]?.PingStatus === 'Online' ? r.InstanceInformationList[0] : undefined;
    });
    expect([info.PlatformName, info.PlatformVersion]).to.deep.equal(['Microsoft Windows Server 2022 Datacenter', '10.0.20348']);

    // Run Command. A CLI call takes longer than the scaled invocationVisible: stretch it so the first read comes early
    // (30 s of real time: on a loaded machine one CLI call can take several seconds). Visibility is judged at each read.
    emu.control.setDurations({ invocationVisible: 30_000_000 });
    const sent = await ok(
      'ssm',
      'send-command',
      '--document-name',
      'AWS-RunPowerShellScript',
      '--instance-ids',
      iid,
      '--parameters',
      'commands=["Write-Output hello"]',
      '--comment',
      'cli session',
    );
    const commandId = sent.Command.CommandId as string;
    await fails('InvocationDoesNotExist', 'ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', iid);
    emu.control.setDurations({ invocationVisible: 1_000 });
    const inv = await until('Success', async () => {
      const r = await exec(['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', iid]);
      const body = r.ok ? JSON.parse(r.stdout) : undefined;
      return body?.Status === 'Success' ? body : undefined;
    });
    validate('ssm', 'GetCommandInvocationResult', inv, 'ssm get-command-invocation');
    expect(inv.StandardOutputContent).to.equal('hello\n');
    await fails('InvalidPluginName', 'ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', iid, '--plugin-name', 'nope');
    expect((await ok('ssm', 'list-commands', '--command-id', commandId)).Commands[0].Status).to.equal('Success');
    expect((await ok('ssm', 'list-command-invocations', '--command-id', commandId, '--details')).CommandInvocations[0].CommandPlugins[0].Output).to.equal(
      'hello\n',
    );
    await Promise.all([
      fails('InvalidDocument', 'ssm', 'send-command', '--document-name', 'No-Such-Document', '--instance-ids', iid),
      fails(
        'InvalidParameters',
        'ssm',
        'send-command',
        '--document-name',
        'AWS-RunPowerShellScript',
        '--instance-ids',
        iid,
        '--parameters',
        'commands=["x"],nope=["y"]',
      ),
      fails(
        'InvalidInstanceId',
        'ssm',
        'send-command',
        '--document-name',
        'AWS-RunPowerShellScript',
        '--instance-ids',
        'i-0123456789abcdef0',
        '--parameters',
        'commands=["x"]',
      ),
      fails('InvalidCommandId', 'ssm', 'cancel-command', '--command-id', '00000000-0000-0000-0000-000000000000'),
      ok('ec2', 'get-console-output', '--instance-id', iid),
      ok('ec2', 'get-password-data', '--instance-id', iid),
    ]);
    const slow = await ok(
      'ssm',
      'send-command',
      '--document-name',
      'AWS-RunPowerShellScript',
      '--instance-ids',
      iid,
      '--parameters',
      'commands=["Write-Output later"]',
    );
    await ok('ssm', 'cancel-command', '--command-id', slow.Command.CommandId);

    // Volumes, snapshots, images.
    const vol = (await ok('ec2', 'describe-volumes', '--filters', `Name=attachment.instance-id,Values=${iid}`)).Volumes[0].VolumeId as string;
    const snap = (await ok('ec2', 'create-snapshot', '--volume-id', vol, '--description', 'cli pre-snapshot')).SnapshotId as string;
    await ok('ec2', 'describe-snapshots', '--snapshot-ids', snap);
    await ok('ec2', 'delete-snapshot', '--snapshot-id', snap);
    const made = (
      await ok(
        'ec2',
        'create-image',
        '--instance-id',
        iid,
        '--name',
        'cli-session-golden',
        '--no-reboot',
        '--tag-specifications',
        'ResourceType=image,Tags=[{Key=winami:role,Value=golden}]',
      )
    ).ImageId as string;
    await fails('InvalidAMIName.Duplicate', 'ec2', 'create-image', '--instance-id', iid, '--name', 'cli-session-golden', '--no-reboot');
    const image = await until('available', async () => {
      const r = await exec(['ec2', 'describe-images', '--image-ids', made]);
      const img = r.ok ? JSON.parse(r.stdout).Images[0] : undefined;
      return img?.State === 'available' ? img : undefined;
    });
    validate('ec2', 'Image', image, 'ec2 describe-images Image');
    expect([image.PlatformDetails, image.UsageOperation]).to.deep.equal(['Windows', 'RunInstances:0002']);
    // Attributes, deprecation, the snapshot in use and the copies (same region, and another region, called there): at once.
    const rootSnap = image.BlockDeviceMappings[0].Ebs.SnapshotId as string;
    let copy = '';
    let west = '';
    await Promise.all([
      (async () => {
        await ok('ec2', 'describe-images', '--owners', 'self', '--filters', 'Name=tag:winami:role,Values=golden');
        await ok('ec2', 'modify-image-attribute', '--image-id', made, '--launch-permission', `Add=[{UserId=${EMULATOR_ACCOUNTS[1]!.accountId}}]`);
        expect((await ok('ec2', 'describe-image-attribute', '--image-id', made, '--attribute', 'launchPermission')).LaunchPermissions).to.have.length(1);
      })(),
      (async () => {
        const deprecateAt = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000 + 31_000).toISOString();
        await ok('ec2', 'enable-image-deprecation', '--image-id', made, '--deprecate-at', deprecateAt);
        expect((await ok('ec2', 'describe-images', '--image-ids', made)).Images[0].DeprecationTime).to.match(/:01:00\.000Z$/);
        await ok('ec2', 'disable-image-deprecation', '--image-id', made);
      })(),
      (async () => {
        await fails('InvalidSnapshot.InUse', 'ec2', 'delete-snapshot', '--snapshot-id', rootSnap);
      })(),
      (async () => {
        // Copies: same region, and another region (called there).
        copy = (
          await ok('ec2', 'copy-image', '--source-image-id', made, '--source-region', 'us-east-1', '--name', 'cli-session-copy', '--client-token', 'cli-copy-1')
        ).ImageId as string;
        expect(
          (
            await ok(
              'ec2',
              'copy-image',
              '--source-image-id',
              made,
              '--source-region',
              'us-east-1',
              '--name',
              'cli-session-copy',
              '--client-token',
              'cli-copy-1',
            )
          ).ImageId,
        ).to.equal(copy);
      })(),
      (async () => {
        west = (
          await ok(
            'ec2',
            'copy-image',
            '--region',
            'eu-west-1',
            '--source-image-id',
            made,
            '--source-region',
            'us-east-1',
            '--name',
            'cli-session-west',
            '--encrypted',
          )
        ).ImageId as string;
        const westImage = await until(
          'west available',
          async () => {
            const r = await exec(['ec2', 'describe-images', '--region', 'eu-west-1', '--image-ids', west]);
            const img = r.ok ? JSON.parse(r.stdout).Images[0] : undefined;
            return img?.State === 'available' ? img : undefined;
          },
          200,
        );
        validate('ec2', 'Image', westImage, 'ec2 describe-images (eu-west-1) Image');
        expect([westImage.SourceImageId, westImage.SourceImageRegion, westImage.PlatformDetails]).to.deep.equal([made, 'us-east-1', 'Windows']);
      })(),
    ]);

    // A registered twin of the golden image shares its snapshot: deregistering the first skips it.
    const twin = (
      await ok(
        'ec2',
        'register-image',
        '--name',
        'cli-session-twin',
        '--root-device-name',
        '/dev/sda1',
        '--architecture',
        'x86_64',
        '--virtualization-type',
        'hvm',
        '--block-device-mappings',
        `DeviceName=/dev/sda1,Ebs={SnapshotId=${rootSnap}}`,
      )
    ).ImageId as string;
    emu.control.setDurations({ imageDeregisteredVisible: 600_000_000 });
    const first = await ok('ec2', 'deregister-image', '--image-id', made, '--delete-associated-snapshots');
    expect(first.DeleteSnapshotResults).to.deep.equal([{ SnapshotId: rootSnap, ReturnCode: 'skipped' }]);
    expect((await ok('ec2', 'describe-images', '--image-ids', made)).Images[0].State).to.equal('deregistered');
    await fails('InvalidAMIID.Unavailable', 'ec2', 'deregister-image', '--image-id', made);
    await fails('InvalidAMIID.Unavailable', 'ec2', 'run-instances', '--image-id', made, '--count', '1', '--instance-type', 't3.large');
    expect((await ok('ec2', 'deregister-image', '--image-id', twin, '--delete-associated-snapshots')).DeleteSnapshotResults).to.deep.equal([
      { SnapshotId: rootSnap, ReturnCode: 'success' },
    ]);
    await ok('ec2', 'deregister-image', '--image-id', copy, '--delete-associated-snapshots');
    await ok('ec2', 'deregister-image', '--region', 'eu-west-1', '--image-id', west, '--delete-associated-snapshots');

    // The builder's lifecycle to the end.
    await ok('ec2', 'reboot-instances', '--instance-ids', iid);
    await ok('ec2', 'stop-instances', '--instance-ids', iid);
    await until('stopped', async () =>
      (await ok('ec2', 'describe-instances', '--instance-ids', iid)).Reservations[0].Instances[0].State.Name === 'stopped' ? true : undefined,
    );
    await ok('ec2', 'start-instances', '--instance-ids', iid);
    await ok('ec2', 'terminate-instances', '--instance-ids', iid);
    await until('terminated', async () =>
      (await ok('ec2', 'describe-instances', '--instance-ids', iid)).Reservations[0].Instances[0].State.Name === 'terminated' ? true : undefined,
    );
    await fails(
      'InvalidInstanceId',
      'ssm',
      'send-command',
      '--document-name',
      'AWS-RunPowerShellScript',
      '--instance-ids',
      iid,
      '--parameters',
      'commands=["x"]',
    );

    const { calls, errors, problems } = report();
    console.log(`      ${calls} CLI calls, ${errors.length} error cases, ${problems.length} shape problems`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(calls).to.be.at.least(60);
    expect(errors.length).to.be.at.least(15);
  });
});
