# winami: first boot of an instance launched from the image. Sysprep gave the
# computer a new name; SQL Server starts under it, but @@SERVERNAME and
# sys.servers keep the old one until sp_dropserver / sp_addserver and a
# service restart (SQL Server docs, "Rename a computer that hosts a
# stand-alone instance of SQL Server"). Known blockers are reported and
# nothing is changed. T-SQL runs through sqlcmd, which every SQL Server
# engine installs; Invoke-Sqlcmd needs the SqlServer module, which SQL Server
# 2016 and later no longer install. The T-SQL goes through a UTF-8 file (-i),
# not the command line, because Windows PowerShell 5.1 does not quote
# arguments for native programs reliably.
$ErrorActionPreference = 'Stop'
$instance = 'MSSQLSERVER'
$server = '.'
$engineService = 'MSSQLSERVER'
$agentService = 'SQLSERVERAGENT'
$factsSql = 'SET NOCOUNT ON;
SELECT N''servername='' + ISNULL(@@SERVERNAME, N'''')
UNION ALL SELECT N''machineName='' + CAST(SERVERPROPERTY(''MachineName'') AS nvarchar(128))
UNION ALL SELECT N''serverName='' + CAST(SERVERPROPERTY(''ServerName'') AS nvarchar(256))
UNION ALL SELECT N''remoteLogins='' + CAST((SELECT COUNT(*) FROM sys.remote_logins) AS nvarchar(10))
UNION ALL SELECT N''linkedServers='' + CAST((SELECT COUNT(*) FROM sys.servers WHERE is_linked = 1) AS nvarchar(10))
UNION ALL SELECT N''replication='' + CAST((SELECT COUNT(*) FROM sys.databases WHERE is_published = 1 OR is_subscribed = 1 OR is_merge_published = 1) AS nvarchar(10))
UNION ALL SELECT N''distributor='' + CAST((SELECT COUNT(*) FROM sys.servers WHERE is_distributor = 1) AS nvarchar(10))
UNION ALL SELECT N''mirroring='' + CAST((SELECT COUNT(*) FROM sys.database_mirroring WHERE mirroring_guid IS NOT NULL) AS nvarchar(10))
UNION ALL SELECT N''clustered='' + CAST(ISNULL(CAST(SERVERPROPERTY(''IsClustered'') AS int), 0) AS nvarchar(10));'
$servernameSql = 'SET NOCOUNT ON;
SELECT N''servername='' + ISNULL(@@SERVERNAME, N'''');'
$dropPrefix = 'EXEC sp_dropserver @server = '
$addPrefix = 'EXEC sp_addserver @server = '
$addSuffix = ', @local = ''local'';'
$isDefault = $true
$workFile = Join-Path $env:SystemRoot 'Temp\winami-servername.sql'

function Write-Fact([string]$Key, [string]$Value) {
  Write-Output ('WINAMI ' + $Key + '=' + $Value)
}

function ConvertTo-TsqlString([string]$Value) {
  return ("N'" + $Value.Replace("'", "''") + "'")
}

function Find-Sqlcmd {
  $command = Get-Command -Name 'sqlcmd.exe' -ErrorAction SilentlyContinue
  if ($command) {
    return $command.Source
  }
  $roots = @('C:\Program Files\Microsoft SQL Server\Client SDK\ODBC', 'C:\Program Files\Microsoft SQL Server')
  foreach ($root in $roots) {
    $found = Get-ChildItem -Path $root -Recurse -Filter 'SQLCMD.EXE' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($found) {
      return $found.FullName
    }
  }
  return $null
}

function Invoke-Tsql([string]$Sql) {
  Set-Content -LiteralPath $workFile -Value $Sql -Encoding UTF8
  try {
    $lines = & $sqlcmd -E -S $server -b -h -1 -W -f 65001 -i $workFile
    if ($LASTEXITCODE -ne 0) {
      throw ('sqlcmd exited with ' + $LASTEXITCODE + ': ' + ($lines -join ' '))
    }
    return $lines
  }
  finally {
    Remove-Item -LiteralPath $workFile -Force -ErrorAction SilentlyContinue
  }
}

function Get-Facts([string]$Sql) {
  $facts = @{}
  foreach ($line in (Invoke-Tsql $Sql)) {
    $at = ([string]$line).IndexOf('=')
    if ($at -gt 0) {
      $facts[([string]$line).Substring(0, $at)] = ([string]$line).Substring($at + 1)
    }
  }
  return $facts
}

$sqlcmd = Find-Sqlcmd
if (-not $sqlcmd) {
  Write-Fact 'sqlRename' 'failed'
  Write-Fact 'reason' 'sqlcmd-not-found'
  exit 1
}
if (-not (Get-Service -Name $engineService -ErrorAction SilentlyContinue)) {
  Write-Fact 'sqlRename' 'failed'
  Write-Fact 'reason' ('no-service-' + $engineService)
  exit 1
}
if ((Get-Service -Name $engineService).Status -ne 'Running') {
  Start-Service -Name $engineService
}

$facts = $null
for ($attempt = 1; $attempt -le 30 -and -not $facts; $attempt++) {
  try {
    $facts = Get-Facts $factsSql
  }
  catch {
    Start-Sleep -Seconds 2
  }
}
if (-not $facts) {
  Write-Fact 'sqlRename' 'failed'
  Write-Fact 'reason' 'cannot-connect'
  exit 1
}

$old = $facts['servername']
$machine = $facts['machineName']
if ($isDefault) {
  $new = $machine
}
else {
  $new = $machine + '\' + $instance
}
Write-Fact 'sqlServername' $old
Write-Fact 'sqlMachineName' $machine
Write-Fact 'sqlServerProperty' $facts['serverName']

if ($old -eq $new) {
  Write-Fact 'sqlRename' 'unchanged'
  Write-Fact 'name' $new
  exit 0
}

$blockers = @()
if ([int]$facts['remoteLogins'] -gt 0 -and $blockers -notcontains 'remote-logins') {
  $blockers += 'remote-logins'
}
if ([int]$facts['linkedServers'] -gt 0 -and $blockers -notcontains 'linked-servers') {
  $blockers += 'linked-servers'
}
if ([int]$facts['replication'] -gt 0 -and $blockers -notcontains 'replication') {
  $blockers += 'replication'
}
if ([int]$facts['distributor'] -gt 0 -and $blockers -notcontains 'replication') {
  $blockers += 'replication'
}
if ([int]$facts['mirroring'] -gt 0 -and $blockers -notcontains 'mirroring') {
  $blockers += 'mirroring'
}
if ([int]$facts['clustered'] -gt 0 -and $blockers -notcontains 'cluster') {
  $blockers += 'cluster'
}
if ($blockers.Count -gt 0) {
  Write-Output ('WINAMI sqlRename=blocked reason=' + ($blockers -join ',') + ' old=' + $old + ' new=' + $new)
  exit 0
}

$statements = @()
if ($old -ne '') {
  $statements += ($dropPrefix + (ConvertTo-TsqlString $old) + ';')
}
$statements += ($addPrefix + (ConvertTo-TsqlString $new) + $addSuffix)
Invoke-Tsql ($statements -join "`r`n") | Out-Null

$agentWasRunning = $false
$agent = Get-Service -Name $agentService -ErrorAction SilentlyContinue
if ($agent -and $agent.Status -eq 'Running') {
  $agentWasRunning = $true
}
Restart-Service -Name $engineService -Force
if ($agentWasRunning) {
  Start-Service -Name $agentService
}

$now = $null
for ($attempt = 1; $attempt -le 30 -and -not $now; $attempt++) {
  try {
    $now = (Get-Facts $servernameSql)['servername']
  }
  catch {
    Start-Sleep -Seconds 2
  }
}
if ($now -ne $new) {
  Write-Output ('WINAMI sqlRename=failed reason=verify old=' + $old + ' new=' + $new + ' now=' + $now)
  exit 1
}
Write-Output ('WINAMI sqlRename=ok old=' + $old + ' new=' + $new)
exit 0
