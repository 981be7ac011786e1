"""The Orchestrator restore with its server steps over WinRM, against the lab's SQL Server and the lab's Windows servers
sco-ms01 (management and runbook server), sco-rb02 (runbook server) and sco-web01 (Web API, Orchestrator 2022)."""
import sys

import pytest
import yaml
from lab_admin import admin
from lab_keys import encrypted_database
from playbook_runner import ansible_playbook, recap_changed
from test_orchestrator_playbooks import KEY_PASSWORD

SERVERS = ["sco-ms01.contoso.com", "sco-rb02.contoso.com", "sco-web01.contoso.com"]
DATABASE_SERVER = "sql02.contoso.com\\SCO"


@pytest.fixture
def deployment(lab, sql_client, tmp_path, windows):
    """An Orchestrator database in the lab's SQL Server whose servers' data stores already point at it (the operator ran
    the Data Store Configuration utility), and an inventory with the three Windows servers."""
    database = encrypted_database(sql_client)

    def pointed_at_the_database(estate):
        for name in ("sco-ms01.contoso.com", "sco-rb02.contoso.com"):
            estate["servers"][name]["orchestrator"]["settings"] = {"server": DATABASE_SERVER, "database": database}
        estate["servers"]["sco-web01.contoso.com"]["orchestrator"]["web_api"]["Database__Database"] = "Orchestrator_old"
    windows(pointed_at_the_database)
    host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "drkit_sco_sql": lab["drkit_lab_sql"],
            "drkit_sco_database": database, "drkit_sco_backup_directory": "C:\\Backups", "drkit_sco_manifest_directory": str(tmp_path / "sets"),
            "drkit_sco_key_password": KEY_PASSWORD, "drkit_sco_database_server": DATABASE_SERVER,
            "drkit_sco_management_server": SERVERS[0], "drkit_sco_runbook_servers": SERVERS[:2], "drkit_sco_web_server": SERVERS[2],
            "drkit_sco_version": "2022", "drkit_sco_winrm": True}
    windows_hosts = dict((name, lab["drkit_lab_windows"]["servers"][name]) for name in SERVERS)
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"orchestrator_deployments": {"hosts": {"sco-lab": host}},
                                                         "orchestrator_servers": {"hosts": windows_hosts}}}}))
    return {"inventory": str(path), "database": database}


def servers(lab):
    return admin(lab, "GET", "/estate", service="windows")["servers"]


def test_the_restore_runs_every_server_step_over_winrm_after_a_preview_that_changes_nothing(lab, deployment):
    inventory = deployment["inventory"]
    code, output = ansible_playbook("-i", inventory, "-e", "drkit_sco_backup_set_id=win-1", "playbooks/orchestrator_backup.yml")
    assert code == 0, output[-4000:]

    before = servers(lab)
    code, output = ansible_playbook("-i", inventory, "--check", "playbooks/orchestrator_restore.yml")
    assert code == 0, output[-4000:]
    assert servers(lab) == before
    plan = output[output.index("Orchestrator restore plan for sco-lab"):]
    assert "Step 4. Point the management server's data store at the database\",\n        \"    done on sco-ms01.contoso.com" in plan, plan

    code, output = ansible_playbook("-i", inventory, "playbooks/orchestrator_restore.yml")
    assert code == 0, output[-4000:]
    after = servers(lab)
    wanted = {"Database__Address": DATABASE_SERVER, "Database__Database": deployment["database"]}
    assert after["sco-web01.contoso.com"]["orchestrator"]["web_api"] == wanted
    assert after["sco-ms01.contoso.com"]["services"]["omanagement"]["restarts"] == 1
    assert [after[name]["services"]["orunbook"]["restarts"] for name in SERVERS[:2]] == [1, 1]
    assert "MANUAL" not in output[output.index("Orchestrator restore plan for sco-lab"):]

    # Run again: the key, the database and the Web API are as wanted, and nothing restored since the restarts: no change.
    code, output = ansible_playbook("-i", inventory, "playbooks/orchestrator_restore.yml")
    assert code == 0, output[-4000:]
    assert recap_changed(output, "sco-lab") == 0 and servers(lab) == after
    assert "not needed, nothing was restored since the services last restarted" in output[output.index("Orchestrator restore plan for sco-lab"):]


def test_a_management_server_pointing_elsewhere_stops_the_restore_at_step_4(lab, deployment, windows):
    def elsewhere(estate):
        estate["servers"]["sco-ms01.contoso.com"]["orchestrator"]["settings"] = {"server": "localhost", "database": deployment["database"]}
    code, output = ansible_playbook("-i", deployment["inventory"], "playbooks/orchestrator_backup.yml")
    assert code == 0, output[-4000:]
    windows(elsewhere)
    code, output = ansible_playbook("-i", deployment["inventory"], "-e", "awx_job_id=1", "playbooks/orchestrator_restore.yml")
    assert code != 0 and "Step 4 (Point the management server's data store at the database) must be done by hand on sco-ms01" in output, \
        output[-3000:]
    assert servers(lab)["sco-ms01.contoso.com"]["services"]["omanagement"]["restarts"] == 0

    # The operator runs DBSetup, then resumes: the key and the database, restored by the stopped run, are not restored again,
    # and the services still restart, once.
    estate = admin(lab, "GET", "/estate", service="windows")
    for name in SERVERS[:2]:
        estate["servers"][name]["orchestrator"]["settings"] = {"server": DATABASE_SERVER, "database": deployment["database"]}
    admin(lab, "PUT", "/estate", estate, service="windows")
    code, output = ansible_playbook("-i", deployment["inventory"], "-e", "awx_job_id=2", "playbooks/orchestrator_restore.yml")
    assert code == 0, output[-3000:]
    restarted = servers(lab)
    assert restarted["sco-ms01.contoso.com"]["services"]["omanagement"]["restarts"] == 1
    assert [restarted[name]["services"]["orunbook"]["restarts"] for name in SERVERS[:2]] == [1, 1]
    code, output = ansible_playbook("-i", deployment["inventory"], "-e", "awx_job_id=3", "playbooks/orchestrator_restore.yml")
    assert code == 0 and recap_changed(output, "sco-lab") == 0 and servers(lab) == restarted, output[-3000:]
