/** Which kind of file a name and its content are. Content wins over the name for XML roots. */
import { basename } from 'node:path';
import type { LintFileKind } from './types.js';

/** The kind of `fileName` holding `text`, or `undefined` when it is none winami lints. */
export function detectKind(fileName: string, text: string): LintFileKind | undefined {
  const head = text.slice(0, 4096).replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '');
  const root = /<\s*([A-Za-z_][\w:.-]*)/.exec(head)?.[1];
  if (root === 'unattend') return 'unattend';
  if (root === 'Ec2ConfigurationSettings') return 'ec2config-config';
  if (root === 'BundleConfig') return 'ec2config-bundle';
  const name = basename(fileName).toLowerCase();
  if (name.endsWith('.xml')) {
    if (/unattend|sysprep/.test(name)) return 'unattend';
    if (name === 'bundleconfig.xml') return 'ec2config-bundle';
    if (name === 'config.xml') return 'ec2config-config';
    return undefined;
  }
  if (name === 'launchconfig.json') return 'launch-config';
  if (/agent-config\.(ya?ml|json)$/.test(name)) return 'agent-config';
  if (name.endsWith('.json')) return jsonKind(text);
  if (/\.ya?ml$/.test(name) && /(^|\n)\s*-?\s*"?stage"?\s*:/.test(text)) return 'agent-config';
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
  if (Array.isArray(top.config) && top.config.some((s) => s !== null && typeof s === 'object' && 'stage' in s)) return 'agent-config';
  return undefined;
}
