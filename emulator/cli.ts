/**
 * `npm run emulator -- --port 4566 [--time-scale N] [--seed <file>] [--no-throttling] [--consistency-window-ms N]`
 * (the same as `winami emulator …`): runs the emulator until SIGINT/SIGTERM. Prints
 * `listening on http://127.0.0.1:<port>` once it accepts calls.
 */
import { runEmulatorCommand } from './command.js';

process.exit(await runEmulatorCommand(process.argv.slice(2)));
