"""The collection's SQL layer (module_utils/sql/client.py) against the lab's SQL Server."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from sql_params import sql_params


def test_rows_come_back_as_dicts_and_messages_are_collected(sql_client):
    answer = sql_client.execute("probe", "SELECT ? AS value", ("x'];--",))
    assert answer.rows == [{"value": "x'];--"}]
    printed = sql_client.execute("probe", "PRINT ?", ("10 percent processed.",))
    assert printed.messages == ["10 percent processed."] and printed.result_sets == []


def test_there_is_no_query_timeout(sql_client):
    assert sql_client.connection.timeout == 0


def test_an_error_keeps_sql_server_s_number_and_names_the_operation(sql_client):
    with pytest.raises(DrkitError) as failed:
        sql_client.execute("read_messages", "SELECT @undeclared", target="master")
    error = failed.value
    assert (error.step, error.target, error.code) == ("read_messages", "master", 137)
    assert error.message == 'Must declare the scalar variable "@undeclared".'


def test_a_failed_login_is_18456_on_the_connect_step(lab):
    wrong = "not-" + lab["drkit_lab_sql"]["login_password"]
    with pytest.raises(DrkitError) as failed:
        SqlClient(sql_params(lab, login_password=wrong))
    assert (failed.value.step, failed.value.code) == ("connect", 18456)
    assert wrong not in str(failed.value) and lab["drkit_lab_sql"]["login_password"] not in str(failed.value)
