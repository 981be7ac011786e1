"""The lab's SQL Server through the real stack the modules use: pyodbc, unixODBC and FreeTDS,
with connection strings made by the collection's own sql_server connection family."""
import pyodbc
import pytest
from labframe.tls import create_tls_files

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import freetds_entry
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (freetds_configuration, odbc_connection_string,
                                                                                     pyodbc_connect_kwargs)
from sql_params import sql_params

HOSTILE_VALUES = ["x'y]; DROP DATABASE master --", "'; SHUTDOWN WITH NOWAIT; --", "$(reboot) `id` \\\\ %s {0}", "ünïcødé ☃ 雪",
                  "a" * 3000, ""]


def connect(lab, extra="", autocommit=True, **overrides):
    """A raw pyodbc connection made the way the collection's SQL layer makes it (string, private freetds.conf entry)."""
    params = sql_params(lab, **overrides)
    kwargs = dict(pyodbc_connect_kwargs(params), autocommit=autocommit)
    with freetds_entry(freetds_configuration(params)):
        return pyodbc.connect(odbc_connection_string(params) + extra, **kwargs)


@pytest.mark.parametrize("encrypt", ["mandatory", "optional"])
def test_the_collection_s_connection_string_logs_in(lab, encrypt):
    with connect(lab, encrypt=encrypt) as connection:
        version = connection.cursor().execute("SELECT @@VERSION").fetchone()[0]
        assert version.startswith("Microsoft SQL Server 2022") and "16.0.4135" in version
        assert connection.cursor().execute("SELECT DB_NAME()").fetchone()[0] == "master"


def test_the_lab_password_holds_quote_bracket_semicolon_and_comment(lab):
    assert all(part in lab["drkit_lab_sql"]["login_password"] for part in ("'", "]", ";", "--"))


def test_a_wrong_password_is_error_18456_and_the_password_is_not_echoed(lab):
    wrong = "Wr0ng'];--" + lab["drkit_lab_sql"]["login_password"][::-1]
    with pytest.raises(pyodbc.Error) as refused:
        connect(lab, login_password=wrong)
    text = str(refused.value.args)
    assert "(18456)" in text and "Login failed for user 'sa'." in text
    assert wrong not in text


def test_refused_logins_fail_with_18456_even_with_the_right_password_then_logins_work_again(lab):
    with connect(lab) as connection:
        connection.cursor().execute("EXEC drkit_lab.refuse_logins @count = 2")
    for _attempt in range(2):
        with pytest.raises(pyodbc.Error) as refused:
            connect(lab)
        assert "(18456)" in str(refused.value.args)
    with connect(lab) as connection:
        assert connection.cursor().execute("SELECT DB_NAME()").fetchone()[0] == "master"


def test_a_database_that_cannot_be_opened_refuses_the_login(lab):
    # SQL Server sends 4060 (Cannot open database) then 18456; FreeTDS reports the last one.
    with pytest.raises(pyodbc.Error) as refused:
        connect(lab, extra="Database={no_such_db};")
    assert "(18456)" in str(refused.value.args)
    with connect(lab, extra="Database={msdb};") as connection:
        assert connection.cursor().execute("SELECT DB_NAME()").fetchone()[0] == "msdb"


@pytest.mark.parametrize("value", HOSTILE_VALUES + [42, 2 ** 40, b"\x00'\xff", None])
def test_a_parameter_reaches_the_server_as_data(lab, value):
    with connect(lab) as connection:
        assert connection.cursor().execute("SELECT ? AS v", value).fetchone()[0] == value


def test_messages_arrive_in_cursor_messages(lab):
    with connect(lab) as connection:
        cursor = connection.cursor()
        cursor.execute("PRINT ?", "checked 3 pages")
        assert [text for _state, text in cursor.messages] == ["[FreeTDS][SQL Server]checked 3 pages"]


def test_a_statement_the_lab_does_not_implement_is_refused_by_name(lab):
    with connect(lab) as connection:
        with pytest.raises(pyodbc.Error) as refused:
            connection.cursor().execute("DBCC CHECKDB(master)")
    assert "(50000)" in str(refused.value.args) and "DBCC CHECKDB(master)" in str(refused.value.args)


def test_an_undeclared_variable_is_error_137(lab):
    with connect(lab) as connection:
        with pytest.raises(pyodbc.Error) as refused:
            connection.cursor().execute("SELECT @nowhere")
    assert "(137)" in str(refused.value.args)


def test_a_prepared_statement_runs_again_with_new_values(lab):
    with connect(lab) as connection:
        cursor = connection.cursor()
        assert [cursor.execute("SELECT ? AS v", value).fetchone()[0] for value in ("one", "two", "three")] == ["one", "two", "three"]


def test_a_connection_without_autocommit_is_refused_clearly(lab):
    with pytest.raises(pyodbc.Error) as refused:
        connect(lab, autocommit=False)
    assert "(50000)" in str(refused.value.args) and "autocommit" in str(refused.value.args)


def test_freetds_validates_the_server_certificate(lab, tmp_path):
    other_ca = create_tls_files(str(tmp_path / "other-ca")).ca_cert
    with pytest.raises(pyodbc.Error) as refused:
        connect(lab, ca_bundle=other_ca)
    assert "Unable to connect" in str(refused.value.args)
    with connect(lab, ca_bundle=None, trust_server_certificate=True) as trusting:
        assert trusting.cursor().execute("SELECT DB_NAME()").fetchone()[0] == "master"
