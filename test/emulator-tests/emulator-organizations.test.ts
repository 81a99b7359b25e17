/**
 * The emulator's AWS Organizations and per-account regions, through the real
 * SDK clients: paged ListAccounts from the management account, refusals for
 * members and standalone accounts, generated members reached by AssumeRole of
 * the access role only, suspended members unreachable, and opt-in regions
 * answered as AWS answers a region the account has not enabled.
 */
import { strict as assert } from 'node:assert';
import { OrganizationsClient, ListAccountsCommand, DescribeOrganizationCommand, paginateListAccounts, type Account } from '@aws-sdk/client-organizations';
import { EC2Client, DescribeRegionsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { generatedAccountId } from '../../emulator/organizations.js';
import { withEmulator } from './helpers.js';

const creds = (n: number) => ({ accessKeyId: EMULATOR_ACCOUNTS[n]!.accessKeyId, secretAccessKey: EMULATOR_ACCOUNTS[n]!.secretAccessKey });
const MGMT = EMULATOR_ACCOUNTS[0]!.accountId;

describe('emulator: AWS Organizations and enabled regions', function () {
  this.timeout(20_000);
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({
      organization: { generatedAccounts: 200, suspended: [generatedAccountId(7)], outside: [EMULATOR_ACCOUNTS[2]!.accountId] },
      optInRegions: { [generatedAccountId(1)]: ['af-south-1'] },
    });
  });
  after(() => emu.stop());
  const org = (n: number) => new OrganizationsClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials: creds(n), maxAttempts: 1 });
  const sts = (n: number) => new STSClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials: creds(n), maxAttempts: 1 });

  it('pages ListAccounts 20 at a time for the management account, with State and Status', async () => {
    const accounts: Account[] = [];
    let pages = 0;
    for await (const page of paginateListAccounts({ client: org(0) }, {})) {
      pages++;
      assert.ok((page.Accounts ?? []).length <= 20);
      accounts.push(...(page.Accounts ?? []));
    }
    // 2 own accounts in the organization (the third is outside) + 200 generated.
    assert.equal(accounts.length, 202);
    assert.equal(pages, Math.ceil(202 / 20));
    assert.equal(new Set(accounts.map((a) => a.Id)).size, 202);
    const suspended = accounts.filter((a) => a.Status === 'SUSPENDED');
    assert.deepEqual(
      suspended.map((a) => [a.Id, a.State]),
      [[generatedAccountId(7), 'SUSPENDED']],
    );
    assert.ok(accounts.every((a) => a.JoinedTimestamp instanceof Date && /^arn:aws:organizations::111111111111:account\/o-/.test(a.Arn ?? '')));
  });

  it('refuses MaxResults outside 1–20 and an unknown NextToken with InvalidInputException', async () => {
    await assert.rejects(org(0).send(new ListAccountsCommand({ MaxResults: 21 })), { name: 'InvalidInputException' });
    await assert.rejects(org(0).send(new ListAccountsCommand({ NextToken: 'nope' })), { name: 'InvalidInputException' });
  });

  it('lets a member describe the organization but not list its accounts; a standalone account is not in use', async () => {
    const d = await org(1).send(new DescribeOrganizationCommand({}));
    assert.equal(d.Organization?.MasterAccountId, MGMT);
    await assert.rejects(org(1).send(new ListAccountsCommand({})), { name: 'AccessDeniedException' });
    await assert.rejects(org(2).send(new ListAccountsCommand({})), { name: 'AWSOrganizationsNotInUseException' });
    await assert.rejects(org(2).send(new DescribeOrganizationCommand({})), { name: 'AWSOrganizationsNotInUseException' });
  });

  it('reaches a generated member through its access role only, and never a suspended one', async () => {
    const arn = (account: string, role: string) => `arn:aws:iam::${account}:role/${role}`;
    const ok = await sts(0).send(new AssumeRoleCommand({ RoleArn: arn(generatedAccountId(3), 'OrganizationAccountAccessRole'), RoleSessionName: 't' }));
    assert.match(ok.AssumedRoleUser?.Arn ?? '', new RegExp(`::${generatedAccountId(3)}:assumed-role/OrganizationAccountAccessRole/t$`));
    await assert.rejects(sts(0).send(new AssumeRoleCommand({ RoleArn: arn(generatedAccountId(3), 'SomeOtherRole'), RoleSessionName: 't' })), {
      name: 'AccessDenied',
    });
    await assert.rejects(sts(0).send(new AssumeRoleCommand({ RoleArn: arn(generatedAccountId(7), 'OrganizationAccountAccessRole'), RoleSessionName: 't' })), {
      name: 'AccessDenied',
    });
    await assert.rejects(sts(0).send(new AssumeRoleCommand({ RoleArn: arn('999999999999', 'OrganizationAccountAccessRole'), RoleSessionName: 't' })), {
      name: 'AccessDenied',
    });
  });

  it('lists enabled regions per account and refuses calls in an opt-in region the account has not enabled', async () => {
    const member = async (n: number) => {
      const out = await sts(0).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${generatedAccountId(n)}:role/OrganizationAccountAccessRole`, RoleSessionName: 'r' }),
      );
      const c = out.Credentials!;
      return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    };
    const ec2 = (credentials: Awaited<ReturnType<typeof member>>, region: string) =>
      new EC2Client({ region, endpoint: emu.endpoint, credentials, maxAttempts: 1 });
    const c1 = await member(1);
    const c2 = await member(2);
    const names = async (credentials: typeof c1, all = false) =>
      ((await ec2(credentials, 'us-east-1').send(new DescribeRegionsCommand(all ? { AllRegions: true } : {}))).Regions ?? []).map(
        (r) => `${r.RegionName}:${r.OptInStatus}`,
      );
    const r1 = await names(c1);
    assert.ok(r1.includes('af-south-1:opted-in'));
    assert.equal(r1.length, 18);
    const r2 = await names(c2);
    assert.ok(!r2.some((r) => r.startsWith('af-south-1')));
    assert.equal(r2.length, 17);
    assert.ok((await names(c2, true)).includes('af-south-1:not-opted-in'));
    await ec2(c1, 'af-south-1').send(new DescribeImagesCommand({ Owners: ['self'] }));
    await assert.rejects(ec2(c2, 'af-south-1').send(new DescribeImagesCommand({ Owners: ['self'] })), { name: 'AuthFailure' });
  });
});
