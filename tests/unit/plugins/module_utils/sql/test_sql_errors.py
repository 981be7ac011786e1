"""SQL Server's error number and text out of the drivers' messages."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import sql_error


class FakeError(Exception):
    pass


@pytest.mark.parametrize("message, number, text", [
    ("[42000] [FreeTDS][SQL Server]Login failed for user 'sa'. (18456) (SQLDriverConnect)", 18456, "Login failed for user 'sa'."),
    ("[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Cannot open backup device 'x'. Operating system error 2"
     "(The system cannot find the file specified.). (3201) (SQLExecDirectW); [42000] [Microsoft][ODBC Driver 18 for SQL Server]"
     "[SQL Server]BACKUP DATABASE is terminating abnormally. (3013)", 3201,
     "Cannot open backup device 'x'. Operating system error 2(The system cannot find the file specified.)."),
    ("[08001] [FreeTDS][SQL Server]Unable to connect to data source (0) (SQLDriverConnect)", 0, "Unable to connect to data source"),
])
def test_the_first_record_gives_number_and_text(message, number, text):
    assert sql_error(FakeError("42000", message)) == (number, text)


def test_a_message_without_a_number_keeps_its_text():
    assert sql_error(FakeError("HYT00", "[HYT00] [FreeTDS][SQL Server]Timeout expired")) == (None, "Timeout expired")
