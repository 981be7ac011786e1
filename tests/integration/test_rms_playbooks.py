"""The AD RMS playbooks and roles: their steps in the procedure's order, and the backup and restore playbooks run with
ansible-playbook against the lab's SQL Server as for a cluster whose servers are down (test_rms_windows_playbooks.py runs
them with the lab's Windows servers)."""
import os
import sys
import uuid

import pytest
import yaml

from playbook_runner import REPO, ansible_playbook, lab_sql_state, recap_changed

VERSION = "10.0.20348"

# The AD RMS procedure's steps, as the playbooks run them (argument validation left out).
PROCEDURE = {
    "rms_backup.yml": [
        ("rms_backup", "Check where the AD RMS version comes from"),
        ("rms_nodes", "Read AD RMS facts on each server"),
        ("rms_nodes", "Record each server's AD RMS facts"),
        ("rms_nodes", "Check that every server serves AD RMS with the same version"),
        ("rms_nodes", "Record the cluster's AD RMS version"),
        ("rms_backup", "Take the backup set"),
        ("rms_backup", "Publish the backup set for AWX workflows"),
    ],
    "rms_restore.yml": [
        ("rms_restore", "Check that the cluster's servers are named, or that the restore runs without them"),
        ("rms_nodes", "Read AD RMS facts on each server"),
        ("rms_nodes", "Record each server's AD RMS facts"),
        ("rms_nodes", "Check that every server serves AD RMS with the same version"),
        ("rms_nodes", "Record the cluster's AD RMS version"),
        ("rms_restore", "Preview the restore and apply the version gate"),
        ("rms_restore", "Show the restore preview"),
        ("rms_restore", "Publish the preview for AWX workflows"),
        ("rms_restore", "Stop the AD RMS application pools on every server"),
        ("rms_restore", "Check that every server stopped serving"),
        ("rms_restore", "Restore the backup set the preview showed"),
        ("rms_nodes", "Wait until each AD RMS server answers"),
        ("rms_restore", "Publish the restore for AWX workflows"),
    ],
    "rms_server_rejoin.yml": [
        ("rms_server_rejoin", "Check that this server is the only one of its batch"),
        ("rms_server_rejoin", "Stop when the cluster key is outside the configuration database"),
        ("rms_nodes", "Wait until each AD RMS server answers"),
        ("rms_nodes", "Read AD RMS facts on each server"),
        ("rms_nodes", "Record each server's AD RMS facts"),
        ("rms_nodes", "Check that every server serves AD RMS with the same version"),
        ("rms_nodes", "Record the cluster's AD RMS version"),
        ("rms_server_rejoin", "Record this server's AD RMS state"),
        ("rms_nodes", "Read AD RMS facts on each server"),
        ("rms_nodes", "Record each server's AD RMS facts"),
        ("rms_nodes", "Check that every server serves AD RMS with the same version"),
        ("rms_nodes", "Record the cluster's AD RMS version"),
        ("rms_server_rejoin", "Check that this server runs the cluster's AD RMS version"),
        ("rms_server_rejoin", "Install the AD RMS server role"),
        ("rms_server_rejoin", "Restart the server when the role installation asks for it"),
        ("rms_server_rejoin", "Point the server at the cluster's certification URL"),
        ("rms_nodes", "Wait until each AD RMS server answers"),
        ("rms_server_rejoin", "Join the existing cluster with the existing configuration database"),
        ("rms_nodes", "Wait until each AD RMS server answers"),
    ],
}


def listed_tasks(playbook):
    code, output = ansible_playbook("--list-tasks", "-i", "localhost,", os.path.join("playbooks", playbook))
    assert code == 0, output
    tasks = []
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("drkit.microsoft.") and " : " in line:
            role, name = line[len("drkit.microsoft."):].split(" : ", 1)
            name = name.split("\tTAGS:")[0].strip()
            if not name.startswith("Validating arguments against arg spec"):
                tasks.append((role, name))
    return tasks


@pytest.mark.parametrize("playbook", sorted(PROCEDURE))
def test_each_playbook_runs_the_procedure_s_steps_in_order(playbook):
    assert listed_tasks(playbook) == PROCEDURE[playbook]


def test_the_restore_stops_the_pools_before_and_starts_them_after_even_when_it_fails():
    with open(os.path.join(REPO, "roles", "rms_restore", "tasks", "main.yml"), encoding="utf-8") as stream:
        tasks = yaml.safe_load(stream)
    block = next(task for task in tasks if "block" in task)
    modules = ("microsoft.iis.web_app_pool", "ansible.builtin.assert", "drkit.microsoft.rms_backup")
    steps = [(next(module for module in modules if module in task), task) for task in block["block"]]
    assert [(module, task[module].get("state")) for module, task in steps] == [
        ("microsoft.iis.web_app_pool", "stopped"), ("ansible.builtin.assert", None), ("drkit.microsoft.rms_backup", "restored")]
    # An unreachable server fails the block (the assert) instead of dropping the cluster, so `always` still runs.
    assert steps[0][1]["ignore_unreachable"] is True and "unreachable" in steps[1][1]["vars"]["rms_restore_unreached"]
    start = block["always"][0]
    assert start["microsoft.iis.web_app_pool"]["state"] == "started" and start["ignore_unreachable"] is True
    # Every pool that was stopped is started again, on the server it belongs to.
    assert start["loop"] == steps[0][1]["loop"] and start["delegate_to"] == "{{ item.0.key }}"


def rejoin_play(hosts, tmp_path, **overrides):
    """A play running the rejoin role on local stand-in hosts: what it checks before contacting any Windows server."""
    role_vars = dict(rms_server_rejoin_database_server="sql01.contoso.com", rms_server_rejoin_config_database="DRMS_Config_x",
                     rms_server_rejoin_service_account={"username": "CONTOSO\\svc", "password": "unused"},
                     rms_server_rejoin_installer={"username": "CONTOSO\\admin", "password": "unused"},
                     rms_server_rejoin_cluster_key_password="unused")
    role_vars.update(overrides)
    play = [{"name": "Rejoin", "hosts": "all", "gather_facts": False,
             "tasks": [{"name": "Rejoin", "ansible.builtin.include_role": {"name": "drkit.microsoft.rms_server_rejoin"},
                        "vars": role_vars}]}]
    path = tmp_path / "rejoin.yml"
    path.write_text(yaml.safe_dump(play))
    return ansible_playbook("-i", ",".join(hosts) + ",", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable, str(path))


def test_the_rejoin_refuses_two_servers_at_once(tmp_path):
    code, output = rejoin_play(["rms1", "rms2"], tmp_path)
    assert code != 0 and "one at a time (serial: 1)" in output and "rms1, rms2" in output
    assert "Read AD RMS facts" not in output


def test_the_rejoin_stops_with_instructions_when_an_hsm_holds_the_key(tmp_path):
    code, output = rejoin_play(["rms1"], tmp_path, rms_server_rejoin_key_storage="hsm")
    assert code != 0 and "hardware security module" in output and "Join an existing AD RMS cluster" in output
    assert "Read AD RMS facts" not in output


# --- the backup and restore playbooks against the lab's SQL Server ---

def digest(sql_client, name):
    return sql_client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (name,)).rows[0]["digest"]


@pytest.fixture
def rms_cluster(lab, sql_client, tmp_path):
    """An inventory with one AD RMS cluster whose databases are in the lab's SQL Server."""
    from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier  # pylint: disable=import-outside-toplevel
    config = "DRMS_Config_pb_%s']; --" % uuid.uuid4().hex[:8]
    sql_client.execute("create_database", "CREATE DATABASE %s" % quote_identifier(config, "database"))
    inventory = {"all": {"children": {"rms_clusters": {"hosts": {"rms-lab": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "drkit_rms_sql": lab["drkit_lab_sql"], "drkit_rms_config_database": config,
        "drkit_rms_backup_directory": "C:\\Backups", "drkit_rms_manifest_directory": str(tmp_path / "sets")}}}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    return {"inventory": str(path), "config": config, "sets": tmp_path / "sets"}


def test_backup_then_restore_playbooks_with_preview_gate_and_idempotence(lab, lab_state_dir, sql_client, rms_cluster):
    inventory, config = rms_cluster["inventory"], rms_cluster["config"]
    without_nodes = ["-e", "drkit_rms_without_nodes=true", "-e", "drkit_rms_version=%s" % VERSION]

    before = lab_sql_state(lab_state_dir)
    code, output = ansible_playbook("-i", inventory, "--check", "-e", "drkit_rms_version=%s" % VERSION, "playbooks/rms_backup.yml")
    assert code == 0, output
    assert lab_sql_state(lab_state_dir) == before and not rms_cluster["sets"].exists()

    code, output = ansible_playbook("-i", inventory, "-e", "drkit_rms_version=%s" % VERSION, "-e", "drkit_rms_backup_set_id=pb-1",
                                    "playbooks/rms_backup.yml")
    assert code == 0, output
    assert (rms_cluster["sets"] / "pb-1.json").exists()
    backed_up = digest(sql_client, config)

    sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (config, 3))
    damaged = lab_sql_state(lab_state_dir)

    code, output = ansible_playbook("-i", inventory, "--check", "-vvv", *without_nodes, "playbooks/rms_restore.yml")
    assert code == 0, output
    assert lab_sql_state(lab_state_dir) == damaged
    assert output.count("AD RMS restore preview for rms-lab: backup set pb-1") == 1
    assert "OVERWRITE %s: restore database" % config in output and "need a new rights account certificate" in output
    assert lab["drkit_lab_sql"]["login_password"] not in output
    # What an AWX workflow's next node gets: the preview's counts and, for the host, what would be overwritten.
    preview = output.stats["drkit_preview"]["rms-lab"]
    assert {"action": "restore_database", "target": config, "effect": "overwrite", "destructive": True, "reversible": False} in preview["actions"]
    assert output.stats["drkit_preview_destructive"] >= 1 and output.stats["drkit_preview_hosts"] == 1
    assert any("rights account certificate" in notice for notice in preview["notices"])

    code, output = ansible_playbook("-i", inventory, "-e", "drkit_rms_without_nodes=true", "-e", "drkit_rms_version=6.3.9600",
                                    "playbooks/rms_restore.yml")
    assert code != 0 and "restore refused, nothing was changed" in output
    assert lab_sql_state(lab_state_dir) == damaged

    code, output = ansible_playbook("-i", inventory, *without_nodes, "playbooks/rms_restore.yml")
    assert code == 0, output
    assert digest(sql_client, config) == backed_up and recap_changed(output, "rms-lab") == 1

    code, output = ansible_playbook("-i", inventory, *without_nodes, "playbooks/rms_restore.yml")
    assert code == 0, output
    assert recap_changed(output, "rms-lab") == 0 and "Nothing to do" in output
