/**
 * The audit rule pack: each rule's id, severity, title and explanation as
 * data, next to its check (one pure function per file under `rules/`).
 */
import type { Rule, SubjectKind } from './types.js';
import { billingFieldsEmpty } from './rules/billing-fields-empty.js';
import { billingPairInconsistent } from './rules/billing-pair-inconsistent.js';
import { windowsBilledAsLinux } from './rules/windows-billed-as-linux.js';
import { declaredExpectationMismatch } from './rules/declared-expectation-mismatch.js';
import { sqlEditionMismatch } from './rules/sql-edition-mismatch.js';
import { unencryptedSnapshot } from './rules/unencrypted-snapshot.js';
import { orphanedSnapshot } from './rules/orphaned-snapshot.js';
import { deprecatedImageInUse } from './rules/deprecated-image-in-use.js';
import { unapprovedImage } from './rules/unapproved-image.js';
import { imageInventoryStale } from './rules/image-inventory-stale.js';
import { describeInventorySettings, type InventorySettings } from './settings.js';

const BILLING_DOC = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html';

function rule<K extends SubjectKind>(r: Rule<K>): Rule<K> {
  return r;
}

/** Every rule, in report order. */
export const RULE_PACK = [
  rule({
    id: 'billing-fields-empty',
    severity: 'error',
    title: 'Billing fields empty',
    kind: 'image',
    explanation: `PlatformDetails or UsageOperation is empty. AWS's RegisterImage documentation says the image's creation then failed: discard it and create it from an instance. Until then, instances launched from it may be billed wrongly. ${BILLING_DOC}`,
    check: billingFieldsEmpty,
  }),
  rule({
    id: 'billing-pair-inconsistent',
    severity: 'error',
    title: 'Billing pair inconsistent with the table',
    kind: 'image',
    explanation: `PlatformDetails and UsageOperation contradict each other according to AWS's billing table, so one of them is wrong. ${BILLING_DOC}`,
    check: billingPairInconsistent,
  }),
  rule({
    id: 'windows-billed-as-linux',
    severity: 'error',
    title: 'Windows image billed as non-Windows',
    kind: 'image',
    explanation:
      'Platform is windows but the billing code is not a Windows one (typically Linux/UNIX, RunInstances): the Windows licence is not being billed. Rebuild the image from an instance launched from a license-included Windows AMI.',
    check: windowsBilledAsLinux,
  }),
  rule({
    id: 'declared-expectation-mismatch',
    severity: 'error',
    title: 'Declared billing (tag) differs from actual',
    kind: 'image',
    explanation:
      'The image carries a winami:expect tag (an expectation name such as windows-sql-standard, or a UsageOperation code) that its billing fields do not match, or that names no known billing.',
    check: declaredExpectationMismatch,
  }),
  rule({
    id: 'sql-edition-mismatch',
    severity: 'error',
    title: 'SQL Server edition in the name differs from billing',
    kind: 'image',
    explanation:
      'The image name spells a SQL Server edition (e.g. SQL_2022_Standard) but its UsageOperation bills another edition or none: SQL Server licences are under- or over-billed.',
    check: sqlEditionMismatch,
  }),
  rule({
    id: 'unencrypted-snapshot',
    severity: 'warning',
    title: 'Unencrypted image snapshot',
    kind: 'image',
    explanation:
      'An EBS snapshot behind the image is not encrypted. CopyImage with Encrypted and a KMS key makes an encrypted copy; snapshots cannot be decrypted or encrypted in place.',
    check: unencryptedSnapshot,
  }),
  rule({
    id: 'orphaned-snapshot',
    severity: 'warning',
    title: 'Snapshot left behind by a deregistered image',
    kind: 'snapshot',
    explanation:
      "DeregisterImage leaves the image's snapshots unless DeleteAssociatedSnapshots is set; they are still billed. Delete them (winami discard deletes an image with its snapshots).",
    check: orphanedSnapshot,
  }),
  rule({
    id: 'deprecated-image-in-use',
    severity: 'warning',
    title: 'Instance launched from a deprecated image',
    kind: 'instance',
    explanation: 'The instance runs from an image past its deprecation time. Move it to the current golden image.',
    check: deprecatedImageInUse,
  }),
  rule({
    id: 'image-inventory-stale',
    severity: 'warning',
    title: 'Image inventory too old, or a required update missing',
    kind: 'image',
    explanation:
      'winami records what is in an image before sealing (config inventory: true) and tags the image with when, its OS build and its updates. An image whose inventory is older than the maximum age (45 days unless configured) has missed a monthly update; one without a required KB lacks a fix you mandate. Rebuild it (the monthly rebuild: windowsUpdate and awsComponents steps).',
    check: imageInventoryStale,
  }),
  rule({
    id: 'unapproved-image',
    severity: 'error',
    title: 'Instance launched from an unapproved image',
    kind: 'instance',
    explanation:
      'AWS advises scanning running instances and terminating any not based on approved images. The approved list is given by image id, image tag or image owner; --terminate-unapproved terminates them (dry run unless confirmed).',
    check: unapprovedImage,
  }),
] as const satisfies readonly Rule<any>[];

/** Metadata of the pseudo-rule that stands for a rule that threw. */
export const RULE_FAILURE = {
  id: 'rule-failed',
  severity: 'error',
  title: 'A rule could not evaluate a resource',
  explanation:
    'A rule threw on this resource (usually malformed or unexpected data). The resource was not judged by that rule; the evidence says which rule and why.',
} as const;

/**
 * Id, severity, title and explanation of every rule, including the failure pseudo-rule; with the
 * audit's settings, the explanation of a rule that reads them says what it judged by.
 */
export function ruleMetadata(settings: { inventory?: InventorySettings } = {}): {
  id: string;
  severity: string;
  title: string;
  explanation: string;
  kind?: SubjectKind;
}[] {
  return [
    ...RULE_PACK.map(({ id, severity, title, explanation, kind }) => ({
      id,
      severity,
      title,
      explanation: id === 'image-inventory-stale' ? `${explanation} ${describeInventorySettings(settings.inventory)}` : explanation,
      kind,
    })),
    { ...RULE_FAILURE },
  ];
}
