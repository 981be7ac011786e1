#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_vm_backup_job_info
short_description: An Azure VM backup job's two phases and its outcome, as the backup procedure reads them
version_added: 0.1.0
description:
  - Reads a backup job of a Recovery Services vault and reports its phases, the snapshot and the transfer to the vault, with the
    outcome the procedure's table gives for them, in RETURN's C(job.outcome).
  - "The table: snapshot completed and transfer in progress: in progress; transfer skipped or completed: completed; transfer
    failed: completed with warning; snapshot failed: failed."
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.azure
  - drkit.microsoft.recovery_services
  - drkit.microsoft.info_module
options:
  job_id:
    description: The job's id, as M(drkit.microsoft.azure_vm_backup_now) returns it.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Where is the initial backup?
  drkit.microsoft.azure_vm_backup_job_info:
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    job_id: "{{ initial_backup.job_id }}"
  register: backup_job
  until: backup_job.job.finished
  retries: 60
  delay: 60
"""

RETURN = r"""
job:
  description: The job.
  returned: always
  type: dict
  contains:
    job_id:
      description: Its id.
      type: str
    operation:
      description: What it does (C(Backup)).
      type: str
    vm:
      description: The VM's name.
      type: str
    status:
      description: The service's status (C(InProgress), C(Completed), C(CompletedWithWarnings), C(Failed), C(Cancelled)).
      type: str
    phases:
      description: C(snapshot) and C(transfer_to_vault), each the service's status of that task.
      type: dict
    outcome:
      description: The procedure's reading of the phases (C(in progress), C(completed), C(completed with warning), C(failed)).
      type: str
    finished:
      description: Whether the job ended.
      type: bool
    start_time:
      description: When it started (UTC).
      type: str
    end_time:
      description: When it ended (UTC), once it did.
      type: str
    duration:
      description: How long it ran (ISO 8601 duration).
      type: str
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup, jobs
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors


def main():
    spec = dict(backup.RECOVERY_SERVICES_ARGUMENT_SPEC, job_id=dict(type="str", required=True))
    module = azure_module(spec)
    params = module.params
    with reported_errors(module):
        settings, credential = azure_login(params)
        client = backup.backup_client(settings, credential)
        job = backup.get_job(client, params["resource_group"], params["vault_name"], params["job_id"])
        module.exit_json(changed=False, job=jobs.job_summary(job))


if __name__ == "__main__":
    main()
