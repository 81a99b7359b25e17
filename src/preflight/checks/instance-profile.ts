/**
 * The instance profile exists, has a role, the role trusts ec2.amazonaws.com,
 * and it allows what SSM Agent needs and what the bake asks of the builder
 * (secrets, their decryption, SQL Server media).
 */
import { EC2_SERVICE_PRINCIPAL } from '../../knowledge/ssm-instance-actions.js';
import { parsePolicyDocument, trustsService } from '../policy-eval.js';
import type { Finding, PreflightCheck, RoleDecision } from '../types.js';
import { couldNotCheck, problem, warning } from './helpers.js';

const ID = 'instance-profile';
const PATH = 'builder.instanceProfile';

const WHY: Record<RoleDecision['kind'], string> = {
  agent: 'SSM Agent needs it to come Online and run commands',
  secret: 'the builder reads this secret',
  decrypt: 'SecureString secrets are decrypted through SSM',
  media: 'the builder downloads the SQL Server media',
};

function denials(role: string, decisions: readonly RoleDecision[]): Finding[] {
  const out: Finding[] = [];
  for (const kind of ['agent', 'secret', 'media', 'decrypt'] as const) {
    const denied = decisions.filter((d) => d.kind === kind && !d.allowed);
    if (denied.length === 0) continue;
    const what = denied.map((d) => (d.resource === '*' ? d.action : `${d.action} on ${d.resource}`)).join(', ');
    if (kind === 'decrypt') {
      out.push(
        warning(
          ID,
          `role ${role} does not allow kms:Decrypt through SSM: SecureString secrets under a customer managed key will not decrypt unless that key's policy grants the role`,
          'SecureStrings under the default aws/ssm key need no grant; for a customer managed key, allow kms:Decrypt on it (see `winami iam-policy`).',
          { path: PATH },
        ),
      );
    } else if (kind === 'agent') {
      out.push(
        problem(ID, `role ${role} does not allow ${what}: ${WHY.agent}`, 'Attach the AWS managed policy AmazonSSMManagedInstanceCore to the role.', {
          path: PATH,
        }),
      );
    } else {
      out.push(
        problem(ID, `role ${role} does not allow ${what}: ${WHY[kind]}`, 'Add the builder policy `winami iam-policy` prints to the role.', { path: PATH }),
      );
    }
  }
  return out;
}

export const instanceProfileCheck: PreflightCheck = {
  id: ID,
  title: 'The instance profile exists and its role trusts EC2 and allows what the builder does',
  run(f) {
    const p = f.profile;
    if (!p) return [];
    if (!p.profile.ok) return [couldNotCheck(ID, `instance profile ${p.name}`, p.profile)];
    const profile = p.profile.value;
    if (!profile)
      return [
        problem(
          ID,
          `instance profile ${p.name} does not exist`,
          'Create it with a role that has AmazonSSMManagedInstanceCore, or set builder.instanceProfile to an existing one.',
          { path: PATH },
        ),
      ];
    const role = profile.Roles?.[0];
    if (!role)
      return [
        problem(
          ID,
          `instance profile ${p.name} has no role`,
          `Add a role to it: aws iam add-role-to-instance-profile --instance-profile-name ${p.name} --role-name <role>.`,
          { path: PATH },
        ),
      ];
    const out: Finding[] = [];
    let trusted = false;
    try {
      trusted = role.AssumeRolePolicyDocument !== undefined && trustsService(parsePolicyDocument(role.AssumeRolePolicyDocument), EC2_SERVICE_PRINCIPAL);
    } catch {
      trusted = false;
    }
    if (!trusted)
      out.push(
        problem(
          ID,
          `role ${role.RoleName} does not trust ${EC2_SERVICE_PRINCIPAL}, so EC2 cannot give it to the builder`,
          `Let ${EC2_SERVICE_PRINCIPAL} assume the role (sts:AssumeRole) in its trust policy.`,
          { path: PATH },
        ),
      );
    if (p.permissions.method === 'none')
      out.push(
        warning(
          ID,
          `could not check what role ${role.RoleName} allows (${p.permissions.reason})`,
          'Grant the caller iam:SimulatePrincipalPolicy on the role to have it checked; the bake goes on without it.',
          { path: PATH },
        ),
      );
    else out.push(...denials(role.RoleName ?? p.name, p.permissions.decisions));
    return out;
  },
};
