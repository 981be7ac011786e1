"""The AWX job templates of extensions/controller launched as AWX launches them (awx_launch.py): survey answers and
credential injectors, through the project's wrapper playbooks, against the lab. The inventories hold no login: the
credentials bring them, and no secret they bring is in any artifact of the run."""
import json
import sys
import uuid

import yaml
from awx_launch import launch
from lab_admin import admin
from lab_keys import encrypted_database
from playbook_runner import recap_changed
from test_mabs_playbooks import SQL01, sql01_protected

SQL_LOGIN = ("login_user", "login_password")


def inventory(tmp_path, group, host, host_vars):
    path = tmp_path / "inventory.yml"
    host_vars = dict(host_vars, ansible_connection="local", ansible_python_interpreter=sys.executable)
    path.write_text(yaml.safe_dump({"all": {"children": {group: {"hosts": {host: host_vars}}}}}))
    return str(path)


def test_the_orchestrator_templates_back_up_and_preview_with_the_sql_login_and_key_password_of_their_credentials(lab, sql_client, tmp_path):
    database = encrypted_database(sql_client)
    sql = dict((key, value) for key, value in lab["drkit_lab_sql"].items() if key not in SQL_LOGIN)
    sets = tmp_path / "sets"
    hosts = inventory(tmp_path, "orchestrator_deployments", "sco-lab", {
        "drkit_sco_sql": sql, "drkit_sco_database": database, "drkit_sco_backup_directory": "C:\\Backups",
        "drkit_sco_manifest_directory": str(sets), "drkit_sco_database_server": "sql02.contoso.com\\SCO",
        "drkit_sco_management_server": "sco-ms01", "drkit_sco_winrm": False})
    credentials = {"drkit.microsoft SQL Server": dict((key, lab["drkit_lab_sql"][key]) for key in SQL_LOGIN),
                   "drkit.microsoft Orchestrator key backups": {"key_password": "Awx-key-canary-%s'$(x)" % uuid.uuid4().hex[:8]}}

    code, output = launch("drkit - Orchestrator - back up", hosts, {"drkit_sco_backup_set_id": "awx-1"}, credentials)
    assert code == 0, output[-4000:]
    assert (sets / "awx-1.json").exists() and recap_changed(output, "sco-lab") >= 1

    # Without the SQL credential the same launch stops on the missing login (naming login_user) and writes no set.
    code, output = launch("drkit - Orchestrator - back up", hosts, {"drkit_sco_backup_set_id": "awx-2"},
                          {"drkit.microsoft Orchestrator key backups": credentials["drkit.microsoft Orchestrator key backups"]})
    assert code != 0 and "login_user" in output and not (sets / "awx-2.json").exists(), output[-3000:]

    # The restore template's default job type is check: its preview, published for a workflow.
    code, output = launch("drkit - Orchestrator - restore", hosts, {}, credentials, job_type="check")
    assert code == 0, output[-4000:]
    assert "Orchestrator restore plan for sco-lab (check mode: nothing was changed)" in output
    assert output.stats["drkit_preview_hosts"] == 1 and "sco-lab" in output.stats["drkit_preview"]


def test_the_mabs_recovery_template_previews_from_its_survey_then_recovers_when_approved(lab, mabs_estate, tmp_path):
    before = mabs_estate(sql01_protected)
    details = lab["drkit_lab_mabs"]
    servers = dict((name, {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                           "drkit_mabs_winrm": dict((key, value) for key, value in winrm.items() if key not in ("winrm_user", "winrm_password"))})
                   for name, winrm in details["servers"].items())
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"mabs_servers": {"hosts": servers}}}}))
    winrm = details["servers"]["MABS01.contoso.com"]
    credentials = {"drkit.microsoft MABS servers": {"winrm_user": winrm["winrm_user"], "winrm_password": winrm["winrm_password"]}}
    answers = {"drkit_mabs_server": "MABS01.contoso.com", "drkit_recovery_vm_host": "HV01.contoso.com", "drkit_recovery_vm_name": "SQL01"}

    code, output = launch("drkit - MABS - recover a Hyper-V VM", str(path), answers, credentials, job_type="check")
    assert code == 0, output[-4000:]
    assert admin(lab, "GET", "/estate", service="mabs") == before
    assert output.stats["drkit_preview_destructive"] == 1, json.dumps(output.stats)

    # The survey's default is not approved: a run previews and stops.
    code, output = launch("drkit - MABS - recover a Hyper-V VM", str(path), answers, credentials)
    assert code == 0 and "Preview only" in output, output[-4000:]
    assert admin(lab, "GET", "/estate", service="mabs") == before

    code, output = launch("drkit - MABS - recover a Hyper-V VM", str(path), dict(answers, drkit_recovery_approved="true"), credentials)
    assert code == 0 and "Succeeded" in output, output[-4000:]
    assert admin(lab, "GET", "/estate", service="mabs")["vms"][SQL01]["restored_from"] == "2026-11-20T20:00:00.000000Z"
