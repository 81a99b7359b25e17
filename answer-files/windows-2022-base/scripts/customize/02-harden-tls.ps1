# winami customize step 2 (script, from the config's script file), rendered by winami.
# The step's own code runs unchanged inside the script block below. An
# uncaught error fails the step; `exit N` ends the script with N; a native
# command's exit code is kept, and 3010 asks SSM Agent to reboot and run
# this script again, so the code must be safe to run twice.
$ErrorActionPreference = 'Stop'
$winamiStep = 'harden TLS'
$global:LASTEXITCODE = 0
try {
& {
# winami: the step's own code begins
# Turn off TLS 1.0 and 1.1 for the server side of SChannel.
$ErrorActionPreference = 'Stop'
foreach ($version in 'TLS 1.0', 'TLS 1.1') {
    $key = "HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\$version\Server"
    New-Item -Path $key -Force | Out-Null
    New-ItemProperty -Path $key -Name 'Enabled' -Value 0 -PropertyType DWord -Force | Out-Null
    New-ItemProperty -Path $key -Name 'DisabledByDefault' -Value 1 -PropertyType DWord -Force | Out-Null
}
Write-Output 'TLS 1.0 and 1.1 disabled'
# winami: the step's own code ends
}
} catch {
    [Console]::Error.WriteLine('winami: customize step ' + $winamiStep + ' failed: ' + $_)
    exit 1
}
exit $LASTEXITCODE
