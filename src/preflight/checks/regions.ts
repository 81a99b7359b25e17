/** Each region the bake works in (the build region and every copy's) exists and is enabled for the account. */
import type { PreflightCheck } from '../types.js';
import { couldNotCheck, problem } from './helpers.js';

const ID = 'regions';

export const regionsCheck: PreflightCheck = {
  id: ID,
  title: 'Each target region is enabled for the account',
  run(f) {
    if (!f.regions.ok) return [couldNotCheck(ID, 'which regions are enabled', f.regions)];
    const targets = [...new Set([f.region, ...f.config.image.regions.map((r) => r.region)])];
    const known = f.regions.value;
    return targets.flatMap((name, i) => {
      const path = i === 0 ? 'region' : 'image.regions';
      const r = known.find((x) => x.RegionName === name);
      if (!r) return [problem(ID, `region ${name} does not exist for this account`, 'Check the region name.', { region: name, path })];
      if (r.OptInStatus === 'not-opted-in') {
        return [
          problem(
            ID,
            `region ${name} is not enabled for account ${f.account ?? ''}`.trim(),
            `Enable it (Account settings, or aws account enable-region --region-name ${name}) and wait until it is enabled, or remove it.`,
            { region: name, path },
          ),
        ];
      }
      return [];
    });
  },
};
