/**
 * Real-AWS acceptance, read-only: verify the billing of Amazon's current
 * Windows Server 2022 AMI (from its SSM public parameter) against `windows`,
 * and audit one region of the caller's account. Runs only with
 * WINAMI_ACCEPTANCE=1 and working credentials; otherwise skipped with the
 * reason. Nothing is created, so nothing costs money beyond API calls.
 *
 *   WINAMI_ACCEPTANCE=1 AWS_REGION=us-east-1 npx mocha dist/test/acceptance/billing.acceptance.test.js
 *
 * IAM: ssm:GetParameter, ec2:DescribeImages, ec2:DescribeSnapshots, ec2:DescribeRegions, sts:GetCallerIdentity.
 */
import { expect } from 'chai';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession } from '../../src/aws/ports.js';
import { resolveExpectation, verifyImageBilling } from '../../src/billing/index.js';
import { audit, formatAudit } from '../../src/audit/index.js';

const env = process.env;
const region = env.WINAMI_ACCEPTANCE_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
const PARAMETER = '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base';

/** Why the acceptance tests cannot run here, or undefined when they can. */
async function whyNot(session: AwsSession): Promise<string | undefined> {
  if (env.WINAMI_ACCEPTANCE !== '1') return 'set WINAMI_ACCEPTANCE=1 to run the real-AWS acceptance tests (read-only; see docs/billing.md)';
  try {
    await session.sts().getCallerIdentity({});
    return undefined;
  } catch (err) {
    return `no usable AWS credentials (the SDK's default chain): ${(err as Error).message}`;
  }
}

describe('acceptance: billing verification and audit on real AWS (read-only)', function () {
  this.timeout(10 * 60_000);
  const session = createAwsSession({ region });

  before(async function () {
    const reason = await whyNot(session);
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  it(`verifies Amazon's ${PARAMETER} image as billed Windows (RunInstances:0002)`, async () => {
    const imageId = (await session.ssm(region).getParameter({ Name: PARAMETER })).Parameter?.Value;
    expect(imageId, `${PARAMETER} in ${region}`).to.match(/^ami-[0-9a-f]+$/);
    const r = await verifyImageBilling(session.ec2(region), imageId!, resolveExpectation({ name: 'windows' }));
    expect(r.check.problems, JSON.stringify(r.check.problems)).to.deep.equal([]);
    expect(r.ok).to.equal(true);
    expect(r.fields.PlatformDetails).to.equal('Windows');
    expect(r.fields.UsageOperation).to.equal('RunInstances:0002');
    const wrong = await verifyImageBilling(session.ec2(region), imageId!, resolveExpectation({ name: 'windows-sql-standard' }));
    expect(wrong.ok).to.equal(false);
  });

  it(`audits ${region} of the caller's account and every format renders the result`, async () => {
    const result = await audit({ session, regions: [region] });
    for (const f of result.failures) console.log(`      not audited: ${f.stage}: ${f.message}${f.iamAction ? ` (grant ${f.iamAction})` : ''}`);
    expect(result.regions).to.deep.equal([region]);
    expect(result.accounts).to.have.length(1);
    for (const f of result.failures) expect(f.iamAction ?? f.awsCode, 'a failure names the IAM action or AWS code').to.be.a('string');
    for (const format of ['table', 'json', 'csv', 'html', 'sarif'] as const) expect(formatAudit(result, format).length).to.be.greaterThan(0);
    console.log(`      ${result.scanned.images} images, ${result.scanned.snapshots} snapshots, ${result.totals.findings} findings`);
  });
});
