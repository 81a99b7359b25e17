/**
 * The publish parameter can be written: its name is not reserved (SSM
 * refuses names that begin with "aws" or "ssm", any case: PutParameter
 * "Naming Constraints"), and where it exists already it is a String
 * parameter, which winami overwrites with DataType aws:ec2:image.
 */
import type { Finding, PreflightCheck } from '../types.js';
import { couldNotCheck, problem } from './helpers.js';

const ID = 'publish-parameter';
const PATH = 'image.publishParameter';

/** True for parameter names SSM reserves for itself. */
export function reservedParameterName(name: string): boolean {
  return /^\/?(aws|ssm)/i.test(name);
}

export const publishParameterCheck: PreflightCheck = {
  id: ID,
  title: 'The publish parameter can be written in every target region',
  run(f) {
    const name = f.config.image.publishParameter;
    if (!name) return [];
    if (reservedParameterName(name)) {
      return [
        problem(
          ID,
          `image.publishParameter ${name} begins with "aws" or "ssm", which SSM reserves for itself`,
          'Choose a name of your own, such as /golden/windows-2022/latest.',
          { path: PATH },
        ),
      ];
    }
    const out: Finding[] = [];
    for (const { region, parameter } of f.publishParameter) {
      if (!parameter.ok) {
        out.push(couldNotCheck(ID, `parameter ${name} in ${region}`, parameter, region));
        continue;
      }
      const p = parameter.value;
      if (p && p.Type !== 'String') {
        out.push(
          problem(
            ID,
            `parameter ${name} in ${region} is a ${p.Type}, not a String holding an image id`,
            'Choose another name, or delete that parameter if it is no longer used.',
            { region, path: PATH },
          ),
        );
      }
    }
    return out;
  },
};
