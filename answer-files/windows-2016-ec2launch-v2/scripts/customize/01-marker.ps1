# winami customize step 1 (powershell), rendered by winami.
# The step's own code runs unchanged inside the script block below. An
# uncaught error fails the step; `exit N` ends the script with N; a native
# command's exit code is kept, and 3010 asks SSM Agent to reboot and run
# this script again, so the code must be safe to run twice.
$ErrorActionPreference = 'Stop'
$winamiStep = 'marker'
$global:LASTEXITCODE = 0
try {
& {
# winami: the step's own code begins
Set-Content -LiteralPath 'C:\Windows\Temp\golden.txt' -Value 'windows-2016-v2'
# winami: the step's own code ends
}
} catch {
    [Console]::Error.WriteLine('winami: customize step ' + $winamiStep + ' failed: ' + $_)
    exit 1
}
exit $LASTEXITCODE
