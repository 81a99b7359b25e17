/** The model of a `windowsUpdate` customize step's script (templates/scripts/customize-windows-update.ps1.hbs). */
import type { CustomizeStep } from '../config/schema.js';
import { updateSearchCriteria } from '../knowledge/windows-update.js';
import { STATE_DIR } from './model.js';

type WindowsUpdateConfig = Extract<CustomizeStep, { windowsUpdate: unknown }>['windowsUpdate'];

/**
 * Criteria, filters and the state files one step keeps across its reboots:
 * the rounds done so far and the log of every KB's result, which the last
 * run prints so the step's output lists the updates of every round.
 */
export function windowsUpdateModel(index: number, name: string, nn: string, wu: WindowsUpdateConfig): Record<string, unknown> {
  return {
    index,
    name,
    criteria: updateSearchCriteria(wu.categories),
    severities: wu.severities ?? [],
    include: wu.include,
    exclude: wu.exclude,
    maxRounds: wu.maxRounds,
    // One pass more than the rounds allowed, so the last pass can find updates still left and fail.
    passes: Array.from({ length: wu.maxRounds + 1 }, (_, i) => i + 1),
    stateDir: STATE_DIR,
    roundsFile: `${STATE_DIR}\\windows-update-${nn}.rounds`,
    logFile: `${STATE_DIR}\\windows-update-${nn}.log`,
    wsus: wu.wsus ? { server: wu.wsus.server, targetGroup: wu.wsus.targetGroup ?? null, removePolicy: !wu.wsus.keepPolicy } : null,
  };
}
