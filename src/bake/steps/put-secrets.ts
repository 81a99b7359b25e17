/**
 * Hand `env:` secrets to the builder: each goes into a temporary SecureString
 * `/winami/<build-id>/<slot>` that the builder reads with its instance
 * profile; cleanup deletes them whatever the outcome. Values never reach
 * SendCommand parameters, events, the journal or the manifest.
 */
import { ConfigError } from '../../errors.js';
import { isAwsCode } from '../../aws/errors.js';
import { track, markRemoved } from '../context.js';
import type { BakeStep } from './types.js';
import { secretParameterName } from '../../config/secrets.js';

export { secretParameterName };

export const putSecrets: BakeStep = {
  name: 'putSecrets',
  title: 'Put temporary secrets',
  actions: ['ssm:PutParameter', 'ssm:DeleteParameter'],
  async run(state, ctx) {
    const ssm = ctx.session.ssm(state.region);
    for (const s of state.config.secrets) {
      if (s.ref.kind === 'ssm') continue;
      const value = s.ref.kind === 'env' ? ctx.env[s.ref.variable] : s.ref.value;
      if (value === undefined || value === '') {
        throw new ConfigError(`secret ${s.slot} refers to the environment variable ${s.ref.kind === 'env' ? s.ref.variable : ''}, which is not set`, [
          { path: s.path, message: 'environment variable not set' },
        ]);
      }
      const name = secretParameterName(state.buildId, s.slot);
      // Recorded before the call: a dropped connection may still have created it.
      state.secretParameters[s.slot] = name;
      track(state, ctx, { kind: 'parameter', id: name, region: state.region, role: 'secret' });
      await ssm.putParameter(
        {
          Name: name,
          Type: 'SecureString',
          Value: value,
          Overwrite: true,
          Description: `winami build ${state.buildId}: temporary, deleted when the bake ends`,
        },
        { abortSignal: ctx.signal },
      );
    }
  },
  async cleanup(state, ctx) {
    const ssm = ctx.session.ssm(state.region);
    for (const name of Object.values(state.secretParameters)) {
      try {
        await ssm.deleteParameter({ Name: name }, { abortSignal: ctx.signal });
      } catch (err) {
        if (!isAwsCode(err, 'ParameterNotFound')) throw err;
      }
      markRemoved(state, ctx, name, state.region);
    }
  },
};
