# Seals the builder through its launch agent, rendered by winami.
# SSM Run Command runs this as LocalSystem, and Microsoft does not support
# running Sysprep as System; so the agent's Sysprep command runs from a
# one-shot scheduled task as the built-in Administrator (S4U logon, highest
# privileges). The bake then waits for the instance to stop.
# The account is found by its well-known RID 500 (SID S-1-5-21-<machine>-500),
# never by name: Windows names it per language (Administrateur on a French
# image, Administrador on a Spanish one).
$ErrorActionPreference = 'Stop'

# Build leftovers that must not stay in the image.
Remove-Item -LiteralPath 'C:\ProgramData\winami\scripts\customize' -Recurse -Force -ErrorAction SilentlyContinue
Remove-Item -LiteralPath 'C:\ProgramData\winami\state' -Recurse -Force -ErrorAction SilentlyContinue

# EC2Launch v2: resets agent state, updates unattend.xml, closes RDP, runs Sysprep, shuts down.
$execute = 'C:\Program Files\Amazon\EC2Launch\EC2Launch.exe'
$arguments = 'sysprep --shutdown=true'

$action = New-ScheduledTaskAction -Execute $execute -Argument $arguments
$administrator = Get-CimInstance -ClassName Win32_UserAccount -Filter 'LocalAccount = TRUE' | Where-Object { $_.SID -like 'S-1-5-21-*-500' }
if (-not $administrator) { throw 'the built-in Administrator (RID 500) was not found' }
$principal = New-ScheduledTaskPrincipal -UserId $administrator.Name -LogonType S4U -RunLevel Highest
Register-ScheduledTask -TaskName 'winami-sysprep' -Action $action -Principal $principal -Force | Out-Null
Start-ScheduledTask -TaskName 'winami-sysprep'
Write-Output 'WINAMI sysprep=started'
exit 0
