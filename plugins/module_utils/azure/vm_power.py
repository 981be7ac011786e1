# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner of a VM's power state: which action, if any, and what the operator must know."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

POWER_STATES = ("running", "stopped", "deallocated")
ACTION_TYPES = {
    "running": ActionType("start_vm", "restart"),
    "stopped": ActionType("stop_vm", "restart"),
    "deallocated": ActionType("deallocate_vm", "restart"),
}
NOTICES = {
    "stopped": "{name} is shut down (its guest OS first): its services are unavailable until it is started again; "
               "its compute stays allocated and billed.",
    "deallocated": "{name} is shut down and deallocated: its services are unavailable until it is started again, its "
                   "temporary disk is emptied, and a dynamic public IP address is released (it may change on start).",
}


def plan_power(vm_id, name, current, desired):
    """The plan that brings VM *name* from power state *current* to *desired* (nothing when it is there)."""
    plan = Plan(before={"power_state": current}, after={"power_state": desired})
    if current == desired:
        return plan
    plan.add(ACTION_TYPES[desired](vm_id, power_state_before=current, power_state_after=desired))
    if desired in NOTICES:
        plan.notice(NOTICES[desired].format(name=name))
    return plan
