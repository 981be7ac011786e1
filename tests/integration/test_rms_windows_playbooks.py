"""The AD RMS playbooks with their Windows steps, run by Ansible's winrm connection against the lab's Windows servers
(windowslab) and the lab's SQL Server: the version read on every server, the application pools stopped for the restore and
started after it, the servers' web services checked, and a rebuilt server joined to the cluster."""
import json
import os
import sys
import uuid

import pytest
import yaml
from lab_admin import admin
from playbook_runner import ansible_playbook, lab_sql_state, recap_changed

CLUSTER = "rms.contoso.com"
NODES = ["rms1.contoso.com", "rms2.contoso.com"]


@pytest.fixture
def cluster(lab, sql_client, tmp_path, windows):
    """An inventory with the AD RMS cluster (its configuration database in the lab's SQL Server, its servers the lab's
    rms1 and rms2) and the rebuilt rms3, each Windows server with its connection variables."""
    from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier  # pylint: disable=import-outside-toplevel
    config = "DRMS_Config_win_%s']; --" % uuid.uuid4().hex[:8]
    sql_client.execute("create_database", "CREATE DATABASE %s" % quote_identifier(config, "database"))

    def same_database(estate):
        estate["clusters"][CLUSTER]["config_database"] = config
    windows(same_database)
    details = lab["drkit_lab_windows"]
    servers = dict((name, dict(details["servers"][name])) for name in NODES + ["rms3.contoso.com"])
    servers["rms3.contoso.com"]["drkit_rms_cluster"] = "rms-lab"
    cluster_host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "drkit_rms_sql": lab["drkit_lab_sql"],
                    "drkit_rms_nodes": NODES, "drkit_rms_config_database": config, "drkit_rms_database_server": "sql01.contoso.com",
                    "drkit_rms_backup_directory": "C:\\Backups", "drkit_rms_manifest_directory": str(tmp_path / "sets"),
                    "drkit_rms_health": details["rms_health"]}
    rebuilt_vars = {"drkit_rms_service_account": details["rms_service_account"], "drkit_rms_installer": details["rms_installer"],
                    "drkit_rms_cluster_key_password": details["rms_cluster_key_password"]}
    inventory = {"all": {"children": {"rms_clusters": {"hosts": {"rms-lab": cluster_host}}, "rms_servers": {"hosts": servers},
                                      "rms_rebuilt": {"hosts": {"rms3.contoso.com": {}}, "vars": rebuilt_vars}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    return {"inventory": str(path), "config": config, "sets": str(tmp_path / "sets")}


def estate(lab):
    return admin(lab, "GET", "/estate", service="windows")


def module_runs(lab):
    return [(entry["host"].split(".")[0], entry["module"].rsplit(".", 1)[1], entry["arguments"].get("state"), entry["check_mode"])
            for entry in admin(lab, "GET", "/requests", service="windows") if entry["operation"] == "module"]


def test_a_restore_stops_every_server_s_pools_restores_then_starts_them_and_checks_the_servers(lab, lab_state_dir, cluster):
    inventory = cluster["inventory"]
    code, output = ansible_playbook("-i", inventory, "-e", "drkit_rms_backup_set_id=win-1", "playbooks/rms_backup.yml")
    assert code == 0, output[-4000:]
    # The version the set records is the one the servers reported over WinRM.
    with open(os.path.join(cluster["sets"], "win-1.json"), encoding="utf-8") as handle:
        assert json.load(handle)["rms"]["version"] == "10.0.20348"

    before, sql_before = estate(lab), lab_sql_state(lab_state_dir)
    admin(lab, "DELETE", "/requests", service="windows")
    code, output = ansible_playbook("-i", inventory, "--check", "playbooks/rms_restore.yml")
    assert code == 0, output[-4000:]
    assert estate(lab) == before and lab_sql_state(lab_state_dir) == sql_before
    # The preview reads the version on both servers and stops nothing.
    assert module_runs(lab) == [("rms1", "win_powershell", None, False), ("rms2", "win_powershell", None, False)]

    admin(lab, "DELETE", "/requests", service="windows")
    code, output = ansible_playbook("-i", inventory, "-e", "drkit_rms_backup_set_id=win-1", "playbooks/rms_restore.yml")
    assert code == 0, output[-4000:]
    assert module_runs(lab) == [("rms1", "win_powershell", None, False), ("rms2", "win_powershell", None, False),
                                ("rms1", "web_app_pool", "stopped", False), ("rms2", "web_app_pool", "stopped", False),
                                ("rms1", "web_app_pool", "started", False), ("rms2", "web_app_pool", "started", False)]
    assert estate(lab) == before and "Wait until each AD RMS server answers" in output


@pytest.mark.parametrize("playbook", ["rms_backup.yml", "rms_restore.yml"])
def test_servers_on_different_versions_are_refused_before_any_change(lab, lab_state_dir, cluster, windows, playbook):
    def older_rms2(estate_document):
        estate_document["clusters"][CLUSTER]["config_database"] = cluster["config"]
        estate_document["servers"]["rms2.contoso.com"]["os_version"] = "6.3.9600"
    before, sql_before = windows(older_rms2), lab_sql_state(lab_state_dir)
    code, output = ansible_playbook("-i", cluster["inventory"], "playbooks/" + playbook)
    assert code != 0 and "rms2.contoso.com 6.3.9600" in output and "rms1.contoso.com 10.0.20348" in output, output[-3000:]
    assert estate(lab) == before and lab_sql_state(lab_state_dir) == sql_before
    assert [module for _host, module, _state, _check in module_runs(lab)] == ["win_powershell", "win_powershell"]


def test_a_rebuilt_server_joins_the_cluster_previewed_then_once(lab, cluster):
    inventory, joined = cluster["inventory"], ["-e", "drkit_target=rms3.contoso.com", "playbooks/rms_server_rejoin.yml"]
    before = estate(lab)
    code, output = ansible_playbook("-i", inventory, "--check", *joined)
    assert code == 0, output[-4000:]
    assert estate(lab) == before

    code, output = ansible_playbook("-i", inventory, "-vvv", *joined)
    assert code == 0, output[-4000:]
    rms3 = estate(lab)["servers"]["rms3.contoso.com"]
    assert rms3["rms"]["provisioned"] and rms3["rms"]["cluster"] == CLUSTER and rms3["features"]["ADRMS-Server"]
    join = [entry for entry in admin(lab, "GET", "/requests", service="windows") if entry["operation"] == "module"
            and entry["module"] == "ansible.windows.win_powershell" and "DatabaseName" in (entry["arguments"].get("parameters") or {})
            and not entry["check_mode"]]
    assert [entry["become_user"] for entry in join] == [lab["drkit_lab_windows"]["rms_installer"]["username"]]

    code, output = ansible_playbook("-i", inventory, *joined)
    assert code == 0 and recap_changed(output) == 0, output[-4000:]


def test_a_wrong_cluster_key_password_fails_the_join_and_the_server_stays_out(lab, cluster):
    code, output = ansible_playbook("-i", cluster["inventory"], "-e", "drkit_target=rms3.contoso.com", "-e", "drkit_rms_cluster_key_password=wrong-key",
                                    "playbooks/rms_server_rejoin.yml")
    assert code != 0 and "cluster key password is incorrect" in output, output[-3000:]
    assert not estate(lab)["servers"]["rms3.contoso.com"]["rms"]["provisioned"]
