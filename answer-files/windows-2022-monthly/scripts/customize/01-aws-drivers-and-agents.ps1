# winami customize step 1 (awsComponents), rendered by winami.
# Reports the version of each AWS component the step brings up to date. The
# bake runs it before and after AWS's documents (AWS-ConfigureAWSPackage,
# AWS-UpdateSSMAgent), so the versions before and after are both reported.
$ErrorActionPreference = 'Stop'
$winamiStep = 'AWS drivers and agents'

function Get-WinamiFileVersion($path) {
    if (-not (Test-Path -LiteralPath $path)) { return 'missing' }
    $version = (Get-Item -LiteralPath $path).VersionInfo.ProductVersion
    if (-not $version) { return 'unknown' }
    return $version
}

function Get-WinamiDriverVersion($pattern) {
    $driver = Get-CimInstance -ClassName Win32_PnPSignedDriver | Where-Object { $_.DeviceName -like $pattern } | Select-Object -First 1
    if (-not $driver) { return 'missing' }
    return $driver.DriverVersion
}

Write-Output ('WINAMI awsComponent.' + 'ec2launch' + '=' + (Get-WinamiFileVersion 'C:\Program Files\Amazon\EC2Launch\EC2Launch.exe'))
Write-Output ('WINAMI awsComponent.' + 'ssm-agent' + '=' + (Get-WinamiFileVersion 'C:\Program Files\Amazon\SSM\amazon-ssm-agent.exe'))
Write-Output ('WINAMI awsComponent.' + 'ena' + '=' + (Get-WinamiDriverVersion '*Elastic Network Adapter*'))
Write-Output ('WINAMI awsComponent.' + 'nvme' + '=' + (Get-WinamiDriverVersion '*NVMe Elastic Block Storage*'))
Write-Output ('WINAMI awsComponent.' + 'pv-driver' + '=' + (Get-WinamiDriverVersion 'AWS PV*'))
exit 0
