/**
 * Hostile or unlucky config inputs: sources outside the config's folder,
 * special and oversized files, reserved tag namespaces, alias bombs, invalid
 * UTF-8, and values Windows or AWS would refuse. Each is a config error with
 * the position of the offending key, never a crash or a silent success.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ValidationError } from '../../../src/errors.js';
import { loadConfig, parseConfig, MAX_CONFIG_CHARS } from '../../../src/config/load.js';
import { MAX_SOURCE_BYTES, MAX_SOURCES_TOTAL_BYTES } from '../../../src/config/sources.js';
import { renderBundle } from '../../../src/render/bundle.js';

const HEAD = ['name: hostile', 'region: us-east-1', 'windows:', '  release: "2022"'];

function refused(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('hostile config inputs', () => {
  let root: string;
  let project: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'winami-hostile-'));
    project = join(root, 'project');
    mkdirSync(join(project, 'scripts'), { recursive: true });
    writeFileSync(join(project, 'scripts', 'ok.ps1'), 'Write-Output ok\n');
    writeFileSync(join(root, 'outside.ps1'), 'Write-Output secret\n');
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared', 'tool.ps1'), 'Write-Output shared\n');
    symlinkSync(join(root, 'outside.ps1'), join(project, 'scripts', 'link.ps1'));
    execFileSync('mkfifo', [join(project, 'scripts', 'fifo.ps1')]);
    mkdirSync(join(project, 'scripts', 'dir.ps1'));
    writeFileSync(join(project, 'scripts', 'cafe.ps1'), Buffer.from([0x57, 0x2d, 0x4f, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]));
    // Sparse: the size is on record, no data blocks are written.
    writeFileSync(join(project, 'big.bin'), '');
    truncateSync(join(project, 'big.bin'), MAX_SOURCE_BYTES + 1);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const write = (lines: string[]) => {
    const path = join(project, 'winami.yaml');
    writeFileSync(path, [...HEAD, ...lines, ''].join('\n'));
    return path;
  };

  describe('local sources are confined to the config folder', () => {
    it('refuses /proc/self/environ as a file source, at the key, naming the fix', () => {
      const path = write(['customize:', "  - file: { source: /proc/self/environ, destination: 'C:\\env.txt' }"]);
      const err = refused(() => loadConfig(path));
      const issue = err.issues.find((i) => i.path === 'customize.0.file.source');
      expect(issue, JSON.stringify(err.issues)).to.not.equal(undefined);
      expect(issue!.message).to.match(/outside|special/);
      expect(issue!.position).to.deep.include({ file: path, line: 6 });
      expect(issue!.hint).to.be.a('string').and.not.equal('');
    });

    it('refuses ../ and absolute paths out of the folder, and a symlink that leads out', () => {
      for (const source of ['../outside.ps1', join(root, 'outside.ps1'), 'scripts/link.ps1']) {
        const path = write(['customize:', `  - script: ${JSON.stringify(source)}`]);
        const err = refused(() => loadConfig(path));
        expect(
          err.issues.map((i) => i.path),
          source,
        ).to.deep.equal(['customize.0.script']);
        expect(err.issues[0]!.message, source).to.include('outside');
        expect(err.issues[0]!.position?.line, source).to.equal(6);
        expect(err.issues[0]!.hint, source).to.include('--allow-source-root');
      }
    });

    it('accepts a source under an extra root only when the caller names it', () => {
      const path = write(['customize:', `  - script: ../shared/tool.ps1`]);
      refused(() => loadConfig(path));
      const config = loadConfig(path, { allowSourceRoots: [join(root, 'shared')] });
      expect(config.customize).to.have.length(1);
    });

    it('refuses special files even under a named root: /proc, FIFOs, directories', () => {
      const proc = write(['customize:', "  - file: { source: /proc/self/environ, destination: 'C:\\env.txt' }"]);
      expect(refused(() => loadConfig(proc, { allowSourceRoots: ['/proc'] })).issues[0]!.message).to.include('special');
      for (const source of ['scripts/fifo.ps1', 'scripts/dir.ps1']) {
        const path = write(['customize:', `  - script: ${source}`]);
        const err = refused(() => loadConfig(path));
        expect(err.issues[0]!.path, source).to.equal('customize.0.script');
        expect(err.issues[0]!.message, source).to.match(/not a regular file/);
      }
    });

    it(`refuses a source over ${MAX_SOURCE_BYTES} bytes, naming the limit`, () => {
      const path = write(['customize:', "  - file: { source: big.bin, destination: 'C:\\big.bin' }"]);
      const err = refused(() => loadConfig(path));
      expect(err.issues[0]!.path).to.equal('customize.0.file.source');
      expect(err.issues[0]!.message).to.include(String(MAX_SOURCE_BYTES));
    });

    it(`refuses sources that add up to more than ${MAX_SOURCES_TOTAL_BYTES} bytes, at the step that goes over`, () => {
      writeFileSync(join(project, 'part.bin'), '');
      truncateSync(join(project, 'part.bin'), MAX_SOURCE_BYTES);
      const steps = Array.from({ length: 5 }, (_, i) => `  - file: { source: part.bin, destination: 'C:\\part${i}.bin' }`);
      const err = refused(() => loadConfig(write(['customize:', ...steps])));
      expect(err.issues.map((i) => i.path)).to.deep.equal(['customize.4.file.source']);
      expect(err.issues[0]!.message).to.include(String(MAX_SOURCES_TOTAL_BYTES));
    });

    it('still reads a source inside the folder', async () => {
      const path = write(['customize:', '  - script: scripts/ok.ps1']);
      const bundle = await renderBundle(loadConfig(path));
      expect(bundle.files.some((f) => f.content.toString('utf8').includes('Write-Output ok'))).to.equal(true);
    });
  });

  it('refuses a script that is not valid UTF-8, naming the file and the byte offset', () => {
    const path = write(['customize:', '  - script: scripts/cafe.ps1']);
    const err = refused(() => loadConfig(path));
    expect(err.issues[0]!.path).to.equal('customize.0.script');
    expect(err.issues[0]!.message).to.include('cafe.ps1').and.include('byte 7');
  });

  describe('reserved tag namespaces', () => {
    for (const [section, key] of [
      ['image.tags', 'winami:complete'],
      ['image.tags', 'WinAMI:Build-Id'],
      ['image.snapshotTags', 'winami:build-id'],
      ['builder.tags', 'winami:role'],
      ['image.tags', 'AWS:cloudformation'],
    ] as const) {
      it(`refuses ${section} key "${key}" at its position`, () => {
        const [parent, child] = section.split('.') as [string, string];
        const err = refused(() => parseConfig([...HEAD, `${parent}:`, `  ${child}:`, `    "${key}": "true"`, ''].join('\n'), { configPath: '/tmp/c.yaml' }));
        expect(err.issues, JSON.stringify(err.issues)).to.have.length(1);
        expect(err.issues[0]!.path).to.equal(`${section}.${key}`);
        expect(err.issues[0]!.message).to.include('reserved');
        expect(err.issues[0]!.position).to.deep.include({ line: 7, column: 5 });
      });
    }
  });

  describe('alias amplification', () => {
    it(`refuses a config whose aliases expand past ${MAX_CONFIG_CHARS} characters, naming the limit`, () => {
      const big = 'x'.repeat(60_000);
      const steps = Array.from({ length: 99 }, () => '  - powershell: *big');
      const text = [...HEAD, `description: &big "${big}"`, 'customize:', ...steps, ''].join('\n');
      const err = refused(() => parseConfig(text, { configPath: '/tmp/bomb.yaml' }));
      expect(err.message).to.include(String(MAX_CONFIG_CHARS));
    });

    it('refuses a nested alias bomb as a config error', () => {
      const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
      const err = refused(() =>
        parseConfig([...HEAD, 'launch:', '  tasks:', '    - task: executeScript', '      inputs:', ...lines.map((l) => `        ${l}`), ''].join('\n'), {
          configPath: '/tmp/b.yaml',
        }),
      );
      expect(err.message).to.match(/expand|alias/);
    });

    it('refuses a config file larger than the limit before parsing it', () => {
      const path = join(project, 'huge.yaml');
      writeFileSync(path, '');
      truncateSync(path, MAX_CONFIG_CHARS + 1);
      const err = refused(() => loadConfig(path));
      expect(err.message).to.include(String(MAX_CONFIG_CHARS));
    });
  });

  describe('values Windows and AWS would refuse', () => {
    const one = (lines: string[]) => refused(() => parseConfig([...HEAD, ...lines, ''].join('\n'), { configPath: '/tmp/c.yaml' })).issues;

    for (const destination of [
      'C:\\\\a\\r\\nb.txt',
      'C:\\\\a\\u0000b',
      'C:\\\\a\\"b',
      'C:\\\\a<b',
      'C:\\\\a|b',
      'C:\\\\a?b',
      'C:\\\\a*b',
      'relative\\\\path',
      'C:\\\\a\\tb',
    ]) {
      it(`refuses file.destination "${destination}"`, () => {
        const issues = one(['customize:', `  - file: { source: winami-no-such-file, destination: "${destination}" }`]);
        expect(
          issues.some((i) => i.path === 'customize.0.file.destination'),
          JSON.stringify(issues),
        ).to.equal(true);
        expect(issues.find((i) => i.path === 'customize.0.file.destination')!.position?.line).to.equal(6);
      });
    }

    for (const [label, lines, path] of [
      ['NUL in the description', ['description: "a\\u0000b"'], 'description'],
      ['ESC in image.description', ['image:', '  description: "a\\u001b[2Jb"'], 'image.description'],
      ['NUL in a tag value', ['image:', '  tags: { team: "a\\u0000b" }'], 'image.tags.team'],
      ['a bidi override in a tag value', ['image:', '  tags: { team: "a\\u202eb" }'], 'image.tags.team'],
      ['BEL in a tag key', ['image:', '  tags: { "te\\u0007am": x }'], 'image.tags.te\u0007am'],
      [
        'NUL in a first-logon description',
        ['windowsSettings:', '  firstLogonCommands: [{ command: whoami, description: "a\\u0000" }]'],
        'windowsSettings.firstLogonCommands.0.description',
      ],
    ] as const) {
      it(`refuses ${label}`, () => {
        const issues = one([...lines]);
        expect(
          issues.map((i) => i.path),
          JSON.stringify(issues),
        ).to.include(path);
        expect(issues.find((i) => i.path === path)!.position, JSON.stringify(issues)).to.not.equal(undefined);
      });
    }

    it('refuses an inline powershell step over the inline limit, and user data over 16 KB', () => {
      const big = 'x'.repeat(300 * 1024);
      const issues = one(['customize:', `  - powershell: "${big}"`, 'launch:', `  powershell: "${'y'.repeat(16 * 1024 + 1)}"`]);
      expect(issues.map((i) => i.path)).to.include.members(['customize.0.powershell', 'launch.powershell']);
    });

    it('refuses rendered user data over 16 KB even when each value is within its own limit', async () => {
      const tasks = Array.from(
        { length: 40 },
        (_, i) => `    - task: executeScript\n      inputs: [{ frequency: once, type: powershell, runAs: localSystem, content: "${'z'.repeat(500)}${i}" }]`,
      );
      const config = parseConfig([...HEAD, 'launch:', '  tasks:', ...tasks, ''].join('\n'), { configPath: '/tmp/c.yaml' });
      let err: unknown;
      await renderBundle(config).catch((e: unknown) => (err = e));
      expect(err, 'expected a refusal').to.be.instanceOf(ValidationError);
      expect((err as ValidationError).issues[0]!.path).to.equal('launch');
      expect((err as ValidationError).message).to.include('16384');
    });

    it('accepts ordinary values', () => {
      const c = parseConfig(
        [
          ...HEAD,
          'description: "Windows Server 2022 — base, (c) Ops"',
          'image:',
          '  description: "Base image: IIS + .NET"',
          '  tags: { "team/owner": "platform@example.com", "cost-center": "+1 = a_b.c:d" }',
          'customize:',
          '  - powershell: Write-Output hi',
          '',
        ].join('\n'),
        { configPath: '/tmp/c.yaml' },
      );
      expect(c.image.tags['team/owner']).to.equal('platform@example.com');
    });
  });
});
