# drkit.microsoft script: rms/node_facts
# Facts of one AD RMS server, read without changing anything.
# AD RMS is a server role of Windows Server, so the version it runs is the Windows build that serves it.
# Its web services are the IIS applications under /_wmcs (certification, licensing, admin ...); the
# application pools serving them are what must stop for the configuration database to be restored.
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

$os = Get-CimInstance -ClassName Win32_OperatingSystem
$feature = Get-WindowsFeature -Name ADRMS-Server
$applications = @()
if ($feature.Installed) {
    Import-Module -Name WebAdministration
    $applications = @(Get-WebApplication | Where-Object { $_.path -eq '/_wmcs' -or $_.path -like '/_wmcs/*' })
}
$pools = @($applications | ForEach-Object { $_.applicationPool } | Sort-Object -Unique)

$Ansible.Result = @{
    computer_name = $env:COMPUTERNAME
    os_caption = $os.Caption
    version = $os.Version
    installed = [bool]$feature.Installed
    provisioned = $applications.Count -gt 0
    applications = @($applications | ForEach-Object { $_.path })
    app_pools = @(
        foreach ($pool in $pools) {
            @{ name = $pool; state = [string](Get-WebAppPoolState -Name $pool).Value }
        }
    )
}
