/**
 * What an image's billing fields should be. An expectation comes from a name
 * (`windows-sql-standard`), an explicit pair, a `winami:expect` tag, an AMI
 * name that spells a SQL Server edition (`..._SQL_2022_Standard_...`), a
 * config's `licensing`/`sql` sections, or the lineage of the source image
 * (CreateImage and CopyImage keep the source's billing; domain-facts §7.2).
 */
import {
  EXPECTATIONS,
  EXPECTATION_NAMES,
  SQL_EDITION_BILLING,
  platformDetailsFor,
  usageOperationFor,
  type BillingCode,
  type ExpectationName,
  type SqlEdition,
} from '../knowledge/billing.js';
import { UsageError } from '../errors.js';

/** The tag that declares an image's expected billing. */
export const EXPECT_TAG = 'winami:expect';

/** An expected `PlatformDetails`/`UsageOperation` pair and where it came from. */
export interface Expectation {
  name?: ExpectationName;
  platformDetails: string;
  usageOperation: string;
  /** Human-readable origin, e.g. `--expect windows`, `tag winami:expect`, `name pattern SQL_2022_Standard`. */
  derivedFrom: string;
}

/** The parts of a winami config that decide billing (structural, so any config shape with these fields fits). */
export interface BillingConfigInput {
  licensing?: { expect?: string | BillingCode | undefined };
  sql?: { mode: string; edition: string; licensing?: string | undefined } | undefined;
}

/** Where an expectation can come from. */
export type ExpectationInput =
  | { name: string; derivedFrom?: string }
  | { pair: BillingCode; derivedFrom?: string }
  | { tag: string }
  | { amiName: string }
  | { config: BillingConfigInput }
  | { lineage: { ImageId?: string; PlatformDetails?: string; UsageOperation?: string } };

/** True for a known expectation name. */
export function isExpectationName(value: string): value is ExpectationName {
  return (EXPECTATION_NAMES as string[]).includes(value);
}

function fromName(name: string, derivedFrom: string): Expectation {
  const key = name.trim().toLowerCase();
  if (!isExpectationName(key)) {
    throw new UsageError(`unknown billing expectation "${name}" (${derivedFrom})`, {
      hint: `Use one of: ${EXPECTATION_NAMES.join(', ')}, or a UsageOperation code such as RunInstances:0006.`,
    });
  }
  return { name: key, ...EXPECTATIONS[key], derivedFrom };
}

/** The named expectation equal to a pair, if any. */
export function nameOfPair(pair: BillingCode): ExpectationName | undefined {
  return EXPECTATION_NAMES.find((n) => EXPECTATIONS[n].platformDetails === pair.platformDetails && EXPECTATIONS[n].usageOperation === pair.usageOperation);
}

function fromPair(pair: BillingCode, derivedFrom: string): Expectation {
  const name = nameOfPair(pair);
  return { ...(name ? { name } : {}), platformDetails: pair.platformDetails, usageOperation: pair.usageOperation, derivedFrom };
}

/** A tag value: an expectation name, or a UsageOperation code listed in the billing table. */
function fromTag(value: string): Expectation {
  const derivedFrom = `tag ${EXPECT_TAG}=${value}`;
  const v = value.trim();
  if (/^RunInstances(:[0-9a-z]{4})?$/.test(v)) {
    const platformDetails = platformDetailsFor(v);
    if (!platformDetails)
      throw new UsageError(`${derivedFrom}: ${v} is not in the billing table`, { hint: `Use an expectation name: ${EXPECTATION_NAMES.join(', ')}.` });
    return fromPair({ platformDetails, usageOperation: v }, derivedFrom);
  }
  return fromName(v, derivedFrom);
}

const SQL_NAME = /SQL[_ -]?(\d{4})(?:[_ -]?(?:SP\d|R2))*[_ -]+(Express|Web|Standard|Enterprise|Developer|Std|Ent)\b/i;
const EDITION_ALIASES: Record<string, SqlEdition> = { std: 'standard', ent: 'enterprise' };

/**
 * The SQL Server edition an AMI name spells (`Windows_Server-2022-English-Full-SQL_2022_Standard-2024.01.10`),
 * or undefined. Linux SQL names (`ubuntu-...-sql-2019-standard`) are not Windows billing and are ignored here.
 */
export function sqlEditionInName(amiName: string): { version: string; edition: SqlEdition; text: string } | undefined {
  if (!/windows/i.test(amiName)) return undefined;
  const m = SQL_NAME.exec(amiName);
  if (!m) return undefined;
  const raw = m[2]!.toLowerCase();
  const edition = (EDITION_ALIASES[raw] ?? raw) as SqlEdition;
  return { version: m[1]!, edition, text: m[0] };
}

/** The expectation an AMI name implies, or undefined when the name says nothing about billing. */
export function expectationFromAmiName(amiName: string): Expectation | undefined {
  const sql = sqlEditionInName(amiName);
  if (!sql) return undefined;
  return fromName(SQL_EDITION_BILLING[sql.edition], `name pattern ${sql.text}`);
}

function fromConfig(config: BillingConfigInput): Expectation {
  const expect = config.licensing?.expect;
  if (typeof expect === 'string') return fromName(expect, 'config licensing.expect');
  if (expect) return fromPair(expect, 'config licensing.expect');
  const sql = config.sql;
  if (sql) {
    if (sql.mode === 'license-included') {
      const edition = sql.edition as SqlEdition;
      const name = SQL_EDITION_BILLING[edition];
      if (!name) throw new UsageError(`config sql.edition "${sql.edition}" has no known billing`);
      return fromName(name, `config sql (${sql.mode}, ${sql.edition})`);
    }
    // byol-prepare: SQL Server is the customer's licence; only the Windows part is billed.
    return fromName(sql.licensing ?? 'windows', `config sql (${sql.mode}, licensing ${sql.licensing ?? 'windows'})`);
  }
  return fromName('windows', 'config default (Windows, license included)');
}

function fromLineage(source: { ImageId?: string; PlatformDetails?: string; UsageOperation?: string }): Expectation {
  const from = `lineage of ${source.ImageId ?? 'the source image'}`;
  const pd = source.PlatformDetails?.trim();
  const uo = source.UsageOperation?.trim();
  if (!pd && !uo) {
    throw new UsageError(`${from}: the source image has no billing fields, so nothing can be inherited`, {
      hint: 'Name the expectation explicitly (--expect), or start from an image created from an instance.',
    });
  }
  const platformDetails = pd || platformDetailsFor(uo!);
  const usageOperation = uo || usageOperationFor(pd!);
  if (!platformDetails || !usageOperation) throw new UsageError(`${from}: only one billing field is set and the table cannot fill in the other (${pd ?? uo})`);
  return fromPair({ platformDetails, usageOperation }, from);
}

/** Resolve an expectation; throws a `UsageError` naming the choices when the input does not determine one. */
export function resolveExpectation(input: ExpectationInput): Expectation {
  if ('name' in input) return fromName(input.name, input.derivedFrom ?? `--expect ${input.name}`);
  if ('pair' in input) return fromPair(input.pair, input.derivedFrom ?? 'explicit pair');
  if ('tag' in input) return fromTag(input.tag);
  if ('amiName' in input) {
    const e = expectationFromAmiName(input.amiName);
    if (!e) throw new UsageError(`the image name "${input.amiName}" names no SQL Server edition, so it implies no billing`, { hint: 'Pass --expect.' });
    return e;
  }
  if ('config' in input) return fromConfig(input.config);
  return fromLineage(input.lineage);
}

/** Like `resolveExpectation`, but undefined instead of throwing. */
export function tryResolveExpectation(input: ExpectationInput): Expectation | undefined {
  try {
    return resolveExpectation(input);
  } catch {
    return undefined;
  }
}
