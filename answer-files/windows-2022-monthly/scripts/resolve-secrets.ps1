# winami: replaces each secret token (@@WINAMI_SECRET:<slot>@@) in the delivered files
# with the secret's value, read here on the builder from SSM Parameter Store,
# escaped for the file it lands in. Values are never printed; an env: secret
# was put by winami into the temporary SecureString /winami/<build id>/<slot>.
param([string]$BuildId = '')
$ErrorActionPreference = 'Stop'

function ConvertTo-WinamiEscaped([string]$Value, [string]$Encoding) {
    foreach ($ch in $Value.ToCharArray()) {
        if ([int]$ch -lt 0x20 -and $Encoding -ne 'json' -and $Encoding -ne 'yaml') { throw 'the secret holds a control character, which this file cannot carry' }
    }
    if ($Encoding -eq 'xml') { return [System.Security.SecurityElement]::Escape($Value) }
    if ($Encoding -eq 'powershell') { return ($Value -replace "['\u2018\u2019\u201A\u201B]", '$0$0') }
    # json and yaml: the token sits inside a double-quoted string.
    $sb = New-Object System.Text.StringBuilder
    foreach ($ch in $Value.ToCharArray()) {
        $code = [int]$ch
        if ($ch -eq [char]0x22 -or $ch -eq [char]0x5C) { [void]$sb.Append([char]0x5C).Append($ch) }
        elseif ($code -lt 0x20 -or ($code -ge 0x7F -and $code -le 0x9F) -or $code -eq 0x2028 -or $code -eq 0x2029 -or $code -eq 0xFEFF) { [void]$sb.Append(('\u{0:x4}' -f $code)) }
        else { [void]$sb.Append($ch) }
    }
    return $sb.ToString()
}

$secrets = @(
)

foreach ($secret in $secrets) {
    $value = (Get-SSMParameter -Name $secret.Parameter -WithDecryption $true).Value
    $token = '@@WINAMI_SECRET:' + $secret.Slot + '@@'
    $replaced = 0
    foreach ($file in $secret.Files) {
        $text = [IO.File]::ReadAllText($file.Path)
        if ($text.Contains($token)) {
            $replaced += [regex]::Matches($text, [regex]::Escape($token)).Count
            $text = $text.Replace($token, (ConvertTo-WinamiEscaped $value $file.Encoding))
            [IO.File]::WriteAllText($file.Path, $text, (New-Object System.Text.UTF8Encoding($file.Bom)))
        }
    }
    $value = $null
    Write-Output ('WINAMI secret=' + $secret.Slot + ' replaced=' + $replaced)
}
Write-Output ('WINAMI secrets=' + $secrets.Count)

# The proof, read back from the disk before anything else runs: each slot's
# token is gone from its files, and no delivered file holds a token but those
# kept for first boot. Only counts, slots and paths are printed.
$pattern = '@@' + 'WINAMI_SECRET:[A-Za-z0-9_.-]+@@'
$delivered = @(
    'C:\ProgramData\Amazon\EC2Launch\config\agent-config.yml'
    'C:\ProgramData\Amazon\EC2Launch\sysprep\unattend.xml'
    'C:\ProgramData\winami\first-boot-cleanup.ps1'
    'C:\ProgramData\winami\scripts\check-ready.ps1'
    'C:\ProgramData\winami\scripts\cleanup-preseal.ps1'
    'C:\ProgramData\winami\scripts\customize\01-aws-drivers-and-agents.ps1'
    'C:\ProgramData\winami\scripts\customize\02-patch-tuesday.ps1'
    'C:\ProgramData\winami\scripts\inventory.ps1'
    'C:\ProgramData\winami\scripts\resolve-secrets.ps1'
    'C:\ProgramData\winami\scripts\sysprep.ps1'
)
$keptForFirstBoot = @(
)
$unfilled = 0
foreach ($secret in $secrets) {
    $token = '@@WINAMI_SECRET:' + $secret.Slot + '@@'
    $state = 'filled'
    foreach ($file in $secret.Files) {
        if ([IO.File]::ReadAllText($file.Path).Contains($token)) { $state = 'unfilled' }
    }
    if ($state -ne 'filled') { $unfilled = $unfilled + 1 }
    Write-Output ('WINAMI secretSlot.' + $secret.Slot + '=' + $state)
}
$left = 0
foreach ($path in $delivered) {
    if (Test-Path -LiteralPath $path) {
        $count = 0
        foreach ($match in [regex]::Matches([IO.File]::ReadAllText($path), $pattern)) {
            $kept = $false
            foreach ($k in $keptForFirstBoot) {
                if ($k.Path -eq $path -and $k.Token -eq $match.Value) { $kept = $true }
            }
            if (-not $kept) { $count = $count + 1 }
        }
        if ($count -gt 0) {
            Write-Output ('WINAMI secretTokensLeftIn=' + $count + ' ' + $path)
            $left = $left + $count
        }
    }
}
Write-Output ('WINAMI secretFilesChecked=' + $delivered.Count)
Write-Output ('WINAMI secretSlotsUnfilled=' + $unfilled)
Write-Output ('WINAMI secretTokensLeft=' + $left)
if ($unfilled -gt 0 -or $left -gt 0) { exit 2 }
exit 0
