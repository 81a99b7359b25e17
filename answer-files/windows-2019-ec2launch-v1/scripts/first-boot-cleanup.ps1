# Runs once at the first boot of every instance launched from the image
# (a line winami appends to C:\Windows\Setup\Scripts\SetupComplete.cmd), rendered by winami.
# Setup caches the answer file under C:\Windows\Panther and keeps it on
# disk; it can hold the secrets the image was sealed with, so it is deleted.
$ErrorActionPreference = 'Continue'
Remove-Item -LiteralPath 'C:\Windows\Panther\unattend.xml' -Force -ErrorAction SilentlyContinue
Remove-Item -Path 'C:\Windows\Panther\Unattend\*' -Recurse -Force -ErrorAction SilentlyContinue

Remove-Item -LiteralPath 'C:\ProgramData\winami\setupcomplete-registered' -Force -ErrorAction SilentlyContinue
Remove-Item -LiteralPath 'C:\ProgramData\winami\first-boot-cleanup.ps1' -Force -ErrorAction SilentlyContinue
exit 0
