/**
 * SSM JSON 1.1 actions: managed-instance information, Run Command with the
 * Windows guest, and Parameter Store (with the public
 * `/aws/service/ami-windows-latest/` parameters).
 */
import type { WindowsRelease } from '../src/knowledge/releases.js';
import { ApiError, type Command, type Invocation, type Parameter, type World } from './world.js';

export interface SsmContext {
  world: World;
  account: string;
  region: string;
  body: Record<string, unknown>;
  now: number;
}

type Handler = (c: SsmContext) => Record<string, unknown>;

/** Output limits from botocore's ssm model (domain-facts §6.3). */
export const STDOUT_LIMIT = 24_000;
export const STDERR_LIMIT = 8_000;
export const PLUGIN_OUTPUT_LIMIT = 2_500;
/**
 * Total size of the `commands` parameter. Not confirmed from an AWS document:
 * the emulator uses the documented 64 KB SSM document size limit
 * (MaxDocumentSizeExceeded) as the bound, see SPEC.md.
 */
export const COMMANDS_LIMIT = 64 * 1024;

const DOCUMENTS: Record<string, { plugin: string; params: Record<string, { required: boolean; allowed?: string[] }> }> = {
  'AWS-RunPowerShellScript': {
    plugin: 'aws:runPowerShellScript',
    params: { commands: { required: true }, workingDirectory: { required: false }, executionTimeout: { required: false } },
  },
  'AWSEC2-RunSysprep': { plugin: 'aws:runPowerShellScript', params: {} },
  // AWS's package documents (aws-packages.ts); parameters and allowed values as `aws ssm describe-document` lists them.
  'AWS-ConfigureAWSPackage': {
    plugin: 'aws:configurePackage',
    params: {
      action: { required: true, allowed: ['Install', 'Uninstall'] },
      installationType: { required: false, allowed: ['Uninstall and reinstall', 'In-place update'] },
      name: { required: true },
      version: { required: false },
      additionalArguments: { required: false },
    },
  },
  'AWS-UpdateSSMAgent': {
    plugin: 'aws:updateSsmAgent',
    params: { version: { required: false }, allowDowngrade: { required: false, allowed: ['true', 'false'] } },
  },
  // Parameters as the document lists them (docs/windows-update.md, SPEC.md "Windows Update"); the plugin name is UNCONFIRMED.
  'AWS-InstallWindowsUpdates': {
    plugin: 'aws:runPowerShellScript',
    params: {
      Action: { required: false, allowed: ['Install', 'Scan'] },
      AllowReboot: { required: false, allowed: ['True', 'False'] },
      Categories: { required: false },
      SeverityLevels: { required: false },
      IncludeKbs: { required: false },
      ExcludeKbs: { required: false },
      PublishedDaysOld: { required: false },
      PublishedDateAfter: { required: false },
      PublishedDateBefore: { required: false },
    },
  },
};

const epoch = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function str(b: Record<string, unknown>, k: string): string | undefined {
  const v = b[k];
  return typeof v === 'string' ? v : undefined;
}

function strList(b: Record<string, unknown>, k: string): string[] {
  const v = b[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function page<T>(items: T[], c: SsmContext, max: number): { items: T[]; NextToken?: string } {
  const m = typeof c.body.MaxResults === 'number' ? c.body.MaxResults : max;
  const start = c.body.NextToken ? Number(Buffer.from(String(c.body.NextToken), 'base64').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidNextToken', 'The specified token is not valid.');
  const slice = items.slice(start, start + m);
  const end = start + slice.length;
  return end < items.length ? { items: slice, NextToken: Buffer.from(String(end)).toString('base64') } : { items: slice };
}

function instanceFor(c: SsmContext, id: string) {
  const inst = c.world.instances.get(id);
  if (!inst || inst.account !== c.account || inst.region !== c.region) return undefined;
  c.world.settle(inst, c.now);
  return inst;
}

/**
 * What the agent reports for each release: `Microsoft Windows Server <year>
 * Datacenter` and the kernel build (DescribeInstanceInformation samples in
 * AWS's API reference and public captures: 2016 10.0.14393, 2019 10.0.17763,
 * 2022 10.0.20348; 2012 R2 6.3.9600, 2025 10.0.26100 are Windows' own build
 * numbers).
 */
const PLATFORM: Record<WindowsRelease, { name: string; version: string }> = {
  '2012r2': { name: 'Microsoft Windows Server 2012 R2 Datacenter', version: '6.3.9600' },
  '2016': { name: 'Microsoft Windows Server 2016 Datacenter', version: '10.0.14393' },
  '2019': { name: 'Microsoft Windows Server 2019 Datacenter', version: '10.0.17763' },
  '2022': { name: 'Microsoft Windows Server 2022 Datacenter', version: '10.0.20348' },
  '2025': { name: 'Microsoft Windows Server 2025 Datacenter', version: '10.0.26100' },
};

const describeInstanceInformation: Handler = (c) => {
  const filters: { key: string; values: string[] }[] = [];
  for (const f of (c.body.InstanceInformationFilterList as { key: string; valueSet: string[] }[] | undefined) ?? []) {
    filters.push({ key: f.key, values: f.valueSet ?? [] });
  }
  for (const f of (c.body.Filters as { Key: string; Values: string[] }[] | undefined) ?? []) filters.push({ key: f.Key, values: f.Values ?? [] });
  const rows: Record<string, unknown>[] = [];
  for (const inst of c.world.instances.values()) {
    if (inst.account !== c.account || inst.region !== c.region) continue;
    c.world.settle(inst, c.now);
    if (!inst.registered || inst.state === 'terminated') continue;
    const ping = inst.online ? 'Online' : 'ConnectionLost';
    const platform = PLATFORM[c.world.images.get(inst.imageId)?.origin.release ?? '2022'];
    const role = c.world.iam.roleOf(inst.account, inst.iamInstanceProfile?.arn);
    const row = {
      InstanceId: inst.id,
      PingStatus: ping,
      LastPingDateTime: epoch(inst.online ? c.now : inst.lastPingAt),
      AgentVersion: '3.3.1142.0',
      IsLatestVersion: true,
      PlatformType: 'Windows',
      PlatformName: platform.name,
      PlatformVersion: platform.version,
      ResourceType: 'EC2Instance',
      IPAddress: inst.privateIp,
      ComputerName: `${inst.win.computerName}.WORKGROUP`,
      ...(role ? { IamRole: role.name } : {}),
    };
    const ok = filters.every((f) => {
      const actual: Record<string, string> = {
        InstanceIds: inst.id,
        PingStatus: ping,
        PlatformTypes: 'Windows',
        AgentVersion: row.AgentVersion,
        ResourceType: 'EC2Instance',
      };
      if (!(f.key in actual)) throw new ApiError('InvalidInstanceInformationFilterValue', `The filter key ${f.key} is not supported by the emulator.`);
      return f.values.includes(actual[f.key]!);
    });
    if (ok) rows.push(row);
  }
  const p = page(rows, c, 50);
  return { InstanceInformationList: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

function commandStatus(cmd: Command): { Status: string; StatusDetails: string; CompletedCount: number; ErrorCount: number; DeliveryTimedOutCount: number } {
  const s = cmd.invocations.map((i) => i.status);
  const done = (x: string) => ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(x);
  const completed = s.filter(done).length;
  const errors = cmd.invocations.filter((i) => i.status === 'Failed' || i.statusDetails === 'Execution Timed Out').length;
  const dto = cmd.invocations.filter((i) => i.statusDetails === 'Delivery Timed Out').length;
  let status = 'InProgress';
  if (s.every((x) => x === 'Pending')) status = 'Pending';
  else if (completed === s.length) {
    if (s.every((x) => x === 'Success')) status = 'Success';
    else if (s.some((x) => x === 'Cancelled')) status = 'Cancelled';
    else if (s.some((x) => x === 'Failed')) status = 'Failed';
    else status = 'TimedOut';
  }
  // On the wire StatusDetails reads `InProgress` (ListCommands sample response, SSM API Reference), though the docs' prose says "In Progress".
  const details = status === 'TimedOut' ? (dto ? 'Delivery Timed Out' : 'Execution Timed Out') : status;
  return { Status: status, StatusDetails: details, CompletedCount: completed, ErrorCount: errors, DeliveryTimedOutCount: dto };
}

function commandJson(c: SsmContext, cmd: Command): Record<string, unknown> {
  for (const inv of cmd.invocations) c.world.settleInvocation(inv, c.now);
  return {
    CommandId: cmd.id,
    DocumentName: cmd.documentName,
    DocumentVersion: '$DEFAULT',
    Comment: cmd.comment,
    ExpiresAfter: epoch(cmd.requestedAt + c.world.seconds(cmd.timeoutSeconds) + c.world.seconds(cmd.executionTimeout)),
    Parameters: cmd.parameters,
    InstanceIds: cmd.instanceIds,
    Targets: [],
    RequestedDateTime: epoch(cmd.requestedAt),
    OutputS3Region: cmd.region,
    OutputS3BucketName: cmd.outputS3BucketName ?? '',
    OutputS3KeyPrefix: cmd.outputS3KeyPrefix ?? '',
    MaxConcurrency: '50',
    MaxErrors: '0',
    TargetCount: cmd.instanceIds.length,
    ...commandStatus(cmd),
    ServiceRole: '',
    NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    TimeoutSeconds: cmd.timeoutSeconds,
  };
}

const sendCommand: Handler = (c) => {
  const docName = str(c.body, 'DocumentName');
  if (!docName)
    throw new ApiError(
      'ValidationException',
      "1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null",
    );
  const doc = DOCUMENTS[docName];
  if (!doc) throw new ApiError('InvalidDocument', `Document with name ${docName} does not exist.`);
  const ids = strList(c.body, 'InstanceIds');
  if (!ids.length) throw new ApiError('ValidationException', 'InstanceIds or Targets must be specified; the emulator supports InstanceIds only.');
  if (ids.length > 50)
    throw new ApiError(
      'ValidationException',
      "1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  const params = (c.body.Parameters ?? {}) as Record<string, string[]>;
  for (const k of Object.keys(params)) {
    if (!(k in doc.params)) throw new ApiError('InvalidParameters', `Parameter "${k}" is not defined in document ${docName}.`);
  }
  for (const [k, spec] of Object.entries(doc.params)) {
    if (spec.required && !params[k]?.length) throw new ApiError('InvalidParameters', `Parameter "${k}" is required.`);
    const bad = spec.allowed ? params[k]?.find((v) => !spec.allowed!.includes(v)) : undefined;
    if (bad !== undefined) throw new ApiError('InvalidParameters', `Parameter "${k}" "${bad}" failed to satisfy constraint: allowedValues.`);
  }
  const commands = params.commands ?? [];
  const size = commands.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if (size > COMMANDS_LIMIT) {
    throw new ApiError(
      'InvalidParameters',
      `Parameter "commands" is ${size} bytes; the total size of document parameters cannot exceed ${COMMANDS_LIMIT} bytes.`,
    );
  }
  const execTimeout = params.executionTimeout?.[0] ?? '3600';
  if (!/^([1-9][0-9]{0,4}|1[0-6][0-9]{4}|17[0-1][0-9]{3}|172[0-7][0-9]{2}|172800)$/.test(execTimeout)) {
    throw new ApiError('InvalidParameters', `Parameter "executionTimeout" "${execTimeout}" failed to satisfy constraint: allowedPattern.`);
  }
  const timeoutSeconds = typeof c.body.TimeoutSeconds === 'number' ? c.body.TimeoutSeconds : 3600;
  if (timeoutSeconds < 30 || timeoutSeconds > 2_592_000) {
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${timeoutSeconds}' at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000`,
    );
  }
  const comment = str(c.body, 'Comment') ?? '';
  if (comment.length > 100)
    throw new ApiError(
      'ValidationException',
      "1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100",
    );
  const bad = ids.filter((id) => {
    const inst = instanceFor(c, id);
    return !inst || !inst.registered || inst.state === 'terminated' || inst.state === 'shutting-down';
  });
  if (bad.length) throw new ApiError('InvalidInstanceId', `Instances [[${bad.join(', ')}]] not in a valid state for account ${c.account}`);
  const cmd = c.world.newCommand({
    account: c.account,
    region: c.region,
    documentName: docName,
    comment,
    parameters: params,
    instanceIds: ids,
    requestedAt: c.now,
    timeoutSeconds,
    executionTimeout: Number(execTimeout),
    workingDirectory: params.workingDirectory?.[0] ?? '',
    script: commands.join('\n'),
    ...(str(c.body, 'OutputS3BucketName') ? { outputS3BucketName: str(c.body, 'OutputS3BucketName')! } : {}),
    ...(str(c.body, 'OutputS3KeyPrefix') ? { outputS3KeyPrefix: str(c.body, 'OutputS3KeyPrefix')! } : {}),
  });
  return { Command: commandJson(c, cmd) };
};

function findCommand(c: SsmContext, id: string | undefined): Command | undefined {
  if (!id) return undefined;
  const cmd = c.world.commands.get(id);
  return cmd && cmd.account === c.account && cmd.region === c.region ? cmd : undefined;
}

function elapsed(inv: Invocation): string {
  if (inv.startAt === undefined) return '';
  const end = inv.endAt ?? inv.startAt;
  return `PT${((end - inv.startAt) / 1000).toFixed(3)}S`;
}

function isoOrEmpty(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}

const finished = (inv: Invocation) => ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.status);

const getCommandInvocation: Handler = (c) => {
  const commandId = str(c.body, 'CommandId');
  const instanceId = str(c.body, 'InstanceId');
  const cmd = findCommand(c, commandId);
  const inv = cmd?.invocations.find((i) => i.instanceId === instanceId);
  if (!cmd || !inv || c.now < cmd.requestedAt + c.world.d('invocationVisible')) {
    throw new ApiError('InvocationDoesNotExist', '');
  }
  const plugin = str(c.body, 'PluginName');
  if (plugin && plugin !== DOCUMENTS[cmd.documentName]!.plugin) throw new ApiError('InvalidPluginName', '');
  c.world.settleInvocation(inv, c.now);
  const done = finished(inv);
  return {
    CommandId: cmd.id,
    InstanceId: inv.instanceId,
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: DOCUMENTS[cmd.documentName]!.plugin,
    ResponseCode: inv.responseCode,
    ExecutionStartDateTime: isoOrEmpty(inv.startAt),
    ExecutionElapsedTime: elapsed(inv),
    ExecutionEndDateTime: done ? isoOrEmpty(inv.endAt) : '',
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    StandardOutputContent: done ? inv.stdout.slice(0, STDOUT_LIMIT) : '',
    StandardOutputUrl: '',
    StandardErrorContent: done ? inv.stderr.slice(0, STDERR_LIMIT) : '',
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
};

const listCommands: Handler = (c) => {
  const id = str(c.body, 'CommandId');
  const instanceId = str(c.body, 'InstanceId');
  if (id && !findCommand(c, id)) throw new ApiError('InvalidCommandId', '');
  const cmds = [...c.world.commands.values()]
    .filter((x) => x.account === c.account && x.region === c.region && (!id || x.id === id) && (!instanceId || x.instanceIds.includes(instanceId)))
    .reverse();
  const p = page(cmds, c, 50);
  return { Commands: p.items.map((x) => commandJson(c, x)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

const listCommandInvocations: Handler = (c) => {
  const id = str(c.body, 'CommandId');
  const instanceId = str(c.body, 'InstanceId');
  if (id && !findCommand(c, id)) throw new ApiError('InvalidCommandId', '');
  const details = c.body.Details === true;
  const invs: Invocation[] = [];
  for (const cmd of [...c.world.commands.values()].reverse()) {
    if (cmd.account !== c.account || cmd.region !== c.region || (id && cmd.id !== id)) continue;
    for (const inv of cmd.invocations) if (!instanceId || inv.instanceId === instanceId) invs.push(inv);
  }
  const p = page(invs, c, 50);
  const rows = p.items.map((inv) => {
    c.world.settleInvocation(inv, c.now);
    const cmd = inv.command;
    const inst = c.world.instances.get(inv.instanceId);
    const done = finished(inv);
    const output = done ? (inv.stderr ? `${inv.stdout}\n----------ERROR-------\n${inv.stderr}` : inv.stdout) : '';
    return {
      CommandId: cmd.id,
      InstanceId: inv.instanceId,
      InstanceName: inst ? `${inst.win.computerName}.WORKGROUP` : '',
      Comment: cmd.comment,
      DocumentName: cmd.documentName,
      DocumentVersion: '$DEFAULT',
      RequestedDateTime: epoch(cmd.requestedAt),
      Status: inv.status,
      StatusDetails: inv.statusDetails,
      TraceOutput: '',
      StandardOutputUrl: '',
      StandardErrorUrl: '',
      CommandPlugins: details
        ? [
            {
              Name: DOCUMENTS[cmd.documentName]!.plugin,
              Status: inv.status === 'Delayed' || inv.status === 'Cancelling' ? 'InProgress' : inv.status,
              StatusDetails: inv.statusDetails,
              ResponseCode: inv.responseCode,
              ...(inv.startAt !== undefined ? { ResponseStartDateTime: epoch(inv.startAt) } : {}),
              ...(done && inv.endAt !== undefined ? { ResponseFinishDateTime: epoch(inv.endAt) } : {}),
              Output: output.slice(0, PLUGIN_OUTPUT_LIMIT),
              StandardOutputUrl: '',
              StandardErrorUrl: '',
              OutputS3Region: cmd.region,
              OutputS3BucketName: cmd.outputS3BucketName ?? '',
              OutputS3KeyPrefix: cmd.outputS3KeyPrefix ?? '',
            },
          ]
        : [],
      ServiceRole: '',
      NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    };
  });
  return { CommandInvocations: rows, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

const cancelCommand: Handler = (c) => {
  const cmd = findCommand(c, str(c.body, 'CommandId'));
  if (!cmd) throw new ApiError('InvalidCommandId', '');
  for (const inv of cmd.invocations) c.world.settleInvocation(inv, c.now);
  const ids = strList(c.body, 'InstanceIds');
  c.world.cancel(cmd, ids.length ? ids : undefined, c.now);
  return {};
};

// ---- parameters ----

function lookupParameter(c: SsmContext, name: string): { p: Parameter; key: string; isPublic: boolean } | undefined {
  const own = c.world.parameters.get(`${c.account}|${c.region}|${name}`);
  if (own) return { p: own, key: `${c.account}|${c.region}|${name}`, isPublic: false };
  const pub = c.world.parameters.get(`*|${c.region}|${name}`);
  return pub ? { p: pub, key: `*|${c.region}|${name}`, isPublic: true } : undefined;
}

function parameterJson(c: SsmContext, found: { p: Parameter; isPublic: boolean }, decrypt: boolean): Record<string, unknown> {
  const { p } = found;
  const value = p.type === 'SecureString' && !decrypt ? `AQICAH${Buffer.from(`${p.keyId ?? 'alias/aws/ssm'}:${p.value}`).toString('base64')}` : p.value;
  const path = p.name.startsWith('/') ? p.name : `/${p.name}`;
  return {
    Name: p.name,
    Type: p.type,
    Value: value,
    Version: p.version,
    LastModifiedDate: epoch(p.lastModified),
    ARN: `arn:aws:ssm:${c.region}:${found.isPublic ? '' : c.account}:parameter${path}`,
    DataType: p.dataType,
  };
}

const getParameter: Handler = (c) => {
  const name = str(c.body, 'Name') ?? '';
  const found = lookupParameter(c, name);
  if (!found) throw new ApiError('ParameterNotFound', '');
  return { Parameter: parameterJson(c, found, c.body.WithDecryption === true) };
};

const getParameters: Handler = (c) => {
  const names = strList(c.body, 'Names');
  const params: Record<string, unknown>[] = [];
  const invalid: string[] = [];
  for (const n of names) {
    const f = lookupParameter(c, n);
    if (f) params.push(parameterJson(c, f, c.body.WithDecryption === true));
    else invalid.push(n);
  }
  return { Parameters: params, InvalidParameters: invalid };
};

/** Keys GetParametersByPath accepts in ParameterFilters, and their options (botocore ssm `ParameterStringFilter`). */
const BY_PATH_FILTERS: Record<string, readonly string[]> = { Type: ['Equals', 'BeginsWith'], KeyId: ['Equals', 'BeginsWith'], Label: ['Equals'] };

function byPathFilters(c: SsmContext): ((p: Parameter) => boolean)[] {
  const raw = c.body.ParameterFilters;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ApiError('SerializationException', 'ParameterFilters must be a list');
  return raw.map((f: { Key?: unknown; Option?: unknown; Values?: unknown }) => {
    const key = typeof f.Key === 'string' ? f.Key : '';
    if (!/^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$/.test(key)) {
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value '${key}' at 'parameterFilters.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType`,
      );
    }
    const options = BY_PATH_FILTERS[key];
    if (!options) throw new ApiError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [Type, KeyId, Label].`);
    const option = typeof f.Option === 'string' ? f.Option : 'Equals';
    if (!options.includes(option))
      throw new ApiError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`);
    const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : [];
    if (!values.length) throw new ApiError('InvalidFilterValue', `The following filter values are missing : null for filter key ${key}.`);
    if (key === 'Type') {
      for (const v of values)
        if (option === 'Equals' && !['String', 'StringList', 'SecureString'].includes(v))
          throw new ApiError('InvalidFilterValue', `The following filter value is not valid: ${v}. Valid values include: [String, StringList, SecureString].`);
    }
    const actual = (p: Parameter): string | undefined => (key === 'Type' ? p.type : key === 'KeyId' ? p.keyId : undefined);
    // Labels are not modelled: no parameter has one, so a Label filter matches nothing.
    return (p: Parameter) => {
      const a = actual(p);
      return a !== undefined && values.some((v) => (option === 'Equals' ? a === v : a.startsWith(v)));
    };
  });
}

/**
 * GetParametersByPath: the caller's own parameters under `Path` and, for a
 * path in AWS's public namespace (`/aws/service/...`), the public ones, one
 * level deep unless `Recursive`. MaxResults 1..10 (botocore
 * `GetParametersByPathMaxResults`), default 10.
 */
const getParametersByPath: Handler = (c) => {
  const raw = str(c.body, 'Path');
  if (raw === undefined)
    throw new ApiError('ValidationException', "1 validation error detected: Value null at 'path' failed to satisfy constraint: Member must not be null");
  if (raw.length < 1 || raw.length > 2048) {
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${raw}' at 'path' failed to satisfy constraint: Member must have length between 1 and 2048`,
    );
  }
  const max = c.body.MaxResults;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 10)) {
    const bound = typeof max === 'number' && max < 1 ? 'greater than or equal to 1' : 'less than or equal to 10';
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  const path = raw.trim();
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const recursive = c.body.Recursive === true;
  const filters = byPathFilters(c);
  const under = (name: string) => name.startsWith(prefix) && name.length > prefix.length && (recursive || !name.slice(prefix.length).includes('/'));
  const found: { p: Parameter; isPublic: boolean }[] = [];
  for (const [key, p] of c.world.parameters) {
    const [owner, region] = key.split('|', 2);
    if (region !== c.region || (owner !== c.account && owner !== '*')) continue;
    if (under(p.name) && filters.every((f) => f(p))) found.push({ p, isPublic: owner === '*' });
  }
  found.sort((a, b) => (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0));
  const pg = page(found, { ...c, body: { ...c.body, MaxResults: max ?? 10 } }, 10);
  return { Parameters: pg.items.map((f) => parameterJson(c, f, c.body.WithDecryption === true)), ...(pg.NextToken ? { NextToken: pg.NextToken } : {}) };
};

const putParameter: Handler = (c) => {
  const name = str(c.body, 'Name') ?? '';
  const value = str(c.body, 'Value');
  if (!name || value === undefined) throw new ApiError('ValidationException', 'Name and Value are required.');
  // AWS reserves the prefixes, with or without a leading slash and in any case, and answers them differently
  // (the codes and messages SDK users report, e.g. aws-solutions/quota-monitor-for-aws#30, aws/aws-sdk-php#1952).
  if (/^\/?aws/i.test(name)) throw new ApiError('AccessDeniedException', `No access to reserved parameter name: ${name}.`);
  if (/^\/?ssm/i.test(name)) {
    throw new ApiError(
      'ValidationException',
      'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  }
  const key = `${c.account}|${c.region}|${name}`;
  const existing = c.world.parameters.get(key);
  if (existing && c.body.Overwrite !== true) {
    throw new ApiError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  }
  const type = (str(c.body, 'Type') ?? existing?.type) as Parameter['type'] | undefined;
  if (!type || !['String', 'StringList', 'SecureString'].includes(type))
    throw new ApiError('ValidationException', 'A parameter type is required when you create a parameter.');
  const p: Parameter = {
    name,
    type,
    value,
    version: (existing?.version ?? 0) + 1,
    lastModified: c.now,
    ...(str(c.body, 'Description') ? { description: str(c.body, 'Description')! } : {}),
    ...(type === 'SecureString' ? { keyId: str(c.body, 'KeyId') ?? 'alias/aws/ssm' } : {}),
    dataType: str(c.body, 'DataType') ?? 'text',
  };
  c.world.parameters.set(key, p);
  return { Version: p.version, Tier: 'Standard' };
};

const deleteParameter: Handler = (c) => {
  const name = str(c.body, 'Name') ?? '';
  const key = `${c.account}|${c.region}|${name}`;
  if (!c.world.parameters.delete(key)) throw new ApiError('ParameterNotFound', '');
  return {};
};

/**
 * DescribeParameters: the account's own parameters (not AWS's public ones), with
 * ParameterFilters Name (Equals, BeginsWith), Type and DataType (Equals) and Path
 * (Recursive, OneLevel), MaxResults 1–50 (default 10) and NextToken; metadata only, no values.
 */
const describeParameters: Handler = (c) => {
  if (c.body.Filters !== undefined && c.body.ParameterFilters !== undefined) {
    throw new ApiError('ValidationException', 'You can use either Filters or ParameterFilters in a single request.');
  }
  const max = typeof c.body.MaxResults === 'number' ? c.body.MaxResults : 10;
  if (!Number.isInteger(max) || max < 1 || max > 50)
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`,
    );
  const prefix = `${c.account}|${c.region}|`;
  let list = [...c.world.parameters.entries()].filter(([k]) => k.startsWith(prefix)).map(([, p]) => p);
  const filters = Array.isArray(c.body.ParameterFilters) ? (c.body.ParameterFilters as Record<string, unknown>[]) : [];
  for (const f of filters) {
    const key = str(f, 'Key') ?? '';
    const option = str(f, 'Option') ?? (key === 'Path' ? 'Recursive' : 'Equals');
    const values = strList(f, 'Values');
    if (key === 'Name') {
      if (option !== 'Equals' && option !== 'BeginsWith')
        throw new ApiError('InvalidFilterOption', `The filter option "${option}" is not valid for key "Name".`);
      list = list.filter((p) => values.some((v) => (option === 'Equals' ? p.name === v : p.name.startsWith(v))));
    } else if (key === 'Type' || key === 'DataType') {
      if (option !== 'Equals') throw new ApiError('InvalidFilterOption', `The filter option "${option}" is not valid for key "${key}".`);
      list = list.filter((p) => values.includes(key === 'Type' ? p.type : p.dataType));
    } else if (key === 'Path') {
      if (option !== 'Recursive' && option !== 'OneLevel')
        throw new ApiError('InvalidFilterOption', `The filter option "${option}" is not valid for key "Path".`);
      list = list.filter((p) =>
        values.some((v) => {
          const base = v.endsWith('/') ? v : `${v}/`;
          return p.name.startsWith(base) && (option === 'Recursive' || !p.name.slice(base.length).includes('/'));
        }),
      );
    } else if (['KeyId', 'Tier', 'Label'].includes(key) || key.startsWith('tag:')) {
      throw new ApiError('ValidationException', `The emulator does not model the ParameterFilters key ${key}.`);
    } else throw new ApiError('InvalidFilterKey', `The filter key "${key}" is not valid.`);
  }
  list.sort((a, b) => a.name.localeCompare(b.name));
  const token = str(c.body, 'NextToken');
  const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidNextToken', 'The specified token is not valid.');
  const page = list.slice(start, start + max);
  const next = start + max < list.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
  return {
    Parameters: page.map((p) => ({
      Name: p.name,
      ARN: `arn:aws:ssm:${c.region}:${c.account}:parameter${p.name.startsWith('/') ? p.name : `/${p.name}`}`,
      Type: p.type,
      ...(p.keyId ? { KeyId: p.keyId } : {}),
      LastModifiedDate: epoch(p.lastModified),
      Version: p.version,
      Tier: 'Standard',
      DataType: p.dataType,
    })),
    ...(next ? { NextToken: next } : {}),
  };
};

/** Every SSM action the emulator answers, by the `X-Amz-Target` suffix. */
export const SSM_HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeInstanceInformation: describeInstanceInformation,
  SendCommand: sendCommand,
  GetCommandInvocation: getCommandInvocation,
  ListCommands: listCommands,
  ListCommandInvocations: listCommandInvocations,
  CancelCommand: cancelCommand,
  GetParameter: getParameter,
  GetParameters: getParameters,
  GetParametersByPath: getParametersByPath,
  DescribeParameters: describeParameters,
  PutParameter: putParameter,
  DeleteParameter: deleteParameter,
};
