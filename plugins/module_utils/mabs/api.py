# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One call per MABS script: each names its operation for errors; reads are retried, writes are not.

Every call is one round trip: one PowerShell run on the MABS server, data in as JSON, result out as
JSON (module_utils/winrm/powershell.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import protection_scripts, recovery_scripts
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.powershell import run_script


def read_protection_state(host, group_name, hyperv_hosts, host_credential):
    """The server, the group (or None), the production servers, the data sources and Hyper-V facts of *hyperv_hosts*."""
    data = {"group_name": group_name, "hyperv_hosts": list(hyperv_hosts), "host_credential": host_credential}
    return run_script(host, protection_scripts.READ_PROTECTION_STATE, data, "read_protection_state")


def apply_protection_plan(host, group_name, actions):
    """Perform *actions* (the plan's, as dicts) on group *group_name* and commit it once; the group as saved."""
    data = {"group_name": group_name, "actions": actions}
    return run_script(host, protection_scripts.APPLY_PROTECTION_PLAN, data, "apply_protection_plan")


def read_recovery_state(host, vm):
    """The data sources matching *vm* ({"host", "vm", "vm_id"}) with their recovery points, and the ledger's recoveries of them."""
    data = {"host": vm["host"], "vm_name": vm.get("vm"), "vm_id": vm.get("vm_id")}
    return run_script(host, recovery_scripts.READ_RECOVERY_STATE, data, "read_recovery_state")


def start_recovery(host, request):
    """Start the recovery *request* describes (recovery_plan.plan_recovery); the DPM job as first seen."""
    return run_script(host, recovery_scripts.START_RECOVERY, request, "start_recovery")


def read_recovery_job(host, job_id):
    return run_script(host, recovery_scripts.READ_RECOVERY_JOB, {"job_id": job_id}, "read_recovery_job")
