/**
 * Audit data types: the subjects rules look at (an image, a snapshot, a
 * running instance, each with its account and region), the rule shape
 * (cdk-nag style: one pure function, id/level/explanation as data), and the
 * findings they produce.
 */
import type { Image, Instance, Snapshot } from '@aws-sdk/client-ec2';

/** Finding severities, SARIF's levels. */
export type Severity = 'error' | 'warning' | 'note';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];
/** Higher is worse. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { note: 1, warning: 2, error: 3 };

/** Where a subject lives. */
export interface Scope {
  account: string;
  region: string;
}

/** An owned image. */
export interface ImageSubject extends Scope {
  kind: 'image';
  image: Image;
}

/** An owned snapshot, with what the audit learned about the image it was made for. */
export interface SnapshotSubject extends Scope {
  kind: 'snapshot';
  snapshot: Snapshot;
  /** True when an existing owned image in this region uses the snapshot. */
  usedByImage: boolean;
  /** The image the snapshot's description says it was created for, if any. */
  createdForImageId: string | undefined;
  /** Whether `createdForImageId` still exists in this region (undefined when there is none). */
  createdForImageExists: boolean | undefined;
}

/** A running (or stopped) instance, with its launch image when visible. */
export interface InstanceSubject extends Scope {
  kind: 'instance';
  instance: Instance;
  /** The launch image, or undefined when it no longer exists or is not visible. */
  image: Image | undefined;
}

export type Subject = ImageSubject | SnapshotSubject | InstanceSubject;
export type SubjectKind = Subject['kind'];
export type SubjectOf<K extends SubjectKind> = Extract<Subject, { kind: K }>;

/** Images an instance may be launched from: by id, by tag on the image, or by image owner. */
export interface ApprovedImages {
  imageIds?: string[];
  /** `key` or `key=value`, matched against the launch image's tags. */
  tags?: { key: string; value?: string }[];
  owners?: string[];
}

/** What every rule may read besides its subject. */
export interface RuleContext {
  now: Date;
  approved?: ApprovedImages | undefined;
  /** What `image-inventory-stale` judges by (audit settings). */
  inventory?: { maxAgeDays?: number; requiredKbs?: string[] } | undefined;
}

/** Evidence values are plain scalars so every format can show them. */
export type EvidenceValue = string | number | boolean | null;

/** One thing a rule reports. */
export interface RuleHit {
  message: string;
  evidence?: Record<string, EvidenceValue>;
}

/** A rule: data plus one pure check. */
export interface Rule<K extends SubjectKind = SubjectKind> {
  id: string;
  severity: Severity;
  title: string;
  /** Why it matters and what to do, shown in reports and SARIF help. */
  explanation: string;
  kind: K;
  check: (subject: SubjectOf<K>, ctx: RuleContext) => RuleHit | RuleHit[] | undefined;
}

/** One finding with its evidence. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  account: string;
  region: string;
  resourceType: SubjectKind;
  resourceId: string;
  message: string;
  /** Fields seen on the resource and anything else the rule recorded. */
  evidence: Record<string, EvidenceValue>;
  /** ISO-8601 time the finding was made. */
  time: string;
}
