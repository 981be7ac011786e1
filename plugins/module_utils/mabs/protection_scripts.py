# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell scripts of hyperv_protection_group, run on the MABS server by winrm/powershell.py.

Each takes its input as one argument, ``$Data`` (the JSON the module sends, as a PSCustomObject), and
returns one ordered hashtable of strings, numbers, booleans and lists of flat hashtables: dates as
ISO 8601 (``ToString('o')``), enums as their names, so ConvertTo-Json loses nothing. Names and paths
from the options reach DPM's cmdlets as parameter values taken from ``$Data``, never as script text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.powershell import PowerShellScript

READ_PROTECTION_STATE = PowerShellScript("mabs/read_protection_state", r"""# drkit.microsoft script: mabs/read_protection_state
# What hyperv_protection_group plans from, read in one run: this MABS server, the group named
# $Data.group_name, the production servers, MABS's live inquiry of $Data.hyperv_hosts, and the
# Hyper-V facts of those hosts (or of every node of those clusters) through PowerShell remoting.
param($Data)
$ErrorActionPreference = 'Stop'
Import-Module DataProtectionManager

function ConvertTo-IsoTime($Value) {
    if ($null -eq $Value) { return $null }
    return ([datetime]$Value).ToUniversalTime().ToString('o')
}

# DPM's day values (Mo, Monday, ...) as the module's names.
$dayNames = @{ mo = 'monday'; tu = 'tuesday'; we = 'wednesday'; th = 'thursday'; fr = 'friday'; sa = 'saturday'; su = 'sunday' }
function ConvertTo-DayName($Value) {
    return $dayNames[([string]$Value).Substring(0, 2).ToLowerInvariant()]
}

function Get-DatasourceRecord($Datasource) {
    $group = $null
    if ($Datasource.Protected) { $group = [string]$Datasource.ProtectionGroupName }
    return [ordered]@{
        datasource_id = [string]$Datasource.DatasourceId
        vm_id = [string]$Datasource.ComponentName
        name = [string]$Datasource.Name
        computer = [string]$Datasource.Computer
        protection_group = $group
        size_bytes = [int64]$Datasource.DatasourceSize
    }
}

function Get-ServerRecord {
    $setup = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Microsoft Data Protection Manager\Setup'
    $build = (Get-Item -LiteralPath (Join-Path $setup.InstallPath 'bin\msdpm.exe')).VersionInfo.FileVersion
    $protected = @(Get-DPMDatasource | Where-Object { $_.ObjectType -like 'Microsoft Hyper-V*' -and $_.Protected })
    $bytes = [int64]0
    foreach ($datasource in $protected) { $bytes += [int64]$datasource.DatasourceSize }
    $configuration = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Microsoft Data Protection Manager\Configuration' -ErrorAction SilentlyContinue
    $port = 6070
    if ($configuration -and $configuration.DpmVmmHelperServicePort) { $port = [int]$configuration.DpmVmmHelperServicePort }
    $configuredPort = $null
    $helperConfig = Join-Path $setup.InstallPath 'VmmHelperService\VmmHelperServiceHost.exe.config'
    if (Test-Path -LiteralPath $helperConfig) {
        $address = ([xml](Get-Content -LiteralPath $helperConfig -Raw)).SelectSingleNode('//add[@baseAddress]')
        if ($address) { $configuredPort = ([uri]$address.baseAddress).Port }
    }
    $vmmServers = @(([string](Get-DPMGlobalProperty -PropertyName KnownVMMServers)) -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    return [ordered]@{
        name = [string]([System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName)
        build = [string]$build
        protected_vm_count = $protected.Count
        protected_bytes = $bytes
        known_vmm_servers = $vmmServers
        vmm_helper_port = $port
        vmm_helper_configured_port = $configuredPort
    }
}

function Get-PolicyRecord($Group, $Members) {
    $shortTerm = Get-DPMPolicyObjective -ProtectionGroup $Group -ShortTerm
    $frequency = $null
    if (-not $shortTerm.IsSyncBeforeRecoveryPoint) { $frequency = [int]$shortTerm.SynchronizationFrequencyMinutes }
    $express = @(Get-DPMPolicySchedule -ProtectionGroup $Group -ShortTerm | Where-Object { [string]$_.JobType -eq 'FullReplicationForApplication' })
    $times = @()
    $days = @()
    foreach ($schedule in $express) {
        $times += @($schedule.TimesOfDay | ForEach-Object { ([datetime]$_).ToString('HH:mm') })
        $days += @($schedule.DaysOfWeek | ForEach-Object { ConvertTo-DayName $_ })
    }
    $online = $null
    if ($Group.IsCloudLongTerm) {
        $onlineObjective = Get-DPMPolicyObjective -ProtectionGroup $Group -LongTerm Online
        $onlineTimes = @(Get-DPMPolicySchedule -ProtectionGroup $Group -LongTerm Online | ForEach-Object { $_.TimesOfDay } |
            ForEach-Object { ([datetime]$_).ToString('HH:mm') })
        $online = [ordered]@{ retention_days = [int]$onlineObjective.RetentionRangeDaily.Range; times = @($onlineTimes | Sort-Object -Unique) }
    }
    $window = Get-DPMConsistencyCheckWindow -ProtectionGroup $Group -ErrorAction SilentlyContinue
    $check = [ordered]@{ mode = 'when_inconsistent' }
    if ($window -and $window.DaysOfWeek) {
        $check = [ordered]@{
            mode = 'scheduled'
            days = @($window.DaysOfWeek | ForEach-Object { ConvertTo-DayName $_ })
            start = ([datetime]$window.StartTime).ToString('HH:mm')
            duration_hours = [int]$window.DurationInHours
        }
    }
    $colocated = @($Members | Where-Object { $_.IsCollocated }).Count -gt 0
    return [ordered]@{
        retention_days = [int]$shortTerm.RetentionRange.Range
        synchronization_frequency_minutes = $frequency
        recovery_point_times = @($times | Sort-Object -Unique)
        recovery_point_days = @($days | Select-Object -Unique)
        online = $online
        colocation = $colocated
        consistency_check = $check
    }
}

function Get-GroupRecord($Group) {
    $members = @(Get-DPMDatasource -ProtectionGroup $Group)
    $jobs = @(Get-DPMJob -ProtectionGroup $Group -Status InProgress | ForEach-Object {
        [ordered]@{ type = [string]$_.JobType; datasource = (@($_.DataSources) -join ', '); start_time = ConvertTo-IsoTime $_.StartTime }
    })
    return [ordered]@{
        id = [string]$Group.ProtectionGroupId
        name = [string]$Group.FriendlyName
        members = @($members | ForEach-Object { Get-DatasourceRecord $_ })
        policy = Get-PolicyRecord $Group $members
        jobs_in_progress = $jobs
    }
}

function Get-ProductionServerRecord($Server) {
    $cluster = $null
    if ($Server.ClusterName) { $cluster = [string]$Server.ClusterName }
    return [ordered]@{
        name = [string]$Server.MachineName
        cluster = $cluster
        agent_state = ([string]$Server.Connectivity.Status).ToLowerInvariant()
        is_cluster_resource = [bool]$Server.PossibleOwners
    }
}

# Runs on each Hyper-V host: the host's facts and its VMs, with disks and the volumes they are on.
$collectHyperV = {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $cluster = $null
    if (Get-Command -Name Get-Cluster -ErrorAction SilentlyContinue) {
        $clusterObject = Get-Cluster -ErrorAction SilentlyContinue
        if ($clusterObject) { $cluster = '{0}.{1}' -f $clusterObject.Name, $clusterObject.Domain }
    }
    $guestInstallerKey = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version'
    $guestInstaller = Get-ItemProperty -Path $guestInstallerKey -ErrorAction SilentlyContinue
    $hostVersion = $null
    if ($guestInstaller) { $hostVersion = [string]$guestInstaller.'Microsoft-Hyper-V-Guest-Installer-Win60-Package' }
    $volumes = @(Get-CimInstance -ClassName Win32_Volume | Where-Object { $_.Name } | Sort-Object -Property { $_.Name.Length } -Descending)
    $shares = New-Object -ComObject Scripting.FileSystemObject
    $hostName = [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName
    $vms = foreach ($vm in Get-VM) {
        $disks = foreach ($drive in Get-VMHardDiskDrive -VM $vm) {
            if ($null -ne $drive.DiskNumber) {
                [ordered]@{
                    path = $null; pass_through = $true; disk_number = [int]$drive.DiskNumber; size_bytes = 0; volume = $null; volume_free_bytes = $null
                }
                continue
            }
            $vhd = Get-VHD -Path $drive.Path
            $volume = $null
            $free = $null
            if ($drive.Path.StartsWith('\\')) {
                $volume = '\\' + (($drive.Path.Substring(2) -split '\\')[0..1] -join '\')
                $free = [int64]$shares.GetDrive($volume).FreeSpace
            } else {
                $match = $volumes | Where-Object { $drive.Path.StartsWith($_.Name, [StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1
                if ($match) { $volume = $match.Name.TrimEnd('\'); $free = [int64]$match.FreeSpace }
            }
            [ordered]@{
                path = $drive.Path; pass_through = $false; disk_number = $null; size_bytes = [int64]$vhd.FileSize; volume = $volume; volume_free_bytes = $free
            }
        }
        $replication = Get-VMReplication -VM $vm -ErrorAction SilentlyContinue
        $replicationRecord = [ordered]@{ mode = 'none'; state = $null; health = $null }
        if ($replication) {
            $replicationRecord = [ordered]@{
                mode = ([string]$replication.Mode).ToLowerInvariant(); state = [string]$replication.State; health = [string]$replication.Health
            }
        }
        $kvpFilter = "SystemName='{0}'" -f $vm.Id
        $kvp = Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_KvpExchangeComponent -Filter $kvpFilter -ErrorAction SilentlyContinue
        $osName = ''
        if ($kvp) {
            foreach ($item in $kvp.GuestIntrinsicExchangeItems) {
                $xml = [xml]$item
                if ($xml.SelectSingleNode("//PROPERTY[@NAME='Name']/VALUE").InnerText -eq 'OSName') {
                    $osName = $xml.SelectSingleNode("//PROPERTY[@NAME='Data']/VALUE").InnerText
                }
            }
        }
        $osType = 'unknown'
        if ($osName -match 'Windows') { $osType = 'windows' } elseif ($osName) { $osType = 'linux' }
        [ordered]@{
            vm_id = [string]$vm.Id
            name = [string]$vm.Name
            host = $hostName
            cluster = $cluster
            generation = [int]$vm.Generation
            scsi_controllers = @(Get-VMScsiController -VM $vm).Count
            integration_services_version = [string]$vm.IntegrationServicesVersion
            integration_services_mismatch = @(Get-VMIntegrationService -VM $vm |
                Where-Object { [string]$_.SecondaryOperationalStatus -eq 'ProtocolMismatch' }).Count -gt 0
            os_type = $osType
            replication = $replicationRecord
            configuration_path = [string]$vm.ConfigurationLocation
            disks = @($disks)
        }
    }
    [ordered]@{
        host = [ordered]@{ name = $hostName; cluster = $cluster; os_version = [string]$os.Version; integration_services_version = $hostVersion }
        vms = @($vms)
    }
}

$productionServers = @(Get-DPMProductionServer | Where-Object { [string]$_.ServerProtectionState -ne 'Deleted' })
$requested = @($Data.hyperv_hosts | ForEach-Object { ([string]$_).ToLowerInvariant() })
$datasources = @{}
$targets = @()
foreach ($server in $productionServers) {
    $name = ([string]$server.MachineName).ToLowerInvariant()
    $clusterName = ([string]$server.ClusterName).ToLowerInvariant()
    if ($requested -notcontains $name -and $requested -notcontains $clusterName) { continue }
    if ([string]$server.Connectivity.Status -eq 'OK') {
        foreach ($datasource in Get-DPMDatasource -ProductionServer $server -Inquire) {
            if ($datasource.ObjectType -like 'Microsoft Hyper-V*') { $datasources[[string]$datasource.DatasourceId] = Get-DatasourceRecord $datasource }
        }
    }
    if (-not $server.PossibleOwners) { $targets += [string]$server.MachineName }
}
foreach ($name in $requested) {
    $known = @($productionServers |
        Where-Object { ([string]$_.MachineName).ToLowerInvariant() -eq $name -or ([string]$_.ClusterName).ToLowerInvariant() -eq $name })
    if ($known.Count -eq 0) { $targets += $name }
}

$remoting = @{
    ComputerName = @($targets | Sort-Object -Unique); ScriptBlock = $collectHyperV; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'remoteErrors'
}
if ($Data.host_credential) {
    # Made without ConvertTo-SecureString -AsPlainText, which module logging would record with the password.
    $password = (New-Object System.Net.NetworkCredential ('', [string]$Data.host_credential.password)).SecurePassword
    $remoting.Credential = New-Object System.Management.Automation.PSCredential ([string]$Data.host_credential.user, $password)
}
$hostsRead = @()
$vmsRead = @()
$hostErrors = @()
if ($remoting.ComputerName.Count -gt 0) {
    $remoteErrors = @()
    foreach ($answer in @(Invoke-Command @remoting)) {
        $hostsRead += $answer.host
        $vmsRead += @($answer.vms)
    }
    foreach ($failure in $remoteErrors) {
        # A connection failure names its computer in OriginInfo; TargetObject may be what the remote command worked on.
        $computer = [string]$failure.OriginInfo.PSComputerName
        if (-not $computer) { $computer = [string]$failure.TargetObject }
        $hostErrors += [ordered]@{ host = $computer; message = [string]$failure.Exception.Message; error_id = [string]$failure.FullyQualifiedErrorId }
    }
}

$groups = @(Get-DPMProtectionGroup | Where-Object { [string]$_.FriendlyName -eq [string]$Data.group_name })
$group = $null
if ($groups.Count -eq 1) {
    $group = Get-GroupRecord $groups[0]
    foreach ($member in $group.members) { $datasources[$member.datasource_id] = $member }
}

[ordered]@{
    server = Get-ServerRecord
    groups_with_name = $groups.Count
    group = $group
    production_servers = @($productionServers | ForEach-Object { Get-ProductionServerRecord $_ })
    datasources = @($datasources.Values)
    hyperv = [ordered]@{ hosts = $hostsRead; vms = $vmsRead; errors = $hostErrors }
}
""", changes_state=False)

APPLY_PROTECTION_PLAN = PowerShellScript("mabs/apply_protection_plan", r"""# drkit.microsoft script: mabs/apply_protection_plan
# Performs the actions of hyperv_protection_group's plan ($Data.actions, in order) on one modifiable
# copy of the group $Data.group_name and commits it once with Set-DPMProtectionGroup, as DPM's
# documented sequence does; nothing is written before the commit. Returns whether the group exists
# afterwards and the VM ids of its members, which the module checks against its plan.
param($Data)
$ErrorActionPreference = 'Stop'
Import-Module DataProtectionManager

$weekdays = @{ monday = 'Mo'; tuesday = 'Tu'; wednesday = 'We'; thursday = 'Th'; friday = 'Fr'; saturday = 'Sa'; sunday = 'Su' }

# Each production server is inquired once per run, however many of its VMs are added.
$inquiries = @{}
function Get-InquiredDatasource($Member) {
    $computer = [string]$Member.computer
    if (-not $inquiries.ContainsKey($computer)) {
        $server = Get-DPMProductionServer | Where-Object { [string]$_.MachineName -eq $computer } | Select-Object -First 1
        if (-not $server) { throw ('MABS has no production server {0} for {1}' -f $computer, $Member.name) }
        $inquiries[$computer] = @(Get-DPMDatasource -ProductionServer $server -Inquire)
    }
    $found = $inquiries[$computer] | Where-Object { [string]$_.DatasourceId -eq [string]$Member.datasource_id } | Select-Object -First 1
    if (-not $found) { throw ('MABS does not find the data source of {0} on {1}' -f $Member.name, $computer) }
    return $found
}

function Get-GroupById($Id) {
    $group = Get-DPMProtectionGroup | Where-Object { [string]$_.ProtectionGroupId -eq [string]$Id }
    if (-not $group) { throw ('protection group {0} no longer exists' -f $Data.group_name) }
    $busy = @(Get-DPMJob -ProtectionGroup $group -Status InProgress)
    if ($busy.Count -gt 0) { throw ('protection group {0} has {1} job(s) in progress; it is not changed while they run' -f $Data.group_name, $busy.Count) }
    return $group
}

function Set-ProtectionType($Group, $Policy) {
    if ($Policy.online) { Set-DPMProtectionType -ProtectionGroup $Group -ShortTerm Disk -LongTerm Online | Out-Null }
    else { Set-DPMProtectionType -ProtectionGroup $Group -ShortTerm Disk | Out-Null }
}

# The policy after the protection type and replica creation, as DPM's documented sequence has it. Online protection is
# added for $OnlineMembers only: the new members, or all of them when online protection is being switched on.
function Set-Policy($Group, $Policy, $OnlineMembers) {
    $objective = @{ ProtectionGroup = $Group; RetentionRangeDays = [int]$Policy.retention_days }
    if ($null -eq $Policy.synchronization_frequency_minutes) { $objective.BeforeRecoveryPoint = $true }
    else { $objective.SynchronizationFrequencyMinutes = [int]$Policy.synchronization_frequency_minutes }
    # Set-DPMPolicyObjective resets the schedules, so they are set after it.
    Set-DPMPolicyObjective @objective | Out-Null
    Set-DPMPolicyObjective -ProtectionGroup $Group -ColocateDatasources ([bool]$Policy.colocation) | Out-Null
    $days = @($Policy.recovery_point_days | ForEach-Object { $weekdays[[string]$_] })
    $expressFull = @(Get-DPMPolicySchedule -ProtectionGroup $Group -ShortTerm | Where-Object { [string]$_.JobType -eq 'FullReplicationForApplication' })
    foreach ($schedule in $expressFull) {
        Set-DPMPolicySchedule -ProtectionGroup $Group -Schedule $schedule -TimesOfDay @($Policy.recovery_point_times) -DaysOfWeek $days | Out-Null
    }
    foreach ($datasource in @(Get-DPMDatasource -ProtectionGroup $Group)) {
        Set-DPMDatasourceDiskAllocation -ProtectionGroup $Group -Datasource $datasource | Out-Null
    }
    if ($Policy.online) {
        if (@($OnlineMembers).Count -gt 0) { Add-DPMChildDatasource -ProtectionGroup $Group -ChildDatasource @($OnlineMembers) -Online | Out-Null }
        Set-DPMPolicyObjective -ProtectionGroup $Group -OnlineRetentionRange ([int]$Policy.online.retention_days) | Out-Null
        foreach ($schedule in @(Get-DPMPolicySchedule -ProtectionGroup $Group -LongTerm Online)) {
            Set-DPMPolicySchedule -ProtectionGroup $Group -Schedule $schedule -TimesOfDay @($Policy.online.times) | Out-Null
        }
    }
    if ($Policy.consistency_check.mode -eq 'scheduled') {
        Set-DPMDatasourceProtectionOption -ProtectionGroup $Group -AutoConsistencyCheck $false | Out-Null
        $checkDays = @($Policy.consistency_check.days | ForEach-Object { $weekdays[[string]$_] })
        Set-DPMConsistencyCheckWindow -ProtectionGroup $Group -DaysOfWeek $checkDays -StartTime ([datetime]$Policy.consistency_check.start) `
            -DurationInHours ([int]$Policy.consistency_check.duration_hours) | Out-Null
    }
    else {
        if (Get-DPMConsistencyCheckWindow -ProtectionGroup $Group -ErrorAction SilentlyContinue) {
            Remove-DPMConsistencyCheckWindow -ProtectionGroup $Group | Out-Null
        }
        Set-DPMDatasourceProtectionOption -ProtectionGroup $Group -AutoConsistencyCheck $true | Out-Null
    }
}

function Set-ReplicaCreation($Group, $Creation) {
    switch ([string]$Creation.method) {
        'now' { Set-DPMReplicaCreationMethod -ProtectionGroup $Group -Now | Out-Null }
        'later' { Set-DPMReplicaCreationMethod -ProtectionGroup $Group -Later ([datetime]$Creation.at) | Out-Null }
        'manual' { Set-DPMReplicaCreationMethod -ProtectionGroup $Group -Manual | Out-Null }
    }
}

$removals = @('remove_protection_group_members', 'remove_protection_group_members_and_data', 'delete_protection_group', 'delete_protection_group_and_data')
$modifiable = $null
foreach ($action in $Data.actions) {
    $detail = $action.detail
    switch ([string]$action.action) {
        'create_protection_group' {
            $modifiable = New-DPMProtectionGroup -Name ([string]$Data.group_name)
            $added = @($detail.members | ForEach-Object { Get-InquiredDatasource $_ })
            foreach ($datasource in $added) { Add-DPMChildDatasource -ProtectionGroup $modifiable -ChildDatasource $datasource | Out-Null }
            Set-ProtectionType $modifiable $detail.policy
            Set-ReplicaCreation $modifiable $detail.replica_creation
            Set-Policy $modifiable $detail.policy $added
        }
        'add_protection_group_members' {
            if (-not $modifiable) { $modifiable = Get-DPMModifiableProtectionGroup (Get-GroupById $detail.group_id) }
            $added = @($detail.members | ForEach-Object { Get-InquiredDatasource $_ })
            foreach ($datasource in $added) {
                Add-DPMChildDatasource -ProtectionGroup $modifiable -ChildDatasource $datasource | Out-Null
                if ($detail.online) { Add-DPMChildDatasource -ProtectionGroup $modifiable -ChildDatasource $datasource -Online | Out-Null }
                Set-DPMDatasourceDiskAllocation -ProtectionGroup $modifiable -Datasource $datasource | Out-Null
            }
            Set-ReplicaCreation $modifiable $detail.replica_creation
        }
        { $_ -in $removals } {
            if (-not $modifiable) { $modifiable = Get-DPMModifiableProtectionGroup (Get-GroupById $detail.group_id) }
            $ids = @($detail.members | ForEach-Object { [string]$_.datasource_id })
            foreach ($datasource in @(Get-DPMDatasource -ProtectionGroup $modifiable | Where-Object { $ids -contains [string]$_.DatasourceId })) {
                if ($detail.keep_disk_data) { Remove-DPMChildDatasource -ProtectionGroup $modifiable -ChildDatasource $datasource -KeepDiskData | Out-Null }
                else { Remove-DPMChildDatasource -ProtectionGroup $modifiable -ChildDatasource $datasource | Out-Null }
            }
        }
        'set_protection_group_policy' {
            if (-not $modifiable) { $modifiable = Get-DPMModifiableProtectionGroup (Get-GroupById $detail.group_id) }
            $online = @()
            if ($detail.policy.online -and $detail.changes.online -and -not $detail.changes.online.before) {
                $online = @(Get-DPMDatasource -ProtectionGroup $modifiable)
            }
            Set-ProtectionType $modifiable $detail.policy
            Set-Policy $modifiable $detail.policy $online
        }
        default { throw ('unknown action {0}' -f $action.action) }
    }
}
if ($modifiable) { Set-DPMProtectionGroup -ProtectionGroup $modifiable | Out-Null }

$saved = Get-DPMProtectionGroup | Where-Object { [string]$_.FriendlyName -eq [string]$Data.group_name } | Select-Object -First 1
if (-not $saved) { return [ordered]@{ exists = $false; member_vm_ids = @() } }
[ordered]@{ exists = $true; member_vm_ids = @(Get-DPMDatasource -ProtectionGroup $saved | ForEach-Object { [string]$_.ComponentName }) }
""", changes_state=True)
