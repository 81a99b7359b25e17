/**
 * Snapshot the root volume before sealing, so CreateImage only copies what
 * changed since (AWS's own advice; domain-facts §10.1). The snapshot is
 * temporary: cleanup deletes it whatever the outcome.
 */
import { pollUntil } from '../../aws/poll-until.js';
import type { Snapshot } from '@aws-sdk/client-ec2';
import { StepError } from '../../errors.js';
import { buildTags, deleteSnapshot, describeInstance, tagSpecs } from '../aws-helpers.js';
import { EXPECTED_MS, creating, delays, markRemoved, scaled, track } from '../context.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

export const preSnapshot: BakeStep = {
  name: 'preSnapshot',
  title: 'Pre-snapshot the root volume',
  actions: ['ec2:DescribeInstances', 'ec2:CreateSnapshot', 'ec2:DescribeSnapshots', 'ec2:DeleteSnapshot', 'ec2:CreateTags'],
  async run(state, ctx) {
    const ec2 = ctx.session.ec2(state.region);
    const inst = await describeInstance(ec2, need(state, 'builder', ctx.step).instanceId, ctx.signal);
    const root = inst?.BlockDeviceMappings?.find((m) => m.DeviceName === inst.RootDeviceName)?.Ebs?.VolumeId;
    if (!root) throw new StepError('preSnapshot', `could not find the root volume of ${need(state, 'builder', ctx.step).instanceId}`);
    const out = await creating(state, ctx, { kind: 'snapshot', region: state.region, role: 'pre-snapshot' }, () =>
      ec2.createSnapshot(
        {
          VolumeId: root,
          Description: `winami ${state.buildId} pre-snapshot`,
          TagSpecifications: tagSpecs(['snapshot'], buildTags(state.buildId, `${state.config.name} pre-snapshot`, 'pre-snapshot')),
        },
        { abortSignal: ctx.signal },
      ),
    );
    const id = out.SnapshotId!;
    state.preSnapshotId = id;
    track(state, ctx, { kind: 'snapshot', id, region: state.region, role: 'pre-snapshot' });
    await pollUntil<Snapshot | undefined>({
      what: `pre-snapshot ${id} to complete`,
      probe: async (signal) => (await ec2.describeSnapshots({ SnapshotIds: [id] }, { abortSignal: signal })).Snapshots?.[0],
      acceptor: (s) =>
        s?.State === 'completed'
          ? { state: 'success', value: s }
          : s?.State === 'error'
            ? { state: 'failure', reason: s.StateMessage ?? 'snapshot error' }
            : { state: 'retry', observed: `${s?.State ?? 'not visible'} ${s?.Progress ?? ''}` },
      timeoutMs: scaled(ctx, state.config.deadlines.createImage),
      ...delays(ctx, 'snapshot'),
      expectedMs: scaled(ctx, EXPECTED_MS.snapshot),
      abortSignal: ctx.signal,
      clock: ctx.clock,
    });
  },
  async cleanup(state, ctx) {
    if (!state.preSnapshotId) return;
    await deleteSnapshot(ctx.session.ec2(state.region), state.preSnapshotId, ctx.signal);
    markRemoved(state, ctx, state.preSnapshotId, state.region);
  },
};
