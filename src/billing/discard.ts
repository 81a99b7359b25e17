/** The discard now lives with the rest of the image lifecycle (src/image/lifecycle.ts); re-exported for existing imports. */
export { discardImage, type DiscardOptions, type DiscardResult, type KeptSnapshot } from '../image/lifecycle.js';
