# winami customize step 1 (powershell), rendered by winami.
# The step's own code runs unchanged inside the script block below. An
# uncaught error fails the step; `exit N` ends the script with N; a native
# command's exit code is kept, and 3010 asks SSM Agent to reboot and run
# this script again, so the code must be safe to run twice.
$ErrorActionPreference = 'Stop'
$winamiStep = 'OpenSSH server'
$global:LASTEXITCODE = 0
try {
& {
# winami: the step's own code begins
Add-WindowsCapability -Online -Name OpenSSH.Server~~~~0.0.1.0 | Out-Null
Set-Service -Name sshd -StartupType Automatic
# winami: the step's own code ends
}
} catch {
    [Console]::Error.WriteLine('winami: customize step ' + $winamiStep + ' failed: ' + $_)
    exit 1
}
exit $LASTEXITCODE
