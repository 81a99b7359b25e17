/** The bundle types the bake reads, from the renderer. */
export type { Bundle, BundleFile as BundleFileLike, PlanCustomizeStep } from '../render/bundle.js';
