#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_vm_backup_protection
short_description: Protect many Azure VMs with one backup policy of a Recovery Services vault, or stop their protection
version_added: 0.1.0
description:
  - Enables Azure Backup protection of the VMs of O(vms) with policy O(policy_name) of vault O(vault_name), through
    azure-mgmt-recoveryservicesbackup; or stops it, keeping the recovery points (O(state=stopped)), or removes it with them
    (O(state=absent)).
  - "Before anything is written it checks each VM as the procedure asks: in the vault's region, not protected by another vault
    (the service's backup status of the VM), and that the policy has room (1000 VMs at most). A VM the vault has not discovered
    yet is discovered first (the vault's containers are refreshed once for all of them)."
  - A VM already protected with the policy and the disks asked for is left alone; a second run writes nothing and reports no
    change.
  - The operations run together, at most O(max_concurrency) at a time; each is the service's asynchronous operation, awaited.
    The SDK retries throttling (429) and unavailability (5xx) after the delay the service asks (Retry-After).
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.azure
  - drkit.microsoft.recovery_services
attributes:
  check_mode:
    support: full
    description: Reads the VMs, their protection and backup status, and returns the plan.
  diff_mode:
    support: full
    description: Per VM, its policy, protection state and disks before and after.
options:
  vms:
    description: The VMs, each with C(name) and C(resource_group), and optionally its own C(disks) (as O(disks)).
    type: list
    elements: dict
    required: true
  state:
    description:
      - V(protected) protects each VM with O(policy_name) (and O(disks)).
      - V(stopped) stops protection and keeps the recovery points, which the policy no longer prunes.
      - V(absent) stops protection and deletes the recovery points.
    type: str
    choices: [protected, stopped, absent]
    default: protected
  policy_name:
    description: The vault's backup policy; required with O(state=protected).
    type: str
  disks:
    description:
      - Which data disks are backed up, by LUN; C(include) (only these) or C(exclude) (all but these). The OS disk always is.
      - Omitted, every disk is backed up. A VM's own C(disks) in O(vms) takes precedence.
    type: dict
  max_concurrency:
    description: How many protection operations run at once, 1 to 50.
    type: int
    default: 4
  wait_timeout:
    description: Seconds to wait for each operation, and for the discovery.
    type: int
    default: 900
"""

EXAMPLES = r"""
- name: Protect the application's VMs with the daily policy, without their scratch disk
  drkit.microsoft.azure_vm_backup_protection:
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    policy_name: vm-daily
    vms:
      - {name: app01, resource_group: rg-app}
      - {name: app02, resource_group: rg-app}
    disks:
      exclude: [2]

- name: Stop backing up a retired VM, keeping its recovery points
  drkit.microsoft.azure_vm_backup_protection:
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    state: stopped
    vms: [{name: legacy01, resource_group: rg-legacy}]
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (recovery points deleted with O(state=absent)).
  returned: always
  type: list
  elements: str
protected_items:
  description: Per VM id, the protected item as the service returned it after its operation.
  returned: when operations ran
  type: dict
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup, protection
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import ArmClient, check_wait_timeout
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.compute import get_vm
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan


def argument_spec():
    spec = dict(
        vms=dict(type="list", elements="dict", required=True),
        state=dict(type="str", choices=["protected", "stopped", "absent"], default="protected"),
        policy_name=dict(type="str"),
        disks=dict(type="dict"),
        max_concurrency=dict(type="int", default=4),
        wait_timeout=dict(type="int", default=900),
    )
    spec.update(backup.RECOVERY_SERVICES_ARGUMENT_SPEC)
    return spec


def read_vms(params, arm, client):
    """What the plan needs of each VM: its document, names, protected item, backup status, and whether it was discovered."""
    discovered = None
    entries = []
    for vm_ref in params["vms"]:
        vm = get_vm(arm, vm_ref["resource_group"], vm_ref["name"])
        container, item = backup.protection_names(vm_ref["resource_group"], vm_ref["name"])
        current = backup.get_protected_item(client, params["resource_group"], params["vault_name"], container, item)
        status = None
        if params["state"] == "protected" and current is None:
            status = backup.backup_status(client, vm["location"], vm["id"])
            if discovered is None:
                discovered = backup.protectable_vm_ids(client, params["resource_group"], params["vault_name"])
        entries.append({"vm": vm, "container": container, "item": item, "current": current, "status": status,
                        "discovered": vm["id"].lower() in (discovered or set()), "disks": vm_ref.get("disks")})
    return entries


def main():
    module = azure_module(argument_spec())
    params = module.params
    with reported_errors(module):
        check_wait_timeout(params)
        protection.validate_request(params)  # every rule that needs no call, first
        settings, credential = azure_login(params)
        client = backup.backup_client(settings, credential)
        vault_document = backup.get_vault(backup.vault_client(settings, credential), params["resource_group"], params["vault_name"])
        if vault_document is None:
            raise InvalidParameter("vault_name", "there is no vault %s in resource group %s" % (params["vault_name"], params["resource_group"]))
        policy = None
        if params["state"] == "protected":
            policy = backup.get_policy(client, params["resource_group"], params["vault_name"], params["policy_name"])
            if policy is None:
                raise InvalidParameter("policy_name", "vault %s has no policy %s" % (params["vault_name"], params["policy_name"]))
        entries = read_vms(params, ArmClient(settings, credential), client)
        plan = protection.plan_protection(params, {"id": vault_document["id"], "location": vault_document["location"]}, policy, entries)
        policy_id = "%s/backupPolicies/%s" % (vault_document["id"], params["policy_name"]) if params["policy_name"] else None
        appliers = protection.ProtectionAppliers(client, params, policy_id)
        run_plan(module, plan, appliers.as_mapping(), lambda outcomes: {"protected_items": appliers.items} if outcomes else {})


if __name__ == "__main__":
    main()
