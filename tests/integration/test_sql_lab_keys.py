"""The lab's service master key and what depends on it, through pyodbc + FreeTDS: BACKUP / RESTORE SERVICE MASTER KEY,
database master keys and the keys under them, credentials and linked logins, with SQL Server's error numbers."""
import uuid

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier, quote_literal
from lab_keys import encrypted_database

PASSWORD = "Smk-backup'];--Pa55"
SMK_QUERY = "SELECT name, key_guid, create_date, modify_date FROM master.sys.symmetric_keys WHERE name = ?"


def run(client, statement, params=()):
    return client.execute("lab", statement, params)


def failure(client, statement, params=()):
    with pytest.raises(DrkitError) as failed:
        run(client, statement, params)
    return failed.value


def smk(client):
    return run(client, SMK_QUERY, ("##MS_ServiceMasterKey##",)).rows[0]


def key_file():
    return "C:\\Backups\\smk-%s.key" % uuid.uuid4().hex[:8]


def backup_smk(client, path, password=PASSWORD):
    return run(client, "BACKUP SERVICE MASTER KEY TO FILE = %s ENCRYPTION BY PASSWORD = %s"
               % (quote_literal(path, "path"), quote_literal(password, "password")))


def restore_smk(client, path, password=PASSWORD, force=False):
    return run(client, "RESTORE SERVICE MASTER KEY FROM FILE = %s DECRYPTION BY PASSWORD = %s%s"
               % (quote_literal(path, "path"), quote_literal(password, "password"), " FORCE" if force else ""))


def keys_open(client, database):
    run(client, "USE %s" % quote_identifier(database, "database"))
    try:
        run(client, "OPEN SYMMETRIC KEY ORCHESTRATOR_SYM_KEY DECRYPTION BY ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY")
        run(client, "CLOSE SYMMETRIC KEY ORCHESTRATOR_SYM_KEY")
        return True
    except DrkitError as error:
        assert error.code == 15581, error
        return False
    finally:
        run(client, "USE master")


def dependents(client):
    return [row["name"] for row in run(client, "SELECT name FROM sys.databases WHERE is_master_key_encrypted_by_server = 1 "
                                               "ORDER BY name").rows]


def test_a_key_backup_is_written_once_with_a_complex_password_and_read_back_only_with_it(sql_client):
    path = key_file()
    backup_smk(sql_client, path)
    assert failure(sql_client, "BACKUP SERVICE MASTER KEY TO FILE = ? ENCRYPTION BY PASSWORD = ?", (path, PASSWORD)).code == 15240
    weak = failure(sql_client, "BACKUP SERVICE MASTER KEY TO FILE = ? ENCRYPTION BY PASSWORD = ?", (key_file(), "password"))
    assert weak.code == 15118 and "not complex enough" in weak.message
    assert failure(sql_client, "RESTORE SERVICE MASTER KEY FROM FILE = ? DECRYPTION BY PASSWORD = ?", (path, PASSWORD + "x")).code == 15466
    missing = failure(sql_client, "RESTORE SERVICE MASTER KEY FROM FILE = ? DECRYPTION BY PASSWORD = ?", (key_file(), PASSWORD))
    assert missing.code == 15317
    before = smk(sql_client)
    same = restore_smk(sql_client, path)
    assert same.messages == ["The old and new master keys are identical. No data re-encryption is required."]
    assert smk(sql_client) == before


def test_a_database_restored_on_a_rebuilt_instance_opens_its_keys_once_the_old_smk_is_restored(sql_client):
    database = encrypted_database(sql_client)
    assert keys_open(sql_client, database) and database in dependents(sql_client)
    database_file, smk_file = "C:\\Backups\\%s.bak" % uuid.uuid4().hex[:8], key_file()
    run(sql_client, "BACKUP DATABASE %s TO DISK = ? WITH INIT" % quote_identifier(database, "database"), (database_file,))
    backup_smk(sql_client, smk_file)
    old = smk(sql_client)

    run(sql_client, "EXEC drkit_lab.replace_service_master_key")
    neighbour = encrypted_database(sql_client)  # encrypted under the rebuilt instance's key
    credential = "cred_%s" % uuid.uuid4().hex[:8]
    run(sql_client, "CREATE CREDENTIAL %s WITH IDENTITY = ?, SECRET = ?" % quote_identifier(credential, "credential"),
        ("CONTOSO\\svc", "s3cret'];--"))
    run(sql_client, "RESTORE DATABASE %s FROM DISK = ? WITH REPLACE" % quote_identifier(database, "database"), (database_file,))
    assert not keys_open(sql_client, database) and keys_open(sql_client, neighbour)

    restored = restore_smk(sql_client, smk_file)
    assert restored.messages == []
    assert smk(sql_client)["key_guid"] == old["key_guid"] and smk(sql_client)["modify_date"] > old["modify_date"]
    assert keys_open(sql_client, database) and keys_open(sql_client, neighbour)
    assert {database, neighbour} <= set(dependents(sql_client))
    assert credential in [row["name"] for row in run(sql_client, "SELECT name, credential_identity, create_date, modify_date "
                                                                 "FROM sys.credentials ORDER BY name").rows]


def test_a_secret_that_cannot_be_decrypted_fails_the_restore_whole_unless_forced(sql_client):
    smk_file = key_file()
    backup_smk(sql_client, smk_file)
    run(sql_client, "EXEC drkit_lab.replace_service_master_key")
    database = encrypted_database(sql_client)
    server = "LINKED_%s" % uuid.uuid4().hex[:8]
    run(sql_client, "EXEC sp_addlinkedserver @server = ?", (server,))
    run(sql_client, "EXEC sp_addlinkedsrvlogin @rmtsrvname = ?, @useself = ?, @locallogin = NULL, @rmtuser = ?, @rmtpassword = ?",
        (server, "FALSE", "remote_user", "p@ss'];--"))
    run(sql_client, "EXEC drkit_lab.damage_secret @kind = ?, @name = ?", ("linked login", server))
    before = smk(sql_client)

    refused = failure(sql_client, "RESTORE SERVICE MASTER KEY FROM FILE = ? DECRYPTION BY PASSWORD = ?", (smk_file, PASSWORD))
    assert refused.code == 15393 and server in refused.message and "FORCE" in refused.message
    assert smk(sql_client) == before and keys_open(sql_client, database)

    forced = restore_smk(sql_client, smk_file, force=True)
    assert len(forced.messages) == 1 and server in forced.messages[0] and "ignored because the FORCE option" in forced.messages[0]
    assert smk(sql_client)["key_guid"] != before["key_guid"] and keys_open(sql_client, database)
    assert server in [row["name"] for row in run(sql_client, "SELECT s.name, l.remote_name FROM sys.linked_logins AS l JOIN sys.servers "
                                                             "AS s ON s.server_id = l.server_id WHERE l.uses_self_credential = 0 "
                                                             "ORDER BY s.name").rows]


def test_database_keys_answer_sql_server_s_errors(sql_client):
    database = encrypted_database(sql_client)
    run(sql_client, "USE %s" % quote_identifier(database, "database"))
    try:
        assert failure(sql_client, "CREATE MASTER KEY ENCRYPTION BY PASSWORD = ?", ("Another-pa55",)).code == 15578
        assert failure(sql_client, "CLOSE SYMMETRIC KEY ORCHESTRATOR_SYM_KEY").code == 15315
        assert failure(sql_client, "OPEN SYMMETRIC KEY NO_SUCH_KEY DECRYPTION BY ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY").code == 15151
        run(sql_client, "CREATE ASYMMETRIC KEY OTHER_ASYM WITH ALGORITHM = RSA_2048")
        wrong = failure(sql_client, "OPEN SYMMETRIC KEY ORCHESTRATOR_SYM_KEY DECRYPTION BY ASYMMETRIC KEY OTHER_ASYM")
        assert wrong.code == 15313
    finally:
        run(sql_client, "USE master")
