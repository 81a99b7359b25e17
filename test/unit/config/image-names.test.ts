import { expect } from 'chai';
import { awsImageName } from '../../../src/config/resolve.js';
import type { ParsedConfig } from '../../../src/config/schema.js';
import type { LaunchAgent } from '../../../src/knowledge/releases.js';

type Input = Pick<ParsedConfig, 'windows' | 'sql'>;

function input(release: string, edition: 'full' | 'core', sql?: { version: string; edition: string }): Input {
  return {
    windows: { release, edition, language: 'English' },
    sql: sql ? { mode: 'license-included', ...sql } : undefined,
  } as unknown as Input;
}

// Names as AWS publishes them under /aws/service/ami-windows-latest/ (AWS Windows AMI reference).
const CASES: Array<[Input, LaunchAgent, string]> = [
  [input('2012r2', 'full'), 'ec2config', 'Windows_Server-2012-R2_RTM-English-64Bit-Base'],
  [input('2012r2', 'core'), 'ec2config', 'Windows_Server-2012-R2_RTM-English-64Bit-Core'],
  [input('2012r2', 'full', { version: '2016', edition: 'web' }), 'ec2config', 'Windows_Server-2012-R2_RTM-English-64Bit-SQL_2016_SP3_Web'],
  [input('2016', 'full'), 'ec2launch-v1', 'Windows_Server-2016-English-Full-Base'],
  [input('2016', 'core'), 'ec2launch-v1', 'Windows_Server-2016-English-Core-Base'],
  [input('2016', 'full'), 'ec2launch-v2', 'EC2LaunchV2-Windows_Server-2016-English-Full-Base'],
  [input('2019', 'full', { version: '2019', edition: 'enterprise' }), 'ec2launch-v1', 'Windows_Server-2019-English-Full-SQL_2019_Enterprise'],
  [input('2022', 'full'), 'ec2launch-v2', 'Windows_Server-2022-English-Full-Base'],
  [input('2022', 'full', { version: '2022', edition: 'standard' }), 'ec2launch-v2', 'Windows_Server-2022-English-Full-SQL_2022_Standard'],
  [input('2025', 'core'), 'ec2launch-v2', 'Windows_Server-2025-English-Core-Base'],
];

describe('AWS image names of default sources', () => {
  for (const [config, agent, name] of CASES) {
    it(`${config.windows.release} ${config.windows.edition}${config.sql ? ` SQL ${config.sql.version} ${config.sql.edition}` : ''} with ${agent} → ${name}`, () => {
      expect(awsImageName(config, agent)).to.equal(name);
    });
  }
});
