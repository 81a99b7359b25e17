/** `winami schema`: print the config's JSON Schema, as shipped in the package. */
import type { CliCommand } from '../command.js';
import { runCommand } from '../command.js';
import { ExitCode } from '../../errors.js';

export const schemaCommand: CliCommand = {
  command: 'schema',
  describe: "Print the config's JSON Schema (for editors: winami schema > winami.schema.json)",
  builder: (y) => y.example('$0 schema > winami.schema.json', 'Write the schema beside your configs'),
  run: (args) =>
    runCommand(args, async () => {
      const { configSchemaText } = await import('../../init.js');
      process.stdout.write(configSchemaText());
      return ExitCode.OK;
    }),
};
