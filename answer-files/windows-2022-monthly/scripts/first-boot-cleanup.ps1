# winami: runs once at the first boot of every instance launched from the
# image (an EC2Launch v2 executeScript task in postReady, frequency once).
# Setup caches the answer file under C:\Windows\Panther and keeps it on
# disk; it can hold the secrets the image was sealed with, so it is deleted.
$ErrorActionPreference = 'Continue'
Remove-Item -LiteralPath 'C:\Windows\Panther\unattend.xml' -Force -ErrorAction SilentlyContinue
Remove-Item -Path 'C:\Windows\Panther\Unattend\*' -Recurse -Force -ErrorAction SilentlyContinue

# The script deletes itself, so an image made later from this instance does
# not put back this image's agent files or run its SQL Server steps again;
# the entry that runs it (agent-config.yml or SetupComplete.cmd) stays and
# runs it only if it exists.
Remove-Item -LiteralPath 'C:\ProgramData\winami\setupcomplete-registered' -Force -ErrorAction SilentlyContinue
Remove-Item -LiteralPath 'C:\ProgramData\winami\first-boot-cleanup.ps1' -Force -ErrorAction SilentlyContinue
exit 0
