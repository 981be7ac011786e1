# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner of hyperv_protection_group: from what the read script saw to the actions to take.

Pure: it reads the state and the validated options and returns a Plan; nothing here talks to a
host. The actions are the data of the apply script, which performs them in order in one
modifiable copy of the group and commits it once (DPM writes nothing before Set-DPMProtectionGroup).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import group_spec
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs.members import display_name, normalized_id

CREATE_GROUP = ActionType("create_protection_group", "create")
ADD_MEMBERS = ActionType("add_protection_group_members", "modify")
REMOVE_MEMBERS = ActionType("remove_protection_group_members", "modify")
REMOVE_MEMBERS_AND_DATA = ActionType("remove_protection_group_members_and_data", "delete", destructive=True, reversible=False)
SET_POLICY = ActionType("set_protection_group_policy", "modify")
DELETE_GROUP = ActionType("delete_protection_group", "delete")
DELETE_GROUP_AND_DATA = ActionType("delete_protection_group_and_data", "delete", destructive=True, reversible=False)

# The plan, the members it adds and removes, and the VM ids of the group once it ran (None: no group).
GroupPlan = namedtuple("GroupPlan", ["plan", "adding", "removing", "member_ids"])


def plan_group(name, state, members, desired_policy, replica_creation, keep_disk_data, purge_members):
    """The plan that makes group *name* hold *members* (resolved) with *desired_policy* over its current one."""
    group = state["group"]
    current_policy = group_spec.normalized_policy(group["policy"]) if group else None
    policy = group_spec.effective_policy(desired_policy, current_policy)
    current = {normalized_id(member["vm_id"]): member for member in (group["members"] if group else [])}
    wanted = dict((member["vm_id"], member) for member in members)
    adding = [wanted[vm_id] for vm_id in wanted if vm_id not in current]
    removing = [current[vm_id] for vm_id in sorted(current) if vm_id not in wanted] if purge_members else []
    member_ids = set(wanted) | (set(current) - set(normalized_id(member["vm_id"]) for member in removing))
    plan = Plan(before=_shape(group), after=_desired_shape(name, group, policy, members, member_ids))
    if group is None:
        plan.add(CREATE_GROUP(name, members=_member_data(adding), policy=policy, replica_creation=replica_creation))
        _creation_notices(plan, replica_creation, adding)
        return GroupPlan(plan, adding, removing, member_ids)
    if adding:
        plan.add(ADD_MEMBERS(name, group_id=group["id"], members=_member_data(adding), replica_creation=replica_creation,
                             online=policy["online"] is not None))
        _creation_notices(plan, replica_creation, adding)
    if removing:
        action = REMOVE_MEMBERS if keep_disk_data else REMOVE_MEMBERS_AND_DATA
        plan.add(action(name, group_id=group["id"], members=_group_member_data(removing), keep_disk_data=keep_disk_data))
        plan.notice(_removal_notice(removing, keep_disk_data))
    changed = dict((key, {"before": current_policy.get(key), "after": value}) for key, value in policy.items() if current_policy.get(key) != value)
    if changed:
        plan.add(SET_POLICY(name, group_id=group["id"], policy=policy, changes=changed))
    if plan.actions:
        _refuse_busy_group(group)
    return GroupPlan(plan, adding, removing, member_ids)


def plan_group_removal(name, state, keep_disk_data):
    """The plan that removes group *name*, if it exists."""
    group = state["group"]
    plan = Plan(before=_shape(group), after={})
    if group is None:
        return GroupPlan(plan, [], [], None)
    action = DELETE_GROUP if keep_disk_data else DELETE_GROUP_AND_DATA
    plan.add(action(name, group_id=group["id"], members=_group_member_data(group["members"]), keep_disk_data=keep_disk_data))
    plan.notice(_removal_notice(group["members"], keep_disk_data))
    _refuse_busy_group(group)
    return GroupPlan(plan, [], group["members"], None)


def _refuse_busy_group(group):
    jobs = group.get("jobs_in_progress") or []
    if jobs:
        described = "; ".join("%s %s since %s" % (job["type"], job.get("datasource") or "", job.get("start_time") or "?") for job in jobs)
        raise DrkitError("protection group %s has %d job(s) in progress (%s): DPM must not change a group while its jobs run; "
                         "run again when they end" % (group["name"], len(jobs), described), step="check_jobs", target=group["name"],
                         details={"jobs_in_progress": jobs})


def _member_data(members):
    """What the apply script needs of each resolved member: DPM's data source id (None when MABS's inquiry missed it) and the VM's name."""
    return [_source_data(member["datasource"] or {"vm_id": member["vm_id"], "datasource_id": None, "computer": member["host"]}, member["name"])
            for member in members]


def _group_member_data(sources):
    return [_source_data(source, display_name(source)) for source in sources]


def _source_data(source, name):
    return {"vm_id": normalized_id(source["vm_id"]), "name": name, "datasource_id": source["datasource_id"], "computer": source["computer"]}


def _creation_notices(plan, replica_creation, adding):
    if not adding:
        return
    if replica_creation["method"] == "now":
        plan.notice("the initial copy of %d VM(s) starts over the network as soon as the group is saved" % len(adding))
    elif replica_creation["method"] == "later":
        plan.notice("the initial copy of %d VM(s) is scheduled for %s (MABS server time)" % (len(adding), replica_creation["at"]))
    else:
        plan.notice("replica creation is manual: copy the data of %d VM(s) to MABS from removable media, then run a consistency check"
                    % len(adding))


def _removal_notice(members, keep_disk_data):
    names = ", ".join(sorted(display_name(member) for member in members))
    if keep_disk_data:
        return "protection stops for %s; their replicas and recovery points stay on disk until their retention ends" % names
    return "protection stops for %s and their replicas and recovery points are deleted: they cannot be recovered afterwards" % names


def _shape(group):
    if group is None:
        return {}
    return {"name": group["name"], "members": sorted(display_name(member) for member in group["members"]), "policy": group["policy"]}


def _desired_shape(name, group, policy, members, member_ids):
    names = dict((normalized_id(member["vm_id"]), display_name(member)) for member in (group["members"] if group else []))
    names.update((member["vm_id"], member["name"]) for member in members)
    return {"name": name, "members": sorted(names[vm_id] for vm_id in member_ids), "policy": policy}
