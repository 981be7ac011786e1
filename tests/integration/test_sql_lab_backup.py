"""BACKUP and RESTORE in the lab's SQL Server, through the collection's SQL layer (pyodbc + FreeTDS)."""
import os
import uuid

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from sql_params import sql_params


@pytest.fixture
def client(lab):
    connected = SqlClient(sql_params(lab))
    yield connected
    connected.execute("clear_faults", "EXEC drkit_lab.clear_faults")
    connected.close()


@pytest.fixture
def database(client):
    """A new database whose name holds a quote, a bracket, a semicolon and a comment."""
    name = "DRMS_Config_%s']; --" % uuid.uuid4().hex[:8]
    client.execute("create", "CREATE DATABASE %s" % quote_identifier(name, "database"))
    return name


def backup_path():
    return "C:\\Backups\\%s.bak" % uuid.uuid4().hex


def local_file(lab_state_dir, windows_path):
    return os.path.join(lab_state_dir, "sql_server", "volumes", *windows_path.replace(":", "").split("\\"))


def digest(client, name):
    return client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (name,)).rows[0]["digest"]


def backup(client, name, path, options="CHECKSUM, INIT, STATS = 10"):
    return client.execute("backup_database", "BACKUP DATABASE %s TO DISK = ? WITH %s" % (quote_identifier(name, "database"), options),
                          (path,))


def restore(client, name, path, options="CHECKSUM, STATS = 25"):
    return client.execute("restore_database", "RESTORE DATABASE %s FROM DISK = ? WITH %s" % (quote_identifier(name, "database"), options),
                          (path,))


def test_a_backup_restores_to_the_same_pages_and_reports_progress(client, database):
    before, path = digest(client, database), backup_path()
    taken = backup(client, database, path)
    assert taken.messages[:10] == ["%d percent processed." % p for p in range(10, 101, 10)]
    assert taken.messages[-1].startswith("BACKUP DATABASE successfully processed")

    header = client.execute("headeronly", "RESTORE HEADERONLY FROM DISK = ?", (path,)).rows[0]
    assert (header["DatabaseName"], header["BackupType"], header["HasBackupChecksums"], header["IsCopyOnly"]) == (database, 1, True, False)
    assert header["FirstLSN"] < header["LastLSN"] and header["SoftwareVersionMajor"] == 16
    files = client.execute("filelistonly", "RESTORE FILELISTONLY FROM DISK = ?", (path,)).rows
    assert [(f["LogicalName"], f["Type"]) for f in files] == [(database, "D"), (database + "_log", "L")]
    assert client.execute("verify", "RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM", (path,)).messages == [
        "The backup set on file 1 is valid."]

    client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (database, 3))
    assert digest(client, database) != before
    with pytest.raises(DrkitError) as refused:
        restore(client, database, path)
    assert refused.value.code == 3159  # the tail of the log: a full-recovery database is not overwritten without REPLACE
    restored = restore(client, database, path, "REPLACE, CHECKSUM, STATS = 25")
    assert restored.messages[:4] == ["25 percent processed.", "50 percent processed.", "75 percent processed.", "100 percent processed."]
    assert digest(client, database) == before
    last = client.execute("last_backup", "SELECT TOP (1) backup_finish_date FROM msdb.dbo.backupset WHERE database_name = ? "
                                         "AND type = 'D' ORDER BY backup_finish_date DESC", (database,)).rows
    assert len(last) == 1


def test_a_changed_byte_is_detected_by_verify_and_restore(client, database, lab_state_dir):
    path = backup_path()
    backup(client, database, path)
    local = local_file(lab_state_dir, path)
    with open(local, "r+b") as handle:
        handle.seek(os.path.getsize(local) // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(DrkitError) as damaged:
        client.execute("verify", "RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM", (path,))
    assert damaged.value.code == 3189
    with pytest.raises(DrkitError) as refused:
        restore(client, database, path, "REPLACE, CHECKSUM")
    assert refused.value.code == 3183


def test_a_missing_backup_file_is_3201(client, database):
    with pytest.raises(DrkitError) as missing:
        restore(client, database, "C:\\Backups\\nothing-here.bak", "REPLACE")
    assert missing.value.code == 3201 and "Operating system error 2" in missing.value.message


def test_a_backup_of_another_database_needs_replace(client, database):
    other = "other_%s" % uuid.uuid4().hex[:8]
    client.execute("create", "CREATE DATABASE %s" % quote_identifier(other, "database"))
    path = backup_path()
    backup(client, other, path)
    with pytest.raises(DrkitError) as refused:
        restore(client, database, path)
    assert refused.value.code == 3154


def test_a_database_in_use_needs_single_user_before_restore(lab, client, database):
    path = backup_path()
    backup(client, database, path)
    user = SqlClient(sql_params(lab))
    try:
        user.execute("use", "USE %s" % quote_identifier(database, "database"))
        with pytest.raises(DrkitError) as in_use:
            restore(client, database, path, "REPLACE")
        assert in_use.value.code == 3101
        client.execute("single_user", "ALTER DATABASE %s SET SINGLE_USER WITH ROLLBACK IMMEDIATE" % quote_identifier(database, "database"))
        restore(client, database, path, "REPLACE")
        client.execute("multi_user", "ALTER DATABASE %s SET MULTI_USER" % quote_identifier(database, "database"))
        with pytest.raises(DrkitError):
            user.execute("probe", "SELECT 1 AS one")  # its connection was ended by ROLLBACK IMMEDIATE
    finally:
        try:
            user.close()
        except Exception:  # pylint: disable=broad-except
            pass


def test_a_connection_dropped_mid_backup_writes_no_file_and_a_rerun_succeeds(lab, client, database, lab_state_dir):
    path = backup_path()
    client.execute("fault", "EXEC drkit_lab.inject_fault @operation = ?, @at_percent = ?, @mode = ?", ("backup", 50, "drop"))
    victim = SqlClient(sql_params(lab))
    with pytest.raises(DrkitError) as dropped:
        backup(victim, database, path)
    assert dropped.value.step == "backup_database"
    assert not os.path.exists(local_file(lab_state_dir, path))
    backup(client, database, path)
    assert os.path.exists(local_file(lab_state_dir, path))
