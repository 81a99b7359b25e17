# winami customize step 2 (reboot), rendered by winami.
# First run: leave a marker and exit 3010 so SSM Agent reboots the builder
# and runs this script again; second run: the marker is there, so exit 0.
$ErrorActionPreference = 'Stop'
if (Test-Path -LiteralPath 'C:\ProgramData\winami\state\reboot-02.done') {
    Remove-Item -LiteralPath 'C:\ProgramData\winami\state\reboot-02.done' -Force
    Write-Output 'WINAMI reboot=done'
    exit 0
}
New-Item -ItemType Directory -Path 'C:\ProgramData\winami\state' -Force | Out-Null
Set-Content -LiteralPath 'C:\ProgramData\winami\state\reboot-02.done' -Value 'reboot requested'
Write-Output 'WINAMI reboot=requested'
exit 3010
