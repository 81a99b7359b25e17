/**
 * SSM Automation: Automation documents (create, update with versions, get,
 * describe, delete, default version) with the schema rules enforced, and
 * executions that interpret the actions winami's runbooks use against the
 * emulator's own world. The engine is a client of the emulator's EC2 and SSM
 * APIs, as Automation is of AWS's: it calls them over HTTP with the account's
 * credentials, so the call log shows its calls. An action the engine does not
 * model is refused at CreateDocument.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as Ec2 from '@aws-sdk/client-ec2';
import * as Ssm from '@aws-sdk/client-ssm';
import { parse as parseYaml } from 'yaml';
import { MAX_DOCUMENT_BYTES, MAX_PARAMETER_VALUE_CHARS, createImageRequest, runbookProblems, runInstancesRequest } from '../src/engines/runbook-rules.js';
import type { Runbook, RunbookStep } from '../src/engines/automation.js';
import type { EmulatorAccount } from './options.js';
import { PythonScripts, type ScriptOutcome } from './python-scripts.js';

/**
 * Real time granted on top of an `aws:executeScript` step's scaled timeout: starting python3 and
 * importing boto3 takes a second or more of wall time on a loaded machine, which the time scale
 * does not shrink, so a scaled 600 s timeout (2.4 s at 0.004) would otherwise be spent on start-up.
 */
const SCRIPT_START_MS = 20_000;

/** How long the engine's own API calls retry a NotFound (real ms): longer than the emulator's consistency windows. */
const NOT_FOUND_RETRY_MS = 3_000;
import { ApiError } from './world.js';

export interface AutomationContext {
  account: string;
  region: string;
  body: Record<string, unknown>;
  now: number;
}
type Handler = (c: AutomationContext) => Record<string, unknown>;

interface DocVersion {
  version: number;
  content: string;
  format: 'YAML' | 'JSON';
  doc: Runbook;
  createdAt: number;
  hash: string;
}

interface StoredDocument {
  name: string;
  account: string;
  region: string;
  versions: DocVersion[];
  defaultVersion: number;
}

interface StepRecord {
  StepExecutionId: string;
  StepName: string;
  Action: string;
  StepStatus: string;
  ExecutionStartTime?: number;
  ExecutionEndTime?: number;
  Inputs: Record<string, string>;
  Outputs: Record<string, string[]>;
  FailureMessage?: string;
  OnFailure?: string;
  IsEnd?: boolean;
  NextStep?: string;
  MaxAttempts?: number;
  TimeoutSeconds?: number;
}

interface Execution {
  id: string;
  account: string;
  region: string;
  documentName: string;
  documentVersion: number;
  doc: Runbook;
  parameters: Record<string, string[]>;
  status: string;
  startedAt: number;
  endedAt?: number;
  steps: StepRecord[];
  outputs: Record<string, string[]>;
  failureMessage?: string;
  current?: string;
  abort: AbortController;
}

/** CreateDocument's name rule (botocore DocumentName pattern). */
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** Names AWS reserves for its own documents. */
const RESERVED_PREFIXES = ['aws-', 'amazon', 'amzn'];
const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

class StepFailure extends Error {
  constructor(
    message: string,
    readonly status: 'Failed' | 'TimedOut' | 'Cancelled' = 'Failed',
  ) {
    super(message);
  }
}

export interface AutomationOptions {
  endpoint: string;
  accounts: readonly EmulatorAccount[];
  /** Real milliseconds per simulated millisecond. */
  timeScale: number;
}

export class AutomationService {
  private documents = new Map<string, StoredDocument>();
  private executions = new Map<string, Execution>();

  private readonly scripts = new PythonScripts();

  constructor(private readonly o: AutomationOptions) {}

  /** Stop every execution and forget everything (emulator reset). */
  reset(): void {
    for (const e of this.executions.values()) e.abort.abort();
    this.documents.clear();
    this.executions.clear();
  }

  /** Executions still running, for tests that wait for quiet. */
  running(): number {
    return [...this.executions.values()].filter((e) => !TERMINAL.has(e.status)).length;
  }

  private key(account: string, region: string, name: string): string {
    return `${account}|${region}|${name}`;
  }

  private parseContent(content: unknown, format: unknown): { doc: Runbook; format: 'YAML' | 'JSON' } {
    if (typeof content !== 'string' || !content) throw new ApiError('InvalidDocumentContent', 'The content for the document is not valid.');
    if (Buffer.byteLength(content, 'utf8') > MAX_DOCUMENT_BYTES) throw new ApiError('MaxDocumentSizeExceeded', 'The size limit of a document is 64 KB.');
    const fmt = format === 'YAML' ? 'YAML' : format === undefined || format === 'JSON' ? 'JSON' : undefined;
    if (!fmt)
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value '${String(format)}' at 'documentFormat' failed to satisfy constraint: Member must satisfy enum value set: [YAML, JSON, TEXT]`,
      );
    let doc: Runbook;
    try {
      doc = (fmt === 'YAML' ? parseYaml(content) : JSON.parse(content)) as Runbook;
    } catch (err) {
      throw new ApiError('InvalidDocumentContent', `The content for the document is not valid ${fmt}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!doc || typeof doc !== 'object') throw new ApiError('InvalidDocumentContent', 'The content for the document is not valid.');
    if (doc.schemaVersion !== '0.3')
      throw new ApiError('InvalidDocumentSchemaVersion', `Document schema version, ${String(doc.schemaVersion)}, is not supported for Automation documents.`);
    const problems = runbookProblems(doc, content);
    if (problems.length) throw new ApiError('InvalidDocumentContent', problems.join('; '));
    return { doc, format: fmt };
  }

  private find(c: AutomationContext, name: unknown, code = 'InvalidDocument'): StoredDocument {
    const d = typeof name === 'string' ? this.documents.get(this.key(c.account, c.region, name)) : undefined;
    if (!d) throw new ApiError(code, code === 'InvalidDocument' ? 'The specified document does not exist.' : `Document ${String(name)} does not exist.`);
    return d;
  }

  private version(d: StoredDocument, v: unknown, code = 'InvalidDocumentVersion'): DocVersion {
    if (v === undefined || v === '$DEFAULT') return d.versions.find((x) => x.version === d.defaultVersion)!;
    if (v === '$LATEST') return d.versions.at(-1)!;
    const found = d.versions.find((x) => String(x.version) === String(v));
    if (!found) throw new ApiError(code, 'The document version is not valid or does not exist.');
    return found;
  }

  private description(d: StoredDocument, v: DocVersion): Record<string, unknown> {
    return {
      Name: d.name,
      Owner: d.account,
      Hash: v.hash,
      HashType: 'Sha256',
      CreatedDate: v.createdAt / 1000,
      Status: 'Active',
      DocumentVersion: String(v.version),
      Description: v.doc.description,
      Parameters: Object.entries(v.doc.parameters ?? {}).map(([Name, p]) => ({
        Name,
        Type: p.type,
        Description: p.description,
        ...(p.default === undefined ? {} : { DefaultValue: String(p.default) }),
      })),
      PlatformTypes: ['Windows', 'Linux', 'MacOS'],
      DocumentType: 'Automation',
      SchemaVersion: '0.3',
      LatestVersion: String(d.versions.at(-1)!.version),
      DefaultVersion: String(d.defaultVersion),
      DocumentFormat: v.format,
    };
  }

  readonly handlers: Record<string, Handler> = {
    CreateDocument: (c) => {
      const name = c.body.Name;
      if (typeof name !== 'string' || !DOCUMENT_NAME.test(name))
        throw new ApiError(
          'ValidationException',
          `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$`,
        );
      if (RESERVED_PREFIXES.some((p) => name.toLowerCase().startsWith(p)))
        throw new ApiError('ValidationException', `Document name ${name} must not start with a reserved prefix (aws-, amazon, amzn).`);
      if (c.body.DocumentType !== 'Automation')
        throw new ApiError('InvalidDocumentContent', 'The emulator models Automation documents only through CreateDocument (DocumentType: Automation).');
      if (this.documents.has(this.key(c.account, c.region, name))) throw new ApiError('DocumentAlreadyExists', 'The specified document already exists.');
      const { doc, format } = this.parseContent(c.body.Content, c.body.DocumentFormat);
      const v: DocVersion = { version: 1, content: c.body.Content as string, format, doc, createdAt: c.now, hash: sha256(c.body.Content as string) };
      const d: StoredDocument = { name, account: c.account, region: c.region, versions: [v], defaultVersion: 1 };
      this.documents.set(this.key(c.account, c.region, name), d);
      return { DocumentDescription: this.description(d, v) };
    },
    UpdateDocument: (c) => {
      const d = this.find(c, c.body.Name);
      const requested = c.body.DocumentVersion ?? '$LATEST';
      if (requested !== '$LATEST' && String(requested) !== String(d.versions.at(-1)!.version))
        throw new ApiError('InvalidDocumentVersion', 'The document version is not valid or does not exist.');
      const { doc, format } = this.parseContent(c.body.Content, c.body.DocumentFormat ?? 'JSON');
      const hash = sha256(c.body.Content as string);
      if (d.versions.some((v) => v.hash === hash))
        throw new ApiError(
          'DuplicateDocumentContent',
          'The content of the association document matches another document. Change the content of the document and try again.',
        );
      if (d.versions.length >= 1000)
        throw new ApiError('DocumentVersionLimitExceeded', 'The document has too many versions. Delete one or more document versions and try again.');
      const v: DocVersion = { version: d.versions.at(-1)!.version + 1, content: c.body.Content as string, format, doc, createdAt: c.now, hash };
      d.versions.push(v);
      return { DocumentDescription: this.description(d, v) };
    },
    UpdateDocumentDefaultVersion: (c) => {
      const d = this.find(c, c.body.Name);
      const v = this.version(d, c.body.DocumentVersion);
      d.defaultVersion = v.version;
      return { Description: { Name: d.name, DefaultVersion: String(v.version) } };
    },
    GetDocument: (c) => {
      const d = this.find(c, c.body.Name);
      const v = this.version(d, c.body.DocumentVersion);
      return {
        Name: d.name,
        DocumentVersion: String(v.version),
        Status: 'Active',
        Content: v.content,
        DocumentType: 'Automation',
        DocumentFormat: v.format,
        CreatedDate: v.createdAt / 1000,
      };
    },
    DescribeDocument: (c) => {
      const d = this.find(c, c.body.Name);
      return { Document: this.description(d, this.version(d, c.body.DocumentVersion)) };
    },
    DeleteDocument: (c) => {
      const d = this.find(c, c.body.Name);
      if (c.body.DocumentVersion !== undefined) {
        const v = this.version(d, c.body.DocumentVersion);
        if (v.version === d.defaultVersion)
          throw new ApiError('InvalidDocumentOperation', 'You attempted to delete the default version of a document. Change the default version first.');
        d.versions = d.versions.filter((x) => x !== v);
      } else {
        this.documents.delete(this.key(c.account, c.region, d.name));
      }
      return {};
    },
    StartAutomationExecution: (c) => {
      const name = c.body.DocumentName;
      const d = typeof name === 'string' ? this.documents.get(this.key(c.account, c.region, name)) : undefined;
      if (!d) throw new ApiError('AutomationDefinitionNotFoundException', `Document with name ${String(name)} does not exist.`);
      const v = this.version(d, c.body.DocumentVersion, 'AutomationDefinitionVersionNotFoundException');
      const given = (c.body.Parameters ?? {}) as Record<string, unknown>;
      const declared = v.doc.parameters ?? {};
      const params: Record<string, string[]> = {};
      for (const [k, value] of Object.entries(given)) {
        if (!(k in declared)) throw new ApiError('InvalidAutomationExecutionParametersException', `Parameter "${k}" is not defined in the document.`);
        const list = Array.isArray(value) ? value.map(String) : [String(value)];
        if (list.some((x) => x.length > MAX_PARAMETER_VALUE_CHARS))
          throw new ApiError(
            'InvalidAutomationExecutionParametersException',
            `Parameter "${k}" has a value longer than ${MAX_PARAMETER_VALUE_CHARS} characters.`,
          );
        // Automation checks every value against the parameter's allowedPattern (a regular expression) before the run starts.
        const pattern = (declared[k] as { allowedPattern?: unknown }).allowedPattern;
        const bad = typeof pattern === 'string' ? list.find((x) => !new RegExp(pattern).test(x)) : undefined;
        if (bad !== undefined)
          throw new ApiError(
            'InvalidAutomationExecutionParametersException',
            `Parameter "${k}" value "${bad}" does not match the allowed pattern ${String(pattern)}.`,
          );
        params[k] = list;
      }
      for (const [k, p] of Object.entries(declared)) {
        if (params[k]) continue;
        if (p.default === undefined) throw new ApiError('InvalidAutomationExecutionParametersException', `Parameter "${k}" is required but not supplied.`);
        params[k] = Array.isArray(p.default) ? p.default.map(String) : [String(p.default)];
      }
      const e: Execution = {
        id: randomUUID(),
        account: c.account,
        region: c.region,
        documentName: d.name,
        documentVersion: v.version,
        doc: v.doc,
        parameters: params,
        status: 'Pending',
        startedAt: c.now,
        steps: [],
        outputs: {},
        abort: new AbortController(),
      };
      this.executions.set(e.id, e);
      void this.run(e);
      return { AutomationExecutionId: e.id };
    },
    GetAutomationExecution: (c) => {
      const e = this.execution(c);
      return {
        AutomationExecution: {
          AutomationExecutionId: e.id,
          DocumentName: e.documentName,
          DocumentVersion: String(e.documentVersion),
          ExecutionStartTime: e.startedAt / 1000,
          ...(e.endedAt ? { ExecutionEndTime: e.endedAt / 1000 } : {}),
          AutomationExecutionStatus: e.status,
          StepExecutions: e.steps.map(stepJson),
          StepExecutionsTruncated: false,
          Parameters: e.parameters,
          Outputs: e.outputs,
          ...(e.failureMessage ? { FailureMessage: e.failureMessage } : {}),
          Mode: 'Auto',
          ...(e.current ? { CurrentStepName: e.current, CurrentAction: e.doc.mainSteps.find((s) => s.name === e.current)?.action } : {}),
        },
      };
    },
    DescribeAutomationExecutions: (c) => {
      const filters = (c.body.Filters ?? []) as { Key: string; Values: string[] }[];
      const rows = [...this.executions.values()]
        .filter((e) => e.account === c.account && e.region === c.region)
        .filter((e) =>
          filters.every((f) => {
            if (f.Key === 'ExecutionId') return f.Values.includes(e.id);
            if (f.Key === 'DocumentNamePrefix') return f.Values.some((v) => e.documentName.startsWith(v));
            if (f.Key === 'ExecutionStatus') return f.Values.includes(e.status);
            throw new ApiError('InvalidFilterKey', `The filter key ${f.Key} is not modelled by the emulator.`);
          }),
        );
      return {
        AutomationExecutionMetadataList: rows.map((e) => ({
          AutomationExecutionId: e.id,
          DocumentName: e.documentName,
          DocumentVersion: String(e.documentVersion),
          AutomationExecutionStatus: e.status,
          ExecutionStartTime: e.startedAt / 1000,
          ...(e.endedAt ? { ExecutionEndTime: e.endedAt / 1000 } : {}),
          Outputs: e.outputs,
          Mode: 'Auto',
          AutomationType: 'Local',
          ...(e.current ? { CurrentStepName: e.current } : {}),
          ...(e.failureMessage ? { FailureMessage: e.failureMessage } : {}),
        })),
      };
    },
    DescribeAutomationStepExecutions: (c) => ({ StepExecutions: this.execution(c).steps.map(stepJson) }),
    StopAutomationExecution: (c) => {
      const e = this.execution(c);
      if (TERMINAL.has(e.status) || e.status === 'Cancelling')
        throw new ApiError('InvalidAutomationStatusUpdateException', `The execution ${e.id} is ${e.status} and cannot be stopped.`);
      e.status = 'Cancelling';
      e.abort.abort();
      return {};
    },
  };

  private execution(c: AutomationContext): Execution {
    const e = this.executions.get(String(c.body.AutomationExecutionId));
    if (!e || e.account !== c.account || e.region !== c.region)
      throw new ApiError('AutomationExecutionNotFoundException', `Automation Execution ${String(c.body.AutomationExecutionId)} does not exist.`);
    return e;
  }

  // ---- the engine -------------------------------------------------------

  private clients(e: Execution, region = e.region) {
    const a = this.o.accounts.find((x) => x.accountId === e.account)!;
    const common = { endpoint: this.o.endpoint, region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 5 };
    return { ec2: new Ec2.EC2Client(common), ssm: new Ssm.SSMClient(common) };
  }

  /** Real milliseconds for simulated seconds. */
  private ms(seconds: number): number {
    return Math.max(1, seconds * 1000 * this.o.timeScale);
  }

  private async sleep(e: Execution, seconds: number, signal: AbortSignal, floorMs = 5): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => (clearTimeout(t), reject(this.aborted(e)));
      const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), Math.max(floorMs, this.ms(seconds)));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async run(e: Execution): Promise<void> {
    e.status = 'InProgress';
    const steps = e.doc.mainSteps;
    const byName = new Map(steps.map((s, i) => [s.name, i]));
    let failed = false;
    let cancelled = false;
    let i: number | undefined = 0;
    const values = new Map<string, unknown>();
    try {
      for (const [k, v] of Object.entries(e.parameters)) values.set(k, await this.resolveSsm(e, v));
    } catch (err) {
      return this.finish(e, 'Failed', `Parameter resolution failed: ${(err as Error).message}`);
    }
    while (i !== undefined && i < steps.length) {
      const s: RunbookStep = steps[i]!;
      const rec: StepRecord = {
        StepExecutionId: randomUUID(),
        StepName: s.name,
        Action: s.action,
        StepStatus: 'InProgress',
        ExecutionStartTime: Date.now() / 1000,
        Inputs: {},
        Outputs: {},
        ...(s.onFailure ? { OnFailure: s.onFailure } : {}),
        ...(s.isEnd ? { IsEnd: true } : {}),
        ...(s.nextStep ? { NextStep: s.nextStep } : {}),
        MaxAttempts: s.maxAttempts ?? 1,
        TimeoutSeconds: s.timeoutSeconds ?? 0,
      };
      e.steps.push(rec);
      e.current = s.name;
      let outcome: 'success' | 'failure' | 'cancel' = 'success';
      const alreadyCancelling = e.status === 'Cancelling';
      for (let attempt = 1; attempt <= (s.maxAttempts ?? 1); attempt++) {
        const stepAbort = new AbortController();
        const onCancel = () => stepAbort.abort();
        if (!alreadyCancelling) e.abort.signal.addEventListener('abort', onCancel, { once: true });
        const timer = s.timeoutSeconds
          ? setTimeout(() => stepAbort.abort(), this.ms(s.timeoutSeconds) + (s.action === 'aws:executeScript' ? SCRIPT_START_MS : 0))
          : undefined;
        try {
          const inputs = this.substitute(s.inputs, values, e) as Record<string, unknown>;
          rec.Inputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, JSON.stringify(v)]));
          const outputs = await this.act(e, s, inputs, stepAbort.signal);
          for (const [k, v] of Object.entries(outputs)) {
            values.set(`${s.name}.${k}`, v);
            rec.Outputs[k] = Array.isArray(v) ? v.map(String) : [String(v)];
          }
          rec.StepStatus = 'Success';
          outcome = 'success';
          break;
        } catch (err) {
          const f = err instanceof StepFailure ? err : new StepFailure((err as Error).message);
          rec.StepStatus = f.status;
          rec.FailureMessage = f.message;
          outcome = f.status === 'Cancelled' ? 'cancel' : 'failure';
          if (outcome === 'cancel') break;
        } finally {
          if (timer) clearTimeout(timer);
          e.abort.signal.removeEventListener('abort', onCancel);
        }
      }
      rec.ExecutionEndTime = Date.now() / 1000;
      const after: number | undefined = s.isEnd ? undefined : s.nextStep !== undefined ? byName.get(s.nextStep) : i + 1;
      const route = (v: string | undefined): number | undefined => (v?.startsWith('step:') ? byName.get(v.slice(5)) : v === 'Continue' ? after : undefined);
      if (outcome === 'success') i = after;
      else if (outcome === 'failure') {
        if (s.isCritical !== false && s.onFailure !== 'Continue') failed = true;
        e.failureMessage ??= `Step ${s.name} failed: ${rec.FailureMessage}`;
        i = route(s.onFailure);
      } else {
        cancelled = true;
        i = s.action === 'aws:runInstances' || s.action === 'aws:createImage' ? undefined : route(s.onCancel);
      }
    }
    e.current = undefined;
    this.finish(e, cancelled ? 'Cancelled' : failed ? 'Failed' : 'Success');
    for (const o of e.doc.outputs ?? []) {
      const v = values.get(o);
      if (v !== undefined) e.outputs[o] = Array.isArray(v) ? v.map(String) : [String(v)];
    }
  }

  private finish(e: Execution, status: string, message?: string): void {
    e.status = status;
    e.endedAt = Date.now();
    if (message) e.failureMessage = message;
  }

  private async resolveSsm(e: Execution, v: string[]): Promise<unknown> {
    const out: string[] = [];
    for (const x of v) {
      const m = /^\{\{\s*ssm:([^}\s]+)\s*\}\}$/.exec(x);
      if (!m) {
        out.push(x);
        continue;
      }
      const r = await this.clients(e).ssm.send(new Ssm.GetParameterCommand({ Name: m[1] }));
      out.push(r.Parameter!.Value!);
    }
    return out.length === 1 ? out[0] : out;
  }

  /** `{{ X }}` substitution: a string that is one placeholder takes the value as it is (a list stays a list, flattened into a list around it). */
  private substitute(v: unknown, values: Map<string, unknown>, e: Execution): unknown {
    const lookup = (name: string): unknown => {
      if (name === 'automation:EXECUTION_ID') return e.id;
      if (name === 'global:DATE_TIME') return new Date().toISOString().replace('T', '_').replace(/:/g, '.').slice(0, 19);
      if (name === 'global:DATE') return new Date().toISOString().slice(0, 10);
      if (name === 'global:ACCOUNT_ID') return e.account;
      if (name === 'global:REGION') return e.region;
      if (!values.has(name)) throw new StepFailure(`The value of {{ ${name} }} is not available.`);
      return values.get(name);
    };
    if (typeof v === 'string') {
      const whole = /^\{\{\s*([A-Za-z0-9_.:]+)\s*\}\}$/.exec(v);
      if (whole) return lookup(whole[1]!);
      return v.replace(/\{\{\s*([A-Za-z0-9_.:]+)\s*\}\}/g, (_m, n: string) => {
        const x = lookup(n);
        return Array.isArray(x) ? x.join(',') : String(x);
      });
    }
    if (Array.isArray(v))
      return v.flatMap((x) => {
        const r = this.substitute(x, values, e);
        return Array.isArray(r) && typeof x === 'string' ? r : [r];
      });
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.substitute(x, values, e)]));
    return v;
  }

  private async call(e: Execution, service: string, api: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const c = this.clients(e);
    const mod = (service === 'ec2' ? Ec2 : service === 'ssm' ? Ssm : undefined) as Record<string, unknown> | undefined;
    const Cmd = mod?.[`${api}Command`] as (new (input: unknown) => never) | undefined;
    if (!Cmd) throw new StepFailure(`The emulator models aws:executeAwsApi for ec2 and ssm only, not ${service}.${api}.`);
    const client = (service === 'ec2' ? c.ec2 : c.ssm) as unknown as { send(cmd: unknown, o: { abortSignal: AbortSignal }): Promise<Record<string, unknown>> };
    // Automation's own actions ride out EC2's eventual consistency (an instance it launched a moment ago answering
    // NotFound) the way AWS's engine does: a NotFound is retried for a while before the step fails with it.
    const until = Date.now() + NOT_FOUND_RETRY_MS;
    for (;;) {
      try {
        return await client.send(new Cmd(params), { abortSignal: signal });
      } catch (err) {
        if (signal.aborted) throw this.aborted(e);
        if (/NotFound$/.test((err as Error).name) && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        throw new StepFailure(`${service}.${api} failed: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
  }

  private aborted(e: Execution): StepFailure {
    return e.status === 'Cancelling' ? new StepFailure('Step cancelled', 'Cancelled') : new StepFailure('Step timed out', 'TimedOut');
  }

  private async poll(e: Execution, signal: AbortSignal, check: () => Promise<boolean>, intervalSeconds = 5): Promise<void> {
    for (let n = 0; ; n++) {
      if (signal.aborted) throw this.aborted(e);
      if (await check()) return;
      // However small the time scale, a long wait settles at 20 polls a second (5, 10, 20, 40 then 50 ms apart):
      // the EC2 and SSM buckets refill in real time.
      await this.sleep(e, intervalSeconds, signal, Math.min(50, 5 * 2 ** n)).catch(() => {
        throw this.aborted(e);
      });
    }
  }

  private async act(e: Execution, s: RunbookStep, inputs: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const first = (v: unknown) => (Array.isArray(v) ? String(v[0]) : String(v));
    switch (s.action) {
      case 'aws:runInstances': {
        const r = await this.call(e, 'ec2', 'RunInstances', runInstancesRequest(inputs), signal);
        const ids = ((r.Instances as { InstanceId: string }[]) ?? []).map((x) => x.InstanceId);
        await this.poll(e, signal, async () => this.states(e, ids, signal).then((st) => st.every((x) => x === 'running')));
        return { InstanceIds: ids };
      }
      case 'aws:changeInstanceState': {
        const ids = (inputs.InstanceIds as string[]).map(String);
        const desired = String(inputs.DesiredState);
        if (!inputs.CheckStateOnly) {
          const api =
            desired === 'running' ? 'StartInstances' : desired === 'stopped' ? 'StopInstances' : desired === 'terminated' ? 'TerminateInstances' : undefined;
          if (!api) throw new StepFailure(`DesiredState ${desired} is not modelled.`);
          await this.call(e, 'ec2', api, { InstanceIds: ids }, signal);
        }
        await this.poll(e, signal, async () => (await this.states(e, ids, signal)).every((x) => x === desired));
        return {};
      }
      case 'aws:createImage': {
        const r = await this.call(e, 'ec2', 'CreateImage', { ...createImageRequest(inputs), InstanceId: first(inputs.InstanceId) }, signal);
        const id = String(r.ImageId);
        let state = 'pending';
        await this.poll(e, signal, async () => {
          const d = await this.call(e, 'ec2', 'DescribeImages', { ImageIds: [id] }, signal);
          state = String((d.Images as { State: string }[])[0]?.State);
          if (state === 'failed') throw new StepFailure(`Image ${id} failed.`);
          return state === 'available';
        });
        return { ImageId: id, ImageState: state };
      }
      case 'aws:createTags':
        await this.call(e, 'ec2', 'CreateTags', { Resources: inputs.ResourceIds, Tags: inputs.Tags }, signal);
        return {};
      case 'aws:executeAwsApi': {
        const { Service, Api, ...params } = inputs;
        const r = await this.call(e, String(Service), String(Api), params, signal);
        return Object.fromEntries((s.outputs ?? []).map((o) => [o.Name, select(r, o.Selector)]));
      }
      case 'aws:assertAwsResourceProperty':
      case 'aws:waitForAwsResourceProperty': {
        const { Service, Api, PropertySelector, DesiredValues, ...params } = inputs;
        const desired = (DesiredValues as unknown[]).map(String);
        let seen: unknown;
        const check = async () => {
          seen = select(await this.call(e, String(Service), String(Api), params, signal), String(PropertySelector));
          return desired.includes(String(seen));
        };
        if (s.action === 'aws:assertAwsResourceProperty') {
          if (!(await check()))
            throw new StepFailure(
              `The property ${String(PropertySelector)} is ${JSON.stringify(seen)}, not one of the desired values ${JSON.stringify(desired)}.`,
            );
        } else await this.poll(e, signal, check);
        return {};
      }
      case 'aws:runCommand': {
        const ids = (inputs.InstanceIds as string[]).map(String);
        const r = await this.call(
          e,
          'ssm',
          'SendCommand',
          {
            DocumentName: inputs.DocumentName,
            InstanceIds: ids,
            Parameters: inputs.Parameters,
            ...(inputs.TimeoutSeconds ? { TimeoutSeconds: inputs.TimeoutSeconds } : {}),
          },
          signal,
        );
        const commandId = String((r.Command as { CommandId: string }).CommandId);
        const statuses: Record<string, { Status?: string; StandardOutputContent?: string; StandardErrorContent?: string; ResponseCode?: number }> = {};
        try {
          await this.poll(
            e,
            signal,
            async () => {
              for (const id of ids) {
                const inv = await this.call(e, 'ssm', 'GetCommandInvocation', { CommandId: commandId, InstanceId: id }, signal).catch((err: StepFailure) => {
                  if (/InvocationDoesNotExist/.test(err.message)) return { Status: 'Pending' };
                  throw err;
                });
                statuses[id] = inv as never;
              }
              return ids.every((id) => ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(String(statuses[id]?.Status)));
            },
            2,
          );
        } catch (err) {
          // The command goes with the step.
          await this.call(e, 'ssm', 'CancelCommand', { CommandId: commandId }, new AbortController().signal).catch(() => undefined);
          throw err;
        }
        const bad = ids.filter((id) => statuses[id]?.Status !== 'Success');
        if (bad.length)
          throw new StepFailure(
            `Step fails when it is Poll action status for commandId ${commandId}. The command failed on ${bad.map((id) => `${id} (${statuses[id]?.Status}, exit ${statuses[id]?.ResponseCode}): ${(statuses[id]?.StandardOutputContent ?? '').slice(-500)} ${(statuses[id]?.StandardErrorContent ?? '').slice(0, 600)}`).join('; ')}`,
          );
        return { CommandId: commandId, Status: 'Success', Output: String(statuses[ids[0]!]?.StandardOutputContent ?? '').slice(0, 2500) };
      }
      case 'aws:executeScript': {
        const result = { Payload: await this.python(e, inputs, signal) };
        return { ...result, ...Object.fromEntries((s.outputs ?? []).map((o) => [o.Name, select(result, o.Selector)])) };
      }
      default:
        throw new StepFailure(`The action ${s.action} is not modelled.`);
    }
  }

  private async states(e: Execution, ids: string[], signal: AbortSignal): Promise<string[]> {
    const r = await this.call(e, 'ec2', 'DescribeInstances', { InstanceIds: ids }, signal);
    const all = ((r.Reservations as { Instances: { InstanceId: string; State: { Name: string } }[] }[]) ?? []).flatMap((x) => x.Instances);
    return ids.map((id) => all.find((x) => x.InstanceId === id)?.State.Name ?? 'missing');
  }

  /**
   * aws:executeScript with Runtime python3.x: the script runs in a local Python (a warm one, python-scripts.ts)
   * with boto3 pointed at the emulator as the execution's caller; its sleeps run at the emulator's time scale.
   */
  private async python(e: Execution, inputs: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    if (!/^python3\.\d+$/.test(String(inputs.Runtime))) throw new StepFailure(`Runtime ${String(inputs.Runtime)} is not modelled.`);
    const a = this.o.accounts.find((x) => x.accountId === e.account)!;
    let out: ScriptOutcome;
    try {
      out = await this.scripts.run(
        {
          script: String(inputs.Script),
          handler: String(inputs.Handler),
          payload: inputs.InputPayload ?? {},
          env: {
            AWS_ENDPOINT_URL: this.o.endpoint,
            AWS_ACCESS_KEY_ID: a.accessKeyId,
            AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
            AWS_DEFAULT_REGION: e.region,
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_MAX_ATTEMPTS: '5',
          },
          timeScale: this.o.timeScale,
        },
        signal,
      );
    } catch (err) {
      if (signal.aborted) throw this.aborted(e);
      throw new StepFailure(`python3 could not run the script: ${(err as Error).message}`);
    }
    if (signal.aborted) throw this.aborted(e);
    if (!out.ok) throw new StepFailure(`The script failed: ${out.error.trim().split('\n').slice(-1)[0]}`);
    return out.result;
  }

  /** End the warm Python interpreters (the emulator stops). */
  close(): void {
    this.reset();
    this.scripts.close();
  }
}

function stepJson(r: StepRecord): Record<string, unknown> {
  return { ...r };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The JSONPath subset runbooks use: `$.A.B[0].C`. */
export function select(obj: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new StepFailure(`PropertySelector ${path} must start with $.`);
  let v: unknown = obj;
  for (const part of path.slice(1).match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    if (v === null || v === undefined) return undefined;
    v = part.startsWith('[') ? (v as unknown[])[Number(part.slice(1, -1))] : (v as Record<string, unknown>)[part.slice(1)];
  }
  return v;
}
