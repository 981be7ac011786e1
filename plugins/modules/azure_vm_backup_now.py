#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_vm_backup_now
short_description: Back up a protected Azure VM now, with a retain-until date
version_added: 0.1.0
description:
  - Starts an on-demand backup ("back up now") of a VM the vault protects, its recovery point kept until O(retain_until), and
    returns the job's id; with O(wait=true) it follows the job to its end and reports its two phases, the snapshot and the
    transfer to the vault, as M(drkit.microsoft.azure_vm_backup_job_info) does.
  - Refused before any call when the date is not in the future, and before the backup when the VM is not protected by the vault
    or its protection is stopped. Azure Backup allows a few on-demand backups a day and one at a time per VM; it refuses
    another while one runs (UserErrorBackupOperationInProgress).
  - A job that ends failed fails the module; one that ends completed with warning (snapshot taken, transfer failed) returns with
    a notice.
  - Every run starts a backup and reports a change, unless O(last_backup_min_age) is set and the VM's last backup completed less
    than that many minutes ago; then none starts and the run reports no change, so a rerun of a play does not take a second
    backup (as C(last_snapshot_min_age) does for amazon.aws.ec2_snapshot).
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.azure
  - drkit.microsoft.recovery_services
attributes:
  check_mode:
    support: full
    description: Checks that the VM is protected and returns the plan; no backup starts.
  diff_mode:
    support: none
    description: A backup adds a recovery point; there is no before and after to compare.
options:
  vm:
    description: The VM, with C(name) and C(resource_group).
    type: dict
    required: true
  retain_until:
    description: The day (C(YYYY-MM-DD), UTC) until which the recovery point is kept; by default 30 days from today.
    type: str
  wait:
    description: Follow the job until it ends.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the backup to start and, with O(wait=true), to end.
    type: int
    default: 3600
  last_backup_min_age:
    description:
      - Minutes. When the VM's last backup completed (status C(Completed), the protected item's C(lastBackupTime)) less than
        this long ago, no backup starts and the run reports no change, with a notice naming that backup's time.
      - C(0) starts a backup on every run.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Initial backup of a newly protected VM, kept until the end of the year
  drkit.microsoft.azure_vm_backup_now:
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    vm: {name: app01, resource_group: rg-app}
    retain_until: "2026-12-31"
    wait: true
  register: initial_backup

- name: Back up app01 before a change, unless a backup completed in the last 12 hours (a rerun starts none)
  drkit.microsoft.azure_vm_backup_now:
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    vm: {name: app01, resource_group: rg-app}
    last_backup_min_age: 720
    wait: true
"""

RETURN = r"""
plan:
  description: The backup started, or in check mode that would start (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (a job completed with warning, a backup skipped by O(last_backup_min_age)).
  returned: always
  type: list
  elements: str
job_id:
  description: The backup job's id.
  returned: when a backup started
  type: str
job:
  description: The job as M(drkit.microsoft.azure_vm_backup_job_info) reports it (phases, status, outcome).
  returned: when a backup started
  type: dict
"""

import time

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup, jobs
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import check_wait_timeout
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

BACKUP_NOW = ActionType("backup_now", "create")
POLL_SECONDS = 5


def argument_spec():
    spec = dict(
        vm=dict(type="dict", required=True),
        retain_until=dict(type="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        last_backup_min_age=dict(type="int", default=0),
    )
    spec.update(backup.RECOVERY_SERVICES_ARGUMENT_SPEC)
    return spec


def main():
    module = azure_module(argument_spec())
    params = module.params
    with reported_errors(module):
        check_wait_timeout(params)
        vm = params["vm"]
        if not vm.get("name") or not vm.get("resource_group"):
            raise InvalidParameter("vm", "needs name and resource_group")
        expiry = jobs.retain_until(params["retain_until"])
        if params["last_backup_min_age"] < 0:
            raise InvalidParameter("last_backup_min_age", "must be 0 or a number of minutes")
        settings, credential = azure_login(params)
        client = backup.backup_client(settings, credential)
        container, item = backup.protection_names(vm["resource_group"], vm["name"])
        protected = backup.get_protected_item(client, params["resource_group"], params["vault_name"], container, item)
        if protected is None:
            raise InvalidParameter("vm", "VM %s is not protected by vault %s" % (vm["name"], params["vault_name"]))
        if protected["properties"].get("protectionState") == "ProtectionStopped":
            raise InvalidParameter("vm", "the protection of VM %s is stopped; protect it again first" % vm["name"])
        plan = Plan()
        recent = jobs.recent_backup(protected["properties"], params["last_backup_min_age"])
        if recent:
            plan.notice("VM %s was last backed up at %s, less than %d minutes ago (last_backup_min_age): no backup started."
                        % (vm["name"], recent, params["last_backup_min_age"]))
        else:
            plan.add(BACKUP_NOW(vm["name"], container=container, item=item, retain_until=expiry))
        state = {}

        def back_up(_action):
            state["job_id"] = backup.trigger_backup(client, params["resource_group"], params["vault_name"], container, item, expiry,
                                                    params["wait_timeout"])
            state["job"] = follow(client, params, state["job_id"])
            if state["job"]["outcome"] == "failed":
                raise DrkitError("the backup job failed (snapshot %s, transfer to vault %s)" % (
                    state["job"]["phases"]["snapshot"], state["job"]["phases"]["transfer_to_vault"]), step="backup_now",
                    target=state["job_id"], code="Failed")
            if state["job"]["outcome"] == "completed with warning":
                plan.notice("Backup job %s completed with warning: the snapshot was taken but its transfer to the vault failed; the "
                            "recovery point exists only as the snapshot." % state["job_id"])
            return state["job_id"]

        run_plan(module, plan, {BACKUP_NOW: back_up}, lambda outcomes: dict(state) if outcomes else {})


def follow(client, params, job_id):
    """The job's summary now, or once it ended with O(wait=true)."""
    deadline = time.time() + params["wait_timeout"]
    while True:
        summary = jobs.job_summary(backup.get_job(client, params["resource_group"], params["vault_name"], job_id))
        if not params["wait"] or summary["finished"]:
            return summary
        if time.time() >= deadline:
            raise DrkitError("the backup job did not end within %d seconds; it goes on in Azure" % params["wait_timeout"],
                             step="backup_now", target=job_id, code="Timeout")
        time.sleep(min(POLL_SECONDS, max(1, deadline - time.time())))


if __name__ == "__main__":
    main()
