/** `winami discard <ami-id>... | --build-id <id>`: deregister images and delete the snapshots only they use. */
import type { CliCommand } from '../command.js';
import { commonOptions, runCommand } from '../command.js';
import { awsOptions, confirm, listOf, sessionFromArgs } from '../aws-options.js';
import { ExitCode, UsageError } from '../../errors.js';

/** The tag the bake puts on everything it creates. */
const BUILD_ID_TAG = 'winami:build-id';

export const discardCommand: CliCommand = {
  command: 'discard [ami-ids..]',
  describe: 'Deregister images and delete their snapshots (only those no other image uses); only images this account owns',
  builder: (y) =>
    awsOptions(commonOptions(y))
      .positional('ami-ids', { type: 'string', array: true, describe: 'Image ids (in --region)' })
      .option('build-id', { type: 'string', describe: `Every image tagged ${BUILD_ID_TAG}=<id>, in every enabled region` })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print what would be deleted; delete nothing' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask (required when not on a terminal)' })
      .example('$0 discard ami-0abc --dry-run', 'Show what discarding ami-0abc would delete')
      .example('$0 discard --build-id 20250101-abcd --yes', 'Remove every image of a build, in all regions'),
  run: (args) =>
    runCommand(args, async () => {
      const { discardImage } = await import('../../image/lifecycle.js');
      const ids = listOf(args.amiIds);
      const buildId = args.buildId as string | undefined;
      if ((ids.length === 0) === (buildId === undefined)) throw new UsageError('name image ids or --build-id (not both)');
      const session = await sessionFromArgs(args);
      const account = (await session.sts().getCallerIdentity({})).Account;
      const targets: { region: string; imageId: string }[] = ids.map((imageId) => ({ region: session.defaultRegion, imageId }));
      if (buildId !== undefined) {
        const regions = ((await session.ec2().describeRegions({})).Regions ?? []).map((r) => r.RegionName!).filter(Boolean);
        await Promise.all(
          regions.map(async (region) => {
            const out = await session
              .ec2(region)
              .describeImages({ Owners: ['self'], IncludeDeprecated: true, Filters: [{ Name: `tag:${BUILD_ID_TAG}`, Values: [buildId] }] });
            for (const i of out.Images ?? []) if (i.ImageId) targets.push({ region, imageId: i.ImageId });
          }),
        );
        if (targets.length === 0) process.stderr.write(`no images tagged ${BUILD_ID_TAG}=${buildId} in ${regions.length} regions\n`);
      }
      const dryRun = Boolean(args.dryRun);
      if (!dryRun && targets.length > 0) {
        const list = targets.map((t) => `${t.imageId} (${t.region})`).join(', ');
        if (!(await confirm(`deregister ${targets.length} image(s) and delete their unshared snapshots: ${list}?`, args))) {
          process.stderr.write('nothing deleted\n');
          return ExitCode.CANCELLED;
        }
      }
      const results = [];
      let code: number = ExitCode.OK;
      for (const t of targets) {
        try {
          results.push({
            region: t.region,
            ...(await discardImage(session.ec2(t.region), t.imageId, { dryRun, ...(account ? { ownerAccountId: account } : {}) })),
          });
        } catch (err) {
          results.push({ region: t.region, imageId: t.imageId, status: 'failed', reason: (err as Error).message, deletedSnapshots: [], keptSnapshots: [] });
        }
      }
      for (const r of results) if (r.status === 'refused' || r.status === 'failed') code = ExitCode.PARTIAL;
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: code === ExitCode.OK, dryRun, results }, null, 2)}\n`);
      else
        for (const r of results) {
          const verb =
            { discarded: 'discarded', planned: 'would discard', absent: 'already gone:', refused: 'REFUSED', failed: 'FAILED' }[r.status] ?? r.status;
          process.stdout.write(`${verb} ${r.imageId} (${r.region})${r.reason ? `: ${r.reason}` : ''}\n`);
          for (const s of r.deletedSnapshots) process.stdout.write(`  ${dryRun ? 'would delete' : 'deleted'} ${s}\n`);
          for (const k of r.keptSnapshots) process.stdout.write(`  kept ${k.snapshotId}: ${k.reason}\n`);
        }
      return code;
    }),
};
