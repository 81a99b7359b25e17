# Built-in clean-up before sealing, rendered by winami: temporary files, the
# Windows Update download cache, the DISM component store, then Optimize-Volume.
$ErrorActionPreference = 'Continue'
Remove-Item -Path 'C:\Windows\Temp\*' -Recurse -Force -ErrorAction SilentlyContinue
Remove-Item -Path 'C:\Users\*\AppData\Local\Temp\*' -Recurse -Force -ErrorAction SilentlyContinue
Stop-Service -Name wuauserv -Force -ErrorAction SilentlyContinue
Remove-Item -Path 'C:\Windows\SoftwareDistribution\Download\*' -Recurse -Force -ErrorAction SilentlyContinue
Start-Service -Name wuauserv -ErrorAction SilentlyContinue
& dism.exe /Online /Cleanup-Image /StartComponentCleanup /ResetBase
if ($LASTEXITCODE -ne 0 -and $LASTEXITCODE -ne 3010) { throw ('DISM component clean-up failed with exit code ' + $LASTEXITCODE) }
Optimize-Volume -DriveLetter C -ErrorAction SilentlyContinue
Write-Output 'WINAMI cleanup=done'
exit 0
