/** Which kind of file a name and its content are. Content wins over the name for XML roots. */
import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import type { LintFileKind } from './types.js';

/**
 * A YAML file is an agent-config.yml when it has a top-level `config:` list
 * with `stage` entries (or, unparseable, a `config:` line and `stage:` lines,
 * so yaml-syntax can say where it breaks). CI files (.gitlab-ci.yml has
 * `stage:` keys too) have no top-level `config:` list.
 */
function yamlIsAgentConfig(text: string): boolean {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) return /^config\s*:/m.test(text) && /(^|\n)\s*-?\s*"?stage"?\s*:/.test(text);
  const top: unknown = doc.toJS();
  if (top === null || typeof top !== 'object' || Array.isArray(top)) return false;
  const config = (top as Record<string, unknown>).config;
  return Array.isArray(config) && config.some((s) => s !== null && typeof s === 'object' && 'stage' in s);
}

/** The kind of `fileName` holding `text`, or `undefined` when it is none winami lints. */
export function detectKind(fileName: string, text: string): LintFileKind | undefined {
  const head = text
    .slice(0, 4096)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '');
  // Only a document that starts with markup has a root: a script that embeds <unattend> in a here-string is not one.
  const root = /^\s*<\s*([A-Za-z_][\w:.-]*)/.exec(head.replace(/^\ufeff/, ''))?.[1];
  if (root === 'unattend') return 'unattend';
  if (root === 'Ec2ConfigurationSettings') return 'ec2config-config';
  if (root === 'BundleConfig') return 'ec2config-bundle';
  // A template of a file (unattend.xml.j2, agent-config.yml.tpl) is the file with placeholders.
  const name = basename(fileName)
    .toLowerCase()
    .replace(/\.(j2|jinja2?|tpl|tmpl|hbs|erb|pkrtpl)$/, '');
  if (name.endsWith('.xml')) {
    if (/unattend|sysprep/.test(name)) return 'unattend';
    if (name === 'bundleconfig.xml') return 'ec2config-bundle';
    if (name === 'config.xml') return 'ec2config-config';
    return undefined;
  }
  if (name === 'launchconfig.json') return 'launch-config';
  if (/agent-config\.(ya?ml|json)$/.test(name)) return 'agent-config';
  if (name.endsWith('.ps1') || name.endsWith('.psm1')) return 'powershell';
  if (name.endsWith('.pkr.hcl')) return 'packer-hcl';
  if (name.endsWith('.json')) return jsonKind(text);
  if (/\.ya?ml$/.test(name) && yamlIsAgentConfig(text)) return 'agent-config';
  return undefined;
}

const LAUNCH_CONFIG_KEYS = ['adminPasswordType', 'handleUserData', 'extendBootVolumeSize'];

/**
 * A JSON file by its top-level shape only: other JSON (winami's plan.json
 * among them) can quote a LaunchConfig key or a stage deeper down.
 */
function jsonKind(text: string): LintFileKind | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    // Unparseable: let the key names decide, so json-syntax can report where it breaks.
    return /"adminPasswordType"|"handleUserData"|"extendBootVolumeSize"/.test(text) ? 'launch-config' : /"stage"\s*:/.test(text) ? 'agent-config' : undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const top = value as Record<string, unknown>;
  if (LAUNCH_CONFIG_KEYS.some((k) => k in top)) return 'launch-config';
  if (Array.isArray(top.builders) || Array.isArray(top.provisioners)) return 'packer-json';
  if (Array.isArray(top.config) && top.config.some((s) => s !== null && typeof s === 'object' && 'stage' in s)) return 'agent-config';
  return undefined;
}
