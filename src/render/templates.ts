/**
 * Renders the Handlebars sources under `templates/` on winami's own
 * Handlebars instance: strict mode, no HTML escaping, partials from
 * `templates/partials/`. The build precompiles them
 * (`scripts/precompile-templates.ts`), so a render never parses a template.
 * Rendering is `(template, model) → string`.
 */
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { createHandlebars } from './helpers.js';
import { PARTIALS, TEMPLATES } from './precompiled-templates.js';

/** Template names, as paths under `templates/` without `.hbs`. */
export type TemplateName =
  | 'unattend/ec2launch-v2.xml'
  | 'unattend/ec2launch-v1.xml'
  | 'unattend/ec2config.xml'
  | 'agent/agent-config.yml'
  | 'agent/LaunchConfig.json'
  | 'agent/config.xml'
  | 'agent/BundleConfig.xml'
  | 'user-data/user-data.yml'
  | 'user-data/user-data.txt'
  | 'scripts/customize-code.ps1'
  | 'scripts/customize-windows-features.ps1'
  | 'scripts/customize-reboot.ps1'
  | 'scripts/customize-windows-update.ps1'
  | 'scripts/customize-aws-components.ps1'
  | 'scripts/inventory.ps1'
  | 'scripts/resolve-secrets.ps1'
  | 'scripts/cleanup-preseal.ps1'
  | 'scripts/check-ready.ps1'
  | 'scripts/sysprep.ps1'
  | 'scripts/first-boot-cleanup.ps1'
  | 'scripts/smoke-test.ps1';

type Compiled = (model: unknown) => string;

let compiled: Map<string, Compiled> | undefined;

/** The templates directory of this installation. */
export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

function load(): Map<string, Compiled> {
  const hb = createHandlebars();
  for (const [name, spec] of Object.entries(PARTIALS)) hb.registerPartial(name, hb.template(spec));
  return new Map(Object.entries(TEMPLATES).map(([name, spec]) => [name, hb.template(spec) as Compiled]));
}

/** Render one template with a model. */
export function renderTemplate(name: TemplateName, model: unknown): string {
  compiled ??= load();
  const t = compiled.get(name);
  if (!t) throw new Error(`winami: no template ${name}.hbs under ${templatesDir()} (npm run build precompiles them)`);
  return t(model);
}
