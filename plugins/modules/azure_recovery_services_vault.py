#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_recovery_services_vault
short_description: Recovery Services vaults for Azure Backup, with their storage redundancy and cross-region restore
version_added: 0.1.0
description:
  - Creates a Recovery Services vault, or brings an existing one to the options, through azure-mgmt-recoveryservices.
  - The vault must be in the region of the VMs it protects. Its storage is geo-redundant by default (recommended when the vault
    holds the primary backups), locally or zone-redundant otherwise; the redundancy cannot change once the vault protects items,
    so the module refuses such a change before any write, saying how many items the vault protects.
  - Cross-region restore needs geo-redundant storage. A vault does not move to another region; a different O(location) is refused.
  - When the vault already matches, nothing is written and the module reports no change.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - azure-mgmt-recoveryservices >= 3.0.0
  - azure-mgmt-recoveryservicesbackup >= 11.0.0
  - azure-identity
extends_documentation_fragment:
  - drkit.microsoft.azure
attributes:
  check_mode:
    support: full
    description: Reads the vault (and how many items it protects) and returns the plan.
  diff_mode:
    support: full
    description: The vault's location, storage redundancy and cross-region restore, before and after.
options:
  name:
    description: Name of the vault; 2 to 50 letters, digits and hyphens, starting with a letter; unique in the subscription.
    type: str
    required: true
  resource_group:
    description: The vault's resource group; it must exist.
    type: str
    required: true
  location:
    description: Azure region of the vault (V(westeurope)), the region of the VMs it protects. Required to create it.
    type: str
  storage_redundancy:
    description: V(geo) (geo-redundant), V(local) (locally redundant) or V(zone) (zone-redundant) storage of the backups.
    type: str
    choices: [geo, local, zone]
    default: geo
  cross_region_restore:
    description: Allow restores in the paired region; needs O(storage_redundancy=geo).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the vault's creation or update to finish.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: The production vault, geo-redundant, with cross-region restore
  drkit.microsoft.azure_recovery_services_vault:
    name: rsv-prod-weu
    resource_group: rg-backup
    location: westeurope
    cross_region_restore: true
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (the redundancy is fixed once items are protected).
  returned: always
  type: list
  elements: str
vault:
  description: The vault as the service returns it (REST names), after the run; absent in check mode for a new vault.
  returned: when the vault exists
  type: dict
protected_items:
  description: How many items the vault protected when the module read it.
  returned: always
  type: int
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup, vault
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import check_wait_timeout
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan


def argument_spec():
    spec = dict(
        name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        location=dict(type="str"),
        storage_redundancy=dict(type="str", choices=list(vault.REDUNDANCY), default="geo"),
        cross_region_restore=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )
    return spec


def main():
    module = azure_module(argument_spec())
    params = module.params
    with reported_errors(module):
        check_wait_timeout(params)
        desired = vault.desired_vault(params)  # the rules that need no call, first
        settings, credential = azure_login(params)
        vaults = backup.vault_client(settings, credential)
        resource = backup.get_vault(vaults, params["resource_group"], params["name"])
        protected = 0
        if resource is not None:
            protected = backup.count_protected_items(backup.backup_client(settings, credential), params["resource_group"], params["name"])
        current = vault.vault_shape(resource) if resource is not None else None
        plan = vault.plan_vault(params["name"], current, desired, protected)

        def write(_action):
            after = plan.after
            return backup.put_vault(vaults, params["resource_group"], params["name"], vault.vault_document(after), params["wait_timeout"])

        def summarize(outcomes):
            result = {"protected_items": protected}
            if outcomes:
                result["vault"] = outcomes[-1]
            elif resource is not None:
                result["vault"] = resource
            return result

        run_plan(module, plan, {vault.CREATE_VAULT: write, vault.UPDATE_VAULT: write}, summarize)


if __name__ == "__main__":
    main()
