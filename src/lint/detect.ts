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
  if (name.endsWith('.json') && /"adminPasswordType"|"handleUserData"|"extendBootVolumeSize"/.test(text)) return 'launch-config';
  if (/\.(ya?ml|json)$/.test(name) && /(^|\n)\s*-?\s*"?stage"?\s*:/.test(text)) return 'agent-config';
  return undefined;
}
