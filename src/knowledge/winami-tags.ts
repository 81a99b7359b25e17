/** The tags winami puts on what it creates; the `winami:` namespace is refused in user tags. */

/** Every resource a bake creates carries its build id. */
export const BUILD_ID_TAG = 'winami:build-id';
/**
 * Set on each output image (and copy) once the whole bake has succeeded, as
 * its last act. Without a journal, cleanup keeps only images that carry it:
 * an available image without it is from a bake that never finished (killed
 * between CreateImage and its billing check, say) and is not trusted.
 */
export const COMPLETE_TAG = 'winami:complete';

/** What a resource is to its build (builder, image, copy, …). */
export const ROLE_TAG = 'winami:role';

/** The config's `name`, on each output image (copies get it through CopyImageTags): the family `winami prune` works on. */
export const CONFIG_TAG = 'winami:config';
