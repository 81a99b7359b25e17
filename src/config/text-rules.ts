/**
 * What Windows and AWS accept in the free-text fields of a config: Windows
 * file paths, tag keys and values, descriptions. Each rule returns the
 * problem as a sentence, or undefined when the value is fine.
 */

/**
 * C0 and C1 control characters, DEL, and the Unicode bidirectional and
 * zero-width format controls (U+061C, U+200B–U+200F, U+202A–U+202E,
 * U+2060–U+2069, U+FEFF). None is a letter, digit, space or one of the
 * punctuation marks AWS documents for tags, and each can hide or reorder
 * text where a person reads it (a console, a terminal, a report).
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

function describe(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first control or bidi character in `text`, as a sentence. */
export function controlCharProblem(text: string): string | undefined {
  const m = CONTROL_CHARS.exec(text);
  return m ? `contains the control character ${describe(m[0])} at position ${m.index + 1}; use printable text only` : undefined;
}

/** Tag key prefixes that are not the user's: `aws:` is AWS's, `winami:` marks winami's own state (build id, completion). */
export const RESERVED_TAG_PREFIXES = ['aws:', 'winami:'] as const;

/** A tag key's problem: a reserved prefix (any case) or a control character. */
export function tagKeyProblem(key: string): string | undefined {
  const reserved = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
  if (reserved) {
    return reserved === 'aws:'
      ? 'tag keys starting with aws: are reserved by AWS'
      : 'tag keys starting with winami: are reserved for the tags winami sets itself (build id, completion); a user tag there could make cleanup keep an unverified image';
  }
  return controlCharProblem(key);
}

/** Characters Windows refuses in a file name (Microsoft, "Naming Files, Paths, and Namespaces"). */
const WINDOWS_RESERVED_CHARS = /[<>:"/|?*]/;
/** Device names Windows reserves in any folder, with or without an extension. */
const WINDOWS_DEVICE_NAMES = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;
/** MAX_PATH less the terminating NUL. */
export const WINDOWS_MAX_PATH = 259;

/** A drive-absolute Windows file path's problem (`C:\Tools\app.zip`). */
export function windowsPathProblem(path: string): string | undefined {
  const control = controlCharProblem(path);
  if (control) return control;
  if (!/^[A-Za-z]:\\/.test(path)) return 'must be a drive-absolute Windows path such as C:\\Tools\\app.zip';
  if (path.length > WINDOWS_MAX_PATH) return `is ${path.length} characters; Windows paths hold at most ${WINDOWS_MAX_PATH}`;
  if (path.endsWith('\\')) return 'names a folder; give the file name too, e.g. C:\\Tools\\app.zip';
  for (const part of path.slice(3).split('\\')) {
    if (part === '') return 'has an empty folder name (two backslashes in a row)';
    if (part === '.' || part === '..') return `has a "${part}" component; write the path without it`;
    const bad = WINDOWS_RESERVED_CHARS.exec(part);
    if (bad) return `"${part}" contains ${bad[0]}, which Windows does not allow in file names (< > : " / | ? * are reserved)`;
    if (WINDOWS_DEVICE_NAMES.test(part)) return `"${part}" is a device name Windows reserves`;
    if (/[ .]$/.test(part)) return `"${part}" ends with a space or a period, which Windows strips from file names`;
  }
  return undefined;
}

/**
 * A WSUS server URL's problem: it must be an absolute http:// or https:// URL
 * naming a host (a port and a path are fine), with no credentials, query or
 * fragment, and no quotes, backslashes, spaces or control characters: the
 * Windows Update Agent reads it from the registry as written.
 */
export function wsusServerProblem(url: string): string | undefined {
  const control = controlCharProblem(url);
  if (control) return control;
  const bad = /["'`\\\s]/.exec(url);
  if (bad) return `contains ${JSON.stringify(bad[0])} at position ${bad.index + 1}; write the URL as http://host:8530 or https://host:8531`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL; write it as http://host:8530 or https://host:8531';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `uses ${u.protocol.replace(/:$/, '')}; WSUS is reached over http or https`;
  if (!u.hostname) return 'names no host; write it as http://host:8530';
  if (u.username || u.password) return 'holds credentials; WSUS clients authenticate as the computer, so leave them out of the URL';
  if (u.search || u.hash) return 'has a query or fragment; give only scheme, host, port and path';
  return undefined;
}
