/** The bundle types the bake reads, from the renderer. */
export type { Bundle, BundleFile as BundleFileLike } from '../render/bundle.js';
