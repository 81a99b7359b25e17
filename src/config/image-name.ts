/**
 * The image name template (`image.name`), filled the one way both the bake
 * (CreateImage's Name) and plan.json use, so the plan shows the name the bake
 * will give.
 */
import type { ResolvedConfig } from './types.js';

/** Fill `{{name}} {{release}} {{edition}} {{date}} {{timestamp}} {{buildId}}`, then keep only characters AWS allows in an AMI name (128 at most). */
export function imageName(config: ResolvedConfig, buildId: string, now = new Date()): string {
  const iso = now.toISOString();
  const values: Record<string, string> = {
    name: config.name,
    release: config.windows.release,
    edition: config.windows.edition,
    date: iso.slice(0, 10),
    timestamp: iso.replace(/[-:T]/g, '').slice(0, 14),
    buildId,
  };
  return config.image.name
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => values[k] ?? m)
    .replace(/[^A-Za-z0-9()[\]./\-'@_ ]/g, '-')
    .slice(0, 128);
}
