/** `winami iam-policy <config>`: print least-privilege policies for the caller and the builder instance profile. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand, sourceRootOption, sourceRoots } from '../command.js';

export const iamPolicyCommand: CliCommand = {
  command: 'iam-policy <config>',
  describe: 'Print least-privilege IAM policies for the caller of `winami bake` and for the builder instance profile',
  builder: (y) =>
    sourceRootOption(commonOptions(y))
      .positional('config', { type: 'string', describe: 'Config file' })
      .option('for', { choices: ['caller', 'builder', 'both'] as const, default: 'both', describe: 'Which policy to print' })
      .option('engine', {
        choices: ['local', 'automation', 'imagebuilder'] as const,
        default: 'local',
        describe: 'Where the bake runs: this machine (local), SSM Automation or EC2 Image Builder',
      })
      .option('include-cleanup', { type: 'boolean', default: true, describe: 'Add the actions `winami cleanup` needs to the caller policy' })
      .option('include-prune', { type: 'boolean', default: false, describe: 'Add the actions `winami prune` needs to the caller policy' })
      .option('allow-plaintext-secrets', { type: 'boolean', default: false })
      .option('bundle-bucket', {
        type: 'string',
        describe:
          'The bucket the bundle (automation) or the component documents (imagebuilder) are delivered from (default engine.bundleBucket): adds its S3 actions',
      }),
  run: (args) =>
    runCommand(args, async () => {
      const { loadConfig } = await import('../../config/load.js');
      const { iamPolicies } = await import('../../bake/iam-policy.js');
      const config = loadConfig(String(args.config), { allowPlaintextSecrets: Boolean(args.allowPlaintextSecrets), allowSourceRoots: sourceRoots(args) });
      if (args.engine !== undefined && args.engine !== 'local') {
        const { enginePolicies } = await import('../../engines/iam.js');
        process.stdout.write(
          `${JSON.stringify(enginePolicies(config, args.engine as 'automation' | 'imagebuilder', typeof args.bundleBucket === 'string' ? { bundleBucket: args.bundleBucket } : {}), null, 2)}\n`,
        );
        return 0;
      }
      const p = iamPolicies(config, { includeCleanup: Boolean(args.includeCleanup), includePrune: Boolean(args.includePrune) });
      const which = String(args.for);
      const out: Record<string, unknown> = {};
      if (which !== 'builder') out.caller = p.caller;
      if (which !== 'caller') out.builderInstanceProfile = p.builder;
      if (args.json || which !== 'both')
        process.stdout.write(`${JSON.stringify(which === 'caller' ? p.caller : which === 'builder' ? p.builder : out, null, 2)}\n`);
      else {
        process.stdout.write(`# Caller policy (the identity that runs winami bake)\n${JSON.stringify(p.caller, null, 2)}\n\n`);
        process.stdout.write(
          `# Builder instance profile: attach ${p.builder.managedPolicyArns.join(', ')}${p.builder.inline ? ' and this inline policy' : ''}\n`,
        );
        if (p.builder.inline) process.stdout.write(`${JSON.stringify(p.builder.inline, null, 2)}\n`);
      }
      return 0;
    }),
};
