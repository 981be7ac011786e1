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


def test_a_refused_login_fails_with_its_number_and_leaves_no_manifest(lab, sql_client, cluster, tmp_path):
    sql_client.execute("refuse", "EXEC drkit_lab.refuse_logins @count = 1")
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id="set-refused"))
    assert refused.failed and (refused["step"], refused["error_code"]) == ("connect", 18456)
    assert lab["drkit_lab_sql"]["login_password"] not in refused.output
    assert not os.path.exists(tmp_path / "set-refused.json")
    assert not run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id="set-refused")).failed


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


def digest(sql_client, name):
    return sql_client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (name,)).rows[0]["digest"]


def lab_messages(sql_client, number):
    return [row for row in sql_client.execute("messages", "SELECT message_id, language_id, severity, is_event_logged, text FROM sys.messages "
                                                          "WHERE message_id > 50000 ORDER BY message_id, language_id").rows
            if row["message_id"] == number]


def test_a_restore_previews_then_puts_back_the_databases_and_the_messages(lab, lab_state_dir, sql_client, cluster, tmp_path):
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    before = {name: digest(sql_client, name) for name in (cluster["config"], cluster["logging"])}
    taken = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id))
    for name in before:
        sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (name, 4))
    sql_client.execute("drop", "EXEC sp_dropmessage @msgnum = ?, @lang = ?", (cluster["message"], "all"))
    changed = {name: digest(sql_client, name) for name in before}

    preview = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored"), check=True)
    assert not preview.failed, preview.result
    assert [(a["action"], a["target"]) for a in preview["plan"]] == [
        ("safety_backup", cluster["config"]), ("set_single_user", cluster["config"]), ("restore_database", cluster["config"]),
        ("set_multi_user", cluster["config"]), ("safety_backup", cluster["logging"]), ("set_single_user", cluster["logging"]),
        ("restore_database", cluster["logging"]), ("set_multi_user", cluster["logging"]),
        ("add_user_message", "%d (us_english)" % cluster["message"]), ("add_user_message", "%d (Deutsch)" % cluster["message"])]
    restore_action = preview["plan"][2]
    assert restore_action["destructive"] is True and restore_action["detail"]["current_size_bytes"] > 0
    backup_time = taken["backup_set"]["databases"][0]["backup_finish_date"]
    assert any("need a new rights account certificate" in n and backup_time in n for n in preview["notices"])
    assert {name: digest(sql_client, name) for name in before} == changed and lab_messages(sql_client, cluster["message"]) == []

    restored = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored"))
    assert not restored.failed, restored.result
    assert restored["changed"] is True
    assert {name: digest(sql_client, name) for name in before} == before
    assert [(m["language_id"], m["text"]) for m in lab_messages(sql_client, cluster["message"])] == [
        (1031, "RMS startet nicht: %s"), (1033, "RMS can't start: %s ]; --")]
    safety = [a["detail"]["file"] for a in restored["plan"] if a["action"] == "safety_backup"]
    assert all(os.path.exists(lab_file(lab_state_dir, path)) for path in safety)
    assert sql_client.execute("access", "SELECT name, state_desc, recovery_model_desc, user_access_desc, create_date FROM sys.databases "
                                        "WHERE name = ?", (cluster["config"],)).rows[0]["user_access_desc"] == "MULTI_USER"

    again = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored"))
    assert (again["changed"], again["plan"]) == (False, [])
    assert any("last restored from this set" in n for n in again["notices"])


def test_another_rms_version_is_refused_before_anything_changes(lab, sql_client, cluster, tmp_path):
    run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id="set-v"))
    sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (cluster["config"], 2))
    changed = digest(sql_client, cluster["config"])
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored", rms_version="10.0.17763.1"))
    assert refused.failed and refused["step"] == "version_gate" and "10.0.14393.0" in refused["msg"]
    assert digest(sql_client, cluster["config"]) == changed


def test_a_damaged_file_refuses_the_whole_restore(lab, lab_state_dir, sql_client, cluster, tmp_path):
    taken = run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id="set-d"))
    sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (cluster["config"], 2))
    changed = digest(sql_client, cluster["config"])
    damaged = lab_file(lab_state_dir, taken["backup_set"]["databases"][1]["file"])
    with open(damaged, "r+b") as handle:
        handle.seek(os.path.getsize(damaged) - 100)
        handle.write(b"\x00" * 8)
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored"))
    assert refused.failed and (refused["step"], refused["error_code"]) == ("verify_backup", 3189)
    assert digest(sql_client, cluster["config"]) == changed  # the configuration database, listed first, was not touched


def test_a_set_with_an_hsm_needs_the_operator_s_confirmation(lab, cluster, tmp_path):
    run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id="set-h", key_storage="hsm"))
    refused = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored"))
    assert refused.failed and refused["step"] == "key_gate"
    confirmed = run_module("rms_backup", args(lab, cluster, tmp_path, state="restored", hsm_confirmed=True), check=True)
    assert not confirmed.failed and any("hsm_confirmed" in n for n in confirmed["notices"])


def test_the_info_module_lists_the_sets_oldest_first(lab, cluster, tmp_path):
    for set_id in ("set-a", "set-b"):
        run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id=set_id, logging_database=None))
    listed = run_module("rms_backup_info", {"manifest_directory": str(tmp_path)})
    assert listed["changed"] is False
    assert [(s["backup_set_id"], s["rms_version"], [d["name"] for d in s["databases"]]) for s in listed["backup_sets"]] == [
        ("set-a", "10.0.14393.0", [cluster["config"]]), ("set-b", "10.0.14393.0", [cluster["config"]])]
    assert listed["backup_sets"][0]["messages"] > 0 and listed["backup_sets"][0]["databases"][0]["verified"] is True
    other = run_module("rms_backup_info", {"manifest_directory": str(tmp_path), "config_database": "DRMS_Config_elsewhere"})
    assert other["backup_sets"] == []


def test_a_manifest_of_another_kind_is_not_taken_for_an_rms_set(lab, cluster, tmp_path):
    run_module("rms_backup", args(lab, cluster, tmp_path, backup_set_id="set-r", logging_database=None))
    with open(os.path.join(str(tmp_path), "zz-other.json"), "w", encoding="utf-8") as handle:
        json.dump({"format": "drkit.microsoft.backup_set/1", "kind": "orchestrator", "backup_set_id": "zz-other",
                   "created": "2999-01-01T00:00:00.000000Z"}, handle)
    newest = run_module("rms_backup", args(lab, cluster, tmp_path, state="verified", logging_database=None))
    assert not newest.failed and newest["backup_set"]["backup_set_id"] == "set-r"
    named = run_module("rms_backup", args(lab, cluster, tmp_path, state="verified", backup_set_id="zz-other"))
    assert named.failed and "is not a backup of kind rms" in named["msg"]
