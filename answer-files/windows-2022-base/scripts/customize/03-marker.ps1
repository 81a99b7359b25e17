# winami customize step 3 (powershell), rendered by winami.
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
New-Item -ItemType Directory -Path 'C:\Golden' -Force | Out-Null
Set-Content -LiteralPath 'C:\Golden\build.txt' -Value 'windows-2022-base'
# winami: the step's own code ends
}
} catch {
    [Console]::Error.WriteLine('winami: customize step ' + $winamiStep + ' failed: ' + $_)
    exit 1
}
exit $LASTEXITCODE
