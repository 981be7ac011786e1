#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hyperv_vm_recovery
short_description: Recover a Hyper-V VM protected by Azure Backup Server (MABS) or DPM from a recovery point
version_added: 0.1.0
description:
  - Recovers a VM that a MABS (or System Center DPM) server protects at host level, from the recovery point chosen by time,
    to its original instance, as a VM on another Hyper-V host, or as a copy of its files in a network folder; then waits for
    DPM's recovery job and reports its outcome.
  - The module runs on the controller and reaches the MABS server over WinRM; DPM's own cmdlets do the work
    (C(New-DPMRecoveryOption -HyperVDatasource), C(New-DPMRecoveryNotification), C(Restore-DPMRecoverableItem)).
  - Check mode shows what the recovery would do - which recovery point, and, for the original instance, that the VM's current
    VHDs and checkpoints are deleted and replaced.
  - Each recovery started is written to a ledger on the MABS server; a second run with the same options finds it, waits for
    its job if it still runs, and reports no change. O(force=true) recovers again.
  - Options that DPM's cmdlets do not offer (network bandwidth throttling of a recovery) are refused, not approximated.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.winrm
attributes:
  check_mode:
    support: full
    description: Reads the data source, its recovery points and earlier recoveries, and returns the plan and its notices.
  diff_mode:
    support: none
    description: A recovery has no before and after to show; the plan and its notices say what it does.
options:
  vm:
    description:
      - The protected VM - C(host), its Hyper-V host or cluster as MABS knows it, and its name C(vm) or id C(vm_id).
      - A VM no longer protected but whose replica MABS keeps can be recovered too.
    type: dict
    required: true
    suboptions:
      host:
        description: FQDN of the Hyper-V host, or of the cluster for a clustered VM.
        type: str
        required: true
      vm:
        description: Name of the VM (as when it was protected).
        type: str
      vm_id:
        description: Id (GUID) of the VM.
        type: str
  recovery_point_time:
    description:
      - The time of the recovery point, ISO 8601 (C(2026-11-20T20:00:00Z)); without an offset it is UTC.
      - Not set, the latest recovery point.
    type: str
  recovery_point_match:
    description:
      - V(latest_before) takes the latest recovery point at or before O(recovery_point_time); V(exact) the one at that time.
    type: str
    choices: [latest_before, exact]
    default: latest_before
  recovery_point_location:
    description:
      - Where the recovery point may be - V(disk) (short-term), V(online) (Azure), or V(any); with V(any) a disk copy is preferred.
    type: str
    choices: [any, disk, online]
    default: any
  location:
    description:
      - V(original) recovers the original instance; the VM's current VHDs and all their checkpoints are deleted and replaced.
      - V(alternate_host) recovers it as a VM on O(target_host) under O(target_path).
      - V(network_folder) copies its files (VHDs and configuration) to O(target_path) on O(target_host); single files are then taken
        from the copied VHDs (DPM's item-level browsing of a recovery point is not offered here).
    type: str
    choices: [original, alternate_host, network_folder]
    required: true
  target_host:
    description: The Hyper-V host (V(alternate_host)) or server (V(network_folder)); it needs the protection agent.
    type: str
  target_path:
    description:
      - Folder for the recovered files, for example C(D:\Recovered) or C(\\fs01\restores\sql01). Under 248 characters, so that
        every file of the VM stays under 260.
    type: str
  san_recovery:
    description: Use SAN-based recovery with hardware snapshots (C(-SANRecovery)).
    type: bool
    default: false
  notify:
    description: E-mail addresses DPM notifies when the recovery ends (its SMTP settings must be configured).
    type: list
    elements: str
  network_bandwidth_throttling:
    description:
      - Refused when set - DPM's PowerShell cannot throttle a recovery; only the Recovery Wizard in the console can.
    type: dict
  force:
    description: Recover again even when the ledger shows this recovery was already made.
    type: bool
    default: false
  wait:
    description: Wait for the recovery job to end, and fail unless it succeeds.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the job. The job goes on after a timeout; a second run waits for it again.
    type: int
    default: 7200
  poll_interval:
    description: Seconds between two looks at the job.
    type: int
    default: 15
notes:
  - Runs on the controller (C(delegate_to=localhost)) with pywinrm; the MABS server needs WinRM over HTTPS and the DPM PowerShell module.
seealso:
  - module: drkit.microsoft.hyperv_protection_group
requirements:
  - pywinrm >= 0.5.0
"""

EXAMPLES = r"""
- name: Preview the recovery of SQL01 to its original instance, from the last recovery point before the incident
  drkit.microsoft.hyperv_vm_recovery:
    winrm_host: mabs01.contoso.com
    winrm_user: CONTOSO\backupadmin
    winrm_password: "{{ vault_backupadmin_password }}"
    vm: {host: hv01.contoso.com, vm: SQL01}
    recovery_point_time: "2026-11-20T18:00:00Z"
    location: original
  check_mode: true
  delegate_to: localhost
  register: preview

- name: Recover FS01 as a new VM on another host, and mail the team when done
  drkit.microsoft.hyperv_vm_recovery:
    winrm_host: mabs01.contoso.com
    winrm_user: CONTOSO\backupadmin
    winrm_password: "{{ vault_backupadmin_password }}"
    vm: {host: hvclus01.contoso.com, vm: FS01}
    location: alternate_host
    target_host: hv03.contoso.com
    target_path: D:\Recovered
    notify: [backup-team@contoso.com]
  delegate_to: localhost
"""

RETURN = r"""
changed:
  description: Whether a recovery was (in check mode, would be) started.
  returned: always
  type: bool
plan:
  description:
    - The recovery as the collection's plan format; C(action) is V(recover_vm_to_original_instance) (destructive, irreversible),
      V(recover_vm_to_alternate_host) or V(copy_vm_to_network_folder). Empty when the same recovery was already made.
  returned: always
  type: list
  elements: dict
notices:
  description: What an operator must know - VHDs deleted and replaced, a recovered VM not highly available, a download from Azure.
  returned: always
  type: list
  elements: str
datasource:
  description: The data source recovered - C(datasource_id), C(vm_id), C(name), C(computer), C(protection_group), C(protected).
  returned: always
  type: dict
recovery_point:
  description: The recovery point chosen - C(time) (ISO 8601, UTC) and C(location) (V(Disk) or V(Online)).
  returned: always
  type: dict
job:
  description:
    - DPM's recovery job - C(job_id), C(status), C(has_completed), C(start_time), C(end_time), C(error).
    - The earlier job when the recovery had already been made.
  returned: when a recovery was started or found
  type: dict
"""

import time

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter, fail
from ansible_collections.drkit.microsoft.plugins.module_utils.core.secrets import scrub_data
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc_time
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import api, members, recovery_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import WindowsHost
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.module import winrm_module


def argument_spec():
    return dict(
        vm=dict(type="dict", required=True, options=members.MEMBER_OPTIONS),
        recovery_point_time=dict(type="str"),
        recovery_point_match=dict(type="str", choices=["latest_before", "exact"], default="latest_before"),
        recovery_point_location=dict(type="str", choices=["any", "disk", "online"], default="any"),
        location=dict(type="str", choices=["original", "alternate_host", "network_folder"], required=True),
        target_host=dict(type="str"),
        target_path=dict(type="str"),
        san_recovery=dict(type="bool", default=False),
        notify=dict(type="list", elements="str"),
        network_bandwidth_throttling=dict(type="dict"),
        force=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=7200),
        poll_interval=dict(type="int", default=15),
    )


def validated_request(params):
    """Every option checked before anything is contacted."""
    [vm] = members.requested_members([params["vm"]], "vm")
    wanted = params.get("recovery_point_time")
    if params["recovery_point_match"] == "exact" and not wanted:
        raise InvalidParameter("recovery_point_time", "is required with recovery_point_match=exact")
    if params["wait_timeout"] < 1 or params["poll_interval"] < 1:
        raise InvalidParameter("wait_timeout" if params["wait_timeout"] < 1 else "poll_interval", "must be at least 1 second")
    return {"host": WindowsHost(params), "vm": vm, "target": recovery_plan.validated_target(params),
            "time": parse_utc_time(wanted, "recovery_point_time") if wanted else None}


def main():
    module = winrm_module(argument_spec())
    params = module.params
    try:
        request = validated_request(params)
        state = api.read_recovery_state(request["host"], request["vm"])
        source = recovery_plan.choose_datasource(state, request["vm"])
        point = recovery_plan.choose_recovery_point(source, request["time"], params["recovery_point_match"], params["recovery_point_location"])
        plan, earlier, recovery = recovery_plan.plan_recovery(state, source, point, request["target"], params["force"])
        result = plan.result()
        result.update(datasource={key: source[key] for key in ("datasource_id", "vm_id", "name", "computer", "protection_group", "protected")},
                      recovery_point=point)
        job = earlier["job"] if earlier else None
        if plan.changes and not module.check_mode:
            job = api.start_recovery(request["host"], recovery)
            if job.pop("ledger_error", None):
                module.warn("recovery job %s started, but the MABS server's ledger of recoveries could not be written: a second run with "
                            "the same options would start this recovery again" % job["job_id"])
        if job is not None and params["wait"] and not module.check_mode:
            job = _wait(request["host"], job, params["wait_timeout"], params["poll_interval"])
        if job is not None:
            result["job"] = job
    except DrkitError as error:
        fail(module, error)
    module.exit_json(**scrub_data(result, module.no_log_values))


def _wait(host, job, timeout, interval):
    """Poll the job until it ends; a job that ends otherwise than Succeeded, or outlasts *timeout*, fails the task."""
    deadline = time.time() + timeout
    while not job["has_completed"]:
        if time.time() >= deadline:
            raise DrkitError("recovery job %s still runs after %d s; it goes on on the MABS server, and a second run waits for it again"
                             % (job["job_id"], timeout), step="wait_for_recovery", target=job["job_id"], details={"job": job})
        time.sleep(min(interval, max(0, deadline - time.time())))
        job = api.read_recovery_job(host, job["job_id"])
    if job["status"] != "Succeeded":
        raise DrkitError("recovery job %s ended %s: %s" % (job["job_id"], job["status"], job.get("error") or "no error text"),
                         step="wait_for_recovery", target=job["job_id"], code=job["status"], details={"job": job})
    return job


if __name__ == "__main__":
    main()
