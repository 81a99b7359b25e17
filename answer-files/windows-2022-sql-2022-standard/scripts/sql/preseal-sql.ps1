# winami: pre-seal checks for SQL Server. The image must carry nothing tied
# to this builder: SQL Server services settled (not starting or stopping, not
# disabled), no Setup still running, no Windows logins of the builder's own
# machine, and nothing that would block the rename at first boot.
# Prints WINAMI sqlFinding=... for each problem, then WINAMI sqlReady=...;
# exit 0 when ready, 1 when not.
$ErrorActionPreference = 'Stop'
$mode = 'license-included'
$server = '.'
$engineService = 'MSSQLSERVER'
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
$builderLoginsSql = 'SET NOCOUNT ON;
DECLARE @machine nvarchar(128) = CAST(SERVERPROPERTY(''MachineName'') AS nvarchar(128));
SELECT N''builderLogin='' + name FROM sys.server_principals
WHERE type IN (''U'', ''G'') AND LEFT(name, LEN(@machine) + 1) = @machine + N''\'';'
$completeConfig = ''
# The token is assembled here so that no token-replacing step can ever match this file.
$productKeyToken = ''
$firstBootScripts = @('C:\ProgramData\winami\sql\repair-servername.ps1')
$stateFile = 'C:\ProgramData\winami\sql\prepare-image.state'
$mediaDir = 'C:\ProgramData\winami\sql-media'
$workFile = Join-Path $env:SystemRoot 'Temp\winami-preseal.sql'
$findings = @()

function Write-Fact([string]$Key, [string]$Value) {
  Write-Output ('WINAMI ' + $Key + '=' + $Value)
}

function Find-Sqlcmd {
  $command = Get-Command -Name 'sqlcmd.exe' -ErrorAction SilentlyContinue
  if ($command) {
    return $command.Source
  }
  $found = Get-ChildItem -Path 'C:\Program Files\Microsoft SQL Server' -Recurse -Filter 'SQLCMD.EXE' -ErrorAction SilentlyContinue | Select-Object -First 1
  if ($found) {
    return $found.FullName
  }
  return $null
}

function Get-SqlLines([string]$Sql) {
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

$setupRunning = Get-Process -Name 'setup', 'SQLSetup*', 'ScenarioEngine' -ErrorAction SilentlyContinue
if ($setupRunning) {
  $findings += 'SQL Server Setup is still running'
}
$sqlServices = Get-Service -ErrorAction SilentlyContinue | Where-Object { $_.Name -like 'MSSQL*' -or $_.Name -like 'SQLAgent*' -or $_.Name -eq 'SQLSERVERAGENT' -or $_.Name -eq 'SQLBrowser' -or $_.Name -eq 'SQLWriter' }
foreach ($service in $sqlServices) {
  Write-Fact ('sqlService.' + $service.Name) ([string]$service.Status)
  if ([string]$service.Status -like '*Pending') {
    $findings += ('service ' + $service.Name + ' is ' + $service.Status)
  }
}

if ($mode -eq 'byol-prepare') {
  if (-not (Test-Path -LiteralPath $stateFile) -or (Get-Content -LiteralPath $stateFile -Raw).Trim() -ne 'done') {
    $findings += 'PrepareImage has not finished'
  }
  $engine = Get-Service -Name $engineService -ErrorAction SilentlyContinue
  if ($engine) {
    # A prepared instance is configured only by CompleteImage at first boot.
    $findings += ('service ' + $engineService + ' exists, so the instance was completed on the builder')
  }
  if (Test-Path -LiteralPath $mediaDir) {
    $findings += ('installation media left in ' + $mediaDir)
  }
  if (-not (Test-Path -LiteralPath $completeConfig)) {
    $findings += ('missing ' + $completeConfig)
  }
  elseif ($productKeyToken -ne '') {
    $pidLines = @(Get-Content -LiteralPath $completeConfig | Where-Object { $_ -like 'PID=*' })
    if ($pidLines.Count -ne 1 -or -not $pidLines[0].Contains($productKeyToken)) {
      $findings += ($completeConfig + ' must hold the product key token, not a key')
    }
  }
  foreach ($script in $firstBootScripts) {
    if (-not (Test-Path -LiteralPath $script)) {
      $findings += ('missing first-boot script ' + $script)
    }
  }
}
else {
  $engine = Get-Service -Name $engineService -ErrorAction SilentlyContinue
  if (-not $engine) {
    $findings += ('service ' + $engineService + ' not found; is this a SQL Server image?')
  }
  elseif ([string]$engine.StartType -eq 'Disabled') {
    $findings += ('service ' + $engineService + ' is disabled')
  }
  else {
    $sqlcmd = Find-Sqlcmd
    if (-not $sqlcmd) {
      $findings += 'sqlcmd not found'
    }
    else {
      if ([string]$engine.Status -ne 'Running') {
        Start-Service -Name $engineService
      }
      $facts = @{}
      foreach ($line in (Get-SqlLines $factsSql)) {
        $at = ([string]$line).IndexOf('=')
        if ($at -gt 0) {
          $facts[([string]$line).Substring(0, $at)] = ([string]$line).Substring($at + 1)
        }
      }
      Write-Fact 'sqlServername' $facts['servername']
      Write-Fact 'sqlBuilderName' $env:COMPUTERNAME
      Write-Fact 'sqlRenameAtFirstBoot' 'true'
      if ([int]$facts['remoteLogins'] -gt 0) {
        $findings += ('remote-logins' + ' present: the first-boot rename would be blocked and the image would keep the name ' + $facts['servername'])
      }
      if ([int]$facts['linkedServers'] -gt 0) {
        $findings += ('linked-servers' + ' present: the first-boot rename would be blocked and the image would keep the name ' + $facts['servername'])
      }
      if ([int]$facts['replication'] -gt 0) {
        $findings += ('replication' + ' present: the first-boot rename would be blocked and the image would keep the name ' + $facts['servername'])
      }
      if ([int]$facts['distributor'] -gt 0) {
        $findings += ('replication' + ' present: the first-boot rename would be blocked and the image would keep the name ' + $facts['servername'])
      }
      if ([int]$facts['mirroring'] -gt 0) {
        $findings += ('mirroring' + ' present: the first-boot rename would be blocked and the image would keep the name ' + $facts['servername'])
      }
      if ([int]$facts['clustered'] -gt 0) {
        $findings += ('cluster' + ' present: the first-boot rename would be blocked and the image would keep the name ' + $facts['servername'])
      }
      foreach ($line in (Get-SqlLines $builderLoginsSql)) {
        if (([string]$line).StartsWith('builderLogin=')) {
          $findings += ('login of the builder machine: ' + ([string]$line).Substring(13))
        }
      }
    }
  }
}

foreach ($finding in $findings) {
  Write-Fact 'sqlFinding' $finding
}
if ($findings.Count -gt 0) {
  Write-Fact 'sqlReady' 'false'
  exit 1
}
Write-Fact 'sqlReady' 'true'
exit 0
