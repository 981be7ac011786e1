# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell scripts of hyperv_vm_recovery, run on the MABS server by winrm/powershell.py.

Same conventions as protection_scripts.py: ``$Data`` in, one flat ordered hashtable out. The recoveries
this collection starts are written to a ledger on the MABS server (``%ProgramData%\\drkit.microsoft\\
hyperv-recoveries.json``), so a second run knows the recovery it asked for was already made and by
which DPM job.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.powershell import PowerShellScript

_LEDGER = r"""
function Get-LedgerPath {
    return Join-Path $env:ProgramData 'drkit.microsoft\hyperv-recoveries.json'
}

function Read-Ledger {
    $path = Get-LedgerPath
    if (-not (Test-Path -LiteralPath $path)) { return @() }
    # Windows PowerShell 5.1's ConvertFrom-Json outputs a JSON array as one object: enumerate it.
    $parsed = ConvertFrom-Json -InputObject (Get-Content -LiteralPath $path -Raw)
    return @($parsed | ForEach-Object { $_ })
}

function Get-JobRecord($JobId) {
    $job = Get-DPMJob -Type Recovery -From ((Get-Date).AddDays(-60)) | Where-Object { [string]$_.JobId -eq [string]$JobId } | Select-Object -First 1
    if (-not $job) {
        return [ordered]@{ job_id = [string]$JobId; status = 'Unknown'; has_completed = $false; start_time = $null; end_time = $null; error = $null }
    }
    $errorText = $null
    foreach ($task in @($job.Tasks)) { if ($task.ErrorInfo) { $errorText = [string]$task.ErrorInfo.ShortProblem } }
    $end = $null
    if ($job.HasCompleted -and $job.EndTime) { $end = ([datetime]$job.EndTime).ToUniversalTime().ToString('o') }
    return [ordered]@{
        job_id = [string]$job.JobId
        status = [string]$job.Status
        has_completed = [bool]$job.HasCompleted
        start_time = ([datetime]$job.StartTime).ToUniversalTime().ToString('o')
        end_time = $end
        error = $errorText
    }
}
"""

READ_RECOVERY_STATE = PowerShellScript("mabs/read_recovery_state", r"""# drkit.microsoft script: mabs/read_recovery_state
# The Hyper-V data sources of this MABS server that match $Data (vm_id, or vm_name on host), protected or
# kept after protection stopped, each with its recovery points; and the recoveries of them this collection
# started before, with their jobs.
param($Data)
$ErrorActionPreference = 'Stop'
Import-Module DataProtectionManager
""" + _LEDGER + r"""
function Get-VmName($Datasource) {
    return ([string]$Datasource.Name) -replace '^(Backup Using Child Partition Snapshot|Backup Using Saved State|Online|Offline)\\', ''
}

$hostName = ([string]$Data.host).ToLowerInvariant()
$candidates = @(Get-DPMDatasource | Where-Object { $_.ObjectType -like 'Microsoft Hyper-V*' } | Where-Object {
    if ($Data.vm_id) { return ([string]$_.ComponentName).Trim('{}') -eq ([string]$Data.vm_id) }
    $computer = ([string]$_.Computer).ToLowerInvariant()
    return (Get-VmName $_) -eq [string]$Data.vm_name -and ($computer -eq $hostName -or $computer.EndsWith('.' + $hostName))
})
$records = foreach ($datasource in $candidates) {
    $points = foreach ($online in @($false, $true)) {
        if ($online -and -not $datasource.IsPresentOnCloud) { continue }
        $found = if ($online) { Get-DPMRecoveryPoint -Datasource $datasource -Online } else { Get-DPMRecoveryPoint -Datasource $datasource }
        foreach ($point in @($found)) {
            $location = 'Disk'
            if ($online) { $location = 'Online' }
            [ordered]@{ time = ([datetime]$point.RepresentedPointInTime).ToUniversalTime().ToString('o'); location = $location }
        }
    }
    [ordered]@{
        datasource_id = [string]$datasource.DatasourceId
        vm_id = ([string]$datasource.ComponentName).Trim('{}')
        name = Get-VmName $datasource
        computer = [string]$datasource.Computer
        protection_group = [string]$datasource.ProtectionGroupName
        protected = [bool]$datasource.Protected
        recovery_points = @($points)
    }
}
$ids = @($records | ForEach-Object { $_.datasource_id })
$recoveries = foreach ($entry in Read-Ledger) {
    if ($ids -notcontains [string]$entry.datasource_id) { continue }
    [ordered]@{
        datasource_id = [string]$entry.datasource_id
        recovery_point_time = [string]$entry.recovery_point_time
        location = [string]$entry.location
        target_server = [string]$entry.target_server
        target_path = [string]$entry.target_path
        job = Get-JobRecord $entry.job_id
    }
}
[ordered]@{
    server = [string]([System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName)
    datasources = @($records)
    recoveries = @($recoveries)
}
""", changes_state=False)

START_RECOVERY = PowerShellScript("mabs/start_recovery", r"""# drkit.microsoft script: mabs/start_recovery
# Starts the recovery of one Hyper-V data source from one recovery point, as the Recovery Wizard does:
# New-DPMRecoveryOption (-HyperVDatasource, -RecoveryType Recover), an optional e-mail notification,
# Restore-DPMRecoverableItem; writes it to the ledger and returns the DPM job.
param($Data)
$ErrorActionPreference = 'Stop'
Import-Module DataProtectionManager
""" + _LEDGER + r"""
$datasource = Get-DPMDatasource | Where-Object { [string]$_.DatasourceId -eq [string]$Data.datasource_id } | Select-Object -First 1
if (-not $datasource) { throw ('MABS has no data source {0}' -f $Data.datasource_id) }
$wanted = [datetime]::Parse([string]$Data.recovery_point_time, $null, [Globalization.DateTimeStyles]::RoundtripKind)
$online = [string]$Data.recovery_point_location -eq 'Online'
$points = if ($online) { Get-DPMRecoveryPoint -Datasource $datasource -Online } else { Get-DPMRecoveryPoint -Datasource $datasource }
$point = @($points) | Where-Object { ([datetime]$_.RepresentedPointInTime).ToUniversalTime() -eq $wanted.ToUniversalTime() } | Select-Object -First 1
if (-not $point) { throw ('no recovery point of {0} at {1} ({2})' -f $datasource.Name, $Data.recovery_point_time, $Data.recovery_point_location) }

$option = @{ HyperVDatasource = $true; RecoveryType = 'Recover'; TargetServer = [string]$Data.target_server }
switch ([string]$Data.location) {
    'original' { $option.RecoveryLocation = 'OriginalServer' }
    'alternate_host' { $option.RecoveryLocation = 'AlternateHyperVServer'; $option.TargetLocation = [string]$Data.target_path }
    'network_folder' { $option.RecoveryLocation = 'CopyToFolder'; $option.TargetLocation = [string]$Data.target_path }
    default { throw ('unknown recovery location {0}' -f $Data.location) }
}
if ($Data.san_recovery) { $option.SANRecovery = $true }
$restore = @{ RecoverableItem = $point; RecoveryOption = (New-DPMRecoveryOption @option) }
if (@($Data.notify).Count -gt 0) {
    $restore.RecoveryNotification = New-DPMRecoveryNotification -NotificationType Email -NotificationIdList @($Data.notify)
}
$job = Restore-DPMRecoverableItem @restore

$ledger = @(Read-Ledger)
$ledger += [ordered]@{
    datasource_id = [string]$Data.datasource_id
    recovery_point_time = [string]$Data.recovery_point_time
    location = [string]$Data.location
    target_server = [string]$Data.target_server
    target_path = [string]$Data.target_path
    job_id = [string]$job.JobId
}
$record = Get-JobRecord $job.JobId
# The job runs whatever happens next: a ledger that cannot be written is reported, not thrown.
try {
    $path = Get-LedgerPath
    New-Item -ItemType Directory -Path (Split-Path -Parent $path) -Force | Out-Null
    Set-Content -LiteralPath $path -Value (ConvertTo-Json -InputObject @($ledger) -Depth 4) -Encoding UTF8
    $record.ledger_error = $null
}
catch {
    $record.ledger_error = $_.Exception.Message
}
$record
""", changes_state=True)

READ_RECOVERY_JOB = PowerShellScript("mabs/read_recovery_job", r"""# drkit.microsoft script: mabs/read_recovery_job
# The state of one recovery job ($Data.job_id).
param($Data)
$ErrorActionPreference = 'Stop'
Import-Module DataProtectionManager
""" + _LEDGER + r"""
Get-JobRecord $Data.job_id
""", changes_state=False)
