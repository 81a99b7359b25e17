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

# First boot: Windows runs C:\Windows\Setup\Scripts\SetupComplete.cmd after
# Setup finishes, the place Microsoft names for deleting cached answer files.
# Append once, after what is there (on EC2Config images, its call to
# PostSysprep.cmd). Add-Content does not start a new line, so a file whose
# last line has no line break first gets one, or the two commands would merge.
if (-not (Test-Path 'C:\ProgramData\winami\setupcomplete-registered')) {
    New-Item -ItemType Directory -Path 'C:\Windows\Setup\Scripts' -Force | Out-Null
    if (Test-Path -LiteralPath 'C:\Windows\Setup\Scripts\SetupComplete.cmd') {
        if ((Get-Content -LiteralPath 'C:\Windows\Setup\Scripts\SetupComplete.cmd' -Raw) -notmatch '\n$') {
            Add-Content -LiteralPath 'C:\Windows\Setup\Scripts\SetupComplete.cmd' -Value ''
        }
    }
    Add-Content -LiteralPath 'C:\Windows\Setup\Scripts\SetupComplete.cmd' -Value 'if exist "C:\ProgramData\winami\first-boot-cleanup.ps1" powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\winami\first-boot-cleanup.ps1"'
    Set-Content -LiteralPath 'C:\ProgramData\winami\setupcomplete-registered' -Value 'registered'
}

# EC2Config: runs sysprep.exe /unattend:sysprep2008.xml /oobe /generalize /shutdown.
# No locale is configured, so the image keeps its own culture: as "ec2launch
# sysprep" does on EC2Launch v2, the four oobeSystem locale values of the
# answer file (en-US, as in AWS's sysprep2008.xml) become the OS's locale
# (HKU\.DEFAULT\Control Panel\International, LocaleName) before Sysprep
# reads them. EC2Config itself never rewrites them.
$answerFile = 'C:\Program Files\Amazon\Ec2ConfigService\sysprep2008.xml'
$osLocale = Get-ItemPropertyValue -LiteralPath 'Registry::HKEY_USERS\.DEFAULT\Control Panel\International' -Name LocaleName
$answer = [IO.File]::ReadAllText($answerFile)
foreach ($setting in 'InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale') {
    $answer = $answer.Replace("<$setting>en-US</$setting>", "<$setting>$osLocale</$setting>")
}
[IO.File]::WriteAllText($answerFile, $answer, (New-Object System.Text.UTF8Encoding($false)))
Write-Output "WINAMI oobeLocale=$osLocale"

$execute = 'C:\Program Files\Amazon\Ec2ConfigService\Ec2Config.exe'
$arguments = '-sysprep'

$action = New-ScheduledTaskAction -Execute $execute -Argument $arguments
$administrator = Get-CimInstance -ClassName Win32_UserAccount -Filter 'LocalAccount = TRUE' | Where-Object { $_.SID -like 'S-1-5-21-*-500' }
if (-not $administrator) { throw 'the built-in Administrator (RID 500) was not found' }
$principal = New-ScheduledTaskPrincipal -UserId $administrator.Name -LogonType S4U -RunLevel Highest
Register-ScheduledTask -TaskName 'winami-sysprep' -Action $action -Principal $principal -Force | Out-Null
Start-ScheduledTask -TaskName 'winami-sysprep'
Write-Output 'WINAMI sysprep=started'
exit 0
