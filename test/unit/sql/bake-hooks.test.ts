import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { buildPipeline } from '../../../src/bake/pipeline.js';
import { iamPolicies } from '../../../src/bake/iam-policy.js';
import { sqlFindings } from '../../../src/bake/steps/check-sql-ready.js';
import { renderBundle } from '../../../src/render/bundle.js';
import { sqlAddsCustomize } from '../../../src/render/sql-bundle.js';
import { byolConfig, licenseIncludedConfig, plainConfig } from './fixtures.js';

const names = (c: Parameters<typeof buildPipeline>[0]) => buildPipeline(c, { smokeTest: true }).map((s) => s.name);

function publishing(regions: string[]) {
  return parseConfig(
    [
      'name: pub',
      'region: us-east-1',
      'windows:',
      '  release: "2022"',
      'image:',
      '  publishParameter: /golden/win2022/latest',
      '  regions:',
      ...regions.map((r) => `    - region: ${r}`),
    ].join('\n'),
  );
}

describe('sql: the bake runs the SQL part of the bundle', () => {
  it('runs customize for byol-prepare without user steps, because the plan holds PrepareImage', async () => {
    const config = byolConfig();
    expect(config.customize).to.have.length(0);
    expect(sqlAddsCustomize(config)).to.equal(true);
    const bundle = await renderBundle(config);
    expect(bundle.plan.customize.map((s) => s.kind)).to.deep.equal(['sqlPrepareImage']);
    expect(names(config)).to.include('customize');
  });

  it('agrees with the rendered plan on whether there is anything to customize, for every mode', async () => {
    for (const config of [byolConfig(), licenseIncludedConfig(), plainConfig()]) {
      const bundle = await renderBundle(config);
      expect(names(config).includes('customize'), config.name).to.equal(bundle.plan.customize.length > 0);
    }
  });

  it('checks SQL Server before Sysprep exactly when there is a sql section', () => {
    for (const config of [byolConfig(), licenseIncludedConfig()]) {
      const steps = names(config);
      expect(steps.indexOf('checkSqlReady')).to.be.greaterThan(steps.indexOf('checkReadyToSeal'));
      expect(steps.indexOf('checkSqlReady')).to.be.lessThan(steps.indexOf('runSysprep'));
    }
    expect(names(plainConfig())).to.not.include('checkSqlReady');
  });

  it('publishes last, after the smoke test and the copies, only when publishParameter is set', () => {
    const steps = names(publishing(['eu-west-1']));
    expect(steps[steps.length - 1]).to.equal('publishParameter');
    expect(steps.indexOf('publishParameter')).to.be.greaterThan(steps.indexOf('copyToRegions'));
    expect(steps.indexOf('publishParameter')).to.be.greaterThan(steps.indexOf('smokeTest'));
    expect(names(plainConfig())).to.not.include('publishParameter');
  });

  it('grants ssm:PutParameter (and the preflight its GetParameter) on the publish parameter in each region, and nothing more on it', () => {
    const policy = iamPolicies(publishing(['eu-west-1', 'ap-southeast-2'])).caller;
    const stmt = policy.Statement.find((s) => s.Sid === 'WinamiPublishImageId');
    expect(stmt?.Action).to.deep.equal(['ssm:GetParameter', 'ssm:PutParameter']);
    expect(stmt?.Resource).to.deep.equal([
      'arn:aws:ssm:us-east-1:*:parameter/golden/win2022/latest',
      'arn:aws:ssm:eu-west-1:*:parameter/golden/win2022/latest',
      'arn:aws:ssm:ap-southeast-2:*:parameter/golden/win2022/latest',
    ]);
    const others = policy.Statement.filter((s) => s.Sid !== 'WinamiPublishImageId');
    expect(others.flatMap((s) => s.Action)).to.not.include('ssm:PutParameter');
    expect(iamPolicies(plainConfig()).caller.Statement.map((s) => s.Sid)).to.not.include('WinamiPublishImageId');
  });

  it('keeps PutParameter for env: secrets on /winami/* beside the publish statement', () => {
    const config = parseConfig(
      [
        'name: pub',
        'region: us-east-1',
        'windows:',
        '  release: "2022"',
        'windowsSettings:',
        '  productKey: env:WIN_KEY',
        'image:',
        '  publishParameter: /golden/x',
      ].join('\n'),
    );
    const policy = iamPolicies(config).caller;
    const params = policy.Statement.find((s) => s.Sid === 'WinamiParameters');
    expect(params?.Action).to.include('ssm:PutParameter');
    expect(params?.Resource).to.include('arn:aws:ssm:*:*:parameter/winami/*');
    expect(JSON.stringify(params?.Resource)).to.not.include('/golden/x');
    expect(policy.Statement.find((s) => s.Sid === 'WinamiPublishImageId')?.Resource).to.deep.equal(['arn:aws:ssm:us-east-1:*:parameter/golden/x']);
  });

  it('reads every finding line of the pre-seal check', () => {
    const out =
      'WINAMI sqlService.MSSQLSERVER=Running\r\nWINAMI sqlFinding=service MSSQLSERVER is StartPending\r\nWINAMI sqlFinding=sqlcmd not found\r\nWINAMI sqlReady=false\r\n';
    expect(sqlFindings(out)).to.deep.equal(['service MSSQLSERVER is StartPending', 'sqlcmd not found']);
    expect(sqlFindings('WINAMI sqlReady=true\n')).to.deep.equal([]);
  });
});

describe('sql: the AWS source for license-included SQL Server', () => {
  it('names SQL Server 2016 by its service pack, as AWS does (SQL_2016_SP3_<Edition>)', () => {
    const config = parseConfig(
      ['name: li', 'region: us-east-1', 'windows:', '  release: "2016"', 'sql:', '  mode: license-included', '  version: "2016"', '  edition: web'].join('\n'),
    );
    expect(config.source).to.deep.include({
      kind: 'ssm-parameter',
      parameter: '/aws/service/ami-windows-latest/Windows_Server-2016-English-Full-SQL_2016_SP3_Web',
    });
    const later = parseConfig(
      ['name: li', 'region: us-east-1', 'windows:', '  release: "2022"', 'sql:', '  mode: license-included', '  version: "2022"', '  edition: standard'].join(
        '\n',
      ),
    );
    expect(later.source).to.deep.include({
      kind: 'ssm-parameter',
      parameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-SQL_2022_Standard',
    });
  });
});
