/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/). Resources are
 * logical locations named by their ARN; evidence goes into `properties`.
 */
import { sortFindings, type AuditResult, type RuleInfo } from '../result.js';
import type { Finding } from '../types.js';
import { safeJson, visibleText } from '../../util/visible-text.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function arn(f: Finding): string {
  const type = f.resourceType === 'image' ? 'image' : f.resourceType === 'snapshot' ? 'snapshot' : 'instance';
  // Snapshots and images are regional, account-scoped EC2 resources.
  return `arn:aws:ec2:${f.region}:${f.account}:${type}/${f.resourceId}`;
}

function driver(rules: readonly RuleInfo[], toolVersion: string) {
  return {
    name: 'winami',
    version: toolVersion,
    informationUri: 'https://github.com/winami/winami',
    rules: rules.map((r) => ({
      id: r.id,
      name: r.id,
      shortDescription: { text: r.title },
      fullDescription: { text: r.explanation },
      help: { text: r.explanation },
      defaultConfiguration: { level: r.severity },
    })),
  };
}

function invocation(result: AuditResult) {
  return {
    executionSuccessful: !result.partial,
    startTimeUtc: result.startedAt,
    endTimeUtc: result.finishedAt,
    toolExecutionNotifications: [
      ...result.failures.map((f) => ({
        level: 'error',
        message: { text: visibleText(`${f.account}${f.region ? ` ${f.region}` : ''} ${f.stage}: ${f.message}`) },
      })),
      ...(result.skipped ?? []).map((s) => ({ level: 'note', message: { text: visibleText(`${s.account} skipped: ${s.reason}`) } })),
    ],
  };
}

function sarifResult(f: Finding, ruleIndex: ReadonlyMap<string, number>) {
  return {
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    level: f.severity,
    // Viewers show message text to people; properties keep the values exactly.
    message: { text: visibleText(f.message) },
    locations: [{ logicalLocations: [{ fullyQualifiedName: arn(f), kind: 'resource' }] }],
    partialFingerprints: { resource: `${f.ruleId}/${arn(f)}` },
    properties: { account: f.account, region: f.region, resourceType: f.resourceType, resourceId: f.resourceId, time: f.time, evidence: f.evidence },
  };
}

export function formatSarif(result: AuditResult, toolVersion = '0.0.0'): string {
  const ruleIndex = new Map(result.rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: driver(result.rules, toolVersion) },
        invocations: [invocation(result)],
        results: sortFindings(result.findings).map((f) => sarifResult(f, ruleIndex)),
      },
    ],
  };
  return `${safeJson(sarif, 2)}\n`;
}

/**
 * A SARIF log written as findings come: the tool (its rules are known at the
 * start), then the results, then the invocation, whose success and end time
 * are known last. Member order does not matter in JSON, so the document is
 * the same log as `formatSarif` writes.
 */
export function sarifStream(rules: readonly RuleInfo[], toolVersion = '0.0.0') {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    head: `{\n  "$schema": ${safeJson(SARIF_SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "tool": ${safeJson({ driver: driver(rules, toolVersion) }, 2).replace(/\n/g, '\n      ')},\n      "results": [`,
    item: (f: Finding, first: boolean) => `${first ? '' : ','}\n        ${safeJson(sarifResult(f, ruleIndex), 2).replace(/\n/g, '\n        ')}`,
    tail: (result: AuditResult, anyFinding: boolean) =>
      `${anyFinding ? '\n      ' : ''}],\n      "invocations": ${safeJson([invocation(result)], 2).replace(/\n/g, '\n      ')}\n    }\n  ]\n}\n`,
  };
}
