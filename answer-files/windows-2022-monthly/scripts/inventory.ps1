# Inventory before sealing, rendered by winami. Prints what is in the image
# as WINAMI inventory lines: the OS build with its update build revision, the
# updates installed (Windows Update history), AWS's agents and drivers with
# their versions, the Windows features installed and, for SQL Server images,
# the instance's version and edition. Read-only.
$ErrorActionPreference = 'Stop'

$nt = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$build = Get-ItemPropertyValue -Path $nt -Name CurrentBuild
$ubr = Get-ItemPropertyValue -Path $nt -Name UBR
Write-Output ('WINAMI inventory osBuild=' + $build + '.' + $ubr)

$session = New-Object -ComObject Microsoft.Update.Session
$searcher = $session.CreateUpdateSearcher()
$count = $searcher.GetTotalHistoryCount()
if ($count -gt 0) {
    foreach ($entry in $searcher.QueryHistory(0, $count)) {
        $found = [regex]::Matches($entry.Title, 'KB[0-9]+')
        if ($entry.Operation -eq 1 -and $entry.ResultCode -eq 2 -and $found.Count -gt 0) {
            Write-Output ('WINAMI inventory update kb=' + $found[0].Value + ' installedOn=' + $entry.Date.ToString('yyyy-MM-dd') + ' title=' + $entry.Title)
        }
    }
}

foreach ($agent in @('C:\Program Files\Amazon\EC2Launch\EC2Launch.exe', 'C:\Program Files\Amazon\SSM\amazon-ssm-agent.exe')) {
    if (Test-Path -LiteralPath $agent) {
        $version = (Get-Item -LiteralPath $agent).VersionInfo.ProductVersion
        Write-Output ('WINAMI inventory component name=' + (Split-Path -Path $agent -Leaf) + ' version=' + $version)
    }
}
foreach ($driver in (Get-CimInstance -ClassName Win32_PnPSignedDriver | Where-Object { $_.DriverProviderName -like 'Amazon*' })) {
    Write-Output ('WINAMI inventory component name=' + $driver.DeviceName + ' version=' + $driver.DriverVersion)
}

foreach ($feature in (Get-WindowsFeature | Where-Object { $_.Installed })) {
    Write-Output ('WINAMI inventory feature name=' + $feature.Name)
}
exit 0
