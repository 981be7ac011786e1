"""drkit.microsoft.hyperv_vm_recovery through the real pywinrm client against the lab's MABS servers."""
import pytest
from lab_admin import admin
from mabs_recovery import FS01, POINTS, SQL01, protected_estate, recovery_args
from module_runner import run_module


def scripts_run(lab):
    return [entry["script"] for entry in admin(lab, "GET", "/requests", service="mabs") if entry["operation"] == "script"]


def estate(lab):
    return admin(lab, "GET", "/estate", service="mabs")


def test_original_instance_is_previewed_recovered_once_and_a_second_run_finds_it_done(lab, mabs_estate, mabs_args):
    before = mabs_estate(protected_estate())
    args = recovery_args(mabs_args, recovery_point_time="2026-11-19T20:30:00Z")
    preview = run_module("hyperv_vm_recovery", args, check=True)
    assert not preview.failed, preview.result
    [action] = preview["plan"]
    assert action["action"] == "recover_vm_to_original_instance" and action["destructive"] and not action["reversible"]
    assert preview["recovery_point"] == {"time": POINTS[1], "location": "Disk"}
    assert any("deleted and replaced" in notice for notice in preview["notices"])
    assert estate(lab) == before

    done = run_module("hyperv_vm_recovery", args)
    assert done["changed"] and done["job"]["status"] == "Succeeded", done.result
    assert estate(lab)["vms"][SQL01]["restored_from"] == POINTS[1]

    admin(lab, "DELETE", "/requests", service="mabs")
    again = run_module("hyperv_vm_recovery", args)
    assert not again["changed"] and again["plan"] == [] and again["job"]["job_id"] == done["job"]["job_id"], again.result
    assert scripts_run(lab) == ["mabs/read_recovery_state"]
    forced = run_module("hyperv_vm_recovery", dict(args, force=True))
    assert forced["changed"] and forced["job"]["job_id"] != done["job"]["job_id"]


def test_a_clustered_vm_is_recovered_to_another_host_and_the_job_is_awaited(lab, mabs_estate, mabs_args):
    mabs_estate(protected_estate(job_seconds=2))
    args = recovery_args(mabs_args, vm={"host": "hvclus01.contoso.com", "vm_id": FS01.upper()}, location="alternate_host",
                         target_host="HV02.contoso.com", target_path="E:\\Recovered", notify=["backup-team@contoso.com"])
    done = run_module("hyperv_vm_recovery", args)
    assert done["changed"] and done["job"]["status"] == "Succeeded", done.result
    assert done["plan"][0]["action"] == "recover_vm_to_alternate_host" and any("not highly available" in n for n in done["notices"])
    [recovered] = estate(lab)["recovered"]
    assert recovered["target_server"] == "HV02.contoso.com" and recovered["target_path"] == "E:\\Recovered" and recovered["recovery_point"] == POINTS[2]
    [job] = [job for job in estate(lab)["jobs"].values() if job["type"] == "Recovery"]
    assert job["effect"]["notify"] == ["backup-team@contoso.com"] and job["effect"]["location"] == "alternate_host"
    assert scripts_run(lab).count("mabs/read_recovery_job") >= 1


def test_an_exact_time_that_has_no_recovery_point_names_the_nearest_and_an_online_point_can_be_chosen(lab, mabs_estate, mabs_args):
    mabs_estate(protected_estate())
    args = recovery_args(mabs_args, location="network_folder", target_host="HV01.contoso.com", target_path="\\\\fs01\\restores\\sql01",
                         recovery_point_time="2026-11-19T20:30:00Z", recovery_point_match="exact")
    missing = run_module("hyperv_vm_recovery", args, check=True)
    assert missing.failed and missing["step"] == "choose_recovery_point" and "2026-11-19T20:00:00Z (Disk)" in missing["msg"], missing.result
    online = run_module("hyperv_vm_recovery", dict(args, recovery_point_time="2026-11-19T21:00:00Z"))
    assert online["changed"] and online["recovery_point"] == {"time": "2026-11-19T21:00:00.000000Z", "location": "Online"}, online.result
    assert any("downloaded" in notice for notice in online["notices"])
    assert [item["location"] for item in estate(lab)["recovered"]] == ["network_folder"]


@pytest.mark.parametrize("options,parameter", [
    ({"network_bandwidth_throttling": {"mbps": 100}}, "network_bandwidth_throttling"),
    ({"location": "alternate_host", "target_host": "HV02.contoso.com"}, "target_path"),
    ({"target_host": "HV02.contoso.com"}, "target_host"),
    ({"location": "network_folder", "target_host": "HV01.contoso.com", "target_path": "\\\\fs01\\s\\" + "x" * 250}, "target_path"),
    ({"notify": ["not-an-address"]}, "notify"),
])
def test_options_dpm_does_not_offer_or_that_break_its_rules_are_refused_before_any_contact(lab, mabs_estate, mabs_args, options, parameter):
    mabs_estate(protected_estate())
    refused = run_module("hyperv_vm_recovery", recovery_args(mabs_args, **options))
    assert refused.failed and refused["step"] == "validate_parameters" and refused["target"] == parameter, refused.result
    assert scripts_run(lab) == []


def test_a_failed_recovery_fails_the_task_and_is_not_taken_as_done(lab, mabs_estate, mabs_args):
    mabs_estate(protected_estate(recovery_outcome="Failed"))
    failed = run_module("hyperv_vm_recovery", recovery_args(mabs_args))
    assert failed.failed and failed["step"] == "wait_for_recovery" and failed["error_code"] == "Failed", failed.result
    assert "restored_from" not in estate(lab)["vms"][SQL01]
    retried = run_module("hyperv_vm_recovery", recovery_args(mabs_args), check=True)
    assert retried["changed"] and retried["plan"][0]["action"] == "recover_vm_to_original_instance"
