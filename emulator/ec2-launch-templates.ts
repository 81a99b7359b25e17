/**
 * Minimal EC2 launch templates: CreateLaunchTemplate (version 1, the default,
 * with LaunchTemplateData.ImageId and InstanceType kept), DescribeLaunchTemplates,
 * DescribeLaunchTemplateVersions (by template, or every template's $Default /
 * $Latest when no template is named, as the API reference describes) and
 * DeleteLaunchTemplate. Error codes are EC2's launch template codes (EC2 API
 * reference, "Error codes"); see SPEC.md ("Launch templates").
 */
import type { Ec2Context, Handler } from './ec2.js';
import { nextTokenXml, paginate } from './ec2.js';
import { el, iso, newId, qList, qObj, qObjects, qStr, set, tagSetXml } from './wire.js';
import { ApiError, type World } from './world.js';

interface LaunchTemplate {
  id: string;
  name: string;
  account: string;
  region: string;
  createdAt: number;
  tags: Map<string, string>;
  versions: { number: number; description?: string; createdAt: number; imageId?: string; instanceType?: string }[];
  defaultVersion: number;
}

const byWorld = new WeakMap<World, Map<string, LaunchTemplate>>();

function templates(world: World): Map<string, LaunchTemplate> {
  let m = byWorld.get(world);
  if (!m) byWorld.set(world, (m = new Map()));
  return m;
}

function mine(c: Ec2Context): LaunchTemplate[] {
  return [...templates(c.world).values()].filter((t) => t.account === c.account && t.region === c.region);
}

/** The launch template a request names by id or name, for other actions (EnableFastLaunch); throws EC2's NotFound codes. */
export function requireLaunchTemplate(c: Ec2Context, id: string | undefined, name: string | undefined): { id: string; name: string } {
  const t = named(c, id, name);
  return { id: t.id, name: t.name };
}

const NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;
const ID = /^lt-[0-9a-f]{17}$/;

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new ApiError(
      'InvalidLaunchTemplateName.MalformedException',
      'A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.',
    );
}

/** The one template a request names by LaunchTemplateId or LaunchTemplateName. */
function named(c: Ec2Context, id: string | undefined, name: string | undefined): LaunchTemplate {
  if (id && name)
    throw new ApiError(
      'InvalidParameterCombination',
      'You can specify either the launch template ID or the launch template name in the request, but not both.',
    );
  if (id) {
    if (!ID.test(id)) throw new ApiError('InvalidLaunchTemplateId.Malformed', `The launch template ID '${id}' is malformed.`);
    const t = mine(c).find((x) => x.id === id);
    if (!t) throw new ApiError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
    return t;
  }
  if (name) {
    const t = mine(c).find((x) => x.name === name);
    if (!t) throw new ApiError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
    return t;
  }
  throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateName or LaunchTemplateId');
}

function templateXml(t: LaunchTemplate): string {
  return (
    el('launchTemplateId', t.id) +
    el('launchTemplateName', t.name) +
    el('createTime', iso(t.createdAt)) +
    el('createdBy', `arn:aws:iam::${t.account}:root`) +
    el('defaultVersionNumber', t.defaultVersion) +
    el('latestVersionNumber', t.versions.at(-1)!.number) +
    (t.tags.size ? tagSetXml(t.tags) : '')
  );
}

function versionXml(t: LaunchTemplate, v: LaunchTemplate['versions'][number]): string {
  return (
    el('launchTemplateId', t.id) +
    el('launchTemplateName', t.name) +
    el('versionNumber', v.number) +
    el('versionDescription', v.description) +
    el('createTime', iso(v.createdAt)) +
    el('createdBy', `arn:aws:iam::${t.account}:root`) +
    el('defaultVersion', v.number === t.defaultVersion) +
    `<launchTemplateData>${el('imageId', v.imageId)}${el('instanceType', v.instanceType)}</launchTemplateData>`
  );
}

const createLaunchTemplate: Handler = (c) => {
  const name = qStr(c.q, 'LaunchTemplateName');
  if (!name) throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateName');
  checkName(name);
  const data = qObj(c.q, 'LaunchTemplateData');
  if (!data) throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateData');
  if (mine(c).some((t) => t.name === name)) throw new ApiError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
  const tags = new Map<string, string>();
  for (const spec of qObjects(c.q, 'TagSpecification')) {
    if (qStr(spec, 'ResourceType') !== 'launch-template') continue;
    for (const tag of qObjects(spec, 'Tag')) tags.set(qStr(tag, 'Key') ?? '', qStr(tag, 'Value') ?? '');
  }
  const imageId = qStr(data, 'ImageId');
  const instanceType = qStr(data, 'InstanceType');
  const description = qStr(c.q, 'VersionDescription');
  const t: LaunchTemplate = {
    id: newId('lt'),
    name,
    account: c.account,
    region: c.region,
    createdAt: c.now,
    tags,
    versions: [
      { number: 1, createdAt: c.now, ...(imageId ? { imageId } : {}), ...(instanceType ? { instanceType } : {}), ...(description ? { description } : {}) },
    ],
    defaultVersion: 1,
  };
  templates(c.world).set(t.id, t);
  return `<launchTemplate>${templateXml(t)}</launchTemplate>`;
};

const describeLaunchTemplates: Handler = (c) => {
  const ids = qList(c.q, 'LaunchTemplateId');
  const names = qList(c.q, 'LaunchTemplateName');
  let list = mine(c);
  if (ids.length || names.length) {
    list = [...ids.map((id) => named(c, id, undefined)), ...names.map((n) => named(c, undefined, n))];
  }
  for (const f of qObjects(c.q, 'Filter')) {
    const key = qStr(f, 'Name') ?? '';
    const values = qList(f, 'Value');
    if (key === 'launch-template-name') list = list.filter((t) => values.includes(t.name));
    else if (key.startsWith('tag:')) list = list.filter((t) => values.includes(t.tags.get(key.slice(4)) ?? '\u0000'));
    else throw new ApiError('InvalidParameterValue', `The filter '${key}' is invalid`);
  }
  const { page, next } = paginate(list, c.q, 1, 200);
  return set('launchTemplates', page.map(templateXml)) + nextTokenXml(next);
};

const describeLaunchTemplateVersions: Handler = (c) => {
  const id = qStr(c.q, 'LaunchTemplateId');
  const name = qStr(c.q, 'LaunchTemplateName');
  const wanted = qList(c.q, 'LaunchTemplateVersion');
  const items: string[] = [];
  if (!id && !name) {
    // Every template's $Latest and/or $Default: only those two may be asked for without a template.
    if (!wanted.length || wanted.some((v) => v !== '$Latest' && v !== '$Default')) {
      throw new ApiError(
        'InvalidParameterCombination',
        'To describe versions of all launch templates, specify only $Latest, $Default, or both, and no launch template ID or name.',
      );
    }
    for (const t of mine(c)) {
      const picks = new Set<number>();
      if (wanted.includes('$Default')) picks.add(t.defaultVersion);
      if (wanted.includes('$Latest')) picks.add(t.versions.at(-1)!.number);
      for (const v of t.versions) if (picks.has(v.number)) items.push(versionXml(t, v));
    }
  } else {
    const t = named(c, id, name);
    const picks = wanted.length
      ? wanted.map((w) => {
          const n = w === '$Default' ? t.defaultVersion : w === '$Latest' ? t.versions.at(-1)!.number : Number(w);
          const v = t.versions.find((x) => x.number === n);
          if (!v) throw new ApiError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${w} for launch template ${t.id}.`);
          return v;
        })
      : t.versions;
    for (const v of picks) items.push(versionXml(t, v));
  }
  const { page, next } = paginate(items, c.q, 1, 200);
  return set('launchTemplateVersionSet', page) + nextTokenXml(next);
};

const deleteLaunchTemplate: Handler = (c) => {
  const t = named(c, qStr(c.q, 'LaunchTemplateId'), qStr(c.q, 'LaunchTemplateName'));
  templates(c.world).delete(t.id);
  return `<launchTemplate>${templateXml(t)}</launchTemplate>`;
};

/** The launch template actions. */
export const LAUNCH_TEMPLATE_HANDLERS: Readonly<Record<string, Handler>> = {
  CreateLaunchTemplate: createLaunchTemplate,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  DeleteLaunchTemplate: deleteLaunchTemplate,
};
