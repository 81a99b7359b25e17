/**
 * The IAM actions an instance's role must allow for SSM Agent to register
 * (Online in DescribeInstanceInformation) and to receive and answer Run
 * Command: the agent-facing `ssm`, `ec2messages` and `ssmmessages` actions of
 * the AWS managed policy AmazonSSMManagedInstanceCore (policy v2, AWS Managed
 * Policy Reference "AmazonSSMManagedInstanceCore"; what each is for: Systems
 * Manager User Guide "Reference: ec2messages, ssmmessages, and other API
 * operations"). The rest of that policy (inventory, associations, patching)
 * is not needed by a bake.
 */
export const SSM_AGENT_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

/** The service principal a builder's role must trust (EC2 assumes it for the instance). */
export const EC2_SERVICE_PRINCIPAL = 'ec2.amazonaws.com';

/** The interface VPC endpoints SSM Agent needs in a subnet without internet access (Systems Manager User Guide, "Use VPC endpoints"). */
export const SSM_ENDPOINT_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;
