# Run on an instance launched from the new image, rendered by winami:
# proves it specialized (new name, ImageState complete) and the agent ran.
$ErrorActionPreference = 'Stop'
$name = (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' -Name ComputerName).ComputerName
Write-Output "WINAMI computerName=$name"
$state = (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Setup\State' -Name ImageState).ImageState
Write-Output "WINAMI imageState=$state"
$agentRan = 'false'
if (Test-Path 'C:\ProgramData\Amazon\EC2Launch\state\.run-once') { $agentRan = 'true' }
Write-Output "WINAMI agentRan=$agentRan"
$cachedAnswerFile = 'false'
if (Test-Path 'C:\Windows\Panther\unattend.xml') { $cachedAnswerFile = 'true' }
Write-Output "WINAMI cachedAnswerFile=$cachedAnswerFile"
exit 0
