/**
 * Validate every rendered file before a bundle leaves memory: XML well
 * formed, the linter on answer files and agent settings, YAML and JSON
 * parse, every PowerShell script free of syntax errors, and secret tokens
 * exactly where the plan says. Errors become one `ValidationError` listing
 * them all with file:line:col; linter warnings are returned.
 */
import { XMLValidator } from 'fast-xml-parser';
import { parseDocument } from 'yaml';
import type { ResolvedConfig } from '../config/types.js';
import { ValidationError, type Issue } from '../errors.js';
import { lintText, type Finding, type LintFileKind } from '../lint/index.js';
import { powershellSyntaxErrors } from '../powershell/parse.js';
import type { SecretPlacement } from './model.js';

/** What validation needs besides the files. */
export interface ValidateContext {
  config: ResolvedConfig;
  /** Where each secret token must appear, and nowhere else. */
  placements: SecretPlacement[];
}

/** The minimum of a bundle file validation reads. */
export interface ValidatedFile {
  path: string;
  content: Buffer;
}

const LINT_KINDS: Readonly<Record<string, LintFileKind>> = {
  'unattend.xml': 'unattend',
  'agent/agent-config.yml': 'agent-config',
  'agent/LaunchConfig.json': 'launch-config',
  'agent/config.xml': 'ec2config-config',
  'agent/BundleConfig.xml': 'ec2config-bundle',
};

const TOKEN = /@@WINAMI_SECRET:([A-Za-z0-9_]+)@@/g;

function text(file: ValidatedFile): string {
  const s = file.content.toString('utf8');
  return s.startsWith('\ufeff') ? s.slice(1) : s;
}

function at(path: string, line: number, column: number, message: string, hint?: string): Issue {
  return { path, message, position: { file: path, line, column }, ...(hint ? { hint } : {}) };
}

/** Check every file; throws `ValidationError` with every problem, returns linter warnings. */
export async function validateBundle(files: readonly ValidatedFile[], ctx: ValidateContext): Promise<Finding[]> {
  const issues: Issue[] = [];
  const warnings: Finding[] = [];
  for (const file of files) {
    const body = text(file);
    if (file.path.endsWith('.xml')) {
      const result = XMLValidator.validate(body);
      if (result !== true) issues.push(at(file.path, result.err.line, result.err.col, `XML is not well formed: ${result.err.msg}`));
    }
    if (file.path.endsWith('.yml')) {
      const doc = parseDocument(body, { uniqueKeys: true });
      for (const e of doc.errors)
        issues.push(at(file.path, e.linePos?.[0].line ?? 1, e.linePos?.[0].col ?? 1, `YAML does not parse: ${e.message.split('\n')[0]}`));
    }
    if (file.path.endsWith('.json')) {
      try {
        JSON.parse(body);
      } catch (err) {
        issues.push(at(file.path, 1, 1, `JSON does not parse: ${(err as Error).message}`));
      }
    }
    if (file.path.endsWith('.ps1')) {
      for (const e of await powershellSyntaxErrors(body)) {
        issues.push(
          at(
            file.path,
            e.line,
            e.column,
            `PowerShell syntax error (${e.kind}) at "${e.text}"`,
            'a template or a value broke the script; report it with the config',
          ),
        );
      }
    }
    const kind = LINT_KINDS[file.path];
    if (kind) {
      const findings = lintText(body, {
        kind,
        fileName: file.path,
        agent: ctx.config.launchAgent,
        architecture: 'amd64',
        allowPlaceholders: true,
      });
      for (const f of findings) {
        if (f.severity === 'error') issues.push(at(f.file, f.line, f.column, `${f.ruleId}: ${f.message}`, f.hint));
        else warnings.push(f);
      }
    }
    issues.push(...checkTokens(file, body, ctx.placements));
  }
  for (const p of ctx.placements) {
    if (!files.some((f) => f.path === p.path)) issues.push({ path: p.path, message: `the plan puts secret ${p.slot} in ${p.path}, which was not rendered` });
  }
  if (issues.length) {
    throw new ValidationError(`the rendered bundle has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was written`, issues);
  }
  return warnings;
}

/** Secret tokens appear exactly in the files the plan lists for their slot. */
function checkTokens(file: ValidatedFile, body: string, placements: SecretPlacement[]): Issue[] {
  const issues: Issue[] = [];
  const found = new Set<string>();
  for (const m of body.matchAll(TOKEN)) {
    found.add(m[1]!);
    if (!placements.some((p) => p.slot === m[1] && p.path === file.path)) {
      const before = body.slice(0, m.index);
      const line = before.split('\n').length;
      issues.push(at(file.path, line, m.index - before.lastIndexOf('\n'), `secret token for ${m[1]} appears where the plan does not list it`));
    }
  }
  for (const p of placements) {
    if (p.path === file.path && !found.has(p.slot)) issues.push(at(file.path, 1, 1, `the plan lists secret ${p.slot} here but its token is missing`));
  }
  return issues;
}
