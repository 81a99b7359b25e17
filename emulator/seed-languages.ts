/** AWS's localized Windows images in the emulator's seed (the languages are in windows-languages.ts). */
import { EXPECTATIONS } from '../src/knowledge/billing.js';
import { AGENT_PATHS, RELEASE_INFO } from '../src/knowledge/releases.js';
import { GuestFs } from './guest-fs.js';
import { AMAZON_ACCOUNT } from './options.js';
import { makeImage } from './seed.js';
import { IMAGE_STATE } from './windows.js';
import { LOCALIZED_RELEASES, setLanguage, WINDOWS_LANGUAGES } from './windows-languages.js';
import type { Billing, World } from './world.js';

/** What `seedLocalizedImages` needs from the seed, passed in to keep this file free of seed.ts's internals. */
export interface LocalizedSeed {
  regions: string[];
  /** Creation time of the seeded images, and its `YYYY.MM.DD` as AWS suffixes AMI names. */
  created: number;
  date: string;
}

/**
 * Seed AWS's localized Full-Base images and their public parameters
 * (`/aws/service/ami-windows-latest/Windows_Server-2022-French-Full-Base`)
 * for every language but English (seed.ts seeds that) and each release in
 * `LOCALIZED_RELEASES`, in each region. Their disks carry the language, so the
 * guest names its built-in accounts in it.
 */
export function seedLocalizedImages(world: World, seed: LocalizedSeed): void {
  const windows: Billing = { platform: 'windows', platformDetails: EXPECTATIONS.windows.platformDetails, usageOperation: EXPECTATIONS.windows.usageOperation };
  for (const region of seed.regions) {
    for (const release of LOCALIZED_RELEASES) {
      const info = RELEASE_INFO[release];
      const agent = info.defaultAgent;
      for (const language of WINDOWS_LANGUAGES.filter((l) => l.token !== 'English')) {
        const baseName = `Windows_Server-${info.amiNameYear}-${language.token}-Full-Base`;
        const fs = new GuestFs();
        fs.write(AGENT_PATHS[agent].exe, Buffer.from('launch agent'));
        fs.write(AGENT_PATHS[agent].unattend, Buffer.from('<unattend/>'));
        setLanguage(fs, language);
        const img = makeImage(world, {
          account: AMAZON_ACCOUNT,
          region,
          name: `${baseName}-${seed.date}`,
          description: `Microsoft ${info.displayName} with Desktop Experience Locale ${language.token.replace(/_/g, ' ')} AMI provided by Amazon`,
          createdAt: seed.created,
          billing: windows,
          origin: {
            billing: windows,
            agent,
            release,
            fs,
            computerName: 'EC2AMAZ-AMAZON0',
            imageState: IMAGE_STATE.resealOobe,
            sealed: true,
            v1Scheduled: true,
          },
          volumeSize: 30,
          isPublic: true,
          ownerAlias: 'amazon',
        });
        world.parameters.set(`*|${region}|/aws/service/ami-windows-latest/${baseName}`, {
          name: `/aws/service/ami-windows-latest/${baseName}`,
          type: 'String',
          value: img.id,
          version: 1,
          lastModified: seed.created,
          dataType: 'text',
        });
      }
    }
  }
}
