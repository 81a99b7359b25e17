/**
 * Replace the secret tokens in the delivered files, on the instance, from SSM
 * Parameter Store; then hold the builder to the script's proof, read back from
 * its disk: every slot filled and no `@@WINAMI_SECRET:` token left in any
 * delivered file (but those kept for first boot). The proof fails closed: a
 * run that does not print it stops the bake like one that finds a token.
 */
import { SecretsNotResolvedError, StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import type { RunScriptResult } from '../ssm-run.js';
import { scaled } from '../context.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

/** What the script proved: slots it could not fill, and the delivered files still holding tokens (count, path). */
export interface SecretsProof {
  unfilledSlots: string[];
  tokensLeft: number | undefined;
  slotsUnfilled: number | undefined;
  filesWithTokens: { path: string; count: number }[];
  filesChecked: number | undefined;
}

/** Read the proof lines of resolve-secrets.ps1 (counts, slots and paths only). */
export function secretsProof(stdout: string): SecretsProof {
  const proof: SecretsProof = { unfilledSlots: [], tokensLeft: undefined, slotsUnfilled: undefined, filesWithTokens: [], filesChecked: undefined };
  const num = (v: string) => (/^\d+$/.test(v) ? Number(v) : undefined);
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^WINAMI ([A-Za-z][\w.-]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key.startsWith('secretSlot.') && value !== 'filled') proof.unfilledSlots.push(key.slice('secretSlot.'.length));
    else if (key === 'secretTokensLeftIn') {
      const at = /^(\d+) (.+)$/.exec(value);
      if (at) proof.filesWithTokens.push({ count: Number(at[1]), path: at[2]! });
    } else if (key === 'secretTokensLeft') proof.tokensLeft = num(value);
    else if (key === 'secretSlotsUnfilled') proof.slotsUnfilled = num(value);
    else if (key === 'secretFilesChecked') proof.filesChecked = num(value);
  }
  return proof;
}

function checkProof(r: RunScriptResult): void {
  const p = secretsProof(r.stdout);
  if (p.tokensLeft === 0 && p.slotsUnfilled === 0 && p.unfilledSlots.length === 0 && p.filesWithTokens.length === 0) return;
  if (p.tokensLeft === undefined || p.slotsUnfilled === undefined) {
    throw new SecretsNotResolvedError(
      `resolving secrets printed no proof that every token was replaced (exit ${r.exitCode}); the image would not be known to be free of tokens.\n${outputTail(r)}`,
      {
        hint: 'This is a bug in resolve-secrets.ps1 or its output was cut; run `winami prepare` and inspect scripts/resolve-secrets.ps1.',
      },
    );
  }
  const files = p.filesWithTokens.map((f) => `${f.path} (${f.count})`);
  throw new SecretsNotResolvedError(
    `secrets were not all substituted on the builder: ${p.unfilledSlots.length ? `slot(s) ${p.unfilledSlots.join(', ')} unfilled; ` : ''}${p.tokensLeft ?? 0} token(s) left${files.length ? ` in ${files.join(', ')}` : ''}. The builder is not sealed.`,
    {
      hint: "A delivered file holds a token no secret slot covers, or a file could not be rewritten; run `winami prepare` and check plan.json's secrets against the files.",
      data: { unfilledSlots: p.unfilledSlots, tokensLeft: p.tokensLeft, filesWithTokens: p.filesWithTokens },
    },
  );
}

export const resolveSecrets: BakeStep = {
  name: 'resolveSecrets',
  title: 'Resolve secrets on the builder',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  async run(state, ctx) {
    const file = bundleFile(need(state, 'bundle', ctx.step), 'scripts/resolve-secrets.ps1', 'resolveSecrets');
    const r = await runOn(state, ctx, {
      instanceId: need(state, 'builder', ctx.step).instanceId,
      script: commandFor(file),
      what: 'resolve secrets',
      executionTimeoutSeconds: 600,
      deadlineMs: scaled(ctx, state.config.deadlines.deliver),
    });
    // Exit 2 is the proof failing; anything else that is not Success failed before it.
    if (r.status !== 'Success' && r.exitCode !== 2) {
      throw new StepError('resolveSecrets', `resolving secrets on the builder failed (exit ${r.exitCode}).\n${outputTail(r)}`, {
        hint: "The builder's instance profile needs ssm:GetParameter on each secret parameter and kms:Decrypt on its key (see `winami iam-policy`).",
      });
    }
    checkProof(r);
    const p = secretsProof(r.stdout);
    reportTo(ctx.reporter).info('bake.secrets.proven', `secrets substituted on the builder; ${p.filesChecked ?? 0} delivered files hold no token`, {
      filesChecked: p.filesChecked,
    });
  },
};
