import { expect } from 'chai';
import { evaluate } from '../../../src/audit/evaluate.js';
import { RULE_PACK } from '../../../src/audit/pack.js';
import type { Rule } from '../../../src/audit/types.js';
import { ctx, imageSubject, instanceSubject } from './fixtures.js';

describe('audit/evaluate', () => {
  it('runs only the rules of the subject kind and records evidence', () => {
    const findings = evaluate(imageSubject({ PlatformDetails: '', UsageOperation: '' }), RULE_PACK, ctx());
    expect(findings.map((f) => f.ruleId)).to.deep.equal(['billing-fields-empty']);
    expect(findings[0]).to.deep.include({
      account: '111111111111',
      region: 'us-east-1',
      resourceType: 'image',
      resourceId: 'ami-0123456789abcdef0',
      severity: 'error',
      time: '2025-06-01T00:00:00.000Z',
    });
    expect(findings[0]!.evidence).to.include({ platformDetails: '', platform: 'windows', name: 'golden-windows-2022' });
  });

  it('turns a rule that throws into a rule-failed finding and keeps running the others', () => {
    const boom: Rule<'image'> = {
      id: 'boom',
      severity: 'warning',
      title: 'b',
      explanation: 'b',
      kind: 'image',
      check: () => {
        throw new Error('bad data');
      },
    };
    const findings = evaluate(imageSubject({ PlatformDetails: '' }), [boom, ...RULE_PACK], ctx());
    expect(findings.map((f) => f.ruleId)).to.deep.equal(['rule-failed', 'billing-fields-empty']);
    expect(findings[0]!.evidence).to.include({ rule: 'boom', error: 'bad data' });
  });

  it('survives malformed subjects (missing ids, garbage fields)', () => {
    const weird = imageSubject({
      ImageId: undefined,
      State: undefined,
      Tags: [{ Key: 'winami:expect', Value: 'garbage' }],
      BlockDeviceMappings: [null as never],
    });
    const findings = evaluate(weird, RULE_PACK, ctx());
    expect(findings.map((f) => f.ruleId)).to.deep.equal(['rule-failed']);
    expect(findings[0]!.resourceId).to.equal('(no image id)');
    expect(evaluate(instanceSubject({ State: undefined }, { DeprecationTime: 'x' }), RULE_PACK, ctx()).map((f) => f.ruleId)).to.deep.equal(['rule-failed']);
  });
});
