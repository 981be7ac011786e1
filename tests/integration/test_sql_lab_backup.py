"""BACKUP and RESTORE in the lab's SQL Server, through the collection's SQL layer (pyodbc + FreeTDS)."""
import os
import uuid

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from sql_params import sql_params


def backup_path():
    return "C:\\Backups\\%s.bak" % uuid.uuid4().hex


def local_file(lab_state_dir, windows_path):
    return os.path.join(lab_state_dir, "sql_server", "volumes", *windows_path.replace(":", "").split("\\"))


def digest(sql_client, name):
    return sql_client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (name,)).rows[0]["digest"]


def backup(sql_client, name, path, options="CHECKSUM, INIT, STATS = 10"):
    statement = "BACKUP DATABASE %s TO DISK = ? WITH %s" % (quote_identifier(name, "database"), options)
    return sql_client.execute("backup_database", statement, (path,))


def restore(sql_client, name, path, options="CHECKSUM, STATS = 25"):
    statement = "RESTORE DATABASE %s FROM DISK = ? WITH %s" % (quote_identifier(name, "database"), options)
    return sql_client.execute("restore_database", statement, (path,))


def test_a_backup_restores_to_the_same_pages_and_reports_progress(sql_client, sql_database):
    before, path = digest(sql_client, sql_database), backup_path()
    taken = backup(sql_client, sql_database, path)
    assert taken.messages[:10] == ["%d percent processed." % p for p in range(10, 101, 10)]
    assert taken.messages[-1].startswith("BACKUP DATABASE successfully processed")

    header = sql_client.execute("headeronly", "RESTORE HEADERONLY FROM DISK = ?", (path,)).rows[0]
    assert (header["DatabaseName"], header["BackupType"], header["HasBackupChecksums"], header["IsCopyOnly"]) == (sql_database, 1, True, False)
    assert header["FirstLSN"] < header["LastLSN"] and header["SoftwareVersionMajor"] == 16
    files = sql_client.execute("filelistonly", "RESTORE FILELISTONLY FROM DISK = ?", (path,)).rows
    assert [(f["LogicalName"], f["Type"]) for f in files] == [(sql_database, "D"), (sql_database + "_log", "L")]
    assert sql_client.execute("verify", "RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM", (path,)).messages == [
        "The backup set on file 1 is valid."]

    sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (sql_database, 3))
    assert digest(sql_client, sql_database) != before
    with pytest.raises(DrkitError) as refused:
        restore(sql_client, sql_database, path)
    assert refused.value.code == 3159  # the tail of the log: a full-recovery database is not overwritten without REPLACE
    restored = restore(sql_client, sql_database, path, "REPLACE, CHECKSUM, STATS = 25")
    assert restored.messages[:4] == ["25 percent processed.", "50 percent processed.", "75 percent processed.", "100 percent processed."]
    assert digest(sql_client, sql_database) == before
    last = sql_client.execute("last_backup", "SELECT TOP (1) backup_finish_date FROM msdb.dbo.backupset WHERE database_name = ? "
                                             "AND type = 'D' ORDER BY backup_finish_date DESC", (sql_database,)).rows
    assert len(last) == 1


def test_a_changed_byte_is_detected_by_verify_and_restore(sql_client, sql_database, lab_state_dir):
    path = backup_path()
    backup(sql_client, sql_database, path)
    local = local_file(lab_state_dir, path)
    with open(local, "r+b") as handle:
        handle.seek(os.path.getsize(local) // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(DrkitError) as damaged:
        sql_client.execute("verify", "RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM", (path,))
    assert damaged.value.code == 3189
    with pytest.raises(DrkitError) as refused:
        restore(sql_client, sql_database, path, "REPLACE, CHECKSUM")
    assert refused.value.code == 3183


def test_a_missing_backup_file_is_3201(sql_client, sql_database):
    with pytest.raises(DrkitError) as missing:
        restore(sql_client, sql_database, "C:\\Backups\\nothing-here.bak", "REPLACE")
    assert missing.value.code == 3201 and "Operating system error 2" in missing.value.message


def test_a_backup_of_another_database_needs_replace(sql_client, sql_database):
    other = "other_%s" % uuid.uuid4().hex[:8]
    sql_client.execute("create", "CREATE DATABASE %s" % quote_identifier(other, "database"))
    path = backup_path()
    backup(sql_client, other, path)
    with pytest.raises(DrkitError) as refused:
        restore(sql_client, sql_database, path)
    assert refused.value.code == 3154


def test_a_database_in_use_needs_single_user_before_restore(lab, sql_client, sql_database):
    path = backup_path()
    backup(sql_client, sql_database, path)
    user = SqlClient(sql_params(lab))
    try:
        user.execute("use", "USE %s" % quote_identifier(sql_database, "database"))
        with pytest.raises(DrkitError) as in_use:
            restore(sql_client, sql_database, path, "REPLACE")
        assert in_use.value.code == 3101
        sql_client.execute("single_user", "ALTER DATABASE %s SET SINGLE_USER WITH ROLLBACK IMMEDIATE" % quote_identifier(sql_database, "database"))
        restore(sql_client, sql_database, path, "REPLACE")
        sql_client.execute("multi_user", "ALTER DATABASE %s SET MULTI_USER" % quote_identifier(sql_database, "database"))
        with pytest.raises(DrkitError):
            user.execute("probe", "SELECT 1 AS one")  # its connection was ended by ROLLBACK IMMEDIATE
    finally:
        try:
            user.close()
        except Exception:  # pylint: disable=broad-except
            pass


def test_a_connection_dropped_mid_backup_writes_no_file_and_a_rerun_succeeds(lab, sql_client, sql_database, lab_state_dir):
    path = backup_path()
    sql_client.execute("fault", "EXEC drkit_lab.inject_fault @operation = ?, @at_percent = ?, @mode = ?", ("backup", 50, "drop"))
    victim = SqlClient(sql_params(lab))
    with pytest.raises(DrkitError) as dropped:
        backup(victim, sql_database, path)
    assert dropped.value.step == "backup_database"
    assert not os.path.exists(local_file(lab_state_dir, path))
    backup(sql_client, sql_database, path)
    assert os.path.exists(local_file(lab_state_dir, path))
