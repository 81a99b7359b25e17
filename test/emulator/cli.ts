/**
 * `npm run emulator -- --port 4566 [--time-scale N] [--seed <file>] [--no-throttling]`:
 * runs the emulator until SIGINT/SIGTERM.
 */
import { startEmulator } from './index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

const port = Number(arg('--port') ?? 4566);
const timeScale = Number(arg('--time-scale') ?? 1);
const seed = arg('--seed');
const emu = await startEmulator({
  port,
  timeScale,
  throttling: !process.argv.includes('--no-throttling'),
  ...(seed ? { seed } : {}),
});
process.stdout.write(`listening on ${emu.endpoint}\n`);
const stop = () => {
  void emu.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
