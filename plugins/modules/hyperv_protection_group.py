#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hyperv_protection_group
short_description: Protect Hyper-V VMs with a protection group of Azure Backup Server (MABS) or DPM
version_added: 0.1.0
description:
  - Creates, updates or removes a protection group of host-level Hyper-V VM backups on a MABS (or System Center DPM) server,
    reached over WinRM. The module runs on the controller; the server runs DPM's own cmdlets.
  - "One PowerShell script reads everything the run needs in one round trip: the group, MABS's live inquiry of the members'
    Hyper-V hosts and clusters, and, through PowerShell remoting from the MABS server, each host's VMs, disks, volumes and
    integration services. The plan is computed on the controller; one script applies it, in one modifiable copy of the group
    that DPM commits once. Scripts and their data travel on stdin, so their length is not limited by the Windows command line,
    and names reach PowerShell as JSON data, never as code."
  - "Before it protects anything it checks the procedure's prerequisites and returns them as O(ignore:prerequisites) (see
    RV(prerequisites)): MABS's 800 VMs and 80 TB per server, the protection agent on every host or cluster node, integration
    services of the host's version, a SCSI controller in VMs of Windows Server 2012 R2 hosts, room on the VHD volumes for the
    differencing disks (disk size x churn rate x backup window, summed over the group's VMs on a volume), no pass-through
    disks, SMB paths under 260 characters, and optionally live migration with VMM. Failures of a VM about to be added, or of
    the server's capacity after adding, stop the run before anything changes (or only warn, per O(prerequisites.on_failure))."
  - A group with jobs in progress is never changed (DPM's guidance); the run fails naming the jobs.
  - A group that already matches takes one read and no write, and reports no change.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.winrm
attributes:
  check_mode:
    support: full
    description: Reads the server and hosts, returns the plan and the prerequisite report, and changes nothing.
  diff_mode:
    support: full
    description: The group's members and policy before and after.
options:
  name:
    description:
      - Name of the protection group. DPM does not keep names unique; a name held by two groups is refused.
    type: str
    required: true
  state:
    description:
      - V(present) creates the group or brings it to the options; V(absent) removes it (see O(keep_disk_data)).
    type: str
    choices: [present, absent]
    default: present
  members:
    description:
      - The VMs of the group, each by its Hyper-V host or cluster (C(host), the FQDN MABS knows it by) and its name (C(vm)) or
        id (C(vm_id), the GUID of C(Get-VM)).
      - VMs are matched by id; a name is turned into the id through the host's own list of VMs, so a VM renamed since it was
        protected, or a clustered VM whose data source carries the cluster's name, is still found. A name held by two VMs on
        one host or cluster is refused; give C(vm_id).
      - Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      host:
        description: FQDN of the Hyper-V host, or of the cluster for a clustered VM.
        type: str
        required: true
      vm:
        description: Name of the VM.
        type: str
      vm_id:
        description: Id (GUID) of the VM.
        type: str
  purge_members:
    description:
      - Remove members of the group that O(members) does not list. With V(false), members are only added.
    type: bool
    default: true
  keep_disk_data:
    description:
      - When members or the group are removed, keep their replicas and recovery points on disk until their retention ends
        (V(true)), or delete them (V(false), which cannot be undone).
    type: bool
    default: true
  retention_days:
    description:
      - Short-term (disk) retention range in days, 1 to 448. A new group gets 5 when not set.
    type: int
  synchronization_frequency_minutes:
    description:
      - How often the replica is synchronized, in minutes. A new group gets 15 when neither this nor
        O(synchronize_before_recovery_point) is set.
    type: int
    choices: [15, 30, 45, 60, 120, 240, 360, 720, 1440]
  synchronize_before_recovery_point:
    description:
      - Synchronize only just before each recovery point instead of every O(synchronization_frequency_minutes).
    type: bool
  recovery_point_times:
    description:
      - Times of day (HH:MM, the MABS server's time) of the recovery points (express full backups). A new group gets C(20:00).
    type: list
    elements: str
  recovery_point_days:
    description:
      - Days of the week of the recovery points. A new group gets every day.
    type: list
    elements: str
    choices: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]
  online_protection:
    description:
      - Online protection to Azure (MABS's registered Recovery Services vault) after the disk copy.
      - Not set, an existing group keeps its online protection and a new group has none.
    type: dict
    suboptions:
      enabled:
        description: V(false) removes online protection from the group.
        type: bool
        default: true
      retention_days:
        description: Daily online retention in days, 1 to 9999. Required when O(online_protection.enabled=true).
        type: int
      times:
        description: Times of day (HH:MM) of the online backups, at most 3. Default C(21:00).
        type: list
        elements: str
  colocation:
    description:
      - Co-locate the VMs' data on shared replica and recovery point volumes, which saves space on servers with many small VMs.
    type: bool
  consistency_check:
    description:
      - When MABS checks the replica. V(when_inconsistent) runs a check only when a replica becomes inconsistent;
        V(scheduled) runs one every C(days) at C(start) for at most C(duration_hours). A new group gets V(when_inconsistent).
    type: dict
    suboptions:
      mode:
        description: V(when_inconsistent) or V(scheduled).
        type: str
        choices: [when_inconsistent, scheduled]
        required: true
      days:
        description: Days of the scheduled check; every day when not set.
        type: list
        elements: str
        choices: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]
      start:
        description: Start time (HH:MM) of the scheduled check.
        type: str
      duration_hours:
        description: Longest duration of the scheduled check, 1 to 24 hours.
        type: int
  replica_creation:
    description:
      - How the initial copy of new members is made. V(now) over the network at once; V(later) over the network at C(at)
        (YYYY-MM-DDTHH:MM:SS, the MABS server's local time); V(manual) from removable media.
    type: dict
    suboptions:
      method:
        description: V(now), V(later) or V(manual).
        type: str
        choices: [now, later, manual]
        default: now
      at:
        description: When, with C(method=later).
        type: str
  prerequisites:
    description:
      - How the prerequisites are checked and what a failure does.
    type: dict
    suboptions:
      on_failure:
        description: V(fail) stops the run before any change when a prerequisite of a VM being added fails; V(warn) only warns.
        type: str
        choices: [fail, warn]
        default: fail
      churn_rate_percent_per_hour:
        description:
          - Share of a VM's disk data that changes per hour, in percent, for the free-space check of the VHD volumes.
          - With O(prerequisites.backup_window_hours); without both, that check is reported as skipped.
        type: float
      backup_window_hours:
        description: Length of the backup window in hours, for the free-space check.
        type: float
      max_vms_per_server:
        description: Most VMs one MABS server may protect, at most 800 (MABS's limit).
        type: int
        default: 800
      max_protected_terabytes_per_server:
        description: Most VM data (TB) one MABS server may protect, at most 80 (MABS's limit).
        type: float
        default: 80
      live_migration:
        description:
          - Also check what keeps protection across live migration between hosts - a VMM server known to MABS, the DPM-VMM
            helper service's port set alike in the registry and its configuration file, and the agent on every node.
        type: bool
        default: false
  hyperv_host_user:
    description:
      - Account the MABS server uses to read the Hyper-V hosts through PowerShell remoting, for example C(CONTOSO\backupadmin).
      - When not set, the WinRM logon's own identity is used, which reaches a second host only with O(winrm_transport=credssp) or
        O(winrm_transport=kerberos) and O(winrm_kerberos_delegation=true); an NTLM or basic logon cannot be delegated and the hosts
        answer Access is denied.
    type: str
  hyperv_host_password:
    description: Password of O(hyperv_host_user). Never logged.
    type: str
notes:
  - Runs on the controller (C(delegate_to=localhost)) with pywinrm; the MABS server needs WinRM over HTTPS and the DPM PowerShell
    module, and PowerShell remoting to the Hyper-V hosts.
  - The prerequisite checks read the hosts with the Hyper-V and FailoverClusters modules, as the procedure describes them.
    CSV hardware VSS providers, SMB auto-mount, TCP chimney offload and share permissions are not checked.
seealso:
  - module: drkit.microsoft.hyperv_vm_recovery
requirements:
  - pywinrm >= 0.5.0
"""

EXAMPLES = r"""
- name: Protect the file servers of the cluster, daily at 20:00 and 02:00, 14 days on disk and 90 days online
  drkit.microsoft.hyperv_protection_group:
    winrm_host: mabs01.contoso.com
    winrm_user: CONTOSO\backupadmin
    winrm_password: "{{ vault_backupadmin_password }}"
    hyperv_host_user: CONTOSO\backupadmin
    hyperv_host_password: "{{ vault_backupadmin_password }}"
    name: File servers
    members:
      - {host: hvclus01.contoso.com, vm: FS01}
      - {host: hvclus01.contoso.com, vm: FS02}
      - {host: hv03.contoso.com, vm_id: 6e3c3a52-9d5e-4c0a-bd36-0b5b7e0d1a11}
    retention_days: 14
    synchronize_before_recovery_point: true
    recovery_point_times: ["02:00", "20:00"]
    online_protection:
      retention_days: 90
    replica_creation:
      method: later
      at: "2026-11-28T01:00:00"
    prerequisites:
      churn_rate_percent_per_hour: 2
      backup_window_hours: 4
  delegate_to: localhost

- name: Preview the change and read the prerequisite report only
  drkit.microsoft.hyperv_protection_group:
    winrm_host: mabs01.contoso.com
    winrm_user: CONTOSO\backupadmin
    winrm_password: "{{ vault_backupadmin_password }}"
    name: File servers
    members: "{{ file_server_vms }}"
    prerequisites:
      on_failure: warn
  check_mode: true
  delegate_to: localhost
  register: preview

- name: Remove the group, keeping its recovery points until they expire
  drkit.microsoft.hyperv_protection_group:
    winrm_host: mabs01.contoso.com
    winrm_user: CONTOSO\backupadmin
    winrm_password: "{{ vault_backupadmin_password }}"
    name: Retired VMs
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
changed:
  description: Whether the group was (or, in check mode, would be) created, changed or removed.
  returned: always
  type: bool
plan:
  description:
    - The actions, in order, as the collection's plan format - C(action) (V(create_protection_group),
      V(add_protection_group_members), V(remove_protection_group_members), V(remove_protection_group_members_and_data),
      V(set_protection_group_policy), V(delete_protection_group), V(delete_protection_group_and_data)), C(target) (the group),
      C(detail) (members, policy, changed policy keys with before and after), C(effect), C(destructive), C(reversible).
  returned: always
  type: list
  elements: dict
notices:
  description: What an operator must know - initial copies starting, recovery points kept or deleted.
  returned: always
  type: list
  elements: str
prerequisites:
  description:
    - The prerequisite report, one entry per check and subject (the MABS server, a VM, a volume, a cluster) - C(check), C(subject),
      C(status) (V(passed), V(failed), V(warning), V(skipped)), C(message), and C(blocking) (a failure that stops the run).
    - Returned on failure too, when the run stopped on a prerequisite.
  returned: with state=present
  type: list
  elements: dict
  sample:
    - {check: integration_services, subject: "SQL01 (hv01.contoso.com)", status: failed, blocking: true,
       message: "integration services 6.3.9600.16384 in the VM, 6.3.9600.18692 on the host: they must be the same version"}
members:
  description:
    - The members as resolved on this server - C(name) (the VM's current name), C(vm_id), C(host), C(size_bytes) (its VHDs),
      C(protection_group) (the group that protects it on this server now, if any) and C(found_by_inquiry) (whether MABS's inquiry
      of the host lists it).
  returned: with state=present
  type: list
  elements: dict
prerequisite_summary:
  description: How many checks passed, failed, warned and were skipped.
  returned: with state=present
  type: dict
  sample: {passed: 14, failed: 0, warning: 1, skipped: 1}
group:
  description:
    - The group as it is after the run (as it would be, in check mode) - C(name), C(members) (VM names) and C(policy).
    - Empty after O(state=absent).
  returned: always
  type: dict
server:
  description: The MABS server - C(name), C(build), C(protected_vm_count) and C(protected_bytes) before the run.
  returned: always
  type: dict
diff:
  description: The group's members and policy before and after, in diff mode.
  returned: in diff mode
  type: dict
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter, fail
from ansible_collections.drkit.microsoft.plugins.module_utils.core.secrets import scrub_data
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import api, group_spec, members, prerequisites, protection_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import WindowsHost
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.module import winrm_module


def argument_spec():
    spec = dict(group_spec.POLICY_OPTIONS)
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        members=dict(type="list", elements="dict", options=members.MEMBER_OPTIONS),
        purge_members=dict(type="bool", default=True),
        keep_disk_data=dict(type="bool", default=True),
        prerequisites=dict(type="dict", options=prerequisites.PREREQUISITE_OPTIONS),
        hyperv_host_user=dict(type="str"),
        hyperv_host_password=dict(type="str", no_log=True),
    )
    return spec


def validated_request(params):
    """Every option checked before anything is contacted."""
    name = params["name"].strip()
    if not name or name != params["name"]:
        raise InvalidParameter("name", "must not be empty or start or end with blanks")
    if (params.get("hyperv_host_user") is None) != (params.get("hyperv_host_password") is None):
        raise InvalidParameter("hyperv_host_password", "goes with hyperv_host_user: give both or neither")
    request = {"name": name, "host": WindowsHost(params)}
    if params["state"] == "absent":
        return request
    if not params.get("members"):
        raise InvalidParameter("members", "is required with state=present and lists at least one VM")
    request.update(members=members.requested_members(params["members"]), policy=group_spec.desired_policy(params),
                   replica_creation=group_spec.replica_creation(params), prerequisites=prerequisites.prerequisite_options(params["prerequisites"]))
    return request


def main():
    module = winrm_module(argument_spec())
    params = module.params
    try:
        request = validated_request(params)
        credential = None
        if params.get("hyperv_host_user"):
            credential = {"user": params["hyperv_host_user"], "password": params["hyperv_host_password"]}
        hosts = sorted(set(member["host"] for member in request.get("members", [])), key=str.lower)
        state = api.read_protection_state(request["host"], request["name"], hosts, credential)
        if state["groups_with_name"] > 1:
            raise DrkitError("%d protection groups are named %s (DPM does not keep names unique): rename all but one in the console"
                             % (state["groups_with_name"], request["name"]), step="read_protection_state", target=request["name"])
        if params["state"] == "absent":
            group_plan = protection_plan.plan_group_removal(request["name"], state, params["keep_disk_data"])
            extra = {}
        else:
            group_plan, extra = _present_plan(module, request, state)
        plan = group_plan.plan
        result = plan.result(diff=module._diff)
        result.update(extra, server=_server_summary(state["server"]), group=plan.after)
        if plan.changes and not module.check_mode:
            _refuse_what_dpm_cannot_do(group_plan, extra.get("prerequisites", []))
            saved = api.apply_protection_plan(request["host"], request["name"], [action.as_dict() for action in plan.actions])
            _check_saved(request["name"], saved, group_plan.member_ids)
    except DrkitError as error:
        fail(module, error)
    module.exit_json(**scrub_data(result, module.no_log_values))


def _present_plan(module, request, state):
    resolved = members.resolve(request["members"], state)
    group_plan = protection_plan.plan_group(request["name"], state, resolved, request["policy"], request["replica_creation"],
                                            module.params["keep_disk_data"], module.params["purge_members"])
    options = request["prerequisites"]
    report = prerequisites.evaluate(state, request["name"], resolved, set(member["vm_id"] for member in group_plan.adding), group_plan.removing,
                                    options)
    extra = {"prerequisites": report, "prerequisite_summary": prerequisites.summary(report),
             "members": [_member_summary(member) for member in resolved]}
    blocking = prerequisites.failures(report, blocking_only=True)
    if blocking and options["on_failure"] == "fail":
        raise DrkitError("%d prerequisite(s) failed for what this run would protect: %s" % (
            len(blocking), "; ".join("%s %s: %s" % (entry["check"], entry["subject"], entry["message"]) for entry in blocking)),
            step="check_prerequisites", target=request["name"], details=dict(extra, plan=group_plan.plan.result()["plan"]))
    for entry in prerequisites.failures(report, blocking_only=False):
        module.warn("prerequisite %s failed for %s: %s" % (entry["check"], entry["subject"], entry["message"]))
    return group_plan, extra


def _refuse_what_dpm_cannot_do(group_plan, report):
    """Whatever on_failure says, a VM MABS's inquiry does not list, or that another group protects, cannot be added: stop before writing."""
    missing = [member["name"] for member in group_plan.adding if member["datasource"] is None]
    if missing:
        raise DrkitError("MABS's inquiry of the hosts does not list %s: install or repair the protection agent on their hosts"
                         % ", ".join(sorted(missing)), step="plan", target=", ".join(sorted(missing)))
    taken = [entry for entry in report if entry["check"] == "other_protection_group" and entry["status"] == "failed" and entry["blocking"]]
    if taken:
        raise DrkitError("; ".join(entry["message"] for entry in taken), step="plan", target=", ".join(entry["subject"] for entry in taken))


def _check_saved(name, saved, expected_ids):
    """The group MABS saved must hold exactly the planned members: anything else is reported, never taken as done."""
    saved_ids = set(members.normalized_id(vm_id) for vm_id in saved["member_vm_ids"]) if saved["exists"] else None
    expected = set(expected_ids) if expected_ids is not None else None
    if saved_ids != expected:
        raise DrkitError("MABS saved the group with members %s, the plan wanted %s: check the group in the console"
                         % (sorted(saved_ids) if saved_ids is not None else "(no group)", sorted(expected) if expected is not None else "(no group)"),
                         step="verify_protection_group", target=name)


def _member_summary(member):
    source = member["datasource"] or {}
    return {"name": member["name"], "vm_id": member["vm_id"], "host": member["host"], "size_bytes": prerequisites.vm_bytes(member),
            "protection_group": source.get("protection_group"), "found_by_inquiry": bool(source)}


def _server_summary(server):
    return {key: server.get(key) for key in ("name", "build", "protected_vm_count", "protected_bytes")}


if __name__ == "__main__":
    main()
