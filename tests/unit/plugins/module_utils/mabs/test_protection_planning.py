"""The planner and the prerequisite report of hyperv_protection_group, on states shaped like the read script's."""
import copy

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import group_spec, members, prerequisites, protection_plan

GIB = 1024 ** 3
VM_A = "aaaaaaaa-0000-4000-8000-000000000001"
VM_B = "bbbbbbbb-0000-4000-8000-000000000002"
OPTIONS = prerequisites.prerequisite_options({"churn_rate_percent_per_hour": 5, "backup_window_hours": 2})


def vm(vm_id, name, host="HV01.contoso.com", size_gib=100, free_gib=500, **overrides):
    record = {"vm_id": vm_id.upper(), "name": name, "host": host, "cluster": None, "generation": 2, "scsi_controllers": 1,
              "integration_services_version": "", "integration_services_mismatch": False, "os_type": "windows",
              "replication": {"mode": "none", "state": None, "health": None}, "configuration_path": "D:\\VMs\\" + name,
              "disks": [{"path": "D:\\VMs\\%s\\%s.vhdx" % (name, name), "pass_through": False, "disk_number": None,
                         "size_bytes": size_gib * GIB, "volume": "D:", "volume_free_bytes": free_gib * GIB}]}
    record.update(overrides)
    return record


def datasource(vm_id, name, group=None):
    return {"datasource_id": "ds-" + vm_id, "vm_id": vm_id.upper(), "name": "Backup Using Child Partition Snapshot\\" + name,
            "computer": "HV01.contoso.com", "protection_group": group, "size_bytes": 100 * GIB}


def state(group=None, vms=None, host_version="10.0.17763", agent="ok"):
    vms = vms if vms is not None else [vm(VM_A, "SQL01"), vm(VM_B, "APP01")]
    return {"server": {"name": "MABS01.contoso.com", "build": "14.0.30.0", "protected_vm_count": 0, "protected_bytes": 0,
                       "known_vmm_servers": [], "vmm_helper_port": 6070, "vmm_helper_configured_port": 6070},
            "groups_with_name": 1 if group else 0, "group": group,
            "production_servers": [{"name": "HV01.contoso.com", "cluster": None, "agent_state": agent, "is_cluster_resource": False}],
            "datasources": [datasource(v["vm_id"].lower(), v["name"]) for v in vms],
            "hyperv": {"hosts": [{"name": "HV01.contoso.com", "cluster": None, "os_version": host_version, "integration_services_version": None}],
                       "vms": vms, "errors": []}}


def existing_group(policy, member_names=(("SQL01", VM_A),), jobs=()):
    return {"id": "g1", "name": "Servers", "policy": policy, "jobs_in_progress": list(jobs),
            "members": [datasource(vm_id, name, group="Servers") for name, vm_id in member_names]}


def resolve(current, *requested):
    return members.resolve(members.requested_members(list(requested)), current)


def test_a_new_group_is_created_with_the_wizard_defaults_for_what_is_not_set():
    current = state()
    planned = protection_plan.plan_group("Servers", current, resolve(current, {"host": "hv01.contoso.com", "vm": "sql01"}),
                                         {"retention_days": 14}, {"method": "now", "at": None}, True, True)
    [action] = planned.plan.actions
    assert action.type is protection_plan.CREATE_GROUP
    assert action.detail["policy"] == dict(group_spec.CREATION_DEFAULTS, retention_days=14)
    assert [m["datasource_id"] for m in action.detail["members"]] == ["ds-" + VM_A]
    assert planned.member_ids == {VM_A}


def test_a_converged_group_plans_nothing():
    policy = dict(group_spec.CREATION_DEFAULTS)
    current = state(group=existing_group(policy))
    planned = protection_plan.plan_group("Servers", current, resolve(current, {"host": "HV01.contoso.com", "vm_id": VM_A.upper()}),
                                         {}, {"method": "now", "at": None}, True, True)
    assert planned.plan.actions == [] and not planned.plan.changes


def test_members_are_added_and_removed_and_only_changed_policy_keys_are_reported():
    current = state(group=existing_group(dict(group_spec.CREATION_DEFAULTS)))
    planned = protection_plan.plan_group("Servers", current, resolve(current, {"host": "HV01.contoso.com", "vm": "APP01"}),
                                         {"retention_days": 30}, {"method": "now", "at": None}, True, True)
    kinds = [action.type for action in planned.plan.actions]
    assert kinds == [protection_plan.ADD_MEMBERS, protection_plan.REMOVE_MEMBERS, protection_plan.SET_POLICY]
    assert planned.plan.actions[2].detail["changes"] == {"retention_days": {"before": 5, "after": 30}}
    assert planned.member_ids == {VM_B}
    assert any("stay on disk" in notice for notice in planned.plan.notices)


def test_removing_without_keeping_data_is_destructive_and_said_so():
    current = state(group=existing_group(dict(group_spec.CREATION_DEFAULTS)))
    planned = protection_plan.plan_group("Servers", current, resolve(current, {"host": "HV01.contoso.com", "vm": "APP01"}),
                                         {}, {"method": "now", "at": None}, False, True)
    removal = planned.plan.actions[1].as_dict()
    assert removal["action"] == "remove_protection_group_members_and_data" and removal["destructive"] and not removal["reversible"]
    assert any("cannot be recovered" in notice for notice in planned.plan.notices)


def test_a_group_with_jobs_in_progress_is_not_changed():
    group = existing_group(dict(group_spec.CREATION_DEFAULTS), jobs=[{"type": "Replica creation", "datasource": "SQL01", "start_time": "x"}])
    current = state(group=group)
    with pytest.raises(DrkitError) as raised:
        protection_plan.plan_group("Servers", current, resolve(current, {"host": "HV01.contoso.com", "vm": "APP01"}),
                                   {}, {"method": "now", "at": None}, True, True)
    assert raised.value.step == "check_jobs" and "Replica creation" in str(raised.value)


def test_a_renamed_vm_is_found_by_its_id_and_keeps_its_membership():
    renamed = vm(VM_A, "SQL01-new")
    current = state(group=existing_group(dict(group_spec.CREATION_DEFAULTS)), vms=[renamed, vm(VM_B, "APP01")])
    planned = protection_plan.plan_group("Servers", current, resolve(current, {"host": "HV01.contoso.com", "vm": "SQL01-new"}),
                                         {}, {"method": "now", "at": None}, True, True)
    assert planned.plan.actions == []


def test_a_name_two_vms_share_is_refused_with_their_ids():
    current = state(vms=[vm(VM_A, "Twin"), vm(VM_B, "twin")])
    with pytest.raises(DrkitError, match="2 VMs are named Twin") as raised:
        resolve(current, {"host": "HV01.contoso.com", "vm": "Twin"})
    assert VM_A.upper() in str(raised.value)


def test_a_vm_of_another_group_fails_a_blocking_check():
    current = state()
    current["datasources"][0]["protection_group"] = "Other"
    report = report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}])
    [entry] = [entry for entry in report if entry["check"] == "other_protection_group"]
    assert entry["status"] == "failed" and entry["blocking"] and "protection group Other" in entry["message"]
    current["datasources"][0]["protection_group"] = "SERVERS"
    assert failed(report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}])) == []


@pytest.mark.parametrize("params,parameter", [
    ({"retention_days": 449}, "retention_days"),
    ({"synchronization_frequency_minutes": 15, "synchronize_before_recovery_point": True}, "synchronize_before_recovery_point"),
    ({"recovery_point_times": ["25:00"]}, "recovery_point_times"),
    ({"online_protection": {"enabled": True, "retention_days": None, "times": None}}, "online_protection.retention_days"),
    ({"online_protection": {"enabled": True, "retention_days": 30, "times": ["01:00", "02:00", "03:00", "04:00"]}}, "online_protection.times"),
    ({"consistency_check": {"mode": "scheduled", "days": None, "start": "22:00", "duration_hours": 25}}, "consistency_check.duration_hours"),
    ({"consistency_check": {"mode": "when_inconsistent", "days": ["monday"], "start": None, "duration_hours": None}}, "consistency_check.days"),
])
def test_policy_options_are_checked_against_dpms_rules(params, parameter):
    with pytest.raises(InvalidParameter) as raised:
        group_spec.desired_policy(params)
    assert raised.value.parameter == parameter


def report_for(current, requested, options=None):
    options = options or OPTIONS
    resolved = resolve(current, *requested)
    return prerequisites.evaluate(current, "Servers", resolved, set(m["vm_id"] for m in resolved), [], options)


def failed(report):
    return sorted((entry["check"], entry["blocking"]) for entry in report if entry["status"] == "failed")


def test_a_healthy_estate_passes_every_check():
    report = report_for(state(), [{"host": "HV01.contoso.com", "vm": "SQL01"}])
    assert failed(report) == []
    assert {entry["check"] for entry in report} >= {"server_vm_count", "server_protected_size", "protection_agent", "integration_services",
                                                    "scsi_controller", "pass_through_disks", "smb_path_length", "vhd_volume_free_space"}


@pytest.mark.parametrize("change,check", [
    (lambda s: s["server"].update(protected_vm_count=800), "server_vm_count"),
    (lambda s: s["server"].update(protected_bytes=80 * 1024 ** 4), "server_protected_size"),
    (lambda s: s["production_servers"][0].update(agent_state="unavailable"), "protection_agent"),
    (lambda s: s["hyperv"]["vms"][0].update(integration_services_mismatch=True), "integration_services"),
    (lambda s: (s["hyperv"]["hosts"][0].update(os_version="6.3.9600"), s["hyperv"]["vms"][0].update(scsi_controllers=0)), "scsi_controller"),
    (lambda s: s["hyperv"]["vms"][0]["disks"].append({"path": None, "pass_through": True, "disk_number": 3, "size_bytes": 0}), "pass_through_disks"),
    (lambda s: s["hyperv"]["vms"][0].update(configuration_path="\\\\fs01\\vms\\" + "x" * 260), "smb_path_length"),
    (lambda s: s["hyperv"]["vms"][0]["disks"][0].update(volume_free_bytes=9 * GIB), "vhd_volume_free_space"),
])
def test_each_prerequisite_failure_blocks_a_vm_being_added(change, check):
    current = state()
    change(current)
    assert failed(report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}])) == [(check, True)]


def test_free_space_is_summed_over_the_vms_sharing_a_volume():
    # 2 x 100 GiB x 5 %/h x 2 h = 20 GiB needed; 15 GiB free fails only when both are in the group.
    current = state(vms=[vm(VM_A, "SQL01", free_gib=15), vm(VM_B, "APP01", free_gib=15)])
    one = report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}])
    both = report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}, {"host": "HV01.contoso.com", "vm": "APP01"}])
    assert failed(one) == [] and failed(both) == [("vhd_volume_free_space", True)]


def test_failures_of_members_already_protected_are_reported_but_do_not_block():
    current = state(group=existing_group(dict(group_spec.CREATION_DEFAULTS)))
    current["hyperv"]["vms"][0]["integration_services_mismatch"] = True
    resolved = resolve(current, {"host": "HV01.contoso.com", "vm": "SQL01"})
    report = prerequisites.evaluate(current, "Servers", resolved, set(), [], OPTIONS)
    assert failed(report) == [("integration_services", False)]
    assert prerequisites.failures(report, blocking_only=True) == []


def test_free_space_is_skipped_without_churn_and_window():
    report = report_for(state(), [{"host": "HV01.contoso.com", "vm": "SQL01"}], prerequisites.prerequisite_options({}))
    assert [entry["status"] for entry in report if entry["check"] == "vhd_volume_free_space"] == ["skipped"]


def test_the_recalled_build_is_flagged():
    current = copy.deepcopy(state())
    current["server"]["build"] = "14.0.42.0"
    [entry] = [entry for entry in report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}]) if entry["check"] == "mabs_build"]
    assert entry["status"] == "warning" and "14.0.46.0" in entry["message"]


def test_removing_members_frees_their_room_on_the_server():
    # At the 80 TB cap, swapping one 100 GiB VM for another of the same size fits.
    current = state(group=existing_group(dict(group_spec.CREATION_DEFAULTS)))
    current["server"]["protected_bytes"] = 80 * 1024 ** 4
    resolved = resolve(current, {"host": "HV01.contoso.com", "vm": "APP01"})
    removing = current["group"]["members"]
    report = prerequisites.evaluate(current, "Servers", resolved, {VM_B}, removing, OPTIONS)
    assert [entry["status"] for entry in report if entry["check"] == "server_protected_size"] == ["passed"]


def test_a_volume_whose_free_space_could_not_be_read_is_skipped_not_taken_as_empty():
    current = state()
    current["hyperv"]["vms"][0]["disks"][0]["volume_free_bytes"] = None
    report = report_for(current, [{"host": "HV01.contoso.com", "vm": "SQL01"}])
    assert [entry["status"] for entry in report if entry["check"] == "vhd_volume_free_space"] == ["skipped"]


def test_a_policy_read_back_in_dpms_order_matches_the_options():
    policy = dict(group_spec.CREATION_DEFAULTS, recovery_point_days=["sunday", "monday"], recovery_point_times=["20:00", "08:00"])
    current = state(group=existing_group(policy))
    planned = protection_plan.plan_group("Servers", current, resolve(current, {"host": "HV01.contoso.com", "vm": "SQL01"}),
                                         group_spec.desired_policy({"recovery_point_days": ["monday", "sunday"], "recovery_point_times": ["08:00", "20:00"]}),
                                         {"method": "now", "at": None}, True, True)
    assert planned.plan.actions == []


@pytest.mark.parametrize("name", ["Backup Using Child Partition Snapshot\\SQL01", "Online\\SQL01", "Offline\\SQL01", "SQL01"])
def test_data_source_names_lose_dpms_prefixes(name):
    assert members.display_name({"name": name}) == "SQL01"


def test_short_and_full_computer_names_are_the_same_computer():
    assert members.same_computer("HV01", "hv01.contoso.com") and members.same_computer("hv01.contoso.com", "HV01.CONTOSO.COM")
    assert not members.same_computer("hv01.contoso.com", "hv01.fabrikam.com") and not members.same_computer("hv01", "")
