/**
 * `exportEngine`: one config → the documents an AWS engine (or Packer) runs
 * the bake with, rendered from the same bundle and step metadata as the local
 * bake, checked before anything is written. Offline: no AWS call is made.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { ValidationError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { renderBundle } from '../render/bundle.js';
import { renderRunbook } from './automation.js';
import { automationTemplateYaml } from './automation-template.js';
import { imageBuilderTemplateYaml } from './imagebuilder.js';
import { renderPacker } from './packer.js';
import { enginePlan, type Engine } from './plan.js';
import { runbookProblems } from './runbook-rules.js';

export interface ExportOptions {
  configPath: string;
  engine: Engine;
  outDir: string;
  allowPlaintextSecrets?: boolean;
  allowSourceRoots?: readonly string[];
  reporter?: Reporter;
}

export interface ExportedFile {
  path: string;
  bytes: number;
}

export interface ExportResult {
  engine: Engine;
  outDir: string;
  files: ExportedFile[];
}

/** The documents of one engine for a resolved config, by file name. */
export async function renderEngine(config: ResolvedConfig, engine: Engine): Promise<Record<string, string>> {
  const bundle = await renderBundle(config);
  const plan = enginePlan(config, bundle);
  switch (engine) {
    case 'automation': {
      const runbook = renderRunbook(config, plan);
      const content = stringify(runbook, { lineWidth: 0 });
      const problems = runbookProblems(runbook, content);
      if (problems.length) {
        throw new ValidationError(
          `the runbook for ${config.name} breaks Automation's rules`,
          problems.map((message) => ({ path: 'runbook.yaml', message })),
          {
            hint: 'Shorten the customize scripts or move large files out of the bundle; an Automation document holds at most 64 KB.',
          },
        );
      }
      return { 'runbook.yaml': content, 'template.yaml': automationTemplateYaml(config, runbook) };
    }
    case 'imagebuilder':
      return { 'template.yaml': imageBuilderTemplateYaml(config, plan) };
    case 'packer':
      return { 'build.pkr.hcl': renderPacker(config, plan) };
  }
}

/** Render, check and write one engine's documents into `outDir`. */
export async function exportEngine(o: ExportOptions): Promise<ExportResult> {
  const report = reportTo(o.reporter ?? silentReporter);
  const config = loadConfig(o.configPath, {
    allowPlaintextSecrets: o.allowPlaintextSecrets ?? false,
    ...(o.allowSourceRoots ? { allowSourceRoots: o.allowSourceRoots } : {}),
  });
  const docs = await renderEngine(config, o.engine);
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const files: ExportedFile[] = [];
  for (const [name, text] of Object.entries(docs)) {
    writeFileSync(join(outDir, name), text);
    files.push({ path: name, bytes: Buffer.byteLength(text) });
    report.info('export.written', `wrote ${name} (${Buffer.byteLength(text)} bytes)`, { engine: o.engine, path: name });
  }
  return { engine: o.engine, outDir, files };
}
