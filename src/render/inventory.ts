/** The model of the inventory script (templates/scripts/inventory.ps1.hbs). */
import type { ResolvedConfig } from '../config/types.js';
import { AGENT_PATHS } from '../knowledge/releases.js';

/** SQL Server product year → the major version in its instance folder (MSSQL16.MSSQLSERVER for 2022). */
const SQL_MAJOR: Readonly<Record<string, number>> = { '2016': 13, '2017': 14, '2019': 15, '2022': 16 };

/** The agents whose versions are read, and for SQL Server images the instance's Setup registry key. */
export function inventoryModel(config: ResolvedConfig): Record<string, unknown> {
  const sql = config.sql;
  return {
    agents: [AGENT_PATHS[config.launchAgent].exe, 'C:\\Program Files\\Amazon\\SSM\\amazon-ssm-agent.exe'],
    ...(sql ? { sqlSetupKey: `HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\MSSQL${SQL_MAJOR[sql.version]}.${sql.instanceName}\\Setup` } : {}),
  };
}
