/**
 * The updates a `windowsUpdate` step installed, read back from its output:
 * the step's script prints one `WINAMI windowsUpdate kb=…` line per update
 * and round (templates/scripts/customize-windows-update.ps1.hbs).
 */

/** One update's outcome as the step reported it. */
export interface WindowsUpdateOutcome {
  kb: string;
  round: number;
  /** OperationResultCode name: Succeeded, SucceededWithErrors, Failed, Aborted … */
  result: string;
  /** `0x` and eight hex digits. */
  hresult: string;
  title: string;
}

const LINE = /^WINAMI windowsUpdate kb=(KB\d+) round=(\d+) result=(\w+) hresult=(0x[0-9A-Fa-f]{8}) title=(.*)$/;

/** Each update once (the last line about it wins: the step prints its log again when it ends). */
export function windowsUpdateOutcomes(stdout: string): WindowsUpdateOutcome[] {
  const byKb = new Map<string, WindowsUpdateOutcome>();
  for (const line of stdout.split(/\r?\n/)) {
    const m = LINE.exec(line.trim());
    if (m) byKb.set(m[1]!, { kb: m[1]!, round: Number(m[2]), result: m[3]!, hresult: m[4]!, title: m[5]! });
  }
  return [...byKb.values()].sort((a, b) => a.round - b.round || a.kb.localeCompare(b.kb));
}
