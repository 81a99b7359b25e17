/**
 * Helpers shared by the EC2 VPC action modules (ec2-vpc.ts, ec2-vpc-endpoints.ts, ec2-security-groups.ts).
 */
import { filtersOf, matchAny, nextTokenXml, paginate, tagFilter, tagSpecs, type Ec2Context, type Filter } from './ec2.js';
import { set, tagSetXml, type QueryObject } from './wire.js';
import { ApiError } from './world.js';
import { cidrIsCanonical, networkOf, parseCidr, touchNetwork, type Network } from './vpc.js';

/** The caller's network in the request's region. */
export function net(c: Ec2Context): Network {
  return networkOf(c.world, c.account, c.region);
}

/** The network, with its instances settled up to now before it changes. */
export function changing(c: Ec2Context): Network {
  const n = net(c);
  touchNetwork(c.world, n, c.now);
  return n;
}

/** Filter rows by their named values; a filter name not in `values` is `InvalidParameterValue`. */
export function matches(f: Filter, tags: ReadonlyMap<string, string>, values: Record<string, string | readonly string[] | undefined>): boolean {
  const t = tagFilter(f, tags);
  if (t !== undefined) return t;
  if (!(f.name in values)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  return matchAny(f, values[f.name]);
}

/** The resources of the given ids (each looked up, so a missing one fails), or all. */
export function byIdsOrAll<T extends { id: string }>(all: Iterable<T>, ids: string[], lookup: (id: string) => T): T[] {
  return ids.length ? ids.map(lookup) : [...all];
}

/** A Describe* answer: by ids or all, filtered, paginated, each row as XML. */
export function describe<T extends { id: string; tags: Map<string, string> }>(
  c: Ec2Context,
  all: Iterable<T>,
  ids: string[],
  lookup: (id: string) => T,
  values: (x: T) => Record<string, string | readonly string[] | undefined>,
  tag: string,
  xml: (x: T) => string,
): string {
  const filters = filtersOf(c.q);
  const list = byIdsOrAll(all, ids, lookup).filter((x) => filters.every((f) => matches(f, x.tags, values(x))));
  const { page, next } = paginate(list, c.q, 5, 1000);
  return set(tag, page.map(xml)) + nextTokenXml(next);
}

/** The tags of TagSpecifications for one resource type. */
export function tagsOn(q: QueryObject, type: string): Map<string, string> {
  return new Map(tagSpecs(q, [type]).get(type) ?? []);
}

/** A tagSet, or nothing when there are no tags. */
export function tagXml(tags: Map<string, string>): string {
  return tags.size ? tagSetXml(tags) : '';
}

/** A required, well-formed CIDR block parameter, or EC2's error for it. */
export function checkBlock(cidr: string | undefined, param: string): string {
  if (cidr === undefined || cidr === '') throw new ApiError('MissingParameter', `The request must contain the parameter ${param}`);
  if (!parseCidr(cidr) || !cidrIsCanonical(cidr))
    throw new ApiError('InvalidParameterValue', `Value (${cidr}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  return cidr;
}

/** The prefix length of a valid CIDR. */
export function prefixLength(cidr: string): number {
  return parseCidr(cidr)!.bits;
}
