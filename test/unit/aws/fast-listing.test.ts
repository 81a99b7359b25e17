import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { usesFastListing } from '../../../src/aws/session.js';
import { packageRoot } from '../../../src/util/package-root.js';

describe('the EC2 listing decoder is for audit sessions only', () => {
  it('is off unless the session asks for it, and only ever for EC2', () => {
    expect(usesFastListing('ec2', {})).to.equal(false);
    expect(usesFastListing('ec2', { fastListing: false })).to.equal(false);
    expect(usesFastListing('ec2', { fastListing: true })).to.equal(true);
    expect(usesFastListing('ssm', { fastListing: true })).to.equal(false);
  });

  it('is asked for by the audit command and by no other command', () => {
    const dir = join(packageRoot(), 'src', 'cli', 'commands');
    const asking = readdirSync(dir).filter((f) => f.endsWith('.ts') && /fastListing: true/.test(readFileSync(join(dir, f), 'utf8')));
    expect(asking).to.deep.equal(['audit.ts']);
  });
});
