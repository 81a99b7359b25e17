/**
 * Linter benchmark: precision and recall over the seeded mutation corpus, and
 * the time to lint a 30 kB answer file (median of timed runs after warm-up).
 */
import { lintText } from '../src/lint/index.js';
import { buildCorpus, evaluateCorpus, validFixtures } from '../test/unit/lint/mutants.js';

/** The Packer-style fixture grown to `bytes` with more (distinct) FirstLogonCommands. */
export function largeAnswerFile(bytes = 30 * 1024): string {
  const base = validFixtures().find((f) => f.name === 'packer-autounattend.xml')?.text ?? '';
  const anchor = '</FirstLogonCommands>';
  let extra = '';
  for (let order = 3; base.length + extra.length < bytes; order++) {
    extra += `        <SynchronousCommand wcm:action="add">\n          <CommandLine>powershell -NoProfile -Command "Write-Output step ${order}"</CommandLine>\n          <Description>Step ${order}</Description>\n          <Order>${order}</Order>\n        </SynchronousCommand>\n`;
  }
  return base.replace(anchor, `${extra}      ${anchor}`);
}

export async function run(): Promise<Record<string, unknown>> {
  const corpus = buildCorpus();
  const quality = evaluateCorpus(corpus);
  const text = largeAnswerFile();
  const options = { kind: 'unattend' as const, allowPlaceholders: true, architecture: 'amd64' as const };
  const errors = lintText(text, options).filter((f) => f.severity === 'error').length;
  for (let i = 0; i < 20; i++) lintText(text, options);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = process.hrtime.bigint();
    lintText(text, options);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? NaN;
  const p95 = times[Math.floor(times.length * 0.95)] ?? NaN;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    summary: `recall ${(quality.recall * 100).toFixed(1)}% (${quality.caught}/${quality.bad}), precision ${(quality.precision * 100).toFixed(1)}% (${quality.falseAlarms} false alarms in ${quality.neutral} harmless edits), ${r(median)} ms median per ${Math.round(text.length / 1024)} kB file`,
    mutants: { bad: quality.bad, caught: quality.caught, neutral: quality.neutral, falseAlarms: quality.falseAlarms, byClass: quality.byClass },
    precision: r(quality.precision),
    recall: r(quality.recall),
    largeFile: { bytes: text.length, errorFindings: errors, runs: times.length, warmupRuns: 20, medianMs: r(median), p95Ms: r(p95), minMs: r(times[0] ?? NaN) },
  };
}
