/** Render the bundle in memory: the same files `winami prepare` writes. */
import { reportTo } from '../../reporter.js';
import type { BakeStep } from './types.js';

export const renderBundle: BakeStep = {
  name: 'renderBundle',
  title: 'Render the bundle',
  actions: [],
  async run(state, ctx) {
    state.bundle = await ctx.renderBundle(state.config, { buildId: state.buildId });
    // The same lint warnings `winami prepare` shows.
    for (const w of state.bundle.warnings) reportTo(ctx.reporter).warn('bake.lint', `${w.file}:${w.line}:${w.column} ${w.ruleId}: ${w.message}`, { ...w });
    const delivered = state.bundle.files.filter((f) => f.destination);
    reportTo(ctx.reporter).info('bake.bundle', `${delivered.length} files to deliver, ${delivered.reduce((n, f) => n + f.content.length, 0)} bytes`, {
      files: delivered.map((f) => ({ path: f.path, destination: f.destination, sha256: f.sha256 })),
    });
  },
};
