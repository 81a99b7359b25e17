# winami customize step 2 (windowsUpdate), rendered by winami.
# Installs Windows updates through the Windows Update Agent API, in rounds:
# search, download, install, report each KB with its result. When an update
# needs a restart it exits 3010, so SSM Agent reboots and runs this again;
# it ends when nothing applicable is left, and fails when an update fails or
# updates are still applicable after maxRounds rounds.
$ErrorActionPreference = 'Stop'
$winamiStep = 'Patch Tuesday'
$criteria = '(IsInstalled=0 and IsHidden=0 and Type=''Software'' and CategoryIDs contains ''0FA1201D-4330-4FA8-8AE9-B877473B6441'') or (IsInstalled=0 and IsHidden=0 and Type=''Software'' and CategoryIDs contains ''E6CF1350-C01B-414D-A61F-263D14D133B4'')'
$severities = @()
$include = @()
$exclude = @()
$maxRounds = 5
$roundsFile = 'C:\ProgramData\winami\state\windows-update-02.rounds'
$logFile = 'C:\ProgramData\winami\state\windows-update-02.log'
$resultNames = @('NotStarted', 'InProgress', 'Succeeded', 'SucceededWithErrors', 'Failed', 'Aborted')
New-Item -ItemType Directory -Path 'C:\ProgramData\winami\state' -Force | Out-Null

$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'winami'

# One round: 'none' when nothing applicable is left, 'reboot' when an installed
# update needs a restart, 'more' to search again. Reports go to the host, so
# they never become the function's return value.
function Invoke-WinamiUpdateRound {
    $done = 0
    if (Test-Path -LiteralPath $roundsFile) { $done = [int](Get-Content -LiteralPath $roundsFile -Raw) }
    $searcher = $session.CreateUpdateSearcher()
    $found = $searcher.Search($criteria)
    $batch = New-Object -ComObject Microsoft.Update.UpdateColl
    $names = ''
    foreach ($update in $found.Updates) {
        $kb = 'KB' + $update.KBArticleIDs.Item(0)
        $take = $true
        if ($include.Count -gt 0 -and -not ($include -contains $kb)) { $take = $false }
        if ($exclude -contains $kb) { $take = $false }
        if ($severities.Count -gt 0 -and $update.MsrcSeverity -and -not ($severities -contains $update.MsrcSeverity)) { $take = $false }
        if ($take) {
            if (-not $update.EulaAccepted) { $update.AcceptEula() }
            $batch.Add($update) | Out-Null
            $names = $names + ' ' + $kb
        } else {
            Write-Host ('WINAMI windowsUpdate skipped=' + $kb)
        }
    }
    if ($batch.Count -eq 0) { return 'none' }
    if ($done -ge $maxRounds) {
        throw ('windowsUpdate step ' + $winamiStep + ': still applicable after ' + $maxRounds + ' rounds:' + $names + '. Raise maxRounds or exclude them.')
    }
    $round = $done + 1
    Set-Content -LiteralPath $roundsFile -Value $round
    Write-Host ('WINAMI windowsUpdate round=' + $round + ' updates=' + $batch.Count + ' kbs=' + $names.Trim())
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $batch
    $downloader.Download() | Out-Null
    $installer = $session.CreateUpdateInstaller()
    $installer.Updates = $batch
    $outcome = $installer.Install()
    $failed = ''
    $i = 0
    foreach ($update in $batch) {
        $kb = 'KB' + $update.KBArticleIDs.Item(0)
        $r = $outcome.GetUpdateResult($i)
        $hr = '0x{0:X8}' -f $r.HResult
        $line = 'WINAMI windowsUpdate kb=' + $kb + ' round=' + $round + ' result=' + $resultNames[$r.ResultCode] + ' hresult=' + $hr + ' title=' + $update.Title
        Add-Content -LiteralPath $logFile -Value $line
        Write-Host $line
        if ($r.ResultCode -ne 2 -and $r.ResultCode -ne 3 -and -not $failed) { $failed = $kb + ' (' + $update.Title + ') failed with HRESULT ' + $hr }
        $i = $i + 1
    }
    if ($failed) { throw ('windowsUpdate step ' + $winamiStep + ': ' + $failed) }
    if ($outcome.RebootRequired) { return 'reboot' }
    return 'more'
}

$state = 'more'
foreach ($pass in @(1, 2, 3, 4, 5, 6)) {
    if ($state -eq 'more') { $state = Invoke-WinamiUpdateRound }
}
if ($state -eq 'reboot') {
    Write-Output 'WINAMI windowsUpdate restart=required'
    exit 3010
}
Write-Output 'WINAMI windowsUpdate applicable=0'
if (Test-Path -LiteralPath $logFile) { Get-Content -LiteralPath $logFile }
exit 0
