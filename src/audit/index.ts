/** The audit library: `audit()`, its rules, formats and the unapproved-instance terminator. */
export { audit, accountOfRoleArn, DEFAULT_ORGANIZATION_ROLE, type AuditOptions, type AuditProgress } from './audit.js';
export { RULE_PACK, RULE_FAILURE, ruleMetadata } from './pack.js';
export { evaluate } from './evaluate.js';
export { inventorySettings, parseDays, parseKbs, describeInventorySettings, type InventorySettings } from './settings.js';
export {
  totalsOf,
  totalsAtOrAbove,
  countFinding,
  findingsAtOrAbove,
  sortFindings,
  type AuditResult,
  type AuditTotals,
  type ScopeFailure,
  type SkippedAccount,
} from './result.js';
export { openReportWriter, type AuditReportWriter, type ReportOutput, type ReportWriterOptions } from './format/stream.js';
export { AuditStateFile } from './state.js';
export { formatAudit, AUDIT_FORMATS, type AuditFormat } from './format/index.js';
export { terminateUnapproved, type TerminateOptions, type TerminateOutcome } from './terminate.js';
export type * from './types.js';
