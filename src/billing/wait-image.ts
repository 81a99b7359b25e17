/** The image wait now lives with the rest of the image lifecycle (src/image/lifecycle.ts); re-exported for existing imports. */
export { describeImage, imageAvailability, waitForImageAvailable, type ImageWaitOptions } from '../image/lifecycle.js';
