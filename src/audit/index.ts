/** The audit library: `audit()`, its rules, formats and the unapproved-instance terminator. */
export { audit, accountOfRoleArn, type AuditOptions, type AuditProgress } from './audit.js';
export { RULE_PACK, RULE_FAILURE, ruleMetadata } from './pack.js';
export { evaluate } from './evaluate.js';
export { totalsOf, findingsAtOrAbove, sortFindings, type AuditResult, type AuditTotals, type ScopeFailure } from './result.js';
export { formatAudit, AUDIT_FORMATS, type AuditFormat } from './format/index.js';
export { terminateUnapproved, type TerminateOptions, type TerminateOutcome } from './terminate.js';
export type * from './types.js';
