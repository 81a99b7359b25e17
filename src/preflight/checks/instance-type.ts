/** The instance type exists and is offered in the subnet's Availability Zone (or, with no subnet, in the region). */
import type { PreflightCheck } from '../types.js';
import { couldNotCheck, problem } from './helpers.js';

const ID = 'instance-type';

export const instanceTypeCheck: PreflightCheck = {
  id: ID,
  title: 'The instance type exists and is offered where the builder runs',
  run(f) {
    const t = f.config.builder.instanceType;
    const path = 'builder.instanceType';
    if (!f.instanceType.ok) return [couldNotCheck(ID, `instance type ${t}`, f.instanceType, f.region)];
    if (!f.instanceType.value)
      return [
        problem(ID, `instance type ${t} does not exist in ${f.region}`, 'Set builder.instanceType to a type EC2 offers, such as m6i.large.', {
          region: f.region,
          path,
        }),
      ];
    if (!f.offering.ok) return [couldNotCheck(ID, `where ${t} is offered`, f.offering, f.region)];
    const { locationType, locations, offeredIn } = f.offering.value;
    const missing = locations.filter((l) => !offeredIn.includes(l));
    if (missing.length === 0) return [];
    const where =
      locationType === 'availability-zone'
        ? `Availability Zone ${missing.join(', ')} (of ${f.config.builder.subnetId ?? 'the subnet'})`
        : `region ${missing.join(', ')}`;
    return [
      problem(
        ID,
        `instance type ${t} is not offered in ${where}`,
        locationType === 'availability-zone'
          ? 'Pick a subnet in an Availability Zone that offers it (builder.subnetId), or another instance type.'
          : 'Pick an instance type offered in this region.',
        {
          region: f.region,
          path,
        },
      ),
    ];
  },
};
