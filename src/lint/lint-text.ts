/**
 * The runner: parse once, build the context, call every rule of the file's
 * kind that is not disabled, and turn a rule that throws into an
 * `internal-rule-error` finding instead of a crash.
 */
import { detectKind } from './detect.js';
import { RULE_PACK, type RulePackEntry } from './pack.js';
import { RULES } from './rules/index.js';
import { parseTree } from './tree.js';
import { blankTemplateStatements } from './placeholder.js';
import { buildScriptModel, packerHclSource, packerJsonSource, powershellSource } from './script-model.js';
import { SCRIPT_KINDS, SEVERITY_RANK, type Finding, type LintOptions, type Rule, type RuleContext } from './types.js';
import { buildUnattendModel } from './unattend-model.js';
import { parseXml } from './xml.js';

/** Run one rule; a rule that throws yields one `internal-rule-error` finding naming it. */
export function runRule(entry: RulePackEntry, rule: Rule, ctx: RuleContext): Finding[] {
  try {
    return rule(ctx).map((f) => ({
      ruleId: entry.id,
      severity: f.severity ?? entry.severity,
      message: f.message,
      ...(f.hint ? { hint: f.hint } : {}),
      file: ctx.file,
      line: f.line,
      column: f.column,
    }));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [
      {
        ruleId: 'internal-rule-error',
        severity: 'error',
        message: `Rule ${entry.id} failed: ${message}`,
        hint: 'this is a bug in winami; please report it with the file',
        file: ctx.file,
        line: 1,
        column: 1,
      },
    ];
  }
}

const KIND_HINT = 'pass kind (unattend, agent-config, launch-config, ec2config-config, ec2config-bundle, powershell, packer-hcl, packer-json)';

/** Run every rule of the context's kind that is not disabled, sorted by position. */
function runRules(ctx: RuleContext): Finding[] {
  const disabled = new Set(ctx.options.disable ?? []);
  const findings: Finding[] = [];
  for (const entry of RULE_PACK) {
    if (!entry.kinds.includes(ctx.kind) || disabled.has(entry.id)) continue;
    const rule = RULES[entry.id];
    if (!rule) continue;
    for (const f of runRule(entry, rule, ctx)) if (f.ruleId !== 'internal-rule-error' || !disabled.has(f.ruleId)) findings.push(f);
  }
  return findings.sort(
    (a, b) => a.line - b.line || a.column - b.column || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.ruleId.localeCompare(b.ruleId),
  );
}

function unknownKind(file: string): Finding[] {
  return [{ ruleId: 'file-kind', severity: 'error', message: 'Cannot tell what kind of file this is', hint: KIND_HINT, file, line: 1, column: 1 }];
}

/**
 * Lint one answer file or agent-settings file. Synchronous and pure: same
 * input, same findings. Seal scripts need the PowerShell parser, which loads
 * asynchronously: lint them with `lintTextAsync`.
 */
export function lintText(text: string, options: LintOptions): Finding[] {
  const file = options.fileName ?? '<input>';
  const kind = options.kind ?? detectKind(file, text);
  if (!kind) return unknownKind(file);
  if (SCRIPT_KINDS.includes(kind)) {
    return [
      {
        ruleId: 'file-kind',
        severity: 'error',
        message: `A ${kind} file is linted with lintTextAsync (it needs the PowerShell parser)`,
        file,
        line: 1,
        column: 1,
      },
    ];
  }
  const ctx: RuleContext = { kind, file, text, options };
  if (kind === 'unattend' || kind === 'ec2config-config' || kind === 'ec2config-bundle') {
    ctx.xml = parseXml(options.allowPlaceholders ? blankTemplateStatements(text) : text);
    if (kind === 'unattend' && ctx.xml.root?.name === 'unattend') ctx.unattend = buildUnattendModel(ctx.xml.root);
  } else {
    ctx.tree = parseTree(text, kind === 'launch-config');
  }
  return runRules(ctx);
}

/** Lint any kind of file, seal scripts (`.ps1`, Packer templates) included. */
export async function lintTextAsync(text: string, options: LintOptions): Promise<Finding[]> {
  const file = options.fileName ?? '<input>';
  const kind = options.kind ?? detectKind(file, text);
  if (!kind) return unknownKind(file);
  if (!SCRIPT_KINDS.includes(kind)) return lintText(text, { ...options, kind });
  const source = kind === 'powershell' ? powershellSource(text) : kind === 'packer-hcl' ? packerHclSource(text) : packerJsonSource(text);
  const script = await buildScriptModel(source);
  return runRules({ kind, file, text, options, script });
}
