/**
 * Secret references. A secret in a config is `ssm:/path` (an SSM Parameter
 * Store SecureString the builder instance reads itself) or `env:NAME` (read
 * from winami's environment at bake time and handed to the instance through a
 * temporary SecureString). The value never enters a bundle, a plan or a log.
 */

export type SecretRef = { kind: 'ssm'; parameter: string } | { kind: 'env'; variable: string } | { kind: 'plaintext'; value: string };

const SSM = /^ssm:(\/[\w./-]+)$/;
const ENV = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/** Parse a reference; a literal is `plaintext` (refused later unless allowed). */
export function parseSecret(text: string): SecretRef {
  const ssm = SSM.exec(text);
  if (ssm) return { kind: 'ssm', parameter: ssm[1]! };
  const env = ENV.exec(text);
  if (env) return { kind: 'env', variable: env[1]! };
  return { kind: 'plaintext', value: text };
}

/** How a secret is shown anywhere: the reference, never the value. */
export function describeSecret(ref: SecretRef): string {
  switch (ref.kind) {
    case 'ssm':
      return `ssm:${ref.parameter}`;
    case 'env':
      return `env:${ref.variable}`;
    case 'plaintext':
      return '<plaintext, redacted>';
  }
}

/** The token rendered in place of a secret's value; the builder replaces it on the instance. */
export function secretToken(slot: string): string {
  return `@@WINAMI_SECRET:${slot}@@`;
}

/** The temporary SecureString parameter that holds an `env:` secret for a slot during a bake. */
export function secretParameterName(buildId: string, slot: string): string {
  return `/winami/${buildId}/${slot}`;
}
