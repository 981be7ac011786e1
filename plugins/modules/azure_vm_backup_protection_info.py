#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_vm_backup_protection_info
short_description: Which vault and policy back each Azure VM up, and how its last backup went
version_added: 0.1.0
description:
  - For each VM of O(vms), asks Azure Backup whether a vault protects it (the service's backup status of the VM in its region)
    and, when one does, reads the protected item there, through azure-mgmt-recoveryservicesbackup.
  - Reports the vault, its resource group, the policy, the protection state, and the last backup's status and time.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - azure-mgmt-recoveryservicesbackup >= 11.0.0
  - azure-identity
extends_documentation_fragment:
  - drkit.microsoft.azure
  - drkit.microsoft.info_module
options:
  vms:
    description: The VMs, each with C(name) and C(resource_group).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: How are the VMs backed up?
  drkit.microsoft.azure_vm_backup_protection_info:
    vms:
      - {name: app01, resource_group: rg-app}
  register: backup_report
"""

RETURN = r"""
vms:
  description: Per VM, in the order asked.
  returned: always
  type: list
  elements: dict
  contains:
    vm:
      description: The VM's name.
      type: str
    resource_group:
      description: Its resource group.
      type: str
    location:
      description: Its region.
      type: str
    protected:
      description: Whether a vault protects it.
      type: bool
    vault:
      description: The vault that protects it.
      type: str
    vault_resource_group:
      description: The vault's resource group.
      type: str
    policy:
      description: The policy it is protected with (none when its protection is stopped).
      type: str
    protection_state:
      description: C(Protected), C(ProtectionStopped), C(IRPending) ...
      type: str
    last_backup_status:
      description: How its last backup job ended (C(Completed), C(CompletedWithWarnings), C(Failed)); none before the first.
      type: str
    last_backup_time:
      description: When its last backup ended (UTC).
      type: str
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup, protection
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import ArmClient
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.compute import get_vm
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors


def main():
    spec = dict(vms=dict(type="list", elements="dict", required=True))
    module = azure_module(spec)
    params = module.params
    with reported_errors(module):
        protection.validate_vms(params["vms"])
        settings, credential = azure_login(params)
        arm, client = ArmClient(settings, credential), backup.backup_client(settings, credential)
        report = []
        for vm_ref in params["vms"]:
            vm = get_vm(arm, vm_ref["resource_group"], vm_ref["name"])
            status = backup.backup_status(client, vm["location"], vm["id"])
            item = None
            if status.get("protectionStatus") == "Protected":
                container, name = backup.protection_names(vm_ref["resource_group"], vm_ref["name"])
                vault_id = status["vaultId"]
                item = backup.get_protected_item(client, vault_id.split("/")[4], vault_id.rstrip("/").split("/")[-1], container, name)
            report.append(protection.protection_summary(vm, status, item))
        module.exit_json(changed=False, vms=report)


if __name__ == "__main__":
    main()
