# winami customize step 1 (windowsFeatures), rendered by winami.
# Installs the features; exits 3010 when Windows needs a restart to finish,
# so SSM Agent reboots and runs this again (then nothing is left to install).
$ErrorActionPreference = 'Stop'
$winamiStep = 'legacy runtime'
$result = Install-WindowsFeature -Name @('NET-Framework-Core')
if (-not $result.Success) {
    throw ('Install-WindowsFeature failed for step ' + $winamiStep + ' with exit code ' + $result.ExitCode)
}
$restart = [string]$result.RestartNeeded
Write-Output "WINAMI restartNeeded=$restart"
if ($restart -eq 'Yes') { exit 3010 }
exit 0
