/**
 * No image of the account already has the new image's name in any target
 * region (CreateImage and CopyImage would refuse it). An image tagged with
 * this build's id is an earlier attempt of this same build, which createImage
 * adopts: not a conflict.
 */
import type { Finding, PreflightCheck } from '../types.js';
import { couldNotCheck, problem } from './helpers.js';

const ID = 'image-name';
const BUILD_ID_TAG = 'winami:build-id';

export const imageNameCheck: PreflightCheck = {
  id: ID,
  title: 'The image name is free in every target region',
  run(f) {
    const out: Finding[] = [];
    for (const { region, images } of f.imagesNamed) {
      if (!images.ok) {
        out.push(couldNotCheck(ID, `whether the image name "${f.imageName}" is free in ${region}`, images, region));
        continue;
      }
      const taken = images.value.filter((i) => i.Name === f.imageName && !i.Tags?.some((t) => t.Key === BUILD_ID_TAG && t.Value === f.buildId));
      if (taken.length) {
        out.push(
          problem(
            ID,
            `an image named "${f.imageName}" already exists in ${region} (${taken.map((i) => `${i.ImageId}, ${i.State}`).join('; ')})`,
            'Use a name template with {{timestamp}} or {{buildId}} (image.name), or deregister the old image.',
            { region, path: 'image.name' },
          ),
        );
      }
    }
    return out;
  },
};
