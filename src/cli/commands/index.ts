/**
 * Every CLI command, in the order `winami --help` lists them. Each module only
 * declares options at load time; its library imports happen inside `run`.
 */
import type { CliCommand } from '../command.js';
import { prepareCommand } from './prepare.js';

export const COMMANDS: CliCommand[] = [prepareCommand];
