# drkit.microsoft script: rms/join_cluster
# Join this server to an existing AD RMS cluster with the AD RMS deployment provider.
# Every value arrives as a parameter: the passwords as SecureString and PSCredential, never as text of the script.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$DatabaseServer,
    [Parameter(Mandatory = $true)][string]$DatabaseName,
    [Parameter(Mandatory = $true)][pscredential]$ServiceAccount,
    [Parameter(Mandatory = $true)][securestring]$ClusterKeyPassword
)
$ErrorActionPreference = 'Stop'

Import-Module -Name ADRMS
# A drive of type JoinCluster holds the settings of a server joining an existing cluster.
$drive = New-PSDrive -PSProvider ADRMSInstall -Name DrkitJoin -Root JoinCluster
try {
    Set-ItemProperty -Path 'DrkitJoin:\' -Name ServiceAccount -Value $ServiceAccount
    Set-ItemProperty -Path 'DrkitJoin:\ClusterDatabase' -Name ServerName -Value $DatabaseServer
    Set-ItemProperty -Path 'DrkitJoin:\ClusterDatabase' -Name DatabaseName -Value $DatabaseName
    Set-ItemProperty -Path 'DrkitJoin:\ClusterKey' -Name CentrallyManagedPassword -Value $ClusterKeyPassword
    # -Force answers the confirmation Install-ADRMS asks for otherwise.
    Install-ADRMS -Path 'DrkitJoin:\' -Force | Out-Null
}
finally {
    Remove-PSDrive -Name $drive.Name
}
$Ansible.Changed = $true
