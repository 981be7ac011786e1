"""drkit.microsoft.orchestrator_smk against the lab's SQL Server, through pyodbc + FreeTDS: back up, compare and restore the
service master key that Orchestrator's encrypted data depends on."""
import json
import os
import subprocess
import sys
import uuid

import yaml

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier, quote_literal
from lab_keys import encrypted_database
from module_runner import run_module

# A canary: it must never appear in any result, manifest or log. It holds what breaks naive quoting.
KEY_PASSWORD = "Canary-%s'];--$(x)" % uuid.uuid4().hex[:12]
SMK_QUERY = "SELECT name, key_guid, create_date, modify_date FROM master.sys.symmetric_keys WHERE name = ?"


def smk_row(sql_client):
    return sql_client.execute("smk", SMK_QUERY, ("##MS_ServiceMasterKey##",)).rows[0]


def unique(prefix):
    """A backup id, new for every run: key files stay in the lab's C:\\Backups and are never overwritten."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def args(lab, manifests, **extra):
    values = dict(lab["drkit_lab_sql"], backup_directory="C:\\Backups", manifest_directory=str(manifests), key_password=KEY_PASSWORD)
    values.update(extra)
    return values


def lab_file(lab_state_dir, windows_path):
    return os.path.join(lab_state_dir, "sql_server", "volumes", *windows_path.replace(":", "").split("\\"))


def assert_no_canary(*texts):
    for text in texts:
        assert KEY_PASSWORD not in text and quote_literal(KEY_PASSWORD, "p") not in text


def test_a_key_backup_is_taken_once_per_key_and_records_the_key_s_identity(lab, lab_state_dir, sql_client, tmp_path):
    first, second = unique("k1"), unique("k2")
    taken = run_module("orchestrator_smk", args(lab, tmp_path, backup_id=first))
    assert not taken.failed, taken.result
    assert taken["changed"] is True and [a["action"] for a in taken["plan"]] == ["backup_service_master_key", "write_manifest"]
    assert os.path.exists(lab_file(lab_state_dir, "C:\\Backups\\%s.smk" % first))
    manifest = json.loads((tmp_path / ("%s.json" % first)).read_text())
    assert manifest["service_master_key"]["key_guid"] == str(smk_row(sql_client)["key_guid"]).upper()
    assert manifest["sql_server"]["host"] == lab["drkit_lab_sql"]["login_host"] and manifest["complete"] is True
    assert_no_canary(taken.output, (tmp_path / ("%s.json" % first)).read_text())

    again = run_module("orchestrator_smk", args(lab, tmp_path))
    assert (again["changed"], again["plan"], again["backup"]["backup_set_id"]) == (False, [], first)
    assert any("has not changed since backup %s" % first in notice for notice in again["notices"])
    forced = run_module("orchestrator_smk", args(lab, tmp_path, backup_id=second, force=True))
    assert forced["changed"] is True and (tmp_path / ("%s.json" % second)).exists()


def test_a_weak_password_or_a_missing_one_is_refused_before_anything_is_written(lab, tmp_path):
    weak = run_module("orchestrator_smk", args(lab, tmp_path, backup_id="weak", key_password="password"))
    assert weak.failed and (weak["step"], weak["error_code"]) == ("backup_service_master_key", 15118)
    assert not (tmp_path / "weak.json").exists()
    missing = run_module("orchestrator_smk", args(lab, tmp_path, key_password=None))
    assert missing.failed and "key_password" in missing["msg"]


def test_compared_tells_the_key_and_whether_orchestrator_s_data_opens(lab, sql_client, tmp_path):
    database = encrypted_database(sql_client)
    run_module("orchestrator_smk", args(lab, tmp_path, backup_id=unique("c1")))
    same = run_module("orchestrator_smk", args(lab, tmp_path, state="compared", database=database, key_password=None))
    assert (same["changed"], same["matches"], same["data_opens"]) == (False, True, True)

    sql_client.execute("rebuild", "EXEC drkit_lab.replace_service_master_key")
    other = run_module("orchestrator_smk", args(lab, tmp_path, state="compared", database=database, key_password=None))
    assert (other["matches"], other["data_opens"]) == (False, False) and "15581" in other["data_error"]
    absent = run_module("orchestrator_smk", args(lab, tmp_path, state="compared", database="NoSuchDatabase", key_password=None))
    assert absent["data_opens"] is None


def test_a_restore_on_a_rebuilt_instance_is_previewed_gated_then_makes_the_data_open(lab, sql_client, tmp_path):
    database = encrypted_database(sql_client)
    database_file = "C:\\Backups\\%s.bak" % uuid.uuid4().hex[:8]
    sql_client.execute("backup", "BACKUP DATABASE %s TO DISK = ? WITH INIT" % quote_identifier(database, "database"), (database_file,))
    run_module("orchestrator_smk", args(lab, tmp_path, backup_id=unique("r1")))
    sql_client.execute("rebuild", "EXEC drkit_lab.replace_service_master_key")
    neighbours = [encrypted_database(sql_client, "Neighbour"), encrypted_database(sql_client, "Neighbour")]
    sql_client.execute("restore", "RESTORE DATABASE %s FROM DISK = ? WITH REPLACE" % quote_identifier(database, "database"),
                       (database_file,))
    rebuilt = smk_row(sql_client)

    preview = run_module("orchestrator_smk", args(lab, tmp_path, state="restored", database=database), check=True)
    assert not preview.failed, preview.result
    assert [a["action"] for a in preview["plan"]] == ["confirm_shared_instance", "restore_service_master_key"]
    assert preview["data_opens"] is False and all("database %s" % name in preview["affected"] for name in neighbours)
    assert "database %s" % database not in preview["affected"]
    assert smk_row(sql_client) == rebuilt

    refused = run_module("orchestrator_smk", args(lab, tmp_path, state="restored", database=database))
    assert refused.failed and refused["step"] == "confirm_shared_instance" and neighbours[0] in refused["msg"]
    assert smk_row(sql_client) == rebuilt

    restored = run_module("orchestrator_smk", args(lab, tmp_path, state="restored", database=database, confirm_shared_instance=True))
    assert not restored.failed, restored.result
    assert restored["changed"] is True and restored["service_master_key"]["key_guid"] != str(rebuilt["key_guid"]).upper()
    compared = run_module("orchestrator_smk", args(lab, tmp_path, state="compared", database=database, key_password=None))
    assert (compared["matches"], compared["data_opens"]) == (True, True)
    for name in neighbours:  # re-encrypted with the restored key, so they still open
        assert run_module("orchestrator_smk", args(lab, tmp_path, state="compared", database=name, key_password=None))["data_opens"]

    again = run_module("orchestrator_smk", args(lab, tmp_path, state="restored", database=database, confirm_shared_instance=True))
    assert (again["changed"], again["plan"]) == (False, [])
    assert_no_canary(preview.output, refused.output, restored.output)


def test_a_wrong_password_fails_with_sql_server_s_error_and_changes_nothing(lab, sql_client, tmp_path):
    run_module("orchestrator_smk", args(lab, tmp_path, backup_id=unique("w1")))
    sql_client.execute("rebuild", "EXEC drkit_lab.replace_service_master_key")
    before = smk_row(sql_client)
    wrong = run_module("orchestrator_smk", args(lab, tmp_path, state="restored", key_password=KEY_PASSWORD + "x",
                                                confirm_shared_instance=True))
    assert wrong.failed and (wrong["step"], wrong["error_code"]) == ("restore_service_master_key", 15466)
    assert smk_row(sql_client) == before


def test_the_password_never_shows_at_vvv(lab, sql_client, tmp_path):
    earlier = unique("v1")
    run_module("orchestrator_smk", args(lab, tmp_path / "sets", backup_id=earlier))
    sql_client.execute("rebuild", "EXEC drkit_lab.replace_service_master_key")
    play = [{"name": "Key", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Back up", "drkit.microsoft.orchestrator_smk": args(lab, tmp_path / "sets", backup_id=unique("v2"))},
        {"name": "Restore with a wrong password", "drkit.microsoft.orchestrator_smk": args(
            lab, tmp_path / "sets", state="restored", backup_id=earlier, key_password=KEY_PASSWORD + "'", confirm_shared_instance=True),
         "ignore_errors": True}]}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play))
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvv", "-i", "localhost,", "-c", "local",
                           "-e", "ansible_python_interpreter=%s" % sys.executable, str(path)],
                          capture_output=True, text=True, check=False, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "15466" in output and "backup_service_master_key" in output
    assert_no_canary(output)
