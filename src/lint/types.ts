/**
 * Types shared by the linter, its rules and its callers (`winami lint`,
 * `winami prepare`). Library code only: nothing here prints or exits.
 */
import type { XmlDocument } from './xml.js';
import type { UnattendModel } from './unattend-model.js';
import type { TreeDocument } from './tree.js';
import type { ScriptModel } from './script-model.js';

/** What a file is, which decides the rules that apply to it. */
export type LintFileKind =
  'unattend' | 'agent-config' | 'launch-config' | 'ec2config-config' | 'ec2config-bundle' | 'powershell' | 'packer-hcl' | 'packer-json';

/** The kinds whose content is (or carries) the PowerShell that seals an image. */
export const SCRIPT_KINDS: readonly LintFileKind[] = ['powershell', 'packer-hcl', 'packer-json'];

/** Every kind, in the order `--kind` lists them. */
export const LINT_FILE_KINDS: readonly LintFileKind[] = [
  'unattend',
  'agent-config',
  'launch-config',
  'ec2config-config',
  'ec2config-bundle',
  'powershell',
  'packer-hcl',
  'packer-json',
];

/** How serious a finding is; `error` blocks `winami prepare`. */
export type Severity = 'error' | 'warning' | 'info';

/** Severity order, highest first, for `--fail-on` and sorting. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, info: 1 };

/** One problem in one file, with a 1-based position into the linted text. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  hint?: string;
  file: string;
  line: number;
  column: number;
}

/** Target architecture of the image an answer file is for. */
export type LintArchitecture = 'amd64' | 'x86' | 'arm64';
/** Launch agent the answer file or settings are for. */
export type LintAgent = 'ec2launch-v2' | 'ec2launch-v1' | 'ec2config';

/** What to lint and how. */
export interface LintOptions {
  /** Detected from the file name and content when absent. */
  kind?: LintFileKind;
  /** Name echoed in findings; `<input>` when absent. */
  fileName?: string;
  /** The image's architecture; components must match it (wow64 is allowed beside amd64). */
  architecture?: LintArchitecture;
  /** The launch agent; turns on the checks for what that agent's answer file must keep. */
  agent?: LintAgent;
  /** Skip type checks of values holding `{{...}}`, `${...}` or `@@WINAMI_SECRET:name@@`. */
  allowPlaceholders?: boolean;
  /** Rule ids to turn off. */
  disable?: string[];
}

/** What a rule returns: a finding without the parts the runner fills in. */
export interface RuleFinding {
  message: string;
  hint?: string;
  line: number;
  column: number;
  /** Overrides the pack's default severity for this one finding. */
  severity?: Severity;
}

/** Everything a rule may look at; built once per file, never mutated by rules. */
export interface RuleContext {
  kind: LintFileKind;
  file: string;
  text: string;
  options: LintOptions;
  /** Present for the XML kinds. */
  xml?: XmlDocument;
  /** Present for `unattend` when the XML is well formed. */
  unattend?: UnattendModel;
  /** Present for `agent-config` and `launch-config`. */
  tree?: TreeDocument;
  /** Present for the seal-script kinds (`powershell`, `packer-hcl`, `packer-json`). */
  script?: ScriptModel;
}

/** A rule: one pure function from the parsed file to its findings. */
export type Rule = (ctx: RuleContext) => RuleFinding[];
