# drkit.microsoft script: sco/data_store
# Where this Orchestrator server's data store connection points: the SQL Server and database in Settings.dat.
# Orchestrator keeps the connection in that file, encrypted with DPAPI for the machine; it is only read here (writing it is
# not supported: the Data Store Configuration utility does that).
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
Add-Type -AssemblyName System.Security

$relative = 'Microsoft System Center 2012\Orchestrator\Shared\Settings.dat'
$path = @(${env:CommonProgramFiles(x86)}, $env:CommonProgramFiles) |
    Where-Object { $_ } |
    ForEach-Object { Join-Path -Path $_ -ChildPath $relative } |
    Where-Object { Test-Path -LiteralPath $_ } |
    Select-Object -First 1
if (-not $path) {
    $Ansible.Result = @{ found = $false }
    return
}
$plain = [Security.Cryptography.ProtectedData]::Unprotect([IO.File]::ReadAllBytes($path), $null,
    [Security.Cryptography.DataProtectionScope]::LocalMachine)
[xml]$settings = [Text.Encoding]::Unicode.GetString($plain).TrimEnd([char]0)
$Ansible.Result = @{
    found = $true
    path = $path
    # The server may carry connection options after a ';' (Trust Server Certificate=true).
    server = ([string]$settings.Configuration.Server).Split(';')[0].Trim()
    database = [string]$settings.Configuration.Database
}
