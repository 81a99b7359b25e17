# Pre-seal readiness check, rendered by winami. Prints WINAMI key=value
# facts; exits 0 when the builder is ready to seal, 1 when it is not yet
# (the bake waits and runs this again).
$ErrorActionPreference = 'Stop'
$ready = 'true'

$state = (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Setup\State' -Name ImageState).ImageState
Write-Output "WINAMI imageState=$state"
if ($state -ne 'IMAGE_STATE_COMPLETE') { $ready = 'false' }

$rebootPending = 'false'
if (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') { $rebootPending = 'true' }
if (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') { $rebootPending = 'true' }
$renames = (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue).PendingFileRenameOperations
if ($renames) { $rebootPending = 'true' }
Write-Output "WINAMI rebootPending=$rebootPending"
if ($rebootPending -eq 'true') { $ready = 'false' }

$tiWorker = 'false'
if (Get-Process TiWorker -ErrorAction SilentlyContinue) { $tiWorker = 'true' }
Write-Output "WINAMI tiWorker=$tiWorker"
if ($tiWorker -eq 'true') { $ready = 'false' }

$agent = 'missing'
if (Test-Path 'C:\Program Files\Amazon\EC2Launch\EC2Launch.exe') { $agent = 'ok' }
if ($agent -eq 'ok') {
    if (-not (Test-Path 'C:\ProgramData\Amazon\EC2Launch\sysprep\unattend.xml')) { $agent = 'no-answer-file' }
}
Write-Output "WINAMI agent=$agent"
if ($agent -ne 'ok') { $ready = 'false' }

Write-Output "WINAMI ready=$ready"
if ($ready -eq 'true') { exit 0 }
exit 1
