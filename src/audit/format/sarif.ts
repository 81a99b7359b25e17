/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/). Resources are
 * logical locations named by their ARN; evidence goes into `properties`.
 */
import { sortFindings, type AuditResult } from '../result.js';
import type { Finding } from '../types.js';
import { safeJson, visibleText } from '../../util/visible-text.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function arn(f: Finding): string {
  const type = f.resourceType === 'image' ? 'image' : f.resourceType === 'snapshot' ? 'snapshot' : 'instance';
  // Snapshots and images are regional, account-scoped EC2 resources.
  return `arn:aws:ec2:${f.region}:${f.account}:${type}/${f.resourceId}`;
}

export function formatSarif(result: AuditResult, toolVersion = '0.0.0'): string {
  const ruleIndex = new Map(result.rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'winami',
            version: toolVersion,
            informationUri: 'https://github.com/winami/winami',
            rules: result.rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              help: { text: r.explanation },
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: !result.partial,
            startTimeUtc: result.startedAt,
            endTimeUtc: result.finishedAt,
            toolExecutionNotifications: result.failures.map((f) => ({
              level: 'error',
              message: { text: visibleText(`${f.account}${f.region ? ` ${f.region}` : ''} ${f.stage}: ${f.message}`) },
            })),
          },
        ],
        results: sortFindings(result.findings).map((f) => ({
          ruleId: f.ruleId,
          ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
          level: f.severity,
          // Viewers show message text to people; properties keep the values exactly.
          message: { text: visibleText(f.message) },
          locations: [{ logicalLocations: [{ fullyQualifiedName: arn(f), kind: 'resource' }] }],
          partialFingerprints: { resource: `${f.ruleId}/${arn(f)}` },
          properties: { account: f.account, region: f.region, resourceType: f.resourceType, resourceId: f.resourceId, time: f.time, evidence: f.evidence },
        })),
      },
    ],
  };
  return `${safeJson(sarif, 2)}\n`;
}
