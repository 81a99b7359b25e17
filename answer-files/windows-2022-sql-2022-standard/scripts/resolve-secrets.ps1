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
    foreach ($file in $secret.Files) {
        $text = [IO.File]::ReadAllText($file.Path)
        if ($text.Contains($token)) {
            $text = $text.Replace($token, (ConvertTo-WinamiEscaped $value $file.Encoding))
            [IO.File]::WriteAllText($file.Path, $text, (New-Object System.Text.UTF8Encoding($file.Bom)))
        }
    }
    $value = $null
    Write-Output ('WINAMI secret=' + $secret.Slot)
}
Write-Output ('WINAMI secrets=' + $secrets.Count)
exit 0
