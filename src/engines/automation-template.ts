/** CloudFormation for the runbook: the document and the least-privilege role it assumes. */
import { stringify } from 'yaml';
import type { ResolvedConfig } from '../config/types.js';
import type { Runbook } from './automation.js';
import { automationRolePolicy } from './iam.js';

/** The template object. */
export function automationTemplate(config: ResolvedConfig, runbook: Runbook): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `winami runbook for ${config.name} and the role it runs as`,
    Resources: {
      RunbookRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: `Assumed by the winami runbook of ${config.name}`.slice(0, 1000),
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ssm.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [{ PolicyName: 'winami-runbook', PolicyDocument: automationRolePolicy(config) }],
        },
      },
      Runbook: {
        Type: 'AWS::SSM::Document',
        Properties: { DocumentType: 'Automation', DocumentFormat: 'YAML', UpdateMethod: 'NewVersion', Content: runbook },
      },
    },
    Outputs: {
      RunbookName: { Description: 'Start it with AutomationAssumeRole set to RunbookRoleArn', Value: { Ref: 'Runbook' } },
      RunbookRoleArn: { Value: { 'Fn::GetAtt': ['RunbookRole', 'Arn'] } },
    },
  };
}

/** The template as YAML. */
export function automationTemplateYaml(config: ResolvedConfig, runbook: Runbook): string {
  return stringify(automationTemplate(config, runbook), { lineWidth: 0 });
}
