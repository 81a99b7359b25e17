/** The billing library: expectations, the billing check, verify, register, discard and copy. */
export * from './expectations.js';
export {
  checkBilling,
  verifyImageBilling,
  expectationForImage,
  type BillingCheck,
  type BillingFields,
  type BillingProblem,
  type VerifyResult,
  type VerifyImageOptions,
} from './verify.js';
export { discardImage, type DiscardOptions, type DiscardResult, type KeptSnapshot } from '../image/lifecycle.js';
export { copyImageToRegion, copyImageToRegions, copyClientToken, type CopyImageOptions, type CopyOutcome, type CopyResult, type CopyTarget } from './copy.js';
export { registerImageFromSnapshot, registerImageInput, type RegisterOptions, type RegisterResult } from './register.js';
export { describeImage, waitForImageAvailable, type ImageWaitOptions } from '../image/lifecycle.js';
