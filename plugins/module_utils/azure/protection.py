# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure Backup protection of Azure VMs: the checks the procedure asks for, the plan for many VMs at once, and appliers that
keep a bounded number of the service's operations running together.

A VM is protected only by a vault of its own region and by one vault at a time; a policy holds at most 1000 VMs. A VM
the vault has not discovered yet is discovered first (refreshContainers), once for all of them. Stopping protection keeps
the recovery points (the item stays, ProtectionStopped); removing it deletes them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import arm_errors
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

MAX_VMS_PER_POLICY = 1000
DISCOVER_VMS = ActionType("discover_vms", "modify")
PROTECT_VM = ActionType("protect_vm", "create")
CHANGE_PROTECTION = ActionType("change_protection", "modify")
STOP_PROTECTION = ActionType("stop_protection", "modify")
DELETE_PROTECTION = ActionType("delete_protection", "delete", destructive=True, reversible=False)
WAIT_FOR_OPERATIONS = ActionType("wait_for_protection", "verify")


def validate_request(params):
    validate_vms(params["vms"])
    if params["state"] == "protected" and not params.get("policy_name"):
        raise InvalidParameter("policy_name", "is required with state=protected")
    if not 1 <= params["max_concurrency"] <= 50:
        raise InvalidParameter("max_concurrency", "must be 1 to 50")
    disk_exclusion(params.get("disks"))


def validate_vms(vms):
    """Each VM named once, with its resource group, and its own disks valid."""
    vms = vms or []
    if not vms:
        raise InvalidParameter("vms", "must name at least one VM (name and resource_group)")
    seen = set()
    for index, vm in enumerate(vms):
        if not vm.get("name") or not vm.get("resource_group"):
            raise InvalidParameter("vms[%d]" % index, "needs name and resource_group")
        key = (vm["resource_group"].lower(), vm["name"].lower())
        if key in seen:
            raise InvalidParameter("vms[%d]" % index, "names %s/%s twice" % key)
        seen.add(key)
        disk_exclusion(vm.get("disks"), "vms[%d].disks" % index)


def disk_exclusion(disks, parameter="disks"):
    """diskExclusionProperties of a disks option, or None to back up every disk."""
    if not disks:
        return None
    include, exclude = disks.get("include"), disks.get("exclude")
    if (include is None) == (exclude is None):
        raise InvalidParameter(parameter, "takes include or exclude, one of them")
    luns = include if include is not None else exclude
    if not all(isinstance(lun, int) and 0 <= lun <= 63 for lun in luns):
        raise InvalidParameter(parameter, "LUNs are data disk numbers 0 to 63")
    return {"diskLunList": sorted(set(luns)), "isInclusionList": include is not None}


def same_region(a, b):
    return a.replace(" ", "").lower() == b.replace(" ", "").lower()


def plan_protection(params, vault, policy, vms):
    """*vault* {id, location}; *policy* the policy's document or None; *vms* per VM: {vm (its ARM document), container, item,
    current (protected item or None), status (backup status or None), discovered, disks (its own choice, or None)}."""
    plan = Plan(before={}, after={})
    state = params["state"]
    discover, new_items = False, 0
    for index, entry in enumerate(vms):
        vm, current = entry["vm"], entry["current"]
        exclusion = disk_exclusion(entry.get("disks") or params.get("disks"))
        properties = (current or {}).get("properties") or {}
        plan.before[vm["name"]] = _summary(properties)
        if state == "protected":
            if not same_region(vm["location"], vault["location"]):
                raise InvalidParameter("vms[%d]" % index, "VM %s is in %s and vault %s in %s: a vault protects the VMs of its own region"
                                       % (vm["name"], vm["location"], params["vault_name"], vault["location"]))
            status = entry["status"] or {}
            if status.get("protectionStatus") == "Protected" and (status.get("vaultId") or "").lower() != vault["id"].lower():
                raise InvalidParameter("vms[%d]" % index, "VM %s is already protected by vault %s; a VM is protected by one vault only"
                                       % (vm["name"], status["vaultId"]))
            wanted = {"policy": params["policy_name"], "state": "Protected", "disks": exclusion}
            plan.after[vm["name"]] = wanted
            if current is None:
                new_items += 1
                discover = discover or not entry["discovered"]
                plan.add(PROTECT_VM(vm["id"], container=entry["container"], item=entry["item"], policy=params["policy_name"], disks=exclusion))
            elif _summary(properties) != wanted:
                plan.add(CHANGE_PROTECTION(vm["id"], container=entry["container"], item=entry["item"], policy=params["policy_name"],
                                           disks=exclusion, was=_summary(properties)))
        elif state == "stopped":
            plan.after[vm["name"]] = dict(_summary(properties), state="ProtectionStopped") if current else {}
            if current is not None and properties.get("protectionState") != "ProtectionStopped":
                plan.add(STOP_PROTECTION(vm["id"], container=entry["container"], item=entry["item"], recovery_points="kept"))
        else:
            plan.after[vm["name"]] = {}
            if current is not None:
                plan.add(DELETE_PROTECTION(vm["id"], container=entry["container"], item=entry["item"], recovery_points="deleted"))
                plan.notice("The recovery points of %s are deleted with its protection." % vm["name"])
    if state == "protected" and policy is not None and policy.get("protectedItemsCount", 0) + new_items > MAX_VMS_PER_POLICY:
        raise InvalidParameter("vms", "policy %s protects %d VMs; %d more would pass Azure Backup's limit of %d"
                               % (params["policy_name"], policy["protectedItemsCount"], new_items, MAX_VMS_PER_POLICY))
    if discover:
        plan.actions.insert(0, DISCOVER_VMS(params["vault_name"], why="some VMs are not discovered by the vault yet"))
    if any(action.type in (PROTECT_VM, CHANGE_PROTECTION, STOP_PROTECTION) for action in plan.actions):
        plan.add(WAIT_FOR_OPERATIONS(params["vault_name"], max_concurrency=params["max_concurrency"]))
    return plan


def _summary(properties):
    if not properties:
        return {}
    policy_id = properties.get("policyId") or ""
    return {"policy": policy_id.rstrip("/").split("/")[-1] if policy_id else None, "state": properties.get("protectionState"),
            "disks": (properties.get("extendedProperties") or {}).get("diskExclusionProperties")}


class ProtectionAppliers(object):
    """Starts each protection operation as the plan lists it, with at most *max_concurrency* running at once."""

    def __init__(self, client, params, policy_id, polling_interval=5):
        self.client, self.params, self.policy_id = client, params, policy_id
        self.polling_interval = polling_interval
        self.running = []  # (VM id, poller)
        self.items = {}

    def as_mapping(self):
        return {DISCOVER_VMS: self.discover, PROTECT_VM: self.put, CHANGE_PROTECTION: self.put, STOP_PROTECTION: self.put,
                DELETE_PROTECTION: self.delete, WAIT_FOR_OPERATIONS: self.wait}

    def discover(self, action):
        backup.refresh_containers(self.client, self.params["resource_group"], self.params["vault_name"], self.params["wait_timeout"])
        return action.target

    def put(self, action):
        while len(self.running) >= self.params["max_concurrency"]:
            self._finish(self.running.pop(0))
        properties = {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": action.target}
        if action.type is STOP_PROTECTION:
            properties["protectionState"] = "ProtectionStopped"
        else:
            properties["policyId"] = self.policy_id
            if action.detail["disks"]:
                properties["extendedProperties"] = {"diskExclusionProperties": action.detail["disks"]}
        poller = backup.begin_put_protected_item(self.client, self.params["resource_group"], self.params["vault_name"],
                                                 action.detail["container"], action.detail["item"], properties, self.polling_interval)
        self.running.append((action.target, poller))
        return action.target

    def delete(self, action):
        backup.delete_protected_item(self.client, self.params["resource_group"], self.params["vault_name"], action.detail["container"],
                                     action.detail["item"])
        return action.target

    def wait(self, action):
        while self.running:
            self._finish(self.running.pop(0))
        return action.target

    def _finish(self, running):
        vm_id, poller = running
        with arm_errors("put_protected_item", vm_id):
            item = poller.result(timeout=self.params["wait_timeout"])
        if not poller.done():
            raise DrkitError("the protection operation did not finish within %d seconds; it goes on in Azure" % self.params["wait_timeout"],
                             step="put_protected_item", target=vm_id, code="Timeout")
        self.items[vm_id] = item.as_dict()


def protection_summary(vm, status, item):
    """What the report says of one VM: its vault, policy, protection state and last backup."""
    summary = {"vm": vm["name"], "resource_group": vm["id"].split("/")[4], "location": vm["location"],
               "protected": (status or {}).get("protectionStatus") == "Protected"}
    if not summary["protected"]:
        return summary
    vault_id = status["vaultId"]
    properties = (item or {}).get("properties") or {}
    summary.update(vault=vault_id.rstrip("/").split("/")[-1], vault_resource_group=vault_id.split("/")[4],
                   policy=_summary(properties).get("policy"), protection_state=properties.get("protectionState"),
                   last_backup_status=properties.get("lastBackupStatus") or None, last_backup_time=properties.get("lastBackupTime"))
    return summary
