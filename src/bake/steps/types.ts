/** The type of a bake step. */
import type { Step } from '../runner.js';
import type { BakeContext } from '../context.js';
import type { BakeState } from '../state.js';

export type BakeStep = Step<BakeState, BakeContext> & {
  /** IAM actions `run` calls on the success path. */
  actions: readonly string[];
  /** IAM actions only cleanup after a failure (or a retry) calls. */
  failureActions?: readonly string[];
};
