/** Preflight: prove the credentials work and show the account and region. */
import { reportTo } from '../../reporter.js';
import { AwsError } from '../../errors.js';
import { awsErrorCode, CREDENTIALS_HINT } from '../../aws/errors.js';
import type { BakeStep } from './types.js';

export const checkCredentials: BakeStep = {
  name: 'checkCredentials',
  title: 'Check credentials',
  actions: ['sts:GetCallerIdentity'],
  async run(state, ctx) {
    let id: import('@aws-sdk/client-sts').GetCallerIdentityCommandOutput;
    try {
      id = await ctx.session.sts(state.region).getCallerIdentity({}, { abortSignal: ctx.signal });
    } catch (err) {
      throw credentialsError(err);
    }
    state.account = id.Account;
    state.callerArn = id.Arn;
    reportTo(ctx.reporter).info('bake.identity', `account ${id.Account} (${id.Arn}), region ${state.region}`, {
      account: id.Account,
      arn: id.Arn,
      region: state.region,
    });
    if (!state.config.builder.instanceProfile) {
      reportTo(ctx.reporter).warn(
        'bake.no-instance-profile',
        'builder.instanceProfile is not set: SSM Agent can only register if the account has Default Host Management Configuration; otherwise give a profile whose role has AmazonSSMManagedInstanceCore',
      );
    }
  },
};

/** Codes (and SDK error names) that mean the credentials are missing, wrong or expired. */
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'AuthFailure',
]);

/** A missing or rejected credential says so, and how to give one; other errors pass through. */
function credentialsError(err: unknown): unknown {
  // The SDK's provider error has no AWS code; its name says what it is.
  const code = awsErrorCode(err);
  const names = [code, err instanceof AwsError && err.cause instanceof Error ? err.cause.name : undefined];
  if (!names.some((n) => n !== undefined && CREDENTIAL_CODES.has(n))) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError('GetCallerIdentity', `no usable AWS credentials: ${message}`, {
    ...(code === undefined ? {} : { awsCode: code }),
    hint: CREDENTIALS_HINT,
    cause: err,
  });
}
