import { expect } from 'chai';
import { lintText } from '../../../src/lint/index.js';
import { validFixtures } from './mutants.js';

describe('lint valid fixtures', () => {
  const fixtures = validFixtures();
  it('has fixtures of every shape (EC2Launch v2/v1, EC2Config, Packer, agent configs)', () => {
    expect(fixtures.map((f) => f.name)).to.include.members([
      'ec2launch-v2-unattend.xml',
      'ec2launch-v1-unattend.xml',
      'sysprep2008.xml',
      'packer-autounattend.xml',
      'agent-config.yml',
      'LaunchConfig.json',
      'config.xml',
      'BundleConfig.xml',
    ]);
  });
  for (const f of fixtures) {
    it(`${f.name}: no error finding`, () => {
      const errors = lintText(f.text, f.options).filter((x) => x.severity === 'error');
      expect(errors).to.deep.equal([]);
    });
    it(`${f.name}: no error finding with kind detected from the name and content`, () => {
      const { kind: _kind, ...rest } = f.options;
      expect(lintText(f.text, rest).filter((x) => x.severity === 'error')).to.deep.equal([]);
    });
  }
});
