/** The audit's settings: the `audit:` section of a file, the command-line values, and how they combine. */
import { expect } from 'chai';
import { parseAuditSettings, parseConfig } from '../../../src/config/load.js';
import { describeInventorySettings, inventorySettings, parseDays, parseKbs } from '../../../src/audit/settings.js';
import { ruleMetadata } from '../../../src/audit/pack.js';
import { ConfigError, UsageError } from '../../../src/errors.js';

describe('audit settings', () => {
  it('reads the audit: section of a small file, with defaults', () => {
    expect(parseAuditSettings('audit:\n  inventory:\n    maxAge: 30d\n    requiredKbs: [KB5034439]\n')).to.deep.equal({
      inventory: { maxAge: '30d', requiredKbs: ['KB5034439'] },
    });
    expect(parseAuditSettings('audit: {}\n')).to.deep.equal({ inventory: { requiredKbs: [] } });
  });

  it('reports every problem of the section with its line, and a missing section with the fix', () => {
    let err: unknown;
    try {
      parseAuditSettings('name: x\naudit:\n  inventory:\n    maxAge: 0d\n    requiredKbs: [KB1]\n  extra: 1\n', 'a.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const issues = (err as ConfigError).issues.map((i) => [i.path, i.position?.line, i.message]);
    expect(issues).to.deep.include(['audit.inventory.maxAge', 4, 'a number of days such as 45d']);
    expect(issues).to.deep.include(['audit.inventory.requiredKbs.0', 5, 'a KB number such as KB5044281']);
    expect(issues).to.deep.include(['audit.extra', 6, 'unknown key "extra"']);
    expect(() => parseAuditSettings('inventory: {}\n', 'b.yaml')).to.throw(ConfigError, 'b.yaml has no audit: section');
  });

  it('is accepted in a winami config, which the bake does not read', () => {
    const text = 'name: x\nregion: us-east-1\nwindows:\n  release: "2022"\naudit:\n  inventory:\n    maxAge: 45d\n';
    expect(parseConfig(text).audit).to.deep.equal({ inventory: { maxAge: '45d', requiredKbs: [] } });
  });

  it('parses days and KBs from the command line, naming every bad value', () => {
    expect(parseDays('45d', '--x')).to.equal(45);
    for (const bad of ['45', '45h', '0d', '-3d', '1.5d', "45d'; rm -rf /"]) expect(() => parseDays(bad, '--x'), bad).to.throw(UsageError, '--x must be');
    expect(parseKbs(['kb5034439', 'KB5034439', 'KB5099999'], '--k')).to.deep.equal(['KB5034439', 'KB5099999']);
    expect(() => parseKbs(['KB1', 'KB5034439', '<script>'], '--k')).to.throw(UsageError, '--k: not KB numbers: "KB1", "<script>"');
  });

  it('lets each command-line value replace the file value', () => {
    const file = { inventory: { maxAge: '30d', requiredKbs: ['KB5000001'] } };
    expect(inventorySettings(undefined, {})).to.deep.equal({});
    expect(inventorySettings(file, {})).to.deep.equal({ maxAgeDays: 30, requiredKbs: ['KB5000001'] });
    expect(inventorySettings(file, { maxAge: '60d' })).to.deep.equal({ maxAgeDays: 60, requiredKbs: ['KB5000001'] });
    expect(inventorySettings(file, { requireKb: ['KB5000002'] })).to.deep.equal({ maxAgeDays: 30, requiredKbs: ['KB5000002'] });
  });

  it('puts what the inventory rule judged by in its explanation, and only there', () => {
    expect(describeInventorySettings(undefined)).to.equal('In this audit: at most 45 days (the default); required updates: none.');
    const rules = ruleMetadata({ inventory: { maxAgeDays: 30, requiredKbs: ['KB5000001'] } });
    expect(rules.find((r) => r.id === 'image-inventory-stale')!.explanation).to.match(/In this audit: at most 30 days; required updates: KB5000001\.$/);
    expect(rules.filter((r) => r.explanation.includes('In this audit')).length).to.equal(1);
  });
});
