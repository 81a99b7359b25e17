/**
 * Every CLI command, in the order `winami --help` lists them. Each module only
 * declares options at load time; its library imports happen inside `run`.
 */
import type { CliCommand } from '../command.js';
import { initCommand } from './init.js';
import { schemaCommand } from './schema.js';
import { emulatorCommand } from './emulator.js';
import { prepareCommand } from './prepare.js';
import { lintCommand } from './lint.js';
import { verifyCommand } from './verify.js';
import { registerCommand } from './register.js';
import { discardCommand } from './discard.js';
import { pruneCommand } from './prune.js';
import { copyCommand } from './copy.js';
import { auditCommand } from './audit.js';
import { bakeCommand } from './bake.js';
import { cleanupCommand } from './cleanup.js';
import { iamPolicyCommand } from './iam-policy.js';
import { exportCommand } from './export.js';

export const COMMANDS: CliCommand[] = [
  initCommand,
  prepareCommand,
  lintCommand,
  verifyCommand,
  registerCommand,
  discardCommand,
  pruneCommand,
  copyCommand,
  auditCommand,
  bakeCommand,
  cleanupCommand,
  iamPolicyCommand,
  exportCommand,
  schemaCommand,
  emulatorCommand,
];
