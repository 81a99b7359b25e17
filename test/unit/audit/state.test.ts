/**
 * The audit state file: what a resume trusts (done scopes, their findings)
 * and what it refuses (another audit's file, a file that is not one), and a
 * line torn by a crash ignored and cut off before appending.
 */
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStateFile } from '../../../src/audit/state.js';
import { UsageError } from '../../../src/errors.js';
import type { Finding } from '../../../src/audit/types.js';

const finding = (id: string, region = 'us-east-1'): Finding => ({
  ruleId: 'billing-fields-empty',
  severity: 'error',
  title: 't',
  account: '111111111111',
  region,
  resourceType: 'image',
  resourceId: id,
  message: `m ${id}`,
  evidence: { name: 'x\u202e' },
  time: '2026-01-01T00:00:00.000Z',
});

describe('audit state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'winami-state-'));

  it('resumes only scopes marked done, replays their findings, and ignores a torn last line', async () => {
    const path = join(dir, 'a.state');
    const s = await AuditStateFile.open(path, 'fp', '2026-01-01T00:00:00.000Z');
    expect(s.resume).to.equal(undefined);
    s.finding('111111111111', 'us-east-1', finding('ami-1'));
    s.scopeDone('111111111111', 'us-east-1', { images: 1, snapshots: 0, instances: 0 });
    s.finding('111111111111', 'eu-west-1', finding('ami-2', 'eu-west-1'));
    await s.close();
    // A crash mid-write: half a line at the end.
    appendFileSync(path, '{"s":"111111111111/eu-west-1","f":{"ruleId":"bil');

    const r = await AuditStateFile.open(path, 'fp', 'later');
    expect(r.resume?.startedAt).to.equal('2026-01-01T00:00:00.000Z');
    expect(r.isDone('111111111111', 'us-east-1')).to.equal(true);
    expect(r.isDone('111111111111', 'eu-west-1')).to.equal(false);
    const replayed: Finding[] = [];
    for await (const f of r.replay()) replayed.push(f);
    expect(replayed).to.deep.equal([finding('ami-1')]);
    r.scopeDone('111111111111', 'eu-west-1', { images: 0, snapshots: 0, instances: 0 });
    await r.close();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    for (const l of lines) JSON.parse(l);
    expect(lines.at(-1)).to.contain('"done":"111111111111/eu-west-1"');
  });

  it("refuses another audit's file and a file that is not a state file, leaving both as they were", async () => {
    const path = join(dir, 'b.state');
    await (await AuditStateFile.open(path, 'fp-one', 'now')).close();
    const before = readFileSync(path, 'utf8');
    const err = await AuditStateFile.open(path, 'fp-two', 'now').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.contain('another audit');
    expect(readFileSync(path, 'utf8')).to.equal(before);
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'my notes\n');
    expect(await AuditStateFile.open(other, 'fp', 'now').catch((e: unknown) => e)).to.be.instanceOf(UsageError);
    expect(readFileSync(other, 'utf8')).to.equal('my notes\n');
  });
});
