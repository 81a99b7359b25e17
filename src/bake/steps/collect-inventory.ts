/**
 * Before sealing: run the bundle's inventory script and keep what it found
 * (OS build with UBR, installed updates, AWS components, features) for the
 * manifest and the image's tags.
 */
import { StepError } from '../../errors.js';
import { reportTo } from '../../reporter.js';
import { scaled } from '../context.js';
import { parseInventory } from '../inventory.js';
import { bundleFile, commandFor } from './bundle-script.js';
import { outputTail, runOn } from './run-on.js';
import type { BakeStep } from './types.js';

export const collectInventory: BakeStep = {
  name: 'collectInventory',
  title: 'Inventory the image',
  actions: ['ssm:SendCommand', 'ssm:GetCommandInvocation'],
  failureActions: ['ssm:CancelCommand'],
  async run(state, ctx) {
    const file = bundleFile(state.bundle!, 'scripts/inventory.ps1', 'collectInventory');
    const r = await runOn(state, ctx, {
      instanceId: state.builder!.instanceId,
      script: commandFor(file),
      what: 'inventory',
      executionTimeoutSeconds: Math.ceil(state.config.deadlines.readyToSeal / 1000),
      deadlineMs: scaled(ctx, state.config.deadlines.readyToSeal),
    });
    const inv = r.status === 'Success' ? parseInventory(r.stdout, new Date(ctx.clock.now())) : undefined;
    if (!inv) throw new StepError('collectInventory', `the inventory script failed: ${r.status}, exit code ${r.exitCode}.\n${outputTail(r)}`);
    state.inventory = inv;
    reportTo(ctx.reporter).info(
      'bake.inventory',
      `OS build ${inv.osBuild}, ${inv.updates.length} updates, ${inv.components.length} AWS components, ${inv.features.length} features`,
      {
        osBuild: inv.osBuild,
        updates: inv.updates.length,
        components: inv.components.length,
        features: inv.features.length,
      },
    );
  },
};
