/**
 * winami's linter for unattend.xml / autounattend.xml, EC2Launch v2
 * agent-config.yml, EC2Launch v1 LaunchConfig.json, EC2Config
 * Config.xml / BundleConfig.xml, and the seal scripts people already have
 * (.ps1, Packer .pkr.hcl and JSON templates). `winami prepare` calls `lintText` on what it
 * renders and refuses to write a bundle with an `error` finding.
 */
export type { Finding, LintAgent, LintArchitecture, LintFileKind, LintOptions, Rule, RuleContext, RuleFinding, Severity } from './types.js';
export { LINT_FILE_KINDS, SCRIPT_KINDS, SEVERITY_RANK } from './types.js';
export { lintText, lintTextAsync, runRule } from './lint-text.js';
export { lintFiles, expandPatterns, type LintFilesResult, type SkippedFile } from './lint-files.js';
export { detectKind } from './detect.js';
export { RULE_PACK, RUNNER_PACK, packEntry, type RulePackEntry } from './pack.js';
export { hasPlaceholder } from './placeholder.js';
export { formatText, formatJson, formatSarif, shouldFail, countBySeverity, LINT_FORMATS, FAIL_ON, type LintFormat, type FailOn } from './format.js';
