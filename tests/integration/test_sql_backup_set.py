"""drkit.microsoft.sql_backup_set against the lab's SQL Server, through pyodbc + FreeTDS: sets of any databases
(Orchestrator's, for example), their checks and their restore."""
import os
import uuid

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from module_runner import run_module


@pytest.fixture
def databases(sql_client):
    names = ["Orchestrator_%s']; --" % uuid.uuid4().hex[:8], "Extra_%s" % uuid.uuid4().hex[:8]]
    for name in names:
        sql_client.execute("create", "CREATE DATABASE %s" % quote_identifier(name, "database"))
    return names


def args(lab, databases, manifests, **extra):
    values = dict(lab["drkit_lab_sql"], databases=databases, backup_directory="C:\\Backups", manifest_directory=str(manifests))
    values.update(extra)
    return values


def digest(sql_client, name):
    return sql_client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (name,)).rows[0]["digest"]


def lab_state(lab_state_dir):
    root = os.path.join(lab_state_dir, "sql_server")
    return sorted((os.path.join(folder, name), os.path.getsize(os.path.join(folder, name)), os.path.getmtime(os.path.join(folder, name)))
                  for folder, _dirs, files in os.walk(root) for name in files)


def test_a_set_round_trip_with_preview_idempotence_and_nothing_changed_in_check_mode(lab, lab_state_dir, sql_client, databases, tmp_path):
    set_id = "sco-%s" % uuid.uuid4().hex[:8]
    before = {name: digest(sql_client, name) for name in databases}
    preview = run_module("sql_backup_set", args(lab, databases, tmp_path, backup_set_id=set_id), check=True)
    assert [a["action"] for a in preview["plan"]] == ["backup_database", "verify_backup", "backup_database", "verify_backup",
                                                      "write_manifest"]
    assert not (tmp_path / ("%s.json" % set_id)).exists()
    taken = run_module("sql_backup_set", args(lab, databases, tmp_path, backup_set_id=set_id))
    assert taken["changed"] is True and [d["name"] for d in taken["backup_set"]["databases"]] == databases
    assert taken["backup_set"]["kind"] == "databases" and all(d["verified"] for d in taken["backup_set"]["databases"])
    again = run_module("sql_backup_set", args(lab, databases, tmp_path, backup_set_id=set_id))
    assert (again["changed"], again["plan"]) == (False, [])

    for name in databases:
        sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (name, 2))
    changed = lab_state(lab_state_dir)
    restore_preview = run_module("sql_backup_set", args(lab, None, tmp_path, state="restored"), check=True)
    assert not restore_preview.failed, restore_preview.result
    assert [a["action"] for a in restore_preview["plan"]][:4] == ["safety_backup", "set_single_user", "restore_database", "set_multi_user"]
    assert lab_state(lab_state_dir) == changed

    restored = run_module("sql_backup_set", args(lab, None, tmp_path, state="restored"))
    assert restored["changed"] is True and {name: digest(sql_client, name) for name in databases} == before
    second = run_module("sql_backup_set", args(lab, None, tmp_path, state="restored"))
    assert (second["changed"], second["plan"]) == (False, [])
    verified = run_module("sql_backup_set", args(lab, None, tmp_path, state="verified", backup_set_id=set_id))
    assert not verified.failed and verified["changed"] is False


def test_bad_requests_are_refused_before_anything(lab, databases, tmp_path):
    missing = run_module("sql_backup_set", args(lab, None, tmp_path))
    assert missing.failed and "databases" in missing["msg"]
    twice = run_module("sql_backup_set", args(lab, [databases[0], databases[0].upper()], tmp_path))
    assert twice.failed and "twice" in twice["msg"]
    absent = run_module("sql_backup_set", args(lab, ["NoSuchDatabase"], tmp_path))
    assert absent.failed and "does not exist" in absent["msg"] and os.listdir(tmp_path) == []
    none_yet = run_module("sql_backup_set", args(lab, None, tmp_path, state="restored"))
    assert none_yet.failed and "no backup in" in none_yet["msg"]


def test_an_rms_set_is_not_taken_for_a_database_set(lab, databases, tmp_path):
    rms = run_module("rms_backup", dict(lab["drkit_lab_sql"], config_database=databases[0], backup_directory="C:\\Backups",
                                        manifest_directory=str(tmp_path), rms_version="10.0.20348", backup_set_id="rms-1"))
    assert not rms.failed, rms.result
    refused = run_module("sql_backup_set", args(lab, None, tmp_path, state="verified", backup_set_id="rms-1"))
    assert refused.failed and "is not a backup of kind databases" in refused["msg"]
