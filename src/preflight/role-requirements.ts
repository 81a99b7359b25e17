/**
 * What the builder's role must allow for this bake: SSM Agent's own actions,
 * `ssm:GetParameter` on each secret the builder reads (an `ssm:` reference,
 * or the temporary `/winami/<build-id>/<slot>` of an `env:` one), `kms:Decrypt`
 * through SSM for SecureStrings, and `s3:GetObject` on SQL Server media.
 */
import type { ResolvedConfig } from '../config/types.js';
import { SSM_AGENT_ACTIONS } from '../knowledge/ssm-instance-actions.js';
import { secretParameterName } from '../config/secrets.js';
import type { RoleRequirement } from './types.js';

/** The ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Every action and resource the builder's role must allow, for this config and build. */
export function roleRequirements(config: ResolvedConfig, o: { region: string; account: string | undefined; buildId: string }): RoleRequirement[] {
  const p = partitionOf(o.region);
  const account = o.account ?? '*';
  const out: RoleRequirement[] = SSM_AGENT_ACTIONS.map((action) => ({ action, resource: '*', kind: 'agent' as const }));
  for (const s of config.secrets) {
    const name = s.ref.kind === 'ssm' ? s.ref.parameter : secretParameterName(o.buildId, s.slot);
    out.push({ action: 'ssm:GetParameter', resource: `arn:${p}:ssm:${o.region}:${account}:parameter${name}`, kind: 'secret' });
  }
  if (config.secrets.length > 0) {
    // Which key a SecureString uses is not known here; the request comes through SSM.
    out.push({ action: 'kms:Decrypt', resource: '*', kind: 'decrypt', context: { 'kms:ViaService': `ssm.${o.region}.amazonaws.com` } });
  }
  const media = config.sql?.media;
  if (media?.startsWith('s3://')) {
    // A folder of extracted media: every object under it.
    const path = media.slice(5);
    out.push({ action: 's3:GetObject', resource: `arn:${p}:s3:::${path}${path.endsWith('/') ? '*' : ''}`, kind: 'media' });
  }
  return out;
}
