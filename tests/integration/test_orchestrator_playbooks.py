"""The Orchestrator playbooks: the restore's nine steps in order, and backup then restore run with ansible-playbook against
the lab's SQL Server, the server steps run as gates (drkit_sco_winrm=false); test_orchestrator_windows_playbooks.py runs them
over WinRM against the lab's Windows servers."""
import os
import re
import sys
import uuid

import pytest
import yaml

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from lab_keys import encrypted_database
from playbook_runner import ansible_playbook, lab_sql_state, recap_changed

KEY_PASSWORD = "Sco-canary-%s'];--" % uuid.uuid4().hex[:10]


def listed(playbook):
    code, output = ansible_playbook("--list-tasks", "-i", "localhost,", os.path.join("playbooks", playbook))
    assert code == 0, output
    return [line.strip() for line in output.splitlines() if line.strip().startswith("drkit.microsoft.")]


def test_the_restore_runs_the_nine_steps_in_order_and_each_resumes_the_ones_after_it():
    steps = []
    for line in listed("orchestrator_restore.yml"):
        tags = re.search(r"TAGS: \[(.*)\]", line).group(1).split(", ")
        numbers = [int(tag.split("_")[1]) for tag in tags if re.fullmatch(r"step_\d_\w+", tag)]
        if numbers:
            steps.append(numbers[0])
            # --tags from_step_N selects this step exactly when N <= its number.
            assert sorted(int(tag[len("from_step_"):]) for tag in tags if tag.startswith("from_step_")) == list(range(1, numbers[0] + 1))
    assert sorted(set(steps)) == list(range(1, 10)) and steps == sorted(steps)


def test_the_backup_takes_the_key_before_the_database():
    tasks = [line for line in listed("orchestrator_backup.yml") if "Validating arguments" not in line]
    assert [t.split(" : ")[1].split("\t")[0] for t in tasks] == [
        "Back up the service master key when it changed", "Back up the Orchestrator database", "Publish the backups for AWX workflows"]


@pytest.fixture
def deployment(lab, sql_client, tmp_path):
    """An Orchestrator database with its key hierarchy in the lab, and an inventory naming it."""
    database = encrypted_database(sql_client)
    host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "drkit_sco_sql": lab["drkit_lab_sql"],
            "drkit_sco_database": database, "drkit_sco_backup_directory": "C:\\Backups", "drkit_sco_manifest_directory": str(tmp_path / "sets"),
            "drkit_sco_key_password": KEY_PASSWORD, "drkit_sco_database_server": "sql02.contoso.com\\SCO",
            "drkit_sco_management_server": "sco-ms01", "drkit_sco_runbook_servers": ["sco-ms01", "sco-rb02"],
            "drkit_sco_web_server": "sco-web01", "drkit_sco_version": "2019", "drkit_sco_winrm": False}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"orchestrator_deployments": {"hosts": {"sco-lab": host}}}}}))
    return {"inventory": str(path), "database": database}


def keys_open(sql_client, database):
    sql_client.execute("use", "USE %s" % quote_identifier(database, "database"))
    try:
        sql_client.execute("open", "OPEN SYMMETRIC KEY ORCHESTRATOR_SYM_KEY DECRYPTION BY ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY")
        sql_client.execute("close", "CLOSE SYMMETRIC KEY ORCHESTRATOR_SYM_KEY")
        return True
    except Exception:  # pylint: disable=broad-except
        return False
    finally:
        sql_client.execute("use", "USE master")


def test_backup_then_a_restore_on_a_rebuilt_instance_previewed_gated_resumed_and_idempotent(lab, lab_state_dir, sql_client, deployment):
    inventory, database = deployment["inventory"], deployment["database"]
    code, output = ansible_playbook("-i", inventory, "-e", "drkit_sco_backup_set_id=sco-1", "playbooks/orchestrator_backup.yml")
    assert code == 0, output
    digest = sql_client.execute("d", "EXEC drkit_lab.database_digest @database = ?", (database,)).rows[0]["digest"]

    # The instance is rebuilt (a new service master key, another database depending on it) and the database damaged.
    sql_client.execute("rebuild", "EXEC drkit_lab.replace_service_master_key")
    neighbour = encrypted_database(sql_client, "Neighbour")
    sql_client.execute("damage", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (database, 3))
    assert not keys_open(sql_client, database)
    before = lab_sql_state(lab_state_dir)

    code, output = ansible_playbook("-i", inventory, "--check", "-vvv", "playbooks/orchestrator_restore.yml")
    assert code == 0, output
    assert lab_sql_state(lab_state_dir) == before and KEY_PASSWORD not in output
    assert output.count("Orchestrator restore plan for sco-lab (check mode: nothing was changed)") == 1
    plan = output[output.index("Orchestrator restore plan for sco-lab"):]
    assert "confirm shared instance" in plan and "restore service master key" in plan, plan
    assert "restore database %s" % database in plan and "database %s" % neighbour in plan, plan
    previewed = output.stats["drkit_preview"]["sco-lab"]["actions"]
    assert {"restore_service_master_key", "restore_database"} <= {action["action"] for action in previewed}, output.stats
    assert output.stats["drkit_preview_actions"] == len(previewed) == 6
    assert output.stats["drkit_preview_destructive"] == sum(action["destructive"] for action in previewed) >= 1
    assert next(action for action in previewed if action["action"] == "restore_database")["destructive"]
    # Step 7 configures only the runbook server that is not the management server (step 4 did that one).
    step7 = plan[plan.index("Step 7."):plan.index("Step 8.")]
    assert step7.count("Step 7.") == 1 and "sco-rb02" in step7 and "sco-ms01" not in step7

    code, output = ansible_playbook("-i", inventory, "-e", "drkit_sco_confirm_shared_instance=true", "playbooks/orchestrator_restore.yml")
    assert code != 0 and "Step 4 (Point the management server's data store at the database) must be done by hand on sco-ms01" in output
    assert "--tags from_step_5" in output and "sql02.contoso.com\\\\SCO" in output
    assert keys_open(sql_client, database)  # steps 1 to 3 ran before the gate

    # In AWX (which sets awx_job_id) a gate stops at once, without a prompt no one could answer.
    code, output = ansible_playbook("-i", inventory, "-e", "awx_job_id=4711", "--tags", "from_step_4", "playbooks/orchestrator_restore.yml")
    assert code != 0 and "must be done by hand on sco-ms01" in output
    assert re.search(r"Wait until the operator has done the step\]\s*\**\s*skipping:", output), output

    done = ["-e", '{"drkit_sco_done_steps": [5, 6, 7, 8, 9]}']
    code, output = ansible_playbook("-i", inventory, "--tags", "from_step_5", *done, "playbooks/orchestrator_restore.yml")
    assert code == 0, output
    assert "Step 4." not in output[output.index("Orchestrator restore plan"):]

    all_done = ["-e", '{"drkit_sco_done_steps": [4, 5, 6, 7, 8, 9]}', "-e", "drkit_sco_confirm_shared_instance=true"]
    code, output = ansible_playbook("-i", inventory, *all_done, "playbooks/orchestrator_restore.yml")
    assert code == 0, output
    assert recap_changed(output, "sco-lab") == 0
    assert sql_client.execute("d", "EXEC drkit_lab.database_digest @database = ?", (database,)).rows[0]["digest"] == digest
