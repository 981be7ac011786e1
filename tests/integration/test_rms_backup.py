"""drkit.microsoft.rms_backup against the lab's SQL Server, through pyodbc + FreeTDS."""
import json
import os
import random
import uuid

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from module_runner import run_module


@pytest.fixture
def cluster(sql_client):
    """A configuration and a logging database, and two RMS messages (English and German)."""
    suffix = uuid.uuid4().hex[:8]
    config, logging = "DRMS_Config_rms_%s']; --" % suffix, "DRMS_Logging_rms_%s" % suffix
    for name in (config, logging):
        sql_client.execute("create_database", "CREATE DATABASE %s" % quote_identifier(name, "database"))
    number = random.randint(100000, 2000000000)
    add = "EXEC sp_addmessage @msgnum = ?, @severity = ?, @msgtext = ?, @lang = ?, @with_log = ?, @replace = ?"
    sql_client.execute("add", add, (number, 16, "RMS can't start: %s ]; --", "us_english", "TRUE", None))
    sql_client.execute("add", add, (number, 16, "RMS startet nicht: %s", "Deutsch", "FALSE", None))
    yield {"config": config, "logging": logging, "message": number}
    sql_client.execute("drop", "EXEC sp_dropmessage @msgnum = ?, @lang = ?", (number, "all"))


def args(lab, cluster, manifests, **extra):
    values = dict(lab["drkit_lab_sql"], config_database=cluster["config"], logging_database=cluster["logging"],
                  backup_directory="C:\\Backups", manifest_directory=str(manifests), rms_version="10.0.14393.0")
    values.update(extra)
    return values


def lab_file(lab_state_dir, windows_path):
    return os.path.join(lab_state_dir, "sql_server", "volumes", *windows_path.replace(":", "").split("\\"))


def test_a_set_holds_both_databases_and_the_messages_and_a_rerun_changes_nothing(lab, lab_state_dir, cluster, tmp_path):
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    taken = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id))
    assert not taken.failed, taken.result
    assert taken["changed"] is True
    assert [a["action"] for a in taken["plan"]] == [
        "backup_database", "verify_backup", "backup_database", "verify_backup", "script_user_messages", "write_manifest"]
    with open(taken["manifest"], encoding="utf-8") as handle:
        manifest = json.load(handle)
    assert manifest == taken["backup_set"] and manifest["complete"] is True
    assert [(d["role"], d["name"], d["verified"]) for d in manifest["databases"]] == [
        ("configuration", cluster["config"], True), ("logging", cluster["logging"], True)]
    assert all(os.path.exists(lab_file(lab_state_dir, d["file"])) for d in manifest["databases"])
    mine = [m for m in manifest["messages"]["items"] if m["message_id"] == cluster["message"]]
    assert [(m["language"], m["text"]) for m in mine] == [("us_english", "RMS can't start: %s ]; --"), ("Deutsch", "RMS startet nicht: %s")]
    assert manifest["rms"] == {"version": "10.0.14393.0", "key_storage": "software"}
    assert "10 percent processed." in taken["progress"] and "The backup set on file 1 is valid." in taken["progress"]
    assert lab["drkit_lab_sql"]["login_password"] not in taken.output

    again = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id))
    assert (again["changed"], again["plan"], again["backup_set"]) == (False, [], manifest)


def test_check_mode_writes_no_file_and_no_manifest(lab, lab_state_dir, cluster, tmp_path):
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    preview = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id, key_storage="hsm"), check=True)
    assert preview["changed"] is True
    backups = [a for a in preview["plan"] if a["action"] == "backup_database"]
    assert [(a["target"], a["detail"]["size_bytes"] > 0, a["detail"]["last_full_backup"]) for a in backups] == [
        (cluster["config"], True, None), (cluster["logging"], True, None)]
    assert "hardware security module" in preview["notices"][0]
    assert os.listdir(tmp_path) == []
    assert not any(os.path.exists(lab_file(lab_state_dir, a["detail"]["file"])) for a in backups)


def test_the_directory_services_database_is_refused_before_anything(lab, cluster, tmp_path):
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, logging_database="DRMS_DirectoryServices_rms_x"))
    assert refused.failed and refused["step"] == "validate_parameters" and "logging_database" in refused["msg"]
    assert os.listdir(tmp_path) == []


def test_a_backup_without_rms_version_is_refused(lab, cluster, tmp_path):
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, rms_version=None))
    assert refused.failed and "rms_version" in refused["msg"]


def test_a_connection_dropped_mid_backup_leaves_no_manifest_and_the_rerun_succeeds(lab, sql_client, cluster, tmp_path):
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    sql_client.execute("fault", "EXEC drkit_lab.inject_fault @operation = ?, @at_percent = ?, @mode = ?", ("backup", 40, "drop"))
    dropped = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id))
    assert dropped.failed and dropped["step"] == "backup_database"
    assert os.listdir(tmp_path) == []
    rerun = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id))
    assert rerun["changed"] is True and rerun["backup_set"]["complete"] is True


def test_verified_checks_each_file_and_the_messages(lab, lab_state_dir, cluster, tmp_path):
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    taken = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id))
    checked = run_module("rms_backup", args(lab, cluster, tmp_path, state="verified"))
    assert (checked.failed, checked["changed"], checked["manifest"]) == (False, False, taken["manifest"])
    assert checked["progress"] == ["The backup set on file 1 is valid."] * 2

    damaged = lab_file(lab_state_dir, taken["backup_set"]["databases"][1]["file"])
    with open(damaged, "r+b") as handle:
        handle.seek(os.path.getsize(damaged) // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, state="verified", backup_set_id=set_id))
    assert refused.failed and (refused["step"], refused["error_code"]) == ("verify_backup", 3189)


def test_verified_refuses_a_manifest_whose_messages_were_changed(lab, cluster, tmp_path):
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    taken = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id, logging_database=None))
    manifest = taken["backup_set"]
    manifest["messages"]["items"][0]["text"] = "changed"
    with open(taken["manifest"], "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, state="verified", backup_set_id=set_id, logging_database=None))
    assert refused.failed and refused["step"] == "verify_messages"
