# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Microsoft.Compute virtual machines: thin one-call wrappers, and their shape as modules report it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import path_segment

COMPUTE_API_VERSION = "2024-07-01"
# Desired power state -> the VM action that reaches it.
POWER_ACTIONS = {"running": "start", "stopped": "powerOff", "deallocated": "deallocate"}
POWER_STATE_PREFIX = "PowerState/"


def vm_path(client, resource_group, name):
    return client.resource_path(resource_group, "Microsoft.Compute/virtualMachines/%s" % path_segment(name))


def get_vm(client, resource_group, name):
    """The VM as Resource Manager returns it, with its instance view."""
    return client.call("get_vm", "GET", vm_path(client, resource_group, name), COMPUTE_API_VERSION, query={"$expand": "instanceView"})


def begin_power_action(client, resource_group, name, desired):
    """Start the action that brings the VM to power state *desired*; returns the operation's poller."""
    action = POWER_ACTIONS[desired]
    # powerOff shuts the guest OS down first unless skipShutdown is true, which is never wanted before a snapshot.
    query = {"skipShutdown": "false"} if action == "powerOff" else None
    return client.begin("%s_vm" % action, "POST", vm_path(client, resource_group, name) + "/" + action, COMPUTE_API_VERSION, query=query)


def power_state(vm):
    """``running``, ``stopped``, ``deallocated`` or a transitional state, from the instance view; None when it has none."""
    statuses = ((vm.get("properties") or {}).get("instanceView") or {}).get("statuses") or []
    for status in statuses:
        code = status.get("code") or ""
        if code.startswith(POWER_STATE_PREFIX):
            return code[len(POWER_STATE_PREFIX):]
    return None


def vm_summary(vm):
    """What modules return about a VM: id, name, location, power state and storage profile (as ARM shapes it)."""
    properties = vm.get("properties") or {}
    return {"id": vm.get("id"), "name": vm.get("name"), "location": vm.get("location"), "power_state": power_state(vm),
            "storage_profile": properties.get("storageProfile")}
