#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_vm_power
short_description: Stop, deallocate or start an Azure VM, for an offline backup or a restore
version_added: 0.1.0
description:
  - Brings an Azure VM to the power state O(state) through Resource Manager and, with O(wait), waits until it is there.
  - V(stopped) shuts the guest OS down, then stops the VM (C(powerOff)); its compute stays allocated, so it starts again quickly.
    This is the offline alternative of the unmanaged-disk procedure (shut down, snapshot every disk, start again), as run by
    the P(drkit.microsoft.unmanaged_disk_backup#role) role.
  - V(deallocated) also releases the VM's compute (C(deallocate)); V(running) starts it (C(start)).
  - Nothing is done when the VM is already in O(state); the module then reports no change.
  - In check mode it returns the plan and the notices (what stops, what is lost on deallocation) and changes nothing.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - azure-identity >= 1.19.0
  - azure-mgmt-core >= 1.4.0
extends_documentation_fragment:
  - drkit.microsoft.azure
attributes:
  check_mode:
    support: full
    description: Returns the plan of what would be stopped, deallocated or started and changes nothing.
  diff_mode:
    support: full
    description: The power state before and after.
options:
  resource_group:
    description: Resource group of the VM.
    type: str
    required: true
  name:
    description: Name of the VM.
    type: str
    required: true
  state:
    description: The power state the VM must be in.
    type: str
    choices: [running, stopped, deallocated]
    required: true
  wait:
    description:
      - Wait until the VM is in O(state). When false, the module returns once Resource Manager has accepted the operation.
    type: bool
    default: true
  wait_timeout:
    description: Most seconds to wait with O(wait); the task fails when the VM is not there by then (the operation goes on in Azure).
    type: int
    default: 1200
"""

EXAMPLES = r"""
- name: Shut the VM down for an offline backup of its disks
  drkit.microsoft.azure_vm_power:
    resource_group: rg-payroll
    name: payroll-db01
    state: stopped
  register: payroll_power

- name: Start it again if it was running before
  drkit.microsoft.azure_vm_power:
    resource_group: rg-payroll
    name: payroll-db01
    state: running
  when: payroll_power.previous_power_state == 'running'

- name: Preview a deallocation (check mode)
  drkit.microsoft.azure_vm_power:
    resource_group: rg-payroll
    name: payroll-db01
    state: deallocated
  check_mode: true
  register: preview
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken, in order (see the collection's plan format).
  returned: always
  type: list
  elements: dict
  sample:
    - action: stop_vm
      target: /subscriptions/3c9a4f2e-8b1d-4e7a-9f60-5d2c8e1b7a43/resourceGroups/rg-payroll/providers/Microsoft.Compute/virtualMachines/payroll-db01
      detail: {power_state_before: running, power_state_after: stopped}
      effect: restart
      destructive: false
      reversible: true
notices:
  description: What the operator must know before approving the plan.
  returned: always
  type: list
  elements: str
previous_power_state:
  description: The VM's power state before the task (C(running), C(stopped), C(deallocated) or a transitional one such as C(stopping)).
  returned: always
  type: str
  sample: running
power_state:
  description: The VM's power state after the task; in check mode, or with O(wait=false), the state it was seen in last.
  returned: always
  type: str
  sample: stopped
vm:
  description: The VM as last read.
  returned: always
  type: dict
  contains:
    id:
      description: Resource id.
      type: str
    name:
      description: Name.
      type: str
    location:
      description: Region.
      type: str
    power_state:
      description: Power state.
      type: str
    storage_profile:
      description: The VM's storage profile as Resource Manager returns it; with unmanaged disks, each disk's C(vhd.uri).
      type: dict
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import ArmClient, check_wait_timeout
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.compute import begin_power_action, get_vm, power_state, vm_summary
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.vm_power import ACTION_TYPES, POWER_STATES, plan_power
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan


def argument_spec():
    spec = dict(
        resource_group=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=list(POWER_STATES), required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1200),
    )
    return spec


def main():
    module = azure_module(argument_spec())
    params = module.params
    with reported_errors(module):
        check_wait_timeout(params)
        settings, credential = azure_login(params)
        client = ArmClient(settings, credential)
        vm = get_vm(client, params["resource_group"], params["name"])
        before = power_state(vm)
        plan = plan_power(vm["id"], params["name"], before, params["state"])

        def change_power(action):
            poller = begin_power_action(client, params["resource_group"], params["name"], params["state"])
            if params["wait"]:
                client.wait(action.type.name, action.target, poller, params["wait_timeout"])

        def summarize(outcomes):
            final = vm if outcomes is None or not plan.changes else get_vm(client, params["resource_group"], params["name"])
            return {"previous_power_state": before, "power_state": power_state(final), "vm": vm_summary(final)}

        run_plan(module, plan, {ACTION_TYPES[params["state"]]: change_power}, summarize)


if __name__ == "__main__":
    main()
