import { expect } from 'chai';
import { join } from 'node:path';
import { isAwsCode } from '../../../src/aws/errors.js';
import { AwsError, StepError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { sourceFiles } from '../source-files.js';

describe('isAwsCode(err, ...codes): the one way to ask which AWS error it was', () => {
  it('recognises an SDK exception by its name or Code', () => {
    const sdk = Object.assign(new Error('no such image'), { name: 'InvalidAMIID.NotFound', $metadata: { httpStatusCode: 400 } });
    expect(isAwsCode(sdk, 'InvalidAMIID.NotFound')).to.equal(true);
    expect(isAwsCode(sdk, 'InvalidSnapshot.NotFound', 'InvalidAMIID.NotFound')).to.equal(true);
    expect(isAwsCode({ Code: 'ParameterNotFound' }, 'ParameterNotFound')).to.equal(true);
    expect(isAwsCode(sdk, 'InvalidSnapshot.NotFound')).to.equal(false);
  });

  it("recognises a port error wrapped as AwsError by its awsCode, not by winami's own code", () => {
    const wrapped = new AwsError('DescribeImages', 'no such image', { awsCode: 'InvalidAMIID.NotFound' });
    expect(isAwsCode(wrapped, 'InvalidAMIID.NotFound')).to.equal(true);
    expect(isAwsCode(wrapped, 'AWS')).to.equal(false);
    expect(isAwsCode(new AwsError('DescribeImages', 'no code'), 'AWS')).to.equal(false);
  });

  it('says no for anything else', () => {
    expect(isAwsCode(undefined, 'X')).to.equal(false);
    expect(isAwsCode('InvalidAMIID.NotFound', 'InvalidAMIID.NotFound')).to.equal(false);
    expect(isAwsCode(new StepError('s', 'broke'), 'InvalidAMIID.NotFound')).to.equal(false);
  });

  it("is used instead of reading awsCode by hand, and winami's own errors are matched with instanceof", () => {
    const byHand = /as \{ awsCode\?: string \}\)\.awsCode|\.name === 'PollFailureError'|\.code !== 'POLL_FAILURE'|\.code === 'POLL_FAILURE'/;
    const hits = sourceFiles(join(packageRoot(), 'src')).filter((f) => byHand.test(f.text));
    expect(hits.map((f) => f.path)).to.deep.equal([]);
  });
});
