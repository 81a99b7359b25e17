/** Each `env:` secret's variable is set (the bake puts it into a temporary SecureString for the builder). */
import type { PreflightCheck } from '../types.js';
import { problem } from './helpers.js';

const ID = 'secrets';

export const secretsCheck: PreflightCheck = {
  id: ID,
  title: 'Each env: secret is set',
  run(f) {
    return f.config.secrets.flatMap((s) => {
      if (s.ref.kind !== 'env') return [];
      const v = f.env[s.ref.variable];
      return v === undefined || v === ''
        ? [
            problem(
              ID,
              `secret ${s.slot} refers to the environment variable ${s.ref.variable}, which is not set`,
              `Set ${s.ref.variable} in winami's environment.`,
              { path: s.path },
            ),
          ]
        : [];
    });
  },
};
