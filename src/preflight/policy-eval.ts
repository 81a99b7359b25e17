/**
 * A small IAM policy evaluator for when SimulatePrincipalPolicy is not
 * allowed: an explicit Deny (without conditions) wins, then any Allow whose
 * Action/NotAction and Resource/NotResource match. Conditions on an Allow
 * are assumed to hold (the instance's requests carry the usual keys, such as
 * kms:ViaService); conditional Denies are ignored. Permissions boundaries,
 * SCPs and resource policies are not seen: SimulatePrincipalPolicy is the
 * better answer when the caller may call it.
 */

/** A policy statement as IAM stores it (single values or lists). */
export interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

export interface PolicyDocumentJson {
  Statement?: PolicyStatement | PolicyStatement[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM's wildcards: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseInsensitive ? 'is' : 's',
  );
  return re.test(value);
}

function matches(s: PolicyStatement, action: string, resource: string): boolean {
  const actionOk =
    s.NotAction !== undefined ? !list(s.NotAction).some((a) => wildcardMatch(a, action, true)) : list(s.Action).some((a) => wildcardMatch(a, action, true));
  if (!actionOk) return false;
  return s.NotResource !== undefined ? !list(s.NotResource).some((r) => wildcardMatch(r, resource)) : list(s.Resource).some((r) => wildcardMatch(r, resource));
}

/** Parse a policy document as IAM returns it (URL-encoded JSON). */
export function parsePolicyDocument(text: string): PolicyDocumentJson {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Already plain JSON with a stray %.
  }
  return JSON.parse(decoded) as PolicyDocumentJson;
}

/** Whether these identity policies allow `action` on `resource`. */
export function policiesAllow(docs: readonly PolicyDocumentJson[], action: string, resource: string): boolean {
  const statements = docs.flatMap((d) => (d.Statement === undefined ? [] : Array.isArray(d.Statement) ? d.Statement : [d.Statement]));
  if (statements.some((s) => s.Effect === 'Deny' && s.Condition === undefined && matches(s, action, resource))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, action, resource));
}

/** Whether a role trust policy lets this service assume the role. */
export function trustsService(doc: PolicyDocumentJson, service: string): boolean {
  const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((s) => {
    if (s.Effect !== 'Allow') return false;
    if (!list(s.Action).some((a) => wildcardMatch(a, 'sts:AssumeRole', true))) return false;
    const p = s.Principal;
    if (p === '*') return true;
    if (!p || typeof p !== 'object') return false;
    const services = (p as { Service?: string | string[] }).Service;
    return list(services).includes(service);
  });
}
