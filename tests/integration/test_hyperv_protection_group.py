"""drkit.microsoft.hyperv_protection_group through the real pywinrm client (NTLM over HTTPS) against the lab's MABS servers."""
import hashlib

import pytest
from lab_admin import admin
from mabslab.estate import GIB, new_vm
from module_runner import run_module

from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import protection_scripts
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm import powershell

SQL01 = {"host": "HV01.contoso.com", "vm": "SQL01"}
FS01 = {"host": "hvclus01.contoso.com", "vm": "FS01"}
APP01 = {"host": "HV01.contoso.com", "vm": "APP01"}
PREREQUISITES = {"churn_rate_percent_per_hour": 5, "backup_window_hours": 2}


def scripts_run(lab):
    return [entry for entry in admin(lab, "GET", "/requests", service="mabs") if entry["operation"] == "script"]


def groups(lab, server="mabs01.contoso.com"):
    return admin(lab, "GET", "/estate", service="mabs")["servers"][server]["groups"]


def group_args(mabs_args, members, **options):
    args = mabs_args(name="SQL servers", members=members, prerequisites=PREREQUISITES)
    args.update(options)
    return args


def test_create_previews_without_change_then_protects_and_a_second_run_reads_once_and_writes_nothing(lab, mabs_estate, mabs_args):
    before = mabs_estate()
    preview = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01, FS01], retention_days=14), check=True, diff=True)
    assert not preview.failed, preview.result
    assert [action["action"] for action in preview["plan"]] == ["create_protection_group"]
    assert preview["diff"]["after"]["members"] == ["FS01", "SQL01"] and preview["diff"]["before"] == {}
    assert preview["prerequisite_summary"]["failed"] == 0
    assert admin(lab, "GET", "/estate", service="mabs") == before

    created = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01, FS01], retention_days=14))
    assert created["changed"] and not created.failed, created.result
    [group] = groups(lab).values()
    assert group["name"] == "SQL servers" and group["policy"]["retention_days"] == 14
    assert sorted(group["members"]) == ["1f0a6f1e-0000-4000-8000-000000000001", "1f0a6f1e-0000-4000-8000-000000000004"]
    assert [entry["script"] for entry in scripts_run(lab)] == ["mabs/read_protection_state", "mabs/read_protection_state",
                                                               "mabs/apply_protection_plan"]

    admin(lab, "DELETE", "/requests", service="mabs")
    again = run_module("hyperv_protection_group", group_args(mabs_args, [FS01, SQL01], retention_days=14))
    assert not again["changed"] and again["plan"] == [], again.result
    assert [entry["script"] for entry in scripts_run(lab)] == ["mabs/read_protection_state"]


def test_update_adds_and_removes_members_and_changes_the_policy_then_absent_removes_the_group(lab, mabs_estate, mabs_args):
    mabs_estate()
    assert not run_module("hyperv_protection_group", group_args(mabs_args, [SQL01, FS01])).failed
    update = group_args(mabs_args, [SQL01, APP01], retention_days=30, synchronize_before_recovery_point=True,
                        online_protection={"retention_days": 90, "times": ["21:00"]},
                        consistency_check={"mode": "scheduled", "days": ["saturday"], "start": "22:00", "duration_hours": 6})
    preview = run_module("hyperv_protection_group", update, check=True, diff=True)
    assert [action["action"] for action in preview["plan"]] == ["add_protection_group_members", "remove_protection_group_members",
                                                                "set_protection_group_policy"]
    assert preview["diff"]["before"]["members"] == ["FS01", "SQL01"] and preview["diff"]["after"]["members"] == ["APP01", "SQL01"]
    assert sorted(preview["plan"][2]["detail"]["changes"]) == ["consistency_check", "online", "retention_days", "synchronization_frequency_minutes"]

    updated = run_module("hyperv_protection_group", update)
    assert updated["changed"] and not updated.failed, updated.result
    [group] = groups(lab).values()
    assert sorted(group["members"]) == ["1f0a6f1e-0000-4000-8000-000000000001", "1f0a6f1e-0000-4000-8000-000000000002"]
    assert group["policy"]["online"] == {"retention_days": 90, "times": ["21:00"]} and group["policy"]["synchronization_frequency_minutes"] is None
    estate = admin(lab, "GET", "/estate", service="mabs")
    assert "1f0a6f1e-0000-4000-8000-000000000004" in estate["servers"]["mabs01.contoso.com"]["kept_replicas"]
    assert not run_module("hyperv_protection_group", update)["changed"]

    removed = run_module("hyperv_protection_group", mabs_args(name="SQL servers", state="absent", keep_disk_data=False), diff=True)
    assert removed["changed"] and removed["plan"][0]["action"] == "delete_protection_group_and_data" and removed["plan"][0]["destructive"]
    assert groups(lab) == {}
    assert not run_module("hyperv_protection_group", mabs_args(name="SQL servers", state="absent"))["changed"]


def test_a_vm_whose_name_is_hostile_to_powershell_is_protected_and_only_travels_as_data(lab, mabs_estate, mabs_args):
    hostile = "O'Brien \"db\" $(Remove-Item C:\\) `whoami`; drop {0} [x]*"
    vm_id = "2e0a6f1e-0000-4000-8000-0000000000aa"
    mabs_estate(lambda estate: estate["vms"].update({vm_id: new_vm(hostile, "hv01.contoso.com", [{"path": "D:\\x.vhdx", "size_bytes": 10 * GIB}])}))
    done = run_module("hyperv_protection_group", group_args(mabs_args, [{"host": "HV01.contoso.com", "vm": hostile}], name="Quote's $(group)"))
    assert done["changed"] and not done.failed, done.result
    assert [group["members"] for group in groups(lab).values()] == [[vm_id]]
    shipped = {hashlib.sha256(script.text.encode("utf-8")).hexdigest(): script.text
               for script in (protection_scripts.READ_PROTECTION_STATE, protection_scripts.APPLY_PROTECTION_PLAN)}
    for entry in scripts_run(lab):
        assert entry["script_sha256"] in shipped, "a host received a script the collection does not ship"
        assert hostile not in shipped[entry["script_sha256"]]
    assert {entry["bootstrap_sha256"] for entry in scripts_run(lab)} == {hashlib.sha256(powershell.BOOTSTRAP.encode("utf-8")).hexdigest()}
    apply_data = [entry["data"] for entry in scripts_run(lab) if entry["script"] == "mabs/apply_protection_plan"][0]
    assert apply_data["group_name"] == "Quote's $(group)" and apply_data["actions"][0]["detail"]["members"][0]["name"] == hostile


def test_the_scripts_are_longer_than_a_windows_command_line_and_still_arrive_whole(lab, mabs_estate, mabs_args):
    assert len(protection_scripts.READ_PROTECTION_STATE.text.encode("utf-16-le")) * 4 // 3 > 8191
    mabs_estate()
    assert not run_module("hyperv_protection_group", group_args(mabs_args, [SQL01]), check=True).failed
    [entry] = scripts_run(lab)
    assert entry["script_length"] == len(protection_scripts.READ_PROTECTION_STATE.text)


def add_vm(vm_id, name, host, **fields):
    disks = fields.pop("disks", None) or [{"path": "D:\\VMs\\%s.vhdx" % name, "size_bytes": 50 * GIB}]
    return lambda estate: estate["vms"].update({vm_id: new_vm(name, host, disks, **fields)})


NEW_VM = "3e0a6f1e-0000-4000-8000-0000000000bb"
PREREQUISITE_ESTATES = {
    "server_vm_count": lambda estate: estate["servers"]["mabs01.contoso.com"].update(other_protected_vm_count=800),
    "server_protected_size": lambda estate: estate["servers"]["mabs01.contoso.com"].update(other_protected_bytes=80 * 1024 ** 4),
    "protection_agent": lambda estate: estate["servers"]["mabs01.contoso.com"]["production_servers"]["hv01.contoso.com"].update(
        agent_state="unavailable"),
    "integration_services": add_vm(NEW_VM, "NEW01", "hv02.contoso.com", disks=[{"path": "E:\\NEW01.vhdx", "size_bytes": GIB}],
                                   integration_services_version="6.3.9600.16384"),
    "scsi_controller": add_vm(NEW_VM, "NEW01", "hv02.contoso.com", disks=[{"path": "E:\\NEW01.vhdx", "size_bytes": GIB}],
                              integration_services_version="6.3.9600.18692", generation=1, scsi_controllers=0),
    "vhd_volume_free_space": add_vm(NEW_VM, "NEW01", "hv01.contoso.com", disks=[{"path": "D:\\NEW01.vhdx", "size_bytes": 10000 * GIB}]),
    "pass_through_disks": add_vm(NEW_VM, "NEW01", "hv01.contoso.com", disks=[{"path": "D:\\NEW01.vhdx", "size_bytes": GIB},
                                                                             {"pass_through": True, "disk_number": 4}]),
    "smb_path_length": lambda estate: (estate["shares"].update({"\\\\fs01.contoso.com\\vms": 1000 * GIB}),
                                       add_vm(NEW_VM, "NEW01", "hv01.contoso.com",
                                              disks=[{"path": "\\\\fs01.contoso.com\\vms\\" + "d" * 250 + "\\NEW01.vhdx", "size_bytes": GIB}])(estate)),
}


def mabs01(estate):
    return estate["servers"]["mabs01.contoso.com"]


LIVE_MIGRATION_ESTATES = {
    "live_migration_vmm": lambda estate: None,
    "live_migration_helper_port": lambda estate: mabs01(estate).update(known_vmm_servers=["VMM01.contoso.com"], vmm_helper_configured_port=6080),
    "live_migration_agents": lambda estate: (mabs01(estate).update(known_vmm_servers=["VMM01.contoso.com"]),
                                             mabs01(estate)["production_servers"]["hvn2.contoso.com"].update(agent_state="error")),
}


@pytest.mark.parametrize("check", sorted(LIVE_MIGRATION_ESTATES))
def test_live_migration_requirements_are_checked_when_asked(lab, mabs_estate, mabs_args, check):
    mabs_estate(LIVE_MIGRATION_ESTATES[check])
    asked = run_module("hyperv_protection_group", group_args(mabs_args, [FS01], prerequisites=dict(PREREQUISITES, live_migration=True)))
    assert asked.failed and asked["step"] == "check_prerequisites", asked.result
    failed = [entry["check"] for entry in asked["error_details"]["prerequisites"] if entry["status"] == "failed"]
    assert check in failed, failed
    if check != "live_migration_agents":
        # Not asked, the same estate protects the VM.
        assert run_module("hyperv_protection_group", group_args(mabs_args, [FS01]), check=True)["changed"]


@pytest.mark.parametrize("check", sorted(PREREQUISITE_ESTATES))
def test_each_failed_prerequisite_stops_the_run_before_any_change(lab, mabs_estate, mabs_args, check):
    members = [SQL01] if check in ("server_vm_count", "server_protected_size", "protection_agent") else [
        {"host": "hv02.contoso.com" if check in ("integration_services", "scsi_controller") else "HV01.contoso.com", "vm": "NEW01"}]
    mabs_estate(PREREQUISITE_ESTATES[check])
    run = run_module("hyperv_protection_group", group_args(mabs_args, members))
    assert run.failed and run["step"] == "check_prerequisites", run.result
    failed = [entry["check"] for entry in run["error_details"]["prerequisites"] if entry["status"] == "failed"]
    assert check in failed, failed
    assert groups(lab) == {}
    assert [entry["script"] for entry in scripts_run(lab)] == ["mabs/read_protection_state"]

    warned = run_module("hyperv_protection_group", group_args(mabs_args, members, prerequisites=dict(PREREQUISITES, on_failure="warn")), check=True)
    assert not warned.failed and warned["changed"] and any(check in str(warning) for warning in warned.get("warnings", []))


def test_an_ntlm_logon_cannot_reach_the_hosts_without_a_credential_and_the_report_says_so(lab, mabs_estate, mabs_args):
    mabs_estate()
    args = group_args(mabs_args, [SQL01], prerequisites=dict(PREREQUISITES, on_failure="warn"))
    del args["hyperv_host_user"], args["hyperv_host_password"]
    run = run_module("hyperv_protection_group", args, check=True)
    [facts] = [entry for entry in run["prerequisites"] if entry["check"] == "hyperv_facts"]
    assert facts["status"] == "failed" and "Access is denied" in facts["message"]


def test_a_group_with_a_job_in_progress_is_not_changed(lab, mabs_estate, mabs_args):
    mabs_estate(lambda estate: estate["settings"].update(job_seconds=3600))
    assert not run_module("hyperv_protection_group", group_args(mabs_args, [SQL01])).failed
    refused = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01, APP01]))
    assert refused.failed and refused["step"] == "check_jobs" and "Replica creation" in refused["msg"], refused.result
    [group] = groups(lab).values()
    assert group["members"] == ["1f0a6f1e-0000-4000-8000-000000000001"]


def test_no_password_appears_in_any_output(lab, mabs_estate, mabs_args):
    mabs_estate()
    password = lab["drkit_lab_mabs"]["hyperv_host_password"]
    for check in (True, False):
        run = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01]), check=check, diff=True)
        assert not run.failed and password not in run.output
    # The lab keeps what the host received: the credential reached it as data, and no record of it holds the password.
    assert password not in str(admin(lab, "GET", "/requests", service="mabs"))
    reads = [entry for entry in scripts_run(lab) if entry["script"] == "mabs/read_protection_state"]
    assert reads and all(entry["data"]["host_credential"] == {"user": "CONTOSO\\backupadmin", "password": "********"} for entry in reads)
    wrong = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01], winrm_password=password + "x"))
    assert wrong.failed and wrong["step"] == "read_protection_state" and "refused the logon" in wrong["msg"]
    assert password not in wrong.output


def test_a_vm_renamed_since_it_was_protected_is_still_the_same_member(lab, mabs_estate, mabs_args):
    mabs_estate()
    assert run_module("hyperv_protection_group", group_args(mabs_args, [SQL01]))["changed"]
    estate = admin(lab, "GET", "/estate", service="mabs")
    estate["vms"]["1f0a6f1e-0000-4000-8000-000000000001"]["name"] = "SQL01-renamed"
    admin(lab, "PUT", "/estate", estate, service="mabs")
    renamed = run_module("hyperv_protection_group", group_args(mabs_args, [{"host": "HV01.contoso.com", "vm": "SQL01-renamed"}]), diff=True)
    assert not renamed.failed and not renamed["changed"] and renamed["plan"] == [], renamed.result
    # DPM still names the data source as it was when protected; the VM's id ties them together.
    assert renamed["diff"]["before"]["members"] == ["SQL01"] and renamed["members"][0]["name"] == "SQL01-renamed"


def test_a_read_is_retried_when_the_host_is_unavailable_and_a_failed_apply_records_nothing(lab, mabs_estate, mabs_args):
    mabs_estate()
    admin(lab, "POST", "/faults", {"operation": "create_shell", "status": 503, "count": 1, "retry_after": 1}, service="mabs")
    preview = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01]), check=True)
    assert not preview.failed and preview["changed"], preview.result
    assert [entry["script"] for entry in scripts_run(lab)] == ["mabs/read_protection_state"]

    admin(lab, "DELETE", "/requests", service="mabs")
    # The read's shell passes; the apply's is refused: a script that changes things is never sent twice.
    admin(lab, "POST", "/faults", {"operation": "create_shell", "after": 1, "status": 503, "count": 1}, service="mabs")
    failed = run_module("hyperv_protection_group", group_args(mabs_args, [SQL01]))
    assert failed.failed and failed["step"] == "apply_protection_plan" and "503" in failed["msg"], failed.result
    assert groups(lab) == {}
    assert [entry["script"] for entry in scripts_run(lab)] == ["mabs/read_protection_state"]
    assert run_module("hyperv_protection_group", group_args(mabs_args, [SQL01]))["changed"]
    assert len(groups(lab)) == 1
