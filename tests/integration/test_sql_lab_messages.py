"""User-defined messages of master in the lab's SQL Server: sp_addmessage's rules and the catalog."""
import random

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

ADD = "EXEC sp_addmessage @msgnum = ?, @severity = ?, @msgtext = ?, @lang = ?, @with_log = ?, @replace = ?"
LIST = "SELECT message_id, language_id, severity, is_event_logged, text FROM sys.messages WHERE message_id > 50000 ORDER BY message_id, language_id"


@pytest.fixture
def number(sql_client):
    chosen = random.randint(60000, 2000000000)
    yield chosen
    try:
        sql_client.execute("drop", "EXEC sp_dropmessage @msgnum = ?, @lang = ?", (chosen, "all"))
    except DrkitError:
        pass


def messages(sql_client, number):
    return [row for row in sql_client.execute("list", LIST).rows if row["message_id"] == number]


def test_english_first_then_other_languages_and_text_is_data(sql_client, number):
    text = "RMS: %1 can't [open] ; -- DROP TABLE x"
    sql_client.execute("add", ADD, (number, 16, text, "us_english", "TRUE", None))
    sql_client.execute("add", ADD, (number, 16, "RMS: %1 kann nicht", "Deutsch", "FALSE", None))
    assert [(m["language_id"], m["text"], m["is_event_logged"]) for m in messages(sql_client, number)] == [
        (1031, "RMS: %1 kann nicht", False), (1033, text, True)]
    languages = {row["msglangid"]: row["name"] for row in sql_client.execute("languages", "SELECT name, alias, msglangid FROM sys.syslanguages").rows
                 if row["name"] != "British"}
    assert languages[1033] == "us_english" and languages[1031] == "Deutsch"


def test_another_language_before_english_is_15279(sql_client, number):
    with pytest.raises(DrkitError) as refused:
        sql_client.execute("add", ADD, (number, 16, "Texte", "Français", "FALSE", None))
    assert refused.value.code == 15279


def test_overwriting_needs_replace(sql_client, number):
    sql_client.execute("add", ADD, (number, 10, "first", "us_english", "FALSE", None))
    with pytest.raises(DrkitError) as refused:
        sql_client.execute("add", ADD, (number, 10, "second", "us_english", "FALSE", None))
    assert refused.value.code == 15043
    sql_client.execute("add", ADD, (number, 10, "second", "us_english", "FALSE", "replace"))
    assert [m["text"] for m in messages(sql_client, number)] == ["second"]


@pytest.mark.parametrize("bad_number, severity, code", [(50000, 16, 15040), (70001, 26, 15041)])
def test_ids_and_severities_sql_server_refuses(sql_client, bad_number, severity, code):
    with pytest.raises(DrkitError) as refused:
        sql_client.execute("add", ADD, (bad_number, severity, "x", "us_english", "FALSE", None))
    assert refused.value.code == code
