/**
 * EC2 Image Builder (REST-JSON): components with their AWSTOE documents,
 * image recipes, infrastructure and distribution configurations, image
 * pipelines, and image builds that run on the emulator's own world. The
 * build is a client of the emulator's EC2 and SSM APIs, as Image Builder is
 * of AWS's: it launches the build instance from the parent image, runs each
 * component's build and validate phases over Run Command, seals the instance
 * with `AWSEC2-RunSysprep`, creates the image, runs the test phases on an
 * instance launched from it, then distributes (copies, launch permissions,
 * SSM parameters). What the build does not model is refused at create time.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as Ec2 from '@aws-sdk/client-ec2';
import * as Ssm from '@aws-sdk/client-ssm';
import { parse as parseYaml } from 'yaml';
import type { EmulatorAccount } from './options.js';
import type { S3Store } from './s3.js';
import { ApiError } from './world.js';

export interface ImageBuilderContext {
  account: string;
  region: string;
  body: Record<string, unknown>;
  now: number;
}
type Handler = (c: ImageBuilderContext) => Record<string, unknown>;

/** CreateComponent: inline `data` at most 16,000 characters (botocore InlineComponentData). */
export const MAX_COMPONENT_DATA = 16_000;
/** CreateComponent from `uri`: the document object is at most this many bytes (Image Builder's default quota for a component document in S3). */
export const MAX_COMPONENT_URI_BYTES = 64 * 1024;
/** Components per recipe (Image Builder quotas). */
export const MAX_RECIPE_COMPONENTS = 20;
/** The AWSTOE actions the build runs; any other is refused at CreateComponent. */
export const MODELLED_ACTIONS = ['ExecutePowerShell', 'Reboot'] as const;
/** Statuses a build passes through, in order (botocore ImageStatus). */
export const BUILD_STATUSES = ['PENDING', 'CREATING', 'BUILDING', 'TESTING', 'DISTRIBUTING', 'INTEGRATING', 'AVAILABLE'] as const;
const TERMINAL = new Set(['AVAILABLE', 'FAILED', 'CANCELLED', 'DELETED']);
const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;
const RESOURCE_NAME = /^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$/;
/** Each part of a semantic version is at most 2^30 - 1 (CreateComponent semanticVersion). */
const VERSION_PART_MAX = 1_073_741_823;

/** Error codes and their HTTP statuses (botocore's error shapes). */
const STATUS: Record<string, number> = {
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ServiceException: 500,
  ForbiddenException: 403,
};
function err(code: string, message: string): ApiError {
  return new ApiError(code, message, STATUS[code] ?? 400);
}

interface TocStep {
  name: string;
  action: string;
  timeoutSeconds?: number;
  onFailure?: 'Abort' | 'Continue' | 'Ignore';
  maxAttempts?: number;
  inputs?: unknown;
}
interface TocDoc {
  phases: { name: string; steps: TocStep[] }[];
}

interface Component {
  arn: string;
  name: string;
  version: string;
  build: number;
  description?: string;
  platform: string;
  data: string;
  doc: TocDoc;
  owner: string;
  dateCreated: string;
  tags?: Record<string, string>;
}
interface Recipe {
  arn: string;
  name: string;
  version: string;
  body: Record<string, unknown>;
  components: { componentArn: string }[];
  resolved: Component[];
  dateCreated: string;
}
interface Configuration {
  arn: string;
  name: string;
  body: Record<string, unknown>;
  dateCreated: string;
  dateUpdated?: string;
}
interface Pipeline extends Configuration {
  dateLastRun?: string;
  lastRunStatus?: string;
}
interface Build {
  arn: string;
  account: string;
  region: string;
  pipeline: Pipeline;
  recipe: Recipe;
  infrastructure: Configuration;
  distribution: Configuration | undefined;
  status: string;
  reason?: string;
  dateCreated: string;
  clientToken: string;
  amis: { region: string; image: string; name: string; description?: string; accountId: string }[];
  abort: AbortController;
  /** Instances and images the build made, for its clean-up. */
  instances: Set<string>;
  images: { region: string; id: string }[];
  tags: Record<string, string>;
}

class BuildFailure extends Error {}

export interface ImageBuilderOptions {
  endpoint: string;
  accounts: readonly EmulatorAccount[];
  /** Real milliseconds per simulated millisecond. */
  timeScale: number;
  /** The emulator's S3, read for CreateComponent's `uri` as the caller (its own buckets only). */
  s3?: () => S3Store;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class ImageBuilderService {
  private components = new Map<string, Component>();
  private recipes = new Map<string, Recipe>();
  private infrastructures = new Map<string, Configuration>();
  private distributions = new Map<string, Configuration>();
  private pipelines = new Map<string, Pipeline>();
  private builds = new Map<string, Build>();
  private tokens = new Map<string, string>();

  constructor(private readonly o: ImageBuilderOptions) {}

  /** Stop every build and forget everything (emulator reset). */
  reset(): void {
    for (const b of this.builds.values()) b.abort.abort();
    for (const m of [this.components, this.recipes, this.infrastructures, this.distributions, this.pipelines, this.builds, this.tokens]) m.clear();
  }

  /** Builds still running. */
  running(): number {
    return [...this.builds.values()].filter((b) => !TERMINAL.has(b.status)).length;
  }

  private arn(c: ImageBuilderContext, kind: string, rest: string): string {
    return `arn:aws:imagebuilder:${c.region}:${c.account}:${kind}/${rest}`;
  }

  private mine(c: ImageBuilderContext, arn: string): boolean {
    return arn.startsWith(`arn:aws:imagebuilder:${c.region}:${c.account}:`);
  }

  private requireToken(c: ImageBuilderContext): string {
    const t = c.body.clientToken;
    if (typeof t !== 'string' || t.length < 1 || t.length > 64)
      throw err('InvalidRequestException', 'clientToken is required: 1 to 64 characters that make the request idempotent.');
    return t;
  }

  /** The same client token with the same request returns the first answer; with another request it is a mismatch. */
  private idempotent(c: ImageBuilderContext, op: string, make: () => Record<string, unknown>): Record<string, unknown> {
    const token = this.requireToken(c);
    const key = `${c.account}|${c.region}|${op}|${token}`;
    const { clientToken: _t, ...rest } = c.body;
    const digest = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
    const seen = this.tokens.get(key);
    if (seen) {
      const [d, answer] = [seen.slice(0, 64), seen.slice(64)];
      if (d !== digest) throw err('IdempotentParameterMismatchException', `The client token ${token} was used with a different request.`);
      return JSON.parse(answer) as Record<string, unknown>;
    }
    const out = { requestId: randomUUID(), clientToken: token, ...make() };
    this.tokens.set(key, digest + JSON.stringify(out));
    return out;
  }

  private name(v: unknown, what: string): string {
    if (typeof v !== 'string' || !RESOURCE_NAME.test(v))
      throw err('InvalidRequestException', `The value supplied for parameter 'name' of the ${what} is not valid: 3 to 128 letters, digits, spaces, - and _.`);
    return v;
  }

  private version(v: unknown): string {
    if (typeof v !== 'string' || !VERSION.test(v) || v.split('.').some((p) => Number(p) > VERSION_PART_MAX))
      throw err(
        'InvalidVersionNumberException',
        `The value supplied for parameter 'semanticVersion' is not valid. semanticVersion must match pattern ^[0-9]+\\.[0-9]+\\.[0-9]+$, each part at most ${VERSION_PART_MAX}.`,
      );
    return v;
  }

  private get<T>(map: Map<string, T>, c: ImageBuilderContext, arn: unknown, what: string): T {
    const found = typeof arn === 'string' && this.mine(c, arn) ? map.get(arn) : undefined;
    if (!found) throw err('ResourceNotFoundException', `The resource ${what} '${String(arn)}' does not exist.`);
    return found;
  }

  /** A component by build-version ARN, version ARN (latest build) or `x.x.x` wildcards (latest version). */
  private resolveComponent(c: ImageBuilderContext, arn: unknown): Component {
    const m =
      typeof arn === 'string'
        ? /^arn:aws[^:]*:imagebuilder:([^:]+):([^:]+):component\/([a-z0-9-_]+)\/([0-9x]+)\.([0-9x]+)\.([0-9x]+)(?:\/([0-9]+))?$/.exec(arn)
        : null;
    if (!m) throw err('InvalidParameterValueException', `The value supplied for parameter 'componentArn' is not valid: '${String(arn)}'.`);
    if (m[2] === 'aws' || m[2]!.startsWith('aws-'))
      throw err('InvalidRequestException', `The emulator does not model Amazon-managed components (${String(arn)}); write the step into your own component.`);
    if (m[1] !== c.region || m[2] !== c.account) throw err('ResourceNotFoundException', `The component '${String(arn)}' does not exist.`);
    const want = [m[4]!, m[5]!, m[6]!];
    const candidates = [...this.components.values()]
      .filter((x) => x.arn.startsWith(this.arn(c, 'component', `${m[3]}/`)))
      .filter((x) => x.version.split('.').every((p, i) => want[i] === 'x' || want[i] === p))
      .filter((x) => m[7] === undefined || String(x.build) === m[7])
      .sort((a, b) => compareVersions(`${a.version}.${a.build}`, `${b.version}.${b.build}`));
    const found = candidates.at(-1);
    if (!found) throw err('ResourceNotFoundException', `The component '${String(arn)}' does not exist.`);
    return found;
  }

  /** An AWSTOE document the build can run, or the reason it cannot. */
  /** The document of CreateComponent's `uri`: an object in one of the caller's buckets (`s3://bucket/key`), read when the component is created. */
  private readUri(c: ImageBuilderContext, uri: unknown): string {
    const m = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) : null;
    if (!m)
      throw err(
        'InvalidParameterValueException',
        `The value supplied for parameter 'uri' is not valid: ${String(uri)}. It must be an S3 URL (s3://bucket/key).`,
      );
    if (!this.o.s3) throw err('InvalidRequestException', 'This emulator has no S3: give the component document inline as data.');
    const o = this.o.s3().read(c.account, m[1]!, m[2]!);
    if ('error' in o)
      throw err(
        'InvalidParameterValueException',
        o.error === 'AccessDenied'
          ? `Access denied to the component document ${uri}: the requester must be allowed to read it.`
          : `The component document ${uri} does not exist (${o.error}).`,
      );
    if (o.data.length > MAX_COMPONENT_URI_BYTES)
      throw err('ServiceQuotaExceededException', `The component document ${uri} is ${o.data.length} bytes; the quota is ${MAX_COMPONENT_URI_BYTES}.`);
    return o.data.toString('utf8');
  }

  private parseDocument(data: string): TocDoc {
    let doc: unknown;
    try {
      doc = parseYaml(data);
    } catch (e) {
      throw err('InvalidParameterValueException', `The component document is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    const d = doc as { schemaVersion?: unknown; phases?: unknown };
    if (!d || typeof d !== 'object' || String(d.schemaVersion) !== '1')
      throw err('InvalidParameterValueException', 'The component document must have schemaVersion: 1.0.');
    if (!Array.isArray(d.phases) || d.phases.length === 0) throw err('InvalidParameterValueException', 'The component document must have at least one phase.');
    for (const k of Object.keys(d))
      if (!['name', 'description', 'schemaVersion', 'phases'].includes(k))
        throw err('InvalidParameterValueException', `The emulator does not model ${k} in a component document (AWSTOE parameters, constants and variables).`);
    // AWSTOE reads {{ name }} in step inputs as a variable (toe-user-defined-variables); the emulator models none, so it refuses them rather than run them as text.
    const variable = /\{\{\s*[^}]*\}\}/.exec(JSON.stringify(d.phases));
    if (variable) throw err('InvalidParameterValueException', `The emulator does not model AWSTOE variables such as ${variable[0]}.`);
    const seen = new Set<string>();
    for (const p of d.phases as { name?: unknown; steps?: unknown }[]) {
      if (!['build', 'validate', 'test'].includes(String(p?.name)))
        throw err('InvalidParameterValueException', `Phase ${String(p?.name)} is not build, validate or test.`);
      if (seen.has(String(p.name))) throw err('InvalidParameterValueException', `Phase ${String(p.name)} appears twice.`);
      seen.add(String(p.name));
      if (!Array.isArray(p.steps) || p.steps.length === 0) throw err('InvalidParameterValueException', `Phase ${String(p.name)} has no steps.`);
      const names = new Set<string>();
      for (const s of p.steps as TocStep[]) {
        if (typeof s?.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(s.name))
          throw err('InvalidParameterValueException', `A step of phase ${String(p.name)} has no valid name.`);
        if (names.has(s.name)) throw err('InvalidParameterValueException', `Step name ${s.name} appears twice in phase ${String(p.name)}.`);
        names.add(s.name);
        if (!(MODELLED_ACTIONS as readonly string[]).includes(s.action))
          throw err(
            'InvalidParameterValueException',
            `Step ${s.name}: the emulator does not model the action ${String(s.action)} (it runs ${MODELLED_ACTIONS.join(', ')}).`,
          );
        for (const k of Object.keys(s)) {
          if (!['name', 'action', 'timeoutSeconds', 'onFailure', 'maxAttempts', 'inputs'].includes(k))
            throw err('InvalidParameterValueException', `Step ${s.name}: the emulator does not model the step field ${k}.`);
        }
        if (s.onFailure !== undefined && !['Abort', 'Continue', 'Ignore'].includes(s.onFailure))
          throw err('InvalidParameterValueException', `Step ${s.name}: onFailure must be Abort, Continue or Ignore.`);
        if (s.timeoutSeconds !== undefined && !(Number.isInteger(s.timeoutSeconds) && (s.timeoutSeconds === -1 || s.timeoutSeconds > 0)))
          throw err('InvalidParameterValueException', `Step ${s.name}: timeoutSeconds must be a positive integer or -1.`);
        if (s.action === 'ExecutePowerShell') {
          const cmds = (s.inputs as { commands?: unknown })?.commands;
          if (!Array.isArray(cmds) || cmds.length === 0 || cmds.some((x) => typeof x !== 'string'))
            throw err(
              'InvalidParameterValueException',
              `Step ${s.name}: ExecutePowerShell needs inputs.commands, a list of strings (inputs.file is not modelled).`,
            );
        }
      }
    }
    return d as TocDoc;
  }

  /**
   * Create, Update and Delete of a configuration Image Builder stores as sent (infrastructure, distribution):
   * `type` is the API's name for it (`InfrastructureConfiguration`), `resource` its ARN's resource type. A
   * pipeline that uses one keeps it from being deleted.
   */
  private configurationWrites(
    type: 'InfrastructureConfiguration' | 'DistributionConfiguration',
    resource: string,
    map: Map<string, Configuration>,
    check: (body: Record<string, unknown>) => void,
  ): Record<string, Handler> {
    const arnKey = `${type.charAt(0).toLowerCase()}${type.slice(1)}Arn`;
    const what = resource.replace('-', ' ');
    return {
      [`Create${type}`]: (c) =>
        this.idempotent(c, `Create${type}`, () => {
          const name = this.name(c.body.name, what);
          const arn = this.arn(c, resource, name.toLowerCase());
          if (map.has(arn)) throw err('ResourceAlreadyExistsException', `The following resource '${type}' already exists: '${arn}'.`);
          check(c.body);
          map.set(arn, { arn, name, body: withoutToken(c.body), dateCreated: iso(c.now) });
          return { [arnKey]: arn };
        }),
      [`Update${type}`]: (c) =>
        this.idempotent(c, `Update${type}`, () => {
          const x = this.get(map, c, c.body[arnKey], what);
          check(c.body);
          const { [arnKey]: _arn, ...body } = withoutToken(c.body);
          x.body = { ...body, name: x.name };
          x.dateUpdated = iso(c.now);
          return { [arnKey]: x.arn };
        }),
      [`Delete${type}`]: (c) => {
        const x = this.get(map, c, c.body[arnKey], what);
        const user = [...this.pipelines.values()].find((p) => p.body[arnKey] === x.arn);
        if (user) throw err('ResourceDependencyException', `The ${what} ${x.arn} is used by the image pipeline ${user.arn}.`);
        map.delete(x.arn);
        return { requestId: randomUUID(), [arnKey]: x.arn };
      },
    };
  }

  readonly handlers: Record<string, Handler> = {
    CreateComponent: (c) =>
      this.idempotent(c, 'CreateComponent', () => {
        const name = this.name(c.body.name, 'component');
        const version = this.version(c.body.semanticVersion);
        if (c.body.platform !== 'Windows' && c.body.platform !== 'Linux' && c.body.platform !== 'macOS')
          throw err('InvalidParameterValueException', `The value supplied for parameter 'platform' is not valid: ${String(c.body.platform)}.`);
        if (c.body.uri !== undefined && c.body.data !== undefined)
          throw err('InvalidParameterCombinationException', 'You cannot specify both data and uri for the component document.');
        const data = c.body.uri !== undefined ? this.readUri(c, c.body.uri) : c.body.data;
        if (typeof data !== 'string' || !data) throw err('InvalidParameterCombinationException', 'You must specify the component document as data or uri.');
        if (c.body.uri === undefined && data.length > MAX_COMPONENT_DATA)
          throw err(
            'InvalidParameterValueException',
            `1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_COMPONENT_DATA}`,
          );
        const doc = this.parseDocument(data);
        const base = this.arn(c, 'component', `${name.toLowerCase()}/${version}`);
        // The same name and version again is a new build version (Image Builder's automatic build versioning).
        const build = [...this.components.values()].filter((x) => x.arn.startsWith(`${base}/`)).length + 1;
        const comp: Component = {
          arn: `${base}/${build}`,
          name,
          version,
          build,
          platform: String(c.body.platform),
          data,
          doc,
          owner: c.account,
          dateCreated: iso(c.now),
          ...(typeof c.body.description === 'string' ? { description: c.body.description } : {}),
          ...(c.body.tags ? { tags: c.body.tags as Record<string, string> } : {}),
        };
        this.components.set(comp.arn, comp);
        return { componentBuildVersionArn: comp.arn };
      }),
    GetComponent: (c) => {
      const comp = this.resolveComponent(c, c.body.componentBuildVersionArn);
      return {
        requestId: randomUUID(),
        component: {
          arn: comp.arn,
          name: comp.name,
          version: comp.version,
          ...(comp.description ? { description: comp.description } : {}),
          type: phaseType(comp.doc),
          platform: comp.platform,
          state: { status: 'ACTIVE' },
          owner: comp.owner,
          data: comp.data,
          encrypted: true,
          dateCreated: comp.dateCreated,
          tags: comp.tags ?? {},
        },
      };
    },
    ListComponents: (c) => {
      const owner = c.body.owner ?? 'Self';
      if (owner !== 'Self') return { requestId: randomUUID(), componentVersionList: [] };
      const filters = (c.body.filters ?? []) as { name: string; values: string[] }[];
      const rows = [...this.components.values()].filter((x) => this.mine(c, x.arn));
      const matched = rows.filter((x) =>
        filters.every((f) => {
          if (f.name === 'name') return f.values.includes(x.name);
          if (f.name === 'version') return f.values.includes(x.version);
          if (f.name === 'platform') return f.values.includes(x.platform);
          throw err('InvalidRequestException', `The filter ${f.name} is not modelled by the emulator (name, version, platform).`);
        }),
      );
      const versions = new Map<string, Component>();
      for (const x of matched) versions.set(c.body.byName ? x.name : `${x.name}/${x.version}`, x);
      return {
        requestId: randomUUID(),
        componentVersionList: [...versions.values()].map((x) => ({
          arn: this.arn(c, 'component', `${x.name.toLowerCase()}/${c.body.byName ? 'x.x.x' : x.version}`),
          name: x.name,
          version: x.version,
          ...(x.description ? { description: x.description } : {}),
          platform: x.platform,
          type: phaseType(x.doc),
          owner: x.owner,
          dateCreated: x.dateCreated,
        })),
      };
    },
    ListComponentBuildVersions: (c) => {
      const v = String(c.body.componentVersionArn ?? '');
      if (!/^arn:aws[^:]*:imagebuilder:[^:]+:[^:]+:component\/[a-z0-9-_]+\/[0-9]+\.[0-9]+\.[0-9]+$/.test(v))
        throw err('InvalidParameterValueException', `The value supplied for parameter 'componentVersionArn' is not valid: '${v}'.`);
      return {
        requestId: randomUUID(),
        componentSummaryList: [...this.components.values()]
          .filter((x) => x.arn.startsWith(`${v}/`))
          .map((x) => ({
            arn: x.arn,
            name: x.name,
            version: x.version,
            platform: x.platform,
            state: { status: 'ACTIVE' },
            type: phaseType(x.doc),
            owner: x.owner,
            ...(x.description ? { description: x.description } : {}),
            dateCreated: x.dateCreated,
            tags: x.tags ?? {},
          })),
      };
    },
    DeleteComponent: (c) => {
      const arn = c.body.componentBuildVersionArn;
      const comp = this.get(this.components, c, arn, 'component');
      const user = [...this.recipes.values()].find((r) => r.resolved.includes(comp));
      if (user) throw err('ResourceDependencyException', `The component ${comp.arn} is used by the image recipe ${user.arn}.`);
      this.components.delete(comp.arn);
      return { requestId: randomUUID(), componentBuildVersionArn: comp.arn };
    },
    CreateImageRecipe: (c) =>
      this.idempotent(c, 'CreateImageRecipe', () => {
        const name = this.name(c.body.name, 'image recipe');
        const version = this.version(c.body.semanticVersion);
        const arn = this.arn(c, 'image-recipe', `${name.toLowerCase()}/${version}`);
        if (this.recipes.has(arn)) throw err('ResourceAlreadyExistsException', `The following resource 'ImageRecipe' already exists: '${arn}'.`);
        const parent = c.body.parentImage;
        if (typeof parent !== 'string' || !(/^ami-[0-9a-f]+$/.test(parent) || /^ssm:\/?[A-Za-z0-9_.\-/]+$/.test(parent)))
          throw err(
            'InvalidParameterValueException',
            `The emulator models a parent image given as an AMI id or ssm:<parameter>, not '${String(parent)}' (Image Builder image ARNs and Marketplace products are not modelled).`,
          );
        const list = (c.body.components ?? []) as { componentArn: string; parameters?: unknown }[];
        if (!Array.isArray(list) || list.length === 0) throw err('InvalidParameterValueException', 'An image recipe needs at least one component.');
        if (list.length > MAX_RECIPE_COMPONENTS)
          throw err('ServiceQuotaExceededException', `An image recipe holds at most ${MAX_RECIPE_COMPONENTS} components; this one has ${list.length}.`);
        if (list.some((x) => x.parameters !== undefined)) throw err('InvalidRequestException', 'The emulator does not model component parameters.');
        const resolved = list.map((x) => this.resolveComponent(c, x.componentArn));
        if (resolved.some((x) => x.platform !== 'Windows'))
          throw err('InvalidParameterCombinationException', 'The emulator builds Windows images: every component must be for the Windows platform.');
        const r: Recipe = { arn, name, version, body: { ...c.body }, components: list, resolved, dateCreated: iso(c.now) };
        delete r.body.clientToken;
        this.recipes.set(arn, r);
        return { imageRecipeArn: arn };
      }),
    GetImageRecipe: (c) => ({ requestId: randomUUID(), imageRecipe: this.recipeJson(this.get(this.recipes, c, c.body.imageRecipeArn, 'image recipe')) }),
    ListImageRecipes: (c) => ({
      requestId: randomUUID(),
      imageRecipeSummaryList: [...this.recipes.values()]
        .filter((r) => this.mine(c, r.arn))
        .map((r) => ({
          arn: r.arn,
          name: r.name,
          platform: 'Windows',
          owner: c.account,
          parentImage: r.body.parentImage,
          dateCreated: r.dateCreated,
          tags: r.body.tags ?? {},
        })),
    }),
    DeleteImageRecipe: (c) => {
      const r = this.get(this.recipes, c, c.body.imageRecipeArn, 'image recipe');
      const user = [...this.pipelines.values()].find((p) => p.body.imageRecipeArn === r.arn);
      if (user) throw err('ResourceDependencyException', `The image recipe ${r.arn} is used by the image pipeline ${user.arn}.`);
      this.recipes.delete(r.arn);
      return { requestId: randomUUID(), imageRecipeArn: r.arn };
    },
    ...this.configurationWrites('InfrastructureConfiguration', 'infrastructure-configuration', this.infrastructures, (b) => this.checkInfrastructure(b)),
    GetInfrastructureConfiguration: (c) => ({
      requestId: randomUUID(),
      infrastructureConfiguration: this.configJson(this.get(this.infrastructures, c, c.body.infrastructureConfigurationArn, 'infrastructure configuration')),
    }),
    ListInfrastructureConfigurations: (c) => ({
      requestId: randomUUID(),
      infrastructureConfigurationSummaryList: [...this.infrastructures.values()]
        .filter((x) => this.mine(c, x.arn))
        .map((x) => ({
          arn: x.arn,
          name: x.name,
          ...(x.body.description ? { description: x.body.description } : {}),
          dateCreated: x.dateCreated,
          ...(x.dateUpdated ? { dateUpdated: x.dateUpdated } : {}),
          instanceTypes: x.body.instanceTypes ?? [],
          instanceProfileName: x.body.instanceProfileName,
          tags: x.body.tags ?? {},
        })),
    }),
    ...this.configurationWrites('DistributionConfiguration', 'distribution-configuration', this.distributions, (b) => this.checkDistribution(b)),
    GetDistributionConfiguration: (c) => ({
      requestId: randomUUID(),
      distributionConfiguration: this.distributionJson(this.get(this.distributions, c, c.body.distributionConfigurationArn, 'distribution configuration')),
    }),
    ListDistributionConfigurations: (c) => ({
      requestId: randomUUID(),
      distributionConfigurationSummaryList: [...this.distributions.values()]
        .filter((x) => this.mine(c, x.arn))
        .map((x) => ({
          arn: x.arn,
          name: x.name,
          ...(x.body.description ? { description: x.body.description } : {}),
          dateCreated: x.dateCreated,
          ...(x.dateUpdated ? { dateUpdated: x.dateUpdated } : {}),
          tags: x.body.tags ?? {},
          regions: ((x.body.distributions ?? []) as { region: string }[]).map((d) => d.region),
        })),
    }),
    CreateImagePipeline: (c) =>
      this.idempotent(c, 'CreateImagePipeline', () => {
        const name = this.name(c.body.name, 'image pipeline');
        const arn = this.arn(c, 'image-pipeline', name.toLowerCase());
        if (this.pipelines.has(arn)) throw err('ResourceAlreadyExistsException', `The following resource 'ImagePipeline' already exists: '${arn}'.`);
        this.checkPipeline(c);
        this.pipelines.set(arn, { arn, name, body: { status: 'ENABLED', ...withoutToken(c.body) }, dateCreated: iso(c.now) });
        return { imagePipelineArn: arn };
      }),
    UpdateImagePipeline: (c) =>
      this.idempotent(c, 'UpdateImagePipeline', () => {
        const p = this.get(this.pipelines, c, c.body.imagePipelineArn, 'image pipeline');
        this.checkPipeline(c);
        const { imagePipelineArn: _a, ...body } = withoutToken(c.body);
        p.body = { status: 'ENABLED', ...body, name: p.name };
        p.dateUpdated = iso(c.now);
        return { imagePipelineArn: p.arn };
      }),
    GetImagePipeline: (c) => ({
      requestId: randomUUID(),
      imagePipeline: this.pipelineJson(this.get(this.pipelines, c, c.body.imagePipelineArn, 'image pipeline')),
    }),
    ListImagePipelines: (c) => ({
      requestId: randomUUID(),
      imagePipelineList: [...this.pipelines.values()].filter((p) => this.mine(c, p.arn)).map((p) => this.pipelineJson(p)),
    }),
    DeleteImagePipeline: (c) => {
      const p = this.get(this.pipelines, c, c.body.imagePipelineArn, 'image pipeline');
      if ([...this.builds.values()].some((b) => b.pipeline === p && !TERMINAL.has(b.status)))
        throw err('ResourceDependencyException', `The image pipeline ${p.arn} has a build in progress.`);
      this.pipelines.delete(p.arn);
      return { requestId: randomUUID(), imagePipelineArn: p.arn };
    },
    StartImagePipelineExecution: (c) =>
      this.idempotent(c, 'StartImagePipelineExecution', () => {
        const arn = c.body.imagePipelineArn;
        const p = typeof arn === 'string' && this.mine(c, arn) ? this.pipelines.get(arn) : undefined;
        if (!p) throw err('ResourceNotFoundException', `The image pipeline '${String(arn)}' does not exist.`);
        if (p.body.status === 'DISABLED') throw err('ResourceInUseException', `The image pipeline ${p.arn} is disabled.`);
        const recipe = this.recipes.get(String(p.body.imageRecipeArn));
        const infrastructure = this.infrastructures.get(String(p.body.infrastructureConfigurationArn));
        const distribution = p.body.distributionConfigurationArn ? this.distributions.get(String(p.body.distributionConfigurationArn)) : undefined;
        if (!recipe || !infrastructure || (p.body.distributionConfigurationArn && !distribution))
          throw err('ResourceNotFoundException', `A resource the image pipeline ${p.arn} uses no longer exists.`);
        const base = this.arn(c, 'image', `${recipe.name.toLowerCase()}/${recipe.version}`);
        const n = [...this.builds.values()].filter((b) => b.arn.startsWith(`${base}/`)).length + 1;
        const b: Build = {
          arn: `${base}/${n}`,
          account: c.account,
          region: c.region,
          pipeline: p,
          recipe,
          infrastructure: structuredClone(infrastructure),
          distribution: distribution ? structuredClone(distribution) : undefined,
          status: 'PENDING',
          dateCreated: iso(c.now),
          clientToken: String(c.body.clientToken),
          amis: [],
          abort: new AbortController(),
          instances: new Set(),
          images: [],
          tags: (c.body.tags ?? {}) as Record<string, string>,
        };
        this.builds.set(b.arn, b);
        p.dateLastRun = b.dateCreated;
        p.lastRunStatus = 'PENDING';
        void this.run(b);
        return { imageBuildVersionArn: b.arn };
      }),
    GetImage: (c) => ({ requestId: randomUUID(), image: this.imageJson(this.build(c, c.body.imageBuildVersionArn)) }),
    ListImageBuildVersions: (c) => {
      const v = String(c.body.imageVersionArn ?? '');
      if (!/^arn:aws[^:]*:imagebuilder:[^:]+:[^:]+:image\/[a-z0-9-_]+\/[0-9]+\.[0-9]+\.[0-9]+$/.test(v))
        throw err('InvalidParameterValueException', `The value supplied for parameter 'imageVersionArn' is not valid: '${v}'.`);
      return {
        requestId: randomUUID(),
        imageSummaryList: [...this.builds.values()]
          .filter((b) => b.arn.startsWith(`${v}/`) && b.status !== 'DELETED')
          .map((b) => {
            const {
              imageRecipe: _r,
              infrastructureConfiguration: _i,
              distributionConfiguration: _d,
              imageTestsConfiguration: _t,
              sourcePipelineArn: _s,
              sourcePipelineName: _n,
              enhancedImageMetadataEnabled: _e,
              ...rest
            } = this.imageJson(b);
            return { ...rest, owner: b.account };
          }),
      };
    },
    ListImagePipelineImages: (c) => {
      const p = this.get(this.pipelines, c, c.body.imagePipelineArn, 'image pipeline');
      return {
        requestId: randomUUID(),
        imageSummaryList: [...this.builds.values()]
          .filter((b) => b.pipeline === p && b.status !== 'DELETED')
          .map((b) => ({
            arn: b.arn,
            name: b.recipe.name,
            type: 'AMI',
            version: b.recipe.version,
            platform: 'Windows',
            state: this.state(b),
            owner: b.account,
            dateCreated: b.dateCreated,
            outputResources: { amis: b.amis },
            buildType: 'USER_INITIATED',
          })),
      };
    },
    CancelImageCreation: (c) =>
      this.idempotent(c, 'CancelImageCreation', () => {
        const b = this.build(c, c.body.imageBuildVersionArn);
        if (TERMINAL.has(b.status) || b.status === 'CANCELLING' || b.abort.signal.aborted)
          throw err('ResourceInUseException', `The image ${b.arn} is ${b.status} and cannot be cancelled.`);
        b.abort.abort();
        return { imageBuildVersionArn: b.arn };
      }),
    DeleteImage: (c) => {
      const b = this.build(c, c.body.imageBuildVersionArn);
      if (!TERMINAL.has(b.status)) throw err('ResourceDependencyException', `The image ${b.arn} is still being built; cancel it first.`);
      // The Image Builder resource goes; its AMIs stay (the API reference: DeleteImage does not deregister AMIs).
      b.status = 'DELETED';
      return { requestId: randomUUID(), imageBuildVersionArn: b.arn };
    },
  };

  private checkInfrastructure(body: Record<string, unknown>): void {
    if (typeof body.instanceProfileName !== 'string' || !body.instanceProfileName)
      throw err('InvalidParameterValueException', 'The infrastructure configuration needs instanceProfileName.');
    for (const k of ['logging', 'keyPair', 'snsTopicArn', 'placement'])
      if (body[k] !== undefined) throw err('InvalidRequestException', `The emulator does not model ${k} in an infrastructure configuration.`);
    const types = body.instanceTypes;
    if (types !== undefined && (!Array.isArray(types) || types.some((t) => typeof t !== 'string')))
      throw err('InvalidParameterValueException', 'instanceTypes must be a list of instance type names.');
  }

  private checkDistribution(body: Record<string, unknown>): void {
    const t = body.timeoutMinutes;
    if (t !== undefined && !(Number.isInteger(t) && (t as number) >= 30 && (t as number) <= 720))
      throw err('InvalidParameterValueException', `timeoutMinutes must be between 30 and 720, not ${String(t)}.`);
    const list = body.distributions as Record<string, unknown>[] | undefined;
    if (!Array.isArray(list) || list.length === 0) throw err('InvalidParameterValueException', 'A distribution configuration needs at least one distribution.');
    const regions = new Set<string>();
    for (const d of list) {
      if (typeof d.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(d.region))
        throw err('InvalidParameterValueException', `The region ${String(d.region)} is not valid.`);
      if (regions.has(d.region)) throw err('InvalidParameterCombinationException', `The region ${d.region} appears twice in the distribution configuration.`);
      regions.add(d.region);
      for (const k of ['containerDistributionConfiguration', 'licenseConfigurationArns', 'launchTemplateConfigurations', 's3ExportConfiguration'])
        if (d[k] !== undefined) throw err('InvalidRequestException', `The emulator does not model ${k} in a distribution.`);
      const fl = d.fastLaunchConfigurations as Record<string, unknown>[] | undefined;
      if (fl !== undefined) {
        if (!Array.isArray(fl) || fl.length !== 1)
          throw err('InvalidRequestException', 'The emulator models one Fast Launch configuration per distribution (the AMI owner’s).');
        const f = fl[0]!;
        if (typeof f.enabled !== 'boolean') throw err('InvalidParameterValueException', 'fastLaunchConfigurations[].enabled is required (a boolean).');
        if (f.accountId !== undefined) throw err('InvalidRequestException', 'The emulator does not model Fast Launch for another account (accountId).');
        const n = f.maxParallelLaunches;
        if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 10_000))
          throw err('InvalidParameterValueException', `maxParallelLaunches must be between 1 and 10000, not ${String(n)}.`);
      }
      const ami = d.amiDistributionConfiguration as Record<string, unknown> | undefined;
      if (ami?.targetAccountIds !== undefined)
        throw err('InvalidRequestException', 'The emulator does not model targetAccountIds; share with launchPermission instead.');
      if (
        ami?.name !== undefined &&
        (typeof ami.name !== 'string' || !/^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}.]+[-_A-Za-z0-9}]$/.test(ami.name) || ami.name.length > 127)
      )
        throw err('InvalidParameterValueException', `The AMI name '${String(ami.name)}' is not valid.`);
      for (const s of (d.ssmParameterConfigurations ?? []) as Record<string, unknown>[]) {
        if (typeof s.parameterName !== 'string' || !/^[a-zA-Z0-9_.\-/]+$/.test(s.parameterName))
          throw err('InvalidParameterValueException', `The SSM parameter name '${String(s.parameterName)}' is not valid.`);
        if (s.amiAccountId !== undefined) throw err('InvalidRequestException', 'The emulator does not model SSM parameters in other accounts (amiAccountId).');
        if (s.dataType !== undefined && s.dataType !== 'text' && s.dataType !== 'aws:ec2:image')
          throw err('InvalidParameterValueException', `dataType must be text or aws:ec2:image, not ${String(s.dataType)}.`);
      }
    }
  }

  private checkPipeline(c: ImageBuilderContext): void {
    const b = c.body;
    if (b.containerRecipeArn !== undefined) throw err('InvalidRequestException', 'The emulator does not model container recipes.');
    for (const k of ['schedule', 'workflows', 'executionRole', 'imageScanningConfiguration', 'loggingConfiguration'])
      if (b[k] !== undefined) throw err('InvalidRequestException', `The emulator does not model ${k} in an image pipeline.`);
    this.get(this.recipes, c, b.imageRecipeArn, 'image recipe');
    this.get(this.infrastructures, c, b.infrastructureConfigurationArn, 'infrastructure configuration');
    if (b.distributionConfigurationArn !== undefined) this.get(this.distributions, c, b.distributionConfigurationArn, 'distribution configuration');
    const t = b.imageTestsConfiguration as { timeoutMinutes?: number } | undefined;
    if (t?.timeoutMinutes !== undefined && !(t.timeoutMinutes >= 60 && t.timeoutMinutes <= 1440))
      throw err('InvalidParameterValueException', `imageTestsConfiguration.timeoutMinutes must be between 60 and 1440, not ${t.timeoutMinutes}.`);
    if (b.status !== undefined && b.status !== 'ENABLED' && b.status !== 'DISABLED')
      throw err('InvalidParameterValueException', 'status must be ENABLED or DISABLED.');
  }

  private build(c: ImageBuilderContext, arn: unknown): Build {
    const b = typeof arn === 'string' && this.mine(c, arn) ? this.builds.get(arn) : undefined;
    if (!b || b.status === 'DELETED') throw err('ResourceNotFoundException', `The image '${String(arn)}' does not exist.`);
    return b;
  }

  private recipeJson(r: Recipe): Record<string, unknown> {
    const { name: _n, semanticVersion: _v, ...rest } = r.body;
    return {
      ...rest,
      arn: r.arn,
      type: 'AMI',
      name: r.name,
      platform: 'Windows',
      owner: r.arn.split(':')[4],
      version: r.version,
      components: r.components,
      dateCreated: r.dateCreated,
      tags: r.body.tags ?? {},
    };
  }

  private configJson(x: Configuration): Record<string, unknown> {
    return {
      ...x.body,
      arn: x.arn,
      name: x.name,
      dateCreated: x.dateCreated,
      ...(x.dateUpdated ? { dateUpdated: x.dateUpdated } : {}),
      tags: x.body.tags ?? {},
    };
  }

  /** timeoutMinutes is always there (the shape requires it); the emulator's default is the model's maximum, 720. */
  private distributionJson(x: Configuration): Record<string, unknown> {
    return { timeoutMinutes: 720, ...this.configJson(x) };
  }

  private pipelineJson(p: Pipeline): Record<string, unknown> {
    return {
      ...this.configJson(p),
      platform: 'Windows',
      enhancedImageMetadataEnabled: p.body.enhancedImageMetadataEnabled ?? true,
      ...(p.dateLastRun ? { dateLastRun: p.dateLastRun } : {}),
      ...(p.lastRunStatus ? { lastRunStatus: p.lastRunStatus } : {}),
    };
  }

  private state(b: Build): Record<string, unknown> {
    return { status: b.status, ...(b.reason ? { reason: b.reason } : {}) };
  }

  private imageJson(b: Build): Record<string, unknown> {
    return {
      arn: b.arn,
      type: 'AMI',
      name: b.recipe.name,
      version: b.recipe.version,
      platform: 'Windows',
      enhancedImageMetadataEnabled: b.pipeline.body.enhancedImageMetadataEnabled ?? true,
      state: this.state(b),
      imageRecipe: this.recipeJson(b.recipe),
      sourcePipelineName: b.pipeline.name,
      sourcePipelineArn: b.pipeline.arn,
      infrastructureConfiguration: this.configJson(b.infrastructure),
      ...(b.distribution ? { distributionConfiguration: this.distributionJson(b.distribution) } : {}),
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 720, ...(b.pipeline.body.imageTestsConfiguration as object) },
      dateCreated: b.dateCreated,
      outputResources: { amis: b.amis },
      tags: b.tags,
      buildType: 'USER_INITIATED',
    };
  }

  // ---- the build ---------------------------------------------------------

  private clients(b: Build, region = b.region) {
    const a = this.o.accounts.find((x) => x.accountId === b.account)!;
    const common = { endpoint: this.o.endpoint, region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 8 };
    return { ec2: new Ec2.EC2Client(common), ssm: new Ssm.SSMClient(common) };
  }

  private ms(seconds: number): number {
    return Math.max(5, seconds * 1000 * this.o.timeScale);
  }

  private async sleep(b: Build, seconds: number, floorMs = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => (clearTimeout(t), reject(new BuildFailure('cancelled')));
      const t = setTimeout(() => (b.abort.signal.removeEventListener('abort', onAbort), resolve()), Math.max(floorMs, this.ms(seconds)));
      b.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Poll `check` every `interval` simulated seconds for at most `limit` simulated seconds. */
  private async until(b: Build, what: string, limit: number, check: () => Promise<boolean>, interval = 5): Promise<void> {
    const end = Date.now() + this.ms(limit);
    for (let n = 0; ; n++) {
      if (b.abort.signal.aborted) throw new BuildFailure('cancelled');
      if (await check()) return;
      if (Date.now() > end) throw new BuildFailure(`${what} did not happen within ${limit} seconds`);
      // However small the time scale, a long wait settles at 10 polls a second (5, 10, 20, 40, 80 then 100 ms
      // apart): the EC2 and SSM buckets refill in real time (20 a second for DescribeInstances), and the caller's
      // own polls of the build draw from the same buckets.
      await this.sleep(b, interval, Math.min(100, 5 * 2 ** n));
    }
  }

  private async send<T>(b: Build, region: string, service: 'ec2' | 'ssm', command: unknown): Promise<T> {
    const c = this.clients(b, region);
    const client = (service === 'ec2' ? c.ec2 : c.ssm) as unknown as { send(cmd: unknown): Promise<T>; destroy(): void };
    // The service rides out EC2's eventual consistency on its own calls: a NotFound right after a create is retried.
    const until = Date.now() + 3_000;
    try {
      for (;;) {
        try {
          return await client.send(command);
        } catch (e) {
          if (/NotFound$/.test((e as Error).name) && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 100));
            continue;
          }
          throw e;
        }
      }
    } finally {
      client.destroy();
    }
  }

  private setStatus(b: Build, status: string): void {
    if (TERMINAL.has(b.status)) return;
    b.status = status;
    b.pipeline.lastRunStatus = status;
  }

  private async run(b: Build): Promise<void> {
    const body = b.recipe.body;
    const infra = b.infrastructure.body;
    const tests = (b.pipeline.body.imageTestsConfiguration ?? {}) as { imageTestsEnabled?: boolean; timeoutMinutes?: number };
    let phase = 'build';
    try {
      await this.sleep(b, 5);
      this.setStatus(b, 'CREATING');
      const parent = await this.parentImage(b, String(body.parentImage));
      phase = 'build';
      const builder = await this.launch(b, parent, 'Build');
      this.setStatus(b, 'BUILDING');
      for (const comp of b.recipe.resolved) {
        for (const p of comp.doc.phases.filter((x) => x.name === 'build' || x.name === 'validate')) await this.runPhase(b, builder, comp, p.name, p.steps);
      }
      // Image Builder's build workflow seals Windows with AWSEC2-RunSysprep and stops the instance before the image is taken.
      const sent = await this.send<Ssm.SendCommandCommandOutput>(
        b,
        b.region,
        'ssm',
        new Ssm.SendCommandCommand({ DocumentName: 'AWSEC2-RunSysprep', InstanceIds: [builder] }),
      );
      await this.invocation(b, builder, sent.Command!.CommandId!, 'RunSysprep', 3600);
      await this.until(b, 'the build instance stopping after Sysprep', 3600, async () => (await this.instanceState(b, builder)) === 'stopped');
      const amiName = this.amiName(b, b.region);
      const made = await this.send<Ec2.CreateImageCommandOutput>(
        b,
        b.region,
        'ec2',
        new Ec2.CreateImageCommand({
          InstanceId: builder,
          Name: amiName,
          ...(this.amiConfig(b, b.region)?.description ? { Description: String(this.amiConfig(b, b.region)!.description) } : {}),
          TagSpecifications: [{ ResourceType: 'image', Tags: this.amiTags(b, b.region) }],
        }),
      );
      const imageId = made.ImageId!;
      b.images.push({ region: b.region, id: imageId });
      await this.waitImage(b, b.region, imageId);
      await this.terminate(b, builder);
      if (tests.imageTestsEnabled !== false && b.recipe.resolved.some((x) => x.doc.phases.some((p) => p.name === 'test'))) {
        this.setStatus(b, 'TESTING');
        phase = 'test';
        const tester = await this.launch(b, imageId, 'Test');
        for (const comp of b.recipe.resolved) {
          for (const p of comp.doc.phases.filter((x) => x.name === 'test')) await this.runPhase(b, tester, comp, p.name, p.steps);
        }
        await this.terminate(b, tester);
      }
      this.setStatus(b, 'DISTRIBUTING');
      phase = 'distribute';
      await this.distribute(b, imageId);
      this.setStatus(b, 'INTEGRATING');
      await this.sleep(b, 5);
      this.setStatus(b, 'AVAILABLE');
    } catch (e) {
      const cancelled = b.abort.signal.aborted;
      b.reason = cancelled
        ? 'The image creation was cancelled.'
        : `${phase === 'test' ? 'Test' : phase === 'distribute' ? 'Distribution' : 'Build'} failed: ${(e as Error).message}`;
      // A failed or cancelled build keeps nothing: its instances go (terminateInstanceOnFailure) and so do the images it made.
      if (cancelled || infra.terminateInstanceOnFailure !== false) for (const i of [...b.instances]) await this.terminate(b, i, true).catch(() => undefined);
      for (const img of b.images) await this.deregister(b, img.region, img.id).catch(() => undefined);
      b.amis = [];
      b.status = cancelled ? 'CANCELLED' : 'FAILED';
      b.pipeline.lastRunStatus = b.status;
    }
  }

  private async parentImage(b: Build, parent: string): Promise<string> {
    if (parent.startsWith('ami-')) return parent;
    const name = parent.slice('ssm:'.length);
    try {
      const r = await this.send<Ssm.GetParameterCommandOutput>(b, b.region, 'ssm', new Ssm.GetParameterCommand({ Name: name }));
      return r.Parameter!.Value!;
    } catch (e) {
      throw new BuildFailure(`the parent image parameter ${name} could not be read: ${(e as Error).name}`);
    }
  }

  private async launch(b: Build, imageId: string, role: 'Build' | 'Test'): Promise<string> {
    const infra = b.infrastructure.body;
    const mappings = ((b.recipe.body.blockDeviceMappings ?? []) as { deviceName: string; ebs?: Record<string, unknown> }[]).map((m) => ({
      DeviceName: m.deviceName,
      ...(m.ebs
        ? {
            Ebs: {
              ...(m.ebs.volumeSize !== undefined ? { VolumeSize: Number(m.ebs.volumeSize) } : {}),
              ...(m.ebs.volumeType ? { VolumeType: String(m.ebs.volumeType) as Ec2.VolumeType } : {}),
              ...(m.ebs.deleteOnTermination !== undefined ? { DeleteOnTermination: Boolean(m.ebs.deleteOnTermination) } : {}),
              ...(m.ebs.encrypted !== undefined ? { Encrypted: Boolean(m.ebs.encrypted) } : {}),
              ...(m.ebs.kmsKeyId ? { KmsKeyId: String(m.ebs.kmsKeyId) } : {}),
              ...(m.ebs.iops !== undefined ? { Iops: Number(m.ebs.iops) } : {}),
              ...(m.ebs.throughput !== undefined ? { Throughput: Number(m.ebs.throughput) } : {}),
            },
          }
        : {}),
    }));
    const tags = [
      { Key: 'Name', Value: `${role} instance for ${b.recipe.name}` },
      { Key: 'CreatedBy', Value: 'EC2 Image Builder' },
      { Key: 'Ec2ImageBuilderArn', Value: b.arn },
      ...Object.entries((infra.resourceTags ?? {}) as Record<string, string>).map(([Key, Value]) => ({ Key, Value })),
    ];
    let r: Ec2.RunInstancesCommandOutput;
    try {
      r = await this.send<Ec2.RunInstancesCommandOutput>(
        b,
        b.region,
        'ec2',
        new Ec2.RunInstancesCommand({
          ImageId: imageId,
          InstanceType: (((infra.instanceTypes as string[] | undefined) ?? [])[0] ?? 'm5.large') as Ec2._InstanceType,
          MinCount: 1,
          MaxCount: 1,
          IamInstanceProfile: { Name: String(infra.instanceProfileName) },
          ...(infra.subnetId ? { SubnetId: String(infra.subnetId) } : {}),
          ...(infra.securityGroupIds ? { SecurityGroupIds: infra.securityGroupIds as string[] } : {}),
          ...(mappings.length ? { BlockDeviceMappings: mappings } : {}),
          ...(infra.instanceMetadataOptions
            ? { MetadataOptions: { HttpTokens: (infra.instanceMetadataOptions as { httpTokens?: string }).httpTokens as Ec2.HttpTokensState } }
            : {}),
          TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
        }),
      );
    } catch (e) {
      throw new BuildFailure(`the ${role.toLowerCase()} instance could not be launched: ${(e as Error).name}: ${(e as Error).message}`);
    }
    const id = r.Instances![0]!.InstanceId!;
    b.instances.add(id);
    await this.until(b, `the ${role.toLowerCase()} instance ${id} running`, 1800, async () => {
      const s = await this.instanceState(b, id);
      if (s === 'terminated' || s === 'shutting-down') throw new BuildFailure(`the ${role.toLowerCase()} instance ${id} is ${s}`);
      return s === 'running';
    });
    await this.waitOnline(b, id);
    return id;
  }

  /** Image Builder waits for the SSM agent ("SSM Agent verification") before it runs components. */
  private async waitOnline(b: Build, id: string): Promise<void> {
    await this.until(b, `the SSM agent of ${id} online`, 3600, async () => {
      const r = await this.send<Ssm.DescribeInstanceInformationCommandOutput>(
        b,
        b.region,
        'ssm',
        new Ssm.DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }),
      );
      return r.InstanceInformationList?.[0]?.PingStatus === 'Online';
    });
  }

  private async instanceState(b: Build, id: string): Promise<string> {
    const r = await this.send<Ec2.DescribeInstancesCommandOutput>(b, b.region, 'ec2', new Ec2.DescribeInstancesCommand({ InstanceIds: [id] }));
    return r.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? 'missing';
  }

  private async runPhase(b: Build, instance: string, comp: Component, phase: string, steps: TocStep[]): Promise<void> {
    for (const s of steps) {
      let lastError: Error | undefined;
      for (let attempt = 1; attempt <= (s.maxAttempts ?? 1); attempt++) {
        try {
          if (s.action === 'Reboot') {
            await this.send(b, b.region, 'ec2', new Ec2.RebootInstancesCommand({ InstanceIds: [instance] }));
            await this.sleep(b, 10);
            await this.waitOnline(b, instance);
          } else {
            const commands = (s.inputs as { commands: string[] }).commands;
            const timeout = s.timeoutSeconds === -1 ? 172_800 : (s.timeoutSeconds ?? 7200);
            const sent = await this.send<Ssm.SendCommandCommandOutput>(
              b,
              b.region,
              'ssm',
              new Ssm.SendCommandCommand({
                DocumentName: 'AWS-RunPowerShellScript',
                InstanceIds: [instance],
                Parameters: { commands, executionTimeout: [String(Math.min(timeout, 172_800))] },
                TimeoutSeconds: 3600,
              }),
            );
            await this.invocation(b, instance, sent.Command!.CommandId!, `${comp.name}/${phase}/${s.name}`, timeout + 600);
          }
          lastError = undefined;
          break;
        } catch (e) {
          if (b.abort.signal.aborted) throw e;
          lastError = e as Error;
        }
      }
      if (lastError && (s.onFailure ?? 'Abort') === 'Abort') throw lastError;
    }
  }

  private async invocation(b: Build, instance: string, commandId: string, step: string, limit: number): Promise<void> {
    let inv: Ssm.GetCommandInvocationCommandOutput | undefined;
    await this.until(
      b,
      `step ${step}`,
      limit,
      async () => {
        inv = await this.send<Ssm.GetCommandInvocationCommandOutput>(
          b,
          b.region,
          'ssm',
          new Ssm.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instance }),
        ).catch((e: Error) => {
          if (/InvocationDoesNotExist/.test(e.name)) return undefined;
          throw e;
        });
        return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(String(inv?.Status));
      },
      2,
    ).catch(async (e: unknown) => {
      await this.send(b, b.region, 'ssm', new Ssm.CancelCommandCommand({ CommandId: commandId })).catch(() => undefined);
      throw e;
    });
    if (inv!.Status !== 'Success')
      throw new BuildFailure(
        `step ${step} ended ${inv!.Status} (exit ${inv!.ResponseCode}): ${(inv!.StandardErrorContent || inv!.StandardOutputContent || '').trim().slice(-600)}`,
      );
  }

  private amiConfig(b: Build, region: string): Record<string, unknown> | undefined {
    const list = (b.distribution?.body.distributions ?? []) as { region: string; amiDistributionConfiguration?: Record<string, unknown> }[];
    return list.find((d) => d.region === region)?.amiDistributionConfiguration;
  }

  private buildDate(b: Build): string {
    return b.dateCreated.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  }

  private fill(b: Build, text: string): string {
    return text
      .replace(/\{\{\s*imagebuilder:buildDate\s*\}\}/g, this.buildDate(b))
      .replace(/\{\{\s*imagebuilder:buildVersion\s*\}\}/g, b.arn.split('/').at(-1)!);
  }

  private amiName(b: Build, region: string): string {
    const name = this.amiConfig(b, region)?.name;
    return typeof name === 'string' ? this.fill(b, name) : `${b.recipe.name} ${this.buildDate(b)}`;
  }

  private amiTags(b: Build, region: string): Ec2.Tag[] {
    const own = (this.amiConfig(b, region)?.amiTags ?? {}) as Record<string, string>;
    const recipeTags = (b.recipe.body.amiTags ?? {}) as Record<string, string>;
    return [
      ...Object.entries({ ...recipeTags, ...own }).map(([Key, Value]) => ({ Key, Value: this.fill(b, Value) })),
      { Key: 'CreatedBy', Value: 'EC2 Image Builder' },
      { Key: 'Ec2ImageBuilderArn', Value: b.arn },
    ];
  }

  private async waitImage(b: Build, region: string, id: string): Promise<void> {
    await this.until(b, `image ${id} available`, 7200, async () => {
      const r = await this.send<Ec2.DescribeImagesCommandOutput>(b, region, 'ec2', new Ec2.DescribeImagesCommand({ ImageIds: [id] }));
      const img = r.Images?.[0];
      if (img?.State === 'failed') throw new BuildFailure(`image ${id} failed: ${img.StateReason?.Message ?? ''}`);
      return img?.State === 'available';
    });
  }

  /** Terminate an instance and wait until it is gone; a cancel does not interrupt the wait (the instance is already going). */
  private async terminate(b: Build, id: string, cleaningUp = false): Promise<void> {
    await this.send(b, b.region, 'ec2', new Ec2.TerminateInstancesCommand({ InstanceIds: [id] }));
    const end = Date.now() + this.ms(1800);
    while (Date.now() < end && (await this.instanceState(b, id)) !== 'terminated') await new Promise((r) => setTimeout(r, this.ms(5)));
    b.instances.delete(id);
    if (!cleaningUp && b.abort.signal.aborted) throw new BuildFailure('cancelled');
  }

  private async deregister(b: Build, region: string, id: string): Promise<void> {
    const r = await this.send<Ec2.DescribeImagesCommandOutput>(b, region, 'ec2', new Ec2.DescribeImagesCommand({ ImageIds: [id] })).catch(() => undefined);
    await this.send(b, region, 'ec2', new Ec2.DeregisterImageCommand({ ImageId: id }));
    for (const m of r?.Images?.[0]?.BlockDeviceMappings ?? [])
      if (m.Ebs?.SnapshotId) await this.send(b, region, 'ec2', new Ec2.DeleteSnapshotCommand({ SnapshotId: m.Ebs.SnapshotId })).catch(() => undefined);
  }

  private async distribute(b: Build, imageId: string): Promise<void> {
    const list = (b.distribution?.body.distributions ?? [{ region: b.region }]) as {
      region: string;
      amiDistributionConfiguration?: Record<string, unknown>;
      ssmParameterConfigurations?: { parameterName: string; dataType?: string }[];
      fastLaunchConfigurations?: {
        enabled: boolean;
        snapshotConfiguration?: { targetResourceCount?: number };
        maxParallelLaunches?: number;
        launchTemplate?: { launchTemplateId?: string; launchTemplateName?: string; launchTemplateVersion?: string };
      }[];
    }[];
    const ordered = [...list.filter((d) => d.region === b.region), ...list.filter((d) => d.region !== b.region)];
    if (!ordered.some((d) => d.region === b.region)) ordered.unshift({ region: b.region });
    for (const d of ordered) {
      let id = imageId;
      const ami = d.amiDistributionConfiguration ?? {};
      if (d.region !== b.region) {
        const copy = await this.send<Ec2.CopyImageCommandOutput>(
          b,
          d.region,
          'ec2',
          new Ec2.CopyImageCommand({
            SourceImageId: imageId,
            SourceRegion: b.region,
            Name: this.amiName(b, d.region),
            ...(ami.description ? { Description: String(ami.description) } : {}),
            ...(ami.kmsKeyId ? { Encrypted: true, KmsKeyId: String(ami.kmsKeyId) } : {}),
            TagSpecifications: [{ ResourceType: 'image', Tags: this.amiTags(b, d.region) }],
          }),
        );
        id = copy.ImageId!;
        b.images.push({ region: d.region, id });
        await this.waitImage(b, d.region, id);
      }
      const lp = ami.launchPermission as
        { userIds?: string[]; userGroups?: string[]; organizationArns?: string[]; organizationalUnitArns?: string[] } | undefined;
      if (lp) {
        const add = [
          ...(lp.userIds ?? []).map((UserId) => ({ UserId })),
          ...(lp.userGroups ?? []).map((g) => ({ Group: g as Ec2.PermissionGroup })),
          ...(lp.organizationArns ?? []).map((OrganizationArn) => ({ OrganizationArn })),
          ...(lp.organizationalUnitArns ?? []).map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
        ];
        if (add.length) await this.send(b, d.region, 'ec2', new Ec2.ModifyImageAttributeCommand({ ImageId: id, LaunchPermission: { Add: add } }));
      }
      for (const p of d.ssmParameterConfigurations ?? [])
        await this.send(
          b,
          d.region,
          'ssm',
          new Ssm.PutParameterCommand({ Name: p.parameterName, Value: id, Type: 'String', DataType: p.dataType ?? 'text', Overwrite: true }),
        );
      // Fast Launch: EC2's EnableFastLaunch on the region's AMI, as the distribution's last act; Image Builder does not wait for `enabled`.
      for (const f of d.fastLaunchConfigurations ?? []) {
        if (!f.enabled) continue;
        const lt = f.launchTemplate;
        await this.send(
          b,
          d.region,
          'ec2',
          new Ec2.EnableFastLaunchCommand({
            ImageId: id,
            ResourceType: 'snapshot',
            ...(f.snapshotConfiguration?.targetResourceCount
              ? { SnapshotConfiguration: { TargetResourceCount: f.snapshotConfiguration.targetResourceCount } }
              : {}),
            ...(f.maxParallelLaunches ? { MaxParallelLaunches: f.maxParallelLaunches } : {}),
            ...(lt
              ? {
                  LaunchTemplate: {
                    ...(lt.launchTemplateId ? { LaunchTemplateId: lt.launchTemplateId } : {}),
                    ...(lt.launchTemplateName ? { LaunchTemplateName: lt.launchTemplateName } : {}),
                    Version: lt.launchTemplateVersion ?? '$Default',
                  },
                }
              : {}),
          }),
        );
      }
      const img = await this.send<Ec2.DescribeImagesCommandOutput>(b, d.region, 'ec2', new Ec2.DescribeImagesCommand({ ImageIds: [id] }));
      b.amis.push({
        region: d.region,
        image: id,
        name: img.Images?.[0]?.Name ?? '',
        ...(img.Images?.[0]?.Description ? { description: img.Images[0].Description } : {}),
        accountId: b.account,
      });
    }
    for (const a of b.amis) (a as { state?: unknown }).state = { status: 'AVAILABLE' };
  }
}

function withoutToken(body: Record<string, unknown>): Record<string, unknown> {
  const { clientToken: _t, ...rest } = body;
  return rest;
}

/** BUILD when a component has a build phase, TEST when it has only test (and validate) phases. */
function phaseType(doc: TocDoc): 'BUILD' | 'TEST' {
  return doc.phases.some((p) => p.name === 'build') ? 'BUILD' : 'TEST';
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
