import { expect } from 'chai';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { deliveryScripts, ps, splitSysprepLogs, windowsDir } from '../../../src/bake/scripts.js';
import { parseFacts, tail } from '../../../src/bake/ssm-run.js';
import { journalPath, memoryJournal, openJournal, readJournal } from '../../../src/bake/journal.js';
import { imageName, newBuildId } from '../../../src/bake/index.js';
import { creating, graceEndOf, track, type BakeContext } from '../../../src/bake/context.js';
import { initialState } from '../../../src/bake/state.js';
import { parseConfig } from '../../../src/config/load.js';
import { buildPipeline } from '../../../src/bake/pipeline.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const baseConfig = (extra = '') =>
  parseConfig(`name: t\nregion: us-east-1\nwindows:\n  release: "2022"\nbuilder:\n  instanceProfile: p\n${extra}`, { configPath: join(tmpdir(), 'c.yaml') });

describe('bake pieces', () => {
  it('quotes PowerShell literals, doubling every kind of single quote', () => {
    expect(ps("C:\\it's")).to.equal("'C:\\it''s'");
    expect(ps('a\u2019b')).to.equal("'a\u2019\u2019b'");
  });

  it('splits delivery into scripts within the budget, reassembling to the same bytes', () => {
    const big = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const small = Buffer.from('hello');
    const scripts = deliveryScripts(
      [
        { destination: 'C:\\ProgramData\\winami\\big.bin', content: big, sha256: sha(big) },
        { destination: 'C:\\x\\small.txt', content: small, sha256: sha(small) },
      ],
      40_000,
      16_000,
    );
    expect(scripts.length).to.be.greaterThan(2);
    for (const s of scripts) expect(s.length).to.be.at.most(40_000);
    const chunks = scripts
      .join('\r\n')
      .split('\r\n')
      .filter((l) => l.includes("big.bin.winami-b64' -Value '") && l.startsWith('Add-Content'));
    const b64 = chunks.map((l) => /-Value '([^']*)'/.exec(l)![1]).join('');
    expect(Buffer.from(b64, 'base64').equals(big)).to.equal(true);
    // Each file's hash line stands alone: a script boundary may fall between any two statements.
    expect(scripts.join('\n')).to.contain("Write-Output ('WINAMI sha256.1=' + (Get-FileHash -LiteralPath 'C:\\x\\small.txt' -Algorithm SHA256).Hash)");
    expect(scripts.join('\n')).to.not.contain('$h');
    expect(windowsDir('C:\\x\\small.txt')).to.equal('C:\\x');
  });

  it('reads WINAMI facts and output tails', () => {
    expect(parseFacts('noise\r\nWINAMI ready=true\nWINAMI imageState=IMAGE_STATE_COMPLETE\nWINAMIx=1')).to.deep.equal({
      ready: 'true',
      imageState: 'IMAGE_STATE_COMPLETE',
    });
    expect(tail('1\n2\n3\n4\n', 2)).to.equal('3\n4');
    expect(splitSysprepLogs('--- setuperr.log ---\nE1\n--- setupact.log ---\nA1\nA2')).to.deep.equal({ setuperr: 'E1', setupact: 'A1\nA2' });
  });

  it('journals durably and reads back what is outstanding, ignoring a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-j-'));
    const p = journalPath(dir, 'b1');
    const j = openJournal(p);
    const t = new Date().toISOString();
    j.append({ type: 'build', buildId: 'b1', region: 'us-east-1', regions: ['us-east-1', 'eu-west-1'], name: 'n', time: t });
    j.append({ type: 'created', kind: 'instance', id: 'i-1', region: 'us-east-1', role: 'builder', time: t });
    j.append({ type: 'created', kind: 'image', id: 'ami-1', region: 'us-east-1', role: 'image', time: t });
    j.append({ type: 'removed', kind: 'instance', id: 'i-1', region: 'us-east-1', time: t });
    appendFileSync(p, '{"type":"created","kind":"snap');
    const s = readJournal(p);
    expect(s.buildId).to.equal('b1');
    expect(s.regions).to.deep.equal(['us-east-1', 'eu-west-1']);
    expect(s.outstanding.map((r) => r.id)).to.deep.equal(['ami-1']);
    expect(readFileSync(p, 'utf8')).to.not.match(/password/i);
  });

  it('reads create calls no `created` record answers as unconfirmed, with their times', () => {
    const p = journalPath(mkdtempSync(join(tmpdir(), 'winami-j-')), 'b2');
    const j = openJournal(p);
    const t0 = '2026-01-02T03:04:05.000Z';
    const t1 = '2026-01-02T03:04:07.000Z';
    j.append({ type: 'build', buildId: 'b2', region: 'us-east-1', regions: ['us-east-1'], name: 'n', time: t0 });
    j.append({ type: 'creating', kind: 'instance', region: 'us-east-1', role: 'builder', time: t0 });
    j.append({ type: 'created', kind: 'instance', id: 'i-1', region: 'us-east-1', role: 'builder', time: t1 });
    // The smoke test's launch is another call: the builder's answer does not answer it.
    j.append({ type: 'creating', kind: 'instance', region: 'us-east-1', role: 'smoke-test', time: t1 });
    j.append({ type: 'creating', kind: 'image', region: 'eu-west-1', role: 'copy', time: t1 });
    const s = readJournal(p);
    expect(s.outstanding).to.deep.equal([{ kind: 'instance', id: 'i-1', region: 'us-east-1', role: 'builder', time: Date.parse(t1) }]);
    expect(s.unconfirmed).to.deep.equal([
      { kind: 'instance', region: 'us-east-1', role: 'smoke-test', time: Date.parse(t1) },
      { kind: 'image', region: 'eu-west-1', role: 'copy', time: Date.parse(t1) },
    ]);
    expect(s.regions).to.include('eu-west-1');
  });

  it('takes a create call AWS refused outright as answered: a cleanup by the journal has nothing to wait for', () => {
    const p = journalPath(mkdtempSync(join(tmpdir(), 'winami-j-')), 'b4');
    const j = openJournal(p);
    const t0 = '2026-01-02T03:04:05.000Z';
    j.append({ type: 'build', buildId: 'b4', region: 'us-east-1', regions: ['us-east-1'], name: 'n', time: t0 });
    j.append({ type: 'creating', kind: 'instance', region: 'us-east-1', role: 'builder', time: t0 });
    j.append({ type: 'refused', kind: 'instance', region: 'us-east-1', role: 'builder', time: t0 });
    // A refusal answers only its own call: the copy's create call is still unanswered.
    j.append({ type: 'creating', kind: 'image', region: 'eu-west-1', role: 'copy', time: t0 });
    j.append({ type: 'refused', kind: 'image', region: 'eu-west-1', role: 'image', time: t0 });
    const s = readJournal(p);
    expect(s.unconfirmed).to.deep.equal([{ kind: 'image', region: 'eu-west-1', role: 'copy', time: Date.parse(t0) }]);
    expect(s.outstanding).to.deep.equal([]);
  });

  it('remembers a create call with no answer until a resource of its kind, region and role is recorded; not one AWS refused outright', async () => {
    const state = initialState('b3', baseConfig(), 'img');
    let t = 5_000;
    const journal = memoryJournal();
    const ctx = {
      journal,
      reporter: { emit: () => undefined },
      clock: { now: () => t, sleep: async () => undefined },
      consistencyGraceMs: 2_000,
    } as unknown as BakeContext;
    const what = { kind: 'instance' as const, region: 'us-east-1', role: 'builder' };
    const fail = (e: object) => creating(state, ctx, what, () => Promise.reject(Object.assign(new Error('x'), e))).catch(() => undefined);
    // Refused at its only attempt (a 4xx answer): nothing was made.
    await fail({ $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(state.unconfirmed).to.deep.equal([]);
    // Refused after a retry, or no answer at all: an earlier attempt may have made one.
    await fail({ cause: { $metadata: { httpStatusCode: 400, attempts: 2 } } });
    await fail({ name: 'TimeoutError' });
    expect(state.unconfirmed).to.deep.equal([
      { ...what, at: 5_000 },
      { ...what, at: 5_000 },
    ]);
    expect(journal.records.filter((r) => r.type === 'creating')).to.have.length(3);
    // The journal says which call was refused, so a cleanup by it does not wait for what that call made.
    expect(journal.records.filter((r) => r.type === 'refused')).to.deep.equal([{ type: 'refused', ...what, time: journal.records[1]!.time }]);
    t = 6_000;
    track(state, ctx, { ...what, id: 'i-1' });
    expect(state.unconfirmed).to.have.length(1);
    expect(graceEndOf(state, ctx, 'i-1', 'us-east-1')).to.equal(8_000);
    expect(graceEndOf(state, ctx, 'i-unknown', 'us-east-1')).to.equal(0);
  });

  it('fills the image name template and makes unique build ids', () => {
    const c = baseConfig('image:\n  name: "{{name}}-{{release}}-{{buildId}}"\n');
    expect(imageName(c, 'B1', new Date('2025-01-02T03:04:05Z'))).to.equal('t-2022-B1');
    expect(newBuildId()).to.not.equal(newBuildId());
    expect(newBuildId(new Date('2025-01-02T03:04:05Z'))).to.match(/^20250102t030405-[0-9a-f]{6}$/);
  });

  it('leaves optional steps out of the list rather than skipping them', () => {
    const plain = buildPipeline(baseConfig('smokeTest: false\ncleanup:\n  preSeal: false\n'), { smokeTest: false }).map((s) => s.name);
    expect(plain).to.deep.equal([
      'checkCredentials',
      'resolveSource',
      'renderBundle',
      'preflight',
      'launchBuilder',
      'waitForSsm',
      'deliverFiles',
      'checkReadyToSeal',
      'runSysprep',
      'waitForStopped',
      'createImage',
      'verifyBilling',
      'terminateBuilder',
    ]);
    const full = buildPipeline(
      baseConfig(
        'preSnapshot: true\ncustomize:\n  - powershell: "Write-Output 1"\nimage:\n  regions: [{region: eu-west-1}]\n  deprecateAfter: 30d\n  launchPermissions: {accounts: ["123456789012"]}\nwindowsSettings:\n  productKey: env:KEY\n',
      ),
      { smokeTest: true },
    ).map((s) => s.name);
    for (const n of [
      'putSecrets',
      'resolveSecrets',
      'customize',
      'cleanUpPreseal',
      'preSnapshot',
      'smokeTest',
      'copyToRegions',
      'setLaunchPermissions',
      'deprecateImage',
    ])
      expect(full).to.include(n);
    expect(full.indexOf('smokeTest')).to.be.lessThan(full.indexOf('copyToRegions'));
  });
});
