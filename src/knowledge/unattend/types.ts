/**
 * Shape of the unattend knowledge base: components, the passes each setting
 * is valid in, and each setting's type. Sources: Microsoft "Unattended
 * Windows Setup Reference" (each component cites its page).
 */

/** The seven configuration passes, in the order Setup runs them. */
export const PASSES = ['windowsPE', 'offlineServicing', 'generalize', 'specialize', 'auditSystem', 'auditUser', 'oobeSystem'] as const;
export type Pass = (typeof PASSES)[number];

/** The unattend namespace (default namespace of every element). */
export const UNATTEND_NS = 'urn:schemas-microsoft-com:unattend';
/** The namespace of `wcm:action` and `wcm:keyValue`. */
export const WCM_NS = 'http://schemas.microsoft.com/WMIConfig/2002/State';
/** The XML Schema instance namespace Microsoft's samples also declare. */
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** `publicKeyToken` of every Microsoft component. */
export const PUBLIC_KEY_TOKEN = '31bf3856ad364e35';
/** Values of `processorArchitecture`. */
export const PROCESSOR_ARCHITECTURES = ['amd64', 'x86', 'wow64', 'arm64'] as const;
/** Values of `versionScope`, as the reference spells them. */
export const VERSION_SCOPES = ['nonSxS', 'SxS'] as const;
/** Values of `wcm:action`. */
export const WCM_ACTIONS = ['add', 'modify', 'remove'] as const;

/** Type of a setting's value (or `container` / `list` for settings that hold others). */
export type SettingType = 'string' | 'boolean' | 'integer' | 'enum' | 'container' | 'list';

/** The element that repeats inside a list setting, and the child (or `wcm:keyValue`) that keys it. */
export interface ListItemSpec {
  readonly name: string;
  readonly key: string;
  /** A child element that identifies the item when `key` is absent (Windows SIM writes FirewallGroup/Key). */
  readonly altKey?: string;
  readonly children: readonly SettingSpec[];
  /** Smallest and largest `Order` when the key is `Order`. */
  readonly orderMax?: number;
}

/** One setting and, for containers and lists, its children. */
export interface SettingSpec {
  readonly name: string;
  readonly type: SettingType;
  /** Passes the setting is valid in; absent on a child means "as its parent". */
  readonly passes?: readonly Pass[];
  readonly children?: readonly SettingSpec[];
  readonly item?: ListItemSpec;
  /** Allowed values of an `enum`, compared case-sensitively. */
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly maxLength?: number;
  /** Values may be left empty (Microsoft allows it for a few strings). */
  readonly allowEmpty?: boolean;
  /** Why the setting should no longer be used. */
  readonly deprecated?: string;
  /** The value is a secret: Setup caches it in %WINDIR%\Panther. */
  readonly secret?: boolean;
  /** A `Value` + `PlainText` password pair. */
  readonly password?: boolean;
  /** The children are not modelled; anything inside is accepted. */
  readonly open?: boolean;
}

/** One component, the settings it has and the page documenting it. */
export interface ComponentSpec {
  /** Full name, e.g. `Microsoft-Windows-Shell-Setup`. */
  readonly name: string;
  /** learn.microsoft.com page of the component. */
  readonly source: string;
  readonly settings: readonly SettingSpec[];
  /** Why the component should no longer be used. */
  readonly deprecated?: string;
  /** The reference names client editions only ("Windows 10 for desktop editions"): Windows Server has no such component. */
  readonly clientOnly?: string;
}
