/**
 * The audit's HTML report as an auditor opens it: `winami audit --format html`
 * run as a command against the emulator with faults seeded in three accounts
 * (bad billing, a SQL name billed otherwise, an orphaned snapshot, an
 * unapproved instance, a denied region, hostile descriptions and names), then
 * rendered by headless Chromium (Debian's `chromium`). The rendered DOM must
 * hold the account × region matrix and the groups by rule with their fix
 * commands and doc links, and the page must log nothing to the console (it
 * has no scripts; a CSP violation or a failed load would be logged). Then the
 * fix commands the report gives are run, as written, through bash against
 * the emulator. Skipped, saying why, where chromium is not installed.
 *
 * `WINAMI_AUDIT_SCREENSHOT=docs/img/audit-report.png` also writes the
 * screenshot docs/audit.md shows.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterConsistencyWindow, EMULATOR_ACCOUNTS, orphanSnapshots, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';

const root = process.cwd();
const [A1, A2, A3] = EMULATOR_ACCOUNTS.map((a) => a.accountId) as [string, string, string];
const role = (account: string) => `arn:aws:iam::${account}:role/WinamiAudit`;
// AWS's alphabet for image names allows quotes, brackets, parentheses and spaces (the emulator enforces it);
// descriptions are free text, so the worst goes there.
const NAME = `-@'hostile'[]] (x)`;
const DESCRIPTION = `<script>console.error("pwned")</script>" onmouseover="x" \`id\` $(touch /tmp/winami-pwned) '<img src=x onerror=alert(1)>`;

function chromium(): string | undefined {
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(c)) return c;
  return undefined;
}

/** Run a command without blocking the event loop (the emulator answers in this process). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const CHROMIUM_FLAGS = ['--headless', '--disable-gpu', '--no-sandbox', '--no-first-run', '--enable-logging=stderr', '--v=0'];

/** The DOM Chromium rendered from a file, and every console message it logged. */
async function render(browser: string, file: string, extra: string[] = []): Promise<{ dom: string; console: string[] }> {
  const userData = mkdtempSync(join(tmpdir(), 'winami-chromium-'));
  const r = await run(browser, [...CHROMIUM_FLAGS, `--user-data-dir=${userData}`, ...extra, '--dump-dom', pathToFileURL(file).href]);
  expect(r.code, r.stderr.slice(-2000)).to.equal(0);
  return { dom: r.stdout, console: r.stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l)) };
}

describe('audit HTML report rendered in headless Chromium (emulator)', function () {
  this.timeout(180_000);
  let emu: Emulator;
  let browser: string;
  let dir: string;
  let report: string;
  let env: NodeJS.ProcessEnv;
  const hostile: { imageId?: string } = {};

  before(async function () {
    const found = chromium();
    if (!found) {
      console.log('      skipped: chromium is not installed (apt-get install chromium)');
      this.skip();
    }
    browser = found!;
    dir = mkdtempSync(join(tmpdir(), 'winami-report-'));
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1', 'eu-west-1'], images: 1, imageAccounts: [A1, A2, A3] } });
    const s2 = sessionFor(emu, 1);
    const ec2 = s2.ec2('us-east-1');
    const source = (await ec2.describeImages({ Owners: ['self'] })).Images![0]!;
    const copy = async (Name: string, outcome?: 'empty' | { platformDetails: string; usageOperation: string }, Description?: string) => {
      if (outcome) emu.control.setImageOutcome({ account: A2, region: 'us-east-1', actions: ['CopyImage'], billing: outcome });
      return (await ec2.copyImage({ Name, SourceImageId: source.ImageId!, SourceRegion: 'us-east-1', ...(Description ? { Description } : {}) })).ImageId!;
    };
    await copy('empty-billing', 'empty', DESCRIPTION);
    await copy('billed-as-linux', { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' });
    await copy('Windows_Server-2022-English-Full-SQL_2022_Enterprise-2025.01.01');
    hostile.imageId = await copy(NAME, undefined, DESCRIPTION);
    // Account 3: an image deregistered without its snapshots leaves them billed.
    await orphanSnapshots(emu, 2);
    // Account 1: an instance from an image outside the approved owners.
    const s1 = sessionFor(emu, 0);
    const amazon = (await s1.ec2('eu-west-1').describeImages({ Owners: ['amazon'], MaxResults: 5 })).Images![0]!;
    await s1.ec2('eu-west-1').runInstances({ ImageId: amazon.ImageId!, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 });
    // Account 3's eu-west-1 cannot be read.
    emu.control.addFault({ action: 'DescribeImages', account: A3, region: 'eu-west-1', errorCode: 'UnauthorizedOperation', status: 403, message: 'denied' });
    await afterConsistencyWindow();
    for (let i = 0; i < 200; i++) {
      const images = (await ec2.describeImages({ Owners: ['self'] })).Images ?? [];
      if (images.every((im) => im.State === 'available')) break;
      await new Promise((r) => setTimeout(r, 25));
    }

    const a = EMULATOR_ACCOUNTS[0]!;
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
    report = join(dir, 'audit.html');
    const audit = await run(
      process.execPath,
      [
        join(root, 'dist/src/cli/launcher.js'),
        'audit',
        '--regions',
        'us-east-1,eu-west-1',
        '--role-arn',
        role(A2),
        '--role-arn',
        role(A3),
        '--include-caller-account',
        '--approved-owner',
        A1,
        '--format',
        'html',
        '-o',
        report,
      ],
      env,
    );
    emu.control.clearFaults();
    // 9: findings at or above error (a partial audit with findings still says findings).
    expect(audit.code, audit.stderr).to.equal(9);
    expect(audit.stderr).to.match(/wrote html report to .*: \d+ findings/);
  });
  after(async () => emu?.stop());

  it('renders with no console message, the matrix and the groups in the DOM, and nothing hostile run', async () => {
    const page = await render(browser, report);
    expect(page.console, page.console.join('\n')).to.deep.equal([]);
    const dom = page.dom;
    // The matrix: one row per account, a column per region, cells coloured by the worst severity, the denied scope marked.
    const matrix = /<table class="matrix"[\s\S]*?<\/table>/.exec(dom)?.[0];
    expect(matrix, 'the matrix').to.be.a('string');
    for (const account of [A1, A2, A3]) expect(matrix).to.contain(`<th scope="row">${account}</th>`);
    expect(matrix).to.match(/<th scope="col">us-east-1<\/th><th scope="col">eu-west-1<\/th>|<th scope="col">eu-west-1<\/th><th scope="col">us-east-1<\/th>/);
    expect(matrix).to.match(/<td class="cell error"[^>]*><b>\d+<\/b>/);
    expect(matrix).to.match(/<td class="cell failed"[^>]*>not audited<\/td>/);
    expect(dom.indexOf('class="matrix"')).to.be.lessThan(dom.indexOf('<svg'), 'the matrix comes first');
    // Groups by rule, worst severity first, each with its count, doc links and fix commands.
    const groups = [...dom.matchAll(/<section class="group (\w+)" id="rule-[^"]+" data-rule="([^"]+)">[\s\S]*?<span class="count">(\d+)<\/span>/g)].map(
      (m) => ({
        severity: m[1]!,
        rule: m[2]!,
        n: Number(m[3]),
      }),
    );
    expect(groups.map((g) => g.rule)).to.include.members([
      'billing-fields-empty',
      'windows-billed-as-linux',
      'sql-edition-mismatch',
      'unapproved-image',
      'unencrypted-snapshot',
      'orphaned-snapshot',
    ]);
    const rank = { error: 3, warning: 2, note: 1 } as Record<string, number>;
    for (let i = 1; i < groups.length; i++) expect(rank[groups[i - 1]!.severity]).to.be.at.least(rank[groups[i]!.severity]!);
    for (const g of groups) {
      const section = new RegExp(`<section class="group \\w+" id="[^"]+" data-rule="${g.rule}">[\\s\\S]*?</section>`).exec(dom)![0];
      expect(section.match(/<tr class="/g) ?? [], g.rule).to.have.length(g.n);
      expect(section, g.rule).to.match(/<a href="https:\/\/[^"]+" rel="noopener noreferrer">/);
    }
    expect(dom).to.match(/<code class="fix">winami discard ami-[0-9a-f]+ --region us-east-1<\/code>/);
    expect(dom).to.match(/<code class="fix">aws ec2 delete-snapshot --snapshot-id snap-[0-9a-f]+ --region us-east-1<\/code>/);
    expect(dom).to.match(/<code class="fix">aws ec2 terminate-instances --instance-ids i-[0-9a-f]+ --region eu-west-1<\/code>/);
    // Image names are shown, not only ids.
    expect(dom).to.contain('<span class="name">billed-as-linux</span>');
    expect(dom).to.contain('<span class="name">-@\'hostile\'[]] (x)</span>');
    // The hostile description is text: no element came of it.
    expect(dom.match(/<script/gi) ?? []).to.have.length(0);
    expect(dom.match(/<img/gi) ?? []).to.have.length(0);
    expect(dom).to.contain('&lt;script&gt;console.error("pwned")&lt;/script&gt;');
    expect(existsSync('/tmp/winami-pwned')).to.equal(false);
    if (process.env.WINAMI_AUDIT_SCREENSHOT) {
      const shot = join(dir, 'shot.png');
      const r = await run(browser, [...CHROMIUM_FLAGS, '--hide-scrollbars', '--window-size=1280,1400', `--screenshot=${shot}`, pathToFileURL(report).href]);
      expect(r.code, r.stderr.slice(-2000)).to.equal(0);
      const to = join(root, process.env.WINAMI_AUDIT_SCREENSHOT);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(shot, to);
    }
  });

  it('the console check catches what a page logs (a control page with a script the CSP blocks)', async () => {
    const head = readFileSync(report, 'utf8').slice(0, readFileSync(report, 'utf8').indexOf('</head>'));
    const control = join(dir, 'control.html');
    writeFileSync(control, `${head}</head><body><p>control</p><script>console.log('ran')</script></body></html>`);
    const page = await render(browser, control);
    expect(page.console.join('\n')).to.match(/Content Security Policy/);
  });

  it('the fix commands work as written: the hostile-named image is copied encrypted under its quoted name, then discarded', async () => {
    const html = readFileSync(report, 'utf8');
    const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
    const commands = [...html.matchAll(/<code class="fix">([^<]*)<\/code>/g)].map((m) => decode(m[1]!)).filter((c) => c.includes(hostile.imageId!));
    expect(commands).to.have.length(2);
    expect(commands[0]).to.match(/^winami copy ami-[0-9a-f]+ --region us-east-1 --to us-east-1=alias\/aws\/ebs '--name=/);
    expect(commands[1]).to.match(/^winami discard ami-[0-9a-f]+ --region us-east-1$/);
    const bin = join(root, 'dist/src/cli/launcher.js');
    const as2 = { ...env, AWS_ACCESS_KEY_ID: EMULATOR_ACCOUNTS[1]!.accessKeyId };
    for (const c of commands) {
      // Not a terminal here: the discard needs --yes, as it says when it refuses.
      const r = await run('bash', ['-c', `winami() { "${process.execPath}" "${bin}" "$@"; }; ${c}${c.startsWith('winami discard') ? ' --yes' : ''}`], as2);
      expect(r.code, `${c}\n${r.stdout}${r.stderr}`).to.equal(0);
    }
    const images =
      (
        await sessionFor(emu, 1)
          .ec2('us-east-1')
          .describeImages({ Owners: ['self'] })
      ).Images ?? [];
    const copy = images.find((i) => i.Name === `${NAME}-encrypted`);
    expect(copy, images.map((i) => i.Name).join(', ')).to.not.equal(undefined);
    expect(copy!.BlockDeviceMappings!.every((m) => !m.Ebs || m.Ebs.Encrypted === true)).to.equal(true);
    expect(images.some((i) => i.ImageId === hostile.imageId)).to.equal(false, 'the unencrypted original is gone');
  });
});
