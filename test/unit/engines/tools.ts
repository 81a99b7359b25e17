/** External validators for exported documents: botocore's API models, cfn-lint, packer. */
import { spawnSync } from 'node:child_process';

/** One API request to check against botocore's model. */
export interface ModelRequest {
  label: string;
  service: string;
  operation: string;
  params: Record<string, unknown>;
}

const VALIDATE_PY = `
import json, sys
import botocore.session
from botocore.validate import ParamValidator
session = botocore.session.get_session()
out = {}
def limits(shape, value, path, errs):
    t = shape.type_name
    m = shape.metadata
    if t == 'string' and isinstance(value, str):
        if 'max' in m and len(value) > m['max']:
            errs.append('%s: length %d exceeds max %d' % (path, len(value), m['max']))
    elif t == 'list' and isinstance(value, list):
        if 'max' in m and len(value) > m['max']:
            errs.append('%s: %d items exceed max %d' % (path, len(value), m['max']))
        for i, v in enumerate(value):
            limits(shape.member, v, '%s[%d]' % (path, i), errs)
    elif t == 'structure' and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                limits(shape.members[k], v, path + '.' + k, errs)
    elif t == 'map' and isinstance(value, dict):
        if 'max' in m and len(value) > m['max']:
            errs.append('%s: %d entries exceed max %d' % (path, len(value), m['max']))
        for k, v in value.items():
            limits(shape.value, v, path + '.' + k, errs)
for r in json.load(sys.stdin):
    model = session.get_service_model(r['service'])
    op = model.operation_model(r['operation'])
    errs = []
    report = ParamValidator().validate(r['params'], op.input_shape)
    if report.has_errors():
        errs.append(report.generate_report())
    limits(op.input_shape, r['params'], r['operation'], errs)
    out[r['label']] = errs
print(json.dumps(out))
`;

/** Problems per request label (empty lists when valid); `undefined` when botocore is not installed. */
export function botocoreProblems(requests: ModelRequest[]): Record<string, string[]> | undefined {
  const r = spawnSync('python3', ['-c', VALIDATE_PY], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    if (/No module named 'botocore'/.test(r.stderr) || r.error) return undefined;
    throw new Error(`botocore validation crashed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as Record<string, string[]>;
}

/** cfn-lint's findings for a template file; `undefined` when cfn-lint is not on PATH. */
export function cfnLint(path: string): string | undefined {
  const r = spawnSync('cfn-lint', ['--format', 'parseable', '--', path], { encoding: 'utf8', timeout: 180_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  return `${r.stdout}${r.stderr}`.trim();
}

/** `packer version`, or `undefined` when there is no packer binary. */
export function packerVersion(): string | undefined {
  const r = spawnSync('packer', ['version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return undefined;
  return /Packer v(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1];
}

/** `packer validate` of a file: exit status and output. */
export function packerValidate(dir: string, file: string): { status: number | null; output: string } {
  const r = spawnSync('packer', ['validate', file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
