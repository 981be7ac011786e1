"""playbooks/mabs_hyperv_protection.yml and mabs_hyperv_recovery.yml with ansible-playbook against the lab's two MABS servers."""
import json
import sys

import pytest
import yaml
from lab_admin import admin
from playbook_runner import ansible_playbook, recap_changed

VMS = [{"host": "HV01.contoso.com", "vm": "SQL01"}, {"host": "HV01.contoso.com", "vm": "APP01"},
       {"host": "hvclus01.contoso.com", "vm": "FS01"}, {"host": "hvclus01.contoso.com", "vm": "FS02"}]
SQL01 = "1f0a6f1e-0000-4000-8000-000000000001"


@pytest.fixture
def mabs_inventory(lab, tmp_path):
    """An inventory with the lab's MABS servers as group mabs_servers, reached through their drkit_mabs_winrm."""
    details = lab["drkit_lab_mabs"]
    hosts = dict((name, {"ansible_connection": "local", "drkit_mabs_winrm": winrm}) for name, winrm in details["servers"].items())
    group_vars = {"drkit_mabs_group": "Hyper-V VMs", "drkit_mabs_vms": VMS, "drkit_mabs_policy": {"retention_days": 10},
                  "drkit_mabs_prerequisites": {"churn_rate_percent_per_hour": 5, "backup_window_hours": 2},
                  "drkit_mabs_hyperv_host_user": details["hyperv_host_user"], "drkit_mabs_hyperv_host_password": details["hyperv_host_password"]}
    path = tmp_path / "inventory.yml"
    localhost = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    path.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": localhost},
                                            "children": {"mabs_servers": {"hosts": hosts, "vars": group_vars}}}}))
    return str(path)


def both_servers_attached(estate):
    """MABS02 gets the agents of every host too, and MABS01 room for two more VMs only."""
    estate["servers"]["mabs02.contoso.com"]["production_servers"] = json.loads(json.dumps(estate["servers"]["mabs01.contoso.com"]["production_servers"]))
    estate["servers"]["mabs01.contoso.com"]["other_protected_vm_count"] = 798


def sql01_protected(estate):
    """SQL01 in group Hyper-V VMs on MABS01, with one disk recovery point."""
    estate["servers"]["mabs01.contoso.com"]["groups"]["g1"] = {"name": "Hyper-V VMs", "members": [SQL01], "policy": None,
                                                               "replica_creation": {"method": "now", "at": None}, "created": "x"}
    estate["recovery_points"][SQL01] = [{"server": "mabs01.contoso.com", "time": "2026-11-20T20:00:00.000000Z", "location": "Disk"}]


def members_by_server(lab):
    servers = admin(lab, "GET", "/estate", service="mabs")["servers"]
    return dict((name, sorted(vm_id for group in server["groups"].values() for vm_id in group["members"])) for name, server in servers.items())


def test_the_protection_playbook_reports_spreads_protects_and_then_changes_nothing(lab, mabs_estate, mabs_inventory):
    before = mabs_estate(both_servers_attached)
    code, output = ansible_playbook("-i", mabs_inventory, "playbooks/mabs_hyperv_protection.yml", "--check")
    assert code == 0, output[-4000:]
    assert admin(lab, "GET", "/estate", service="mabs") == before
    assert "All prerequisites passed for 4 VM(s) on 2 MABS server(s)." in output

    code, output = ansible_playbook("-i", mabs_inventory, "playbooks/mabs_hyperv_protection.yml", "-vvv")
    assert code == 0, output[-4000:]
    assert lab["drkit_lab_mabs"]["hyperv_host_password"] not in output
    placed = members_by_server(lab)
    # MABS01 had room for two: the two largest VMs (FS01, FS02: 300 GiB) went to MABS02, which had the most room.
    assert len(placed["mabs01.contoso.com"]) == 2 and len(placed["mabs02.contoso.com"]) == 2
    assert sorted(placed["mabs01.contoso.com"] + placed["mabs02.contoso.com"]) == sorted(
        ["1f0a6f1e-0000-4000-8000-00000000000%d" % number for number in (1, 2, 4, 5)])

    code, output = ansible_playbook("-i", mabs_inventory, "playbooks/mabs_hyperv_protection.yml")
    assert code == 0 and recap_changed(output) == 0, output[-4000:]
    assert members_by_server(lab) == placed


def test_a_failed_prerequisite_stops_the_playbook_before_any_server_changes(lab, mabs_estate, mabs_inventory):
    def broken(estate):
        both_servers_attached(estate)
        estate["vms"][SQL01]["integration_services_mismatch"] = True
    mabs_estate(broken)
    code, output = ansible_playbook("-i", mabs_inventory, "playbooks/mabs_hyperv_protection.yml")
    assert code != 0 and "SQL01 (HV01.contoso.com) integration_services" in output, output[-4000:]
    assert members_by_server(lab) == {"mabs01.contoso.com": [], "mabs02.contoso.com": []}


def test_the_recovery_playbook_previews_stops_until_approved_then_recovers_once(lab, mabs_estate, mabs_inventory):
    mabs_estate(sql01_protected)
    arguments = ["-i", mabs_inventory, "playbooks/mabs_hyperv_recovery.yml", "-e", "drkit_mabs_server=MABS01.contoso.com",
                 "-e", json.dumps({"drkit_recovery_vm": {"host": "HV01.contoso.com", "vm": "SQL01"}, "drkit_recovery_location": "original"})]
    code, output = ansible_playbook(*arguments)
    assert code == 0 and "deleted and replaced" in output and "Preview only" in output, output[-4000:]
    assert "restored_from" not in admin(lab, "GET", "/estate", service="mabs")["vms"][SQL01]

    code, output = ansible_playbook(*arguments, "-e", "drkit_recovery_approved=true")
    assert code == 0 and "Succeeded" in output, output[-4000:]
    assert admin(lab, "GET", "/estate", service="mabs")["vms"][SQL01]["restored_from"] == "2026-11-20T20:00:00.000000Z"
    code, output = ansible_playbook(*arguments, "-e", "drkit_recovery_approved=true")
    assert code == 0 and "already made by job" in output and recap_changed(output) == 0, output[-4000:]


def test_the_recovery_playbook_refuses_two_servers(mabs_inventory):
    code, output = ansible_playbook("-i", mabs_inventory, "playbooks/mabs_hyperv_recovery.yml", "-e", "drkit_mabs_server=mabs_servers",
                                    "-e", json.dumps({"drkit_recovery_vm": {"host": "HV01.contoso.com", "vm": "SQL01"},
                                                      "drkit_recovery_location": "original"}))
    assert code != 0 and "limit the play to it" in output, output[-3000:]


def test_the_restore_preview_callback_sums_up_a_check_mode_run(lab, mabs_estate, mabs_inventory, tmp_path):
    before = mabs_estate(sql01_protected)
    report = tmp_path / "preview.html"
    code, output = ansible_playbook("-i", mabs_inventory, "playbooks/mabs_hyperv_recovery.yml", "--check", "-e", "drkit_mabs_server=MABS01.contoso.com",
                                    "-e", json.dumps({"drkit_recovery_vm": {"host": "HV01.contoso.com", "vm": "SQL01"},
                                                      "drkit_recovery_location": "original", "drkit_recovery_approved": True}),
                                    env={"ANSIBLE_CALLBACKS_ENABLED": "drkit.microsoft.restore_preview", "DRKIT_RESTORE_PREVIEW_HTML": str(report)})
    assert code == 0, output[-4000:]
    summary = output[output.index("RESTORE PREVIEW (check mode: nothing was changed)"):]
    assert "MABS01.contoso.com\n  would overwrite (1)\n    recover_vm_to_original_instance SQL01 (destructive, irreversible)" in summary, summary
    assert "deleted and replaced" in summary
    assert "TOTAL: 1 host(s); 1 overwrite; 1 destructive, 1 irreversible; 1 notice(s)" in summary
    # The same figures as set_stats data, for an AWX workflow to gate on.
    assert {key: value for key, value in output.stats.items() if key != "drkit_preview"} == {
        "drkit_preview_hosts": 1, "drkit_preview_actions": 1, "drkit_preview_destructive": 1, "drkit_preview_irreversible": 1,
        "drkit_preview_notices": 1}
    assert [action["action"] for action in output.stats["drkit_preview"]["MABS01.contoso.com"]["actions"]] == ["recover_vm_to_original_instance"]
    page = report.read_text()
    assert "<h2>MABS01.contoso.com</h2>" in page and "recover_vm_to_original_instance" in page
    assert admin(lab, "GET", "/estate", service="mabs") == before
