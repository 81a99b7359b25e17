/** winami's version (it lives in src/util, below every folder that reports it). */
export { VERSION } from '../util/version.js';
