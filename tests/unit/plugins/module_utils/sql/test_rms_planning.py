"""The RMS backup set's plans and rules: pure functions, no SQL Server."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import rms
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import backup_file_path, messages_digest, validate_windows_directory

PARAMS = {"config_database": "DRMS_Config_rms_contoso_com_443", "logging_database": None, "rms_version": "10.0.14393.0",
          "backup_directory": "C:\\Backups\\RMS", "key_storage": "software", "compression": False, "copy_only": False, "verify": True}
ROW = {"state_desc": "ONLINE", "recovery_model_desc": "FULL"}
FILES = [{"type_desc": "ROWS", "size": 1280}, {"type_desc": "LOG", "size": 64}]


def test_a_set_backs_up_verifies_scripts_the_messages_and_writes_the_manifest_last():
    plan = rms.plan_backup(PARAMS, "s1", {PARAMS["config_database"]: (ROW, FILES, None)}, "/sets/s1.json")
    assert [(a.type.name, a.target) for a in plan.actions] == [
        ("backup_database", PARAMS["config_database"]), ("verify_backup", "C:\\Backups\\RMS\\s1__DRMS_Config_rms_contoso_com_443.bak"),
        ("script_user_messages", "master"), ("write_manifest", "/sets/s1.json")]
    assert plan.actions[0].detail["size_bytes"] == 1280 * 8192 and plan.notices == []


def test_an_hsm_is_said_and_a_missing_database_is_refused():
    plan = rms.plan_backup(dict(PARAMS, key_storage="hsm"), "s1", {PARAMS["config_database"]: (ROW, FILES, None)}, "/m")
    assert "hardware security module" in plan.notices[0]
    with pytest.raises(InvalidParameter) as missing:
        rms.plan_backup(PARAMS, "s1", {PARAMS["config_database"]: (None, [], None)}, "/m")
    assert missing.value.parameter == "config_database"


@pytest.mark.parametrize("change, parameter", [({"config_database": "DRMS_DirectoryServices_x"}, "config_database"),
                                               ({"logging_database": "drms_directoryservices_x"}, "logging_database"),
                                               ({"rms_version": "ten"}, "rms_version"), ({"rms_version": None}, "rms_version"),
                                               ({"logging_database": PARAMS["config_database"]}, "logging_database")])
def test_what_a_set_must_not_be_is_refused(change, parameter):
    with pytest.raises(InvalidParameter) as refused:
        rms.validate_backup_request(dict(PARAMS, **change))
    assert refused.value.parameter == parameter


def test_file_names_from_database_names_hold_no_character_windows_refuses():
    assert backup_file_path("C:\\Backups\\", "s1", 'a:b/c*d?"e<f>g|h\\i') == "C:\\Backups\\s1__a_b_c_d__e_f_g_h_i.bak"


@pytest.mark.parametrize("path", ["C:\\Backups", "\\\\files01\\backup\\rms", "D:\\"])
def test_windows_directories_are_accepted(path):
    validate_windows_directory(path, "backup_directory")


@pytest.mark.parametrize("path", ["/var/backups", "Backups", "C:\\Backups\\..\\Windows", "\\\\server", "C:\\a|b"])
def test_other_directories_are_refused(path):
    with pytest.raises(InvalidParameter):
        validate_windows_directory(path, "backup_directory")


def test_the_messages_digest_changes_with_any_text():
    items = [{"message_id": 50001, "language": "us_english", "text": "a"}]
    assert messages_digest(items) != messages_digest([dict(items[0], text="b")])


MANIFEST = {"backup_set_id": "s1", "rms": {"version": "10.0.14393.0", "key_storage": "software"},
            "databases": [{"name": "DRMS_Config_x", "file": "C:\\Backups\\s1__DRMS_Config_x.bak", "backup_set_guid": "AAAA",
                           "backup_finish_date": "2026-11-23T06:00:00", "files": [
                               {"logical_name": "DRMS_Config_x", "physical_name": "C:\\Old\\x.mdf", "type": "D"},
                               {"logical_name": "DRMS_Config_x_log", "physical_name": "C:\\Old\\x_log.ldf", "type": "L"}]}],
            "messages": {"items": [{"message_id": 50001, "language": "us_english", "severity": 16, "text": "a"},
                                   {"message_id": 50001, "language": "Deutsch", "severity": 16, "text": "b"}]}}
RESTORE = dict(PARAMS, force=False, safety_backup=True, hsm_confirmed=False)
CURRENT_FILES = [{"name": "DRMS_Config_x", "physical_name": "D:\\Data\\x.mdf", "type_desc": "ROWS", "size": 100},
                 {"name": "DRMS_Config_x_log", "physical_name": "C:\\Old\\x_log.ldf", "type_desc": "LOG", "size": 8}]


def test_an_existing_database_is_saved_isolated_restored_where_its_files_are_and_reopened():
    plan = rms.plan_restore(RESTORE, MANIFEST, {"DRMS_Config_x": (ROW, CURRENT_FILES, None, None)}, {(50001, "us_english"): "a"}, "safety-1")
    assert [a.type.name for a in plan.actions] == ["safety_backup", "set_single_user", "restore_database", "set_multi_user",
                                                   "add_user_message"]
    assert plan.actions[2].detail["moves"] == [["DRMS_Config_x", "D:\\Data\\x.mdf"]]
    assert plan.actions[4].detail["language"] == "Deutsch"
    assert any("2026-11-23T06:00:00" in notice and "rights account certificate" in notice for notice in plan.notices)


def test_a_new_database_is_only_restored():
    messages = {(50001, "us_english"): "a", (50001, "Deutsch"): "b"}
    plan = rms.plan_restore(RESTORE, MANIFEST, {"DRMS_Config_x": (None, [], None, None)}, messages, "safety-1")
    assert [(a.type.name, a.detail.get("moves")) for a in plan.actions] == [("restore_database", [])]


def test_a_database_last_restored_from_this_set_is_left_unless_forced():
    current = {"DRMS_Config_x": (ROW, CURRENT_FILES, None, ("2026-11-23T07:00:00", "aaaa"))}
    messages = {(50001, "us_english"): "a", (50001, "Deutsch"): "changed"}
    plan = rms.plan_restore(RESTORE, MANIFEST, current, messages, "safety-1")
    assert plan.actions == [] and any("last restored from this set" in n for n in plan.notices)
    assert any("differs" in n for n in plan.notices)
    assert len(rms.plan_restore(dict(RESTORE, force=True), MANIFEST, current, messages, "safety-1").actions) == 4


@pytest.mark.parametrize("params, step", [({"rms_version": "10.0.17763.1"}, "version_gate"), ({"rms_version": "10.0.14393.0"}, None)])
def test_the_version_gate(params, step):
    if step is None:
        rms.check_restore_request(MANIFEST, dict(RESTORE, **params))
        return
    with pytest.raises(DrkitError) as refused:
        rms.check_restore_request(MANIFEST, dict(RESTORE, **params))
    assert refused.value.step == step


def test_an_hsm_set_needs_confirmation():
    hsm = dict(MANIFEST, rms={"version": "10.0.14393.0", "key_storage": "hsm"})
    with pytest.raises(DrkitError) as refused:
        rms.check_restore_request(hsm, RESTORE)
    assert refused.value.step == "key_gate"
    rms.check_restore_request(hsm, dict(RESTORE, hsm_confirmed=True))
