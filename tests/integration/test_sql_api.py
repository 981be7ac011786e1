"""The collection's one-statement SQL wrappers against the lab's SQL Server."""
import uuid

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api


def test_a_database_is_read_with_its_files_and_history(sql_client, sql_database):
    assert api.read_database(sql_client, sql_database)["recovery_model_desc"] == "FULL"
    assert api.read_database(sql_client, "no such database") is None
    files = api.read_database_files(sql_client, sql_database)
    assert [(f["name"], f["type_desc"]) for f in files] == [(sql_database, "ROWS"), (sql_database + "_log", "LOG")]
    assert api.read_last_full_backup(sql_client, sql_database) is None
    path = "C:\\Backups\\%s.bak" % uuid.uuid4().hex
    messages = api.backup_database(sql_client, sql_database, path, stats=50)
    assert messages[:2] == ["50 percent processed.", "100 percent processed."]
    assert api.read_last_full_backup(sql_client, sql_database) is not None


def test_a_backup_header_comes_back_in_snake_case(sql_client, sql_database):
    path = "C:\\Backups\\%s.bak" % uuid.uuid4().hex
    api.backup_database(sql_client, sql_database, path, copy_only=True)
    header = api.read_backup_header(sql_client, path)
    assert (header["database_name"], header["is_copy_only"], header["has_backup_checksums"]) == (sql_database, True, True)
    assert header["first_lsn"] < header["last_lsn"] and header["backup_set_guid"]
    assert [f["logical_name"] for f in api.read_backup_files(sql_client, path)] == [sql_database, sql_database + "_log"]
    assert api.verify_backup(sql_client, path) == ["The backup set on file 1 is valid."]


def test_a_missing_backup_fails_naming_the_step_and_path(sql_client):
    with pytest.raises(DrkitError) as missing:
        api.verify_backup(sql_client, "C:\\Backups\\absent.bak")
    assert (missing.value.step, missing.value.target, missing.value.code) == ("verify_backup", "C:\\Backups\\absent.bak", 3201)


def test_user_messages_are_added_and_read_with_their_languages(sql_client):
    number = 70000 + uuid.uuid4().int % 1000000
    english = {"message_id": number, "severity": 16, "is_event_logged": True, "text": "RMS %s ';-- [x]"}
    api.add_user_message(sql_client, english, "us_english")
    api.add_user_message(sql_client, dict(english, text="RMS auf Deutsch", is_event_logged=False), "Deutsch")
    mine = [m for m in api.read_user_messages(sql_client) if m["message_id"] == number]
    names = api.read_languages(sql_client)
    assert [(names[m["language_id"]], m["text"]) for m in mine] == [("Deutsch", "RMS auf Deutsch"), ("us_english", english["text"])]
    with pytest.raises(DrkitError) as exists:
        api.add_user_message(sql_client, english, "us_english")
    assert exists.value.code == 15043
    api.add_user_message(sql_client, dict(english, text="replaced"), "us_english", replace=True)
    sql_client.execute("drop", "EXEC sp_dropmessage @msgnum = ?, @lang = ?", (number, "all"))
