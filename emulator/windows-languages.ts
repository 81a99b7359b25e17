/**
 * Localized Windows Server images. AWS publishes its Windows AMIs in many
 * languages; the language token sits where `English` does in the AMI name
 * (`Windows_Server-2022-French-Full-Base`) and in the public parameter under
 * `/aws/service/ami-windows-latest/`. Windows names its built-in accounts in
 * the image's language: the built-in Administrator (RID 500) is
 * `Administrateur` on a French image, `Администратор` on a Russian one, while
 * German, Japanese or Chinese keep `Administrator`. Scripts must find the
 * account by its well-known RID (SID `S-1-5-21-<machine>-500`), never by name
 * (Microsoft, "Well-known SIDs": https://learn.microsoft.com/windows/win32/secauthz/well-known-sids).
 *
 * The guest keeps the image's language in an emulator file on its disk, so
 * images and instances made from a localized image stay localized.
 *
 * Sources: the language tokens are those of AWS's public parameters
 * (`aws ssm get-parameters-by-path --path /aws/service/ami-windows-latest`,
 * e.g. `Windows_Server-2022-Portuguese_Brazil-Full-Base`,
 * `Windows_Server-2019-Chinese_Traditional-Full-Base`; aws-cdk's
 * `aws-ec2/lib/windows-versions.ts` lists the same tokens), and
 * `Windows_Server-2025-Japanese-Full-Base` is published; that 2025 has every
 * other language too is assumed. The localized Administrator names
 * (Administrateur, Administrador, Администратор, Administratör,
 * Rendszergazda) are those collected in vmware/packer-examples-for-vsphere
 * issue #332 and MSEndpointMgr/CloudLAPS pull request #60; the Guest names are
 * not checked against a source and only fill the table.
 */
import type { WindowsRelease } from '../src/knowledge/releases.js';
import type { GuestFs } from './guest-fs.js';

/** One language AWS publishes Windows Server images in. */
export interface WindowsLanguage {
  /** The token in AWS's AMI and parameter names: `French`, `Portuguese_Brazil`. */
  token: string;
  /** The image's culture (system locale). */
  culture: string;
  /** The built-in Administrator's name (RID 500). */
  administrator: string;
  /** The built-in Guest's name (RID 501). */
  guest: string;
}

/** AWS's language tokens with the built-in account names Windows gives them. */
export const WINDOWS_LANGUAGES: readonly WindowsLanguage[] = [
  { token: 'English', culture: 'en-US', administrator: 'Administrator', guest: 'Guest' },
  { token: 'French', culture: 'fr-FR', administrator: 'Administrateur', guest: 'Invité' },
  { token: 'German', culture: 'de-DE', administrator: 'Administrator', guest: 'Gast' },
  { token: 'Spanish', culture: 'es-ES', administrator: 'Administrador', guest: 'Invitado' },
  { token: 'Italian', culture: 'it-IT', administrator: 'Administrator', guest: 'Guest' },
  { token: 'Portuguese_Brazil', culture: 'pt-BR', administrator: 'Administrador', guest: 'Convidado' },
  { token: 'Portuguese_Portugal', culture: 'pt-PT', administrator: 'Administrador', guest: 'Convidado' },
  { token: 'Dutch', culture: 'nl-NL', administrator: 'Administrator', guest: 'Gast' },
  { token: 'Swedish', culture: 'sv-SE', administrator: 'Administratör', guest: 'Gäst' },
  { token: 'Hungarian', culture: 'hu-HU', administrator: 'Rendszergazda', guest: 'Vendég' },
  { token: 'Russian', culture: 'ru-RU', administrator: 'Администратор', guest: 'Гость' },
  { token: 'Polish', culture: 'pl-PL', administrator: 'Administrator', guest: 'Gość' },
  { token: 'Czech', culture: 'cs-CZ', administrator: 'Administrator', guest: 'Guest' },
  { token: 'Turkish', culture: 'tr-TR', administrator: 'Administrator', guest: 'Konuk' },
  { token: 'Japanese', culture: 'ja-JP', administrator: 'Administrator', guest: 'Guest' },
  { token: 'Korean', culture: 'ko-KR', administrator: 'Administrator', guest: 'Guest' },
  { token: 'Chinese_Simplified', culture: 'zh-CN', administrator: 'Administrator', guest: 'Guest' },
  { token: 'Chinese_Traditional', culture: 'zh-TW', administrator: 'Administrator', guest: 'Guest' },
];

/** Releases AWS publishes localized Full-Base images for (seeded beside the English ones). */
export const LOCALIZED_RELEASES: readonly WindowsRelease[] = ['2016', '2019', '2022', '2025'];

const STATE = 'C:\\Windows\\.emulator\\language.json';
/** The machine's account domain SID (`S-1-5-21-a-b-c`); Sysprep generalize would change it, the emulator keeps one. */
const MACHINE_SID = 'S-1-5-21-3623811015-3361044348-30300820';

/** The language by AWS token (case-insensitive). */
export function languageByToken(token: string): WindowsLanguage | undefined {
  return WINDOWS_LANGUAGES.find((l) => l.token.toLowerCase() === token.toLowerCase());
}

/** Mark a disk as a localized image's. */
export function setLanguage(fs: GuestFs, language: WindowsLanguage): void {
  fs.write(STATE, Buffer.from(JSON.stringify({ token: language.token })));
}

/** The disk's language; English when none was recorded. */
export function languageOf(fs: GuestFs): WindowsLanguage {
  const raw = fs.read(STATE);
  const token = raw ? (JSON.parse(raw.toString('utf8')) as { token: string }).token : 'English';
  return languageByToken(token) ?? WINDOWS_LANGUAGES[0]!;
}

/** A local account as `Win32_UserAccount` shows it. */
export interface LocalAccount {
  Name: string;
  SID: string;
  LocalAccount: boolean;
  Disabled: boolean;
  Domain: string;
}

/** The built-in local accounts of a guest, named in its language. */
export function localAccounts(fs: GuestFs, computerName: string): LocalAccount[] {
  const lang = languageOf(fs);
  const account = (Name: string, rid: number, Disabled: boolean): LocalAccount => ({
    Name,
    SID: `${MACHINE_SID}-${rid}`,
    LocalAccount: true,
    Disabled,
    Domain: computerName,
  });
  return [
    account(lang.administrator, 500, false),
    account(lang.guest, 501, true),
    account('DefaultAccount', 503, true),
    account('WDAGUtilityAccount', 504, true),
  ];
}
