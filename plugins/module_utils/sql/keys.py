# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin wrappers, one T-SQL statement each, named for errors: the service master key and what it protects.

BACKUP / RESTORE SERVICE MASTER KEY take their file and password as literals only (T-SQL has no
parameter there): both go through tsql.quote_literal, the one function that escapes a literal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier, quote_literal

SERVICE_MASTER_KEY = "##MS_ServiceMasterKey##"
# The database master key does not open through the service master key; the key is unknown; wrong decryptor.
KEY_DOES_NOT_OPEN = (15581, 15151, 15313)


def read_service_master_key(client):
    """{name, key_guid, create_date, modify_date} of the instance's service master key (master.sys.symmetric_keys)."""
    rows = client.execute("read_service_master_key", "SELECT name, key_guid, create_date, modify_date FROM master.sys.symmetric_keys "
                                                     "WHERE name = ?", (SERVICE_MASTER_KEY,)).rows
    if not rows:
        raise DrkitError("the instance has no service master key row in master.sys.symmetric_keys", step="read_service_master_key")
    return rows[0]


def backup_service_master_key(client, path, password):
    statement = "BACKUP SERVICE MASTER KEY TO FILE = %s ENCRYPTION BY PASSWORD = %s" % (
        quote_literal(path, "key_file"), quote_literal(password, "key_password"))
    return client.execute("backup_service_master_key", statement, target=path).messages


def restore_service_master_key(client, path, password, force=False):
    """RESTORE SERVICE MASTER KEY; returns SQL Server's messages (15588 when the file holds the current key)."""
    statement = "RESTORE SERVICE MASTER KEY FROM FILE = %s DECRYPTION BY PASSWORD = %s%s" % (
        quote_literal(path, "key_file"), quote_literal(password, "key_password"), " FORCE" if force else "")
    return client.execute("restore_service_master_key", statement, target=path).messages


def read_databases_with_server_encrypted_master_key(client):
    return [row["name"] for row in client.execute(
        "read_key_dependents", "SELECT name FROM sys.databases WHERE is_master_key_encrypted_by_server = 1 ORDER BY name").rows]


def read_credentials(client):
    return [row["name"] for row in client.execute(
        "read_credentials", "SELECT name, credential_identity, create_date, modify_date FROM sys.credentials ORDER BY name").rows]


def read_linked_logins_with_password(client):
    """Linked servers whose login mapping stores a remote password (encrypted by the service master key)."""
    return [row["name"] for row in client.execute(
        "read_linked_logins", "SELECT s.name, l.remote_name FROM sys.linked_logins AS l JOIN sys.servers AS s ON s.server_id = l.server_id "
                              "WHERE l.uses_self_credential = 0 ORDER BY s.name").rows]


def symmetric_key_opens(client, database, symmetric_key, asymmetric_key):
    """(True, None) when *symmetric_key* of *database* opens by *asymmetric_key* (so its master key opens through the service
    master key), else (False, SQL Server's error); the key is closed again and the session returned to master."""
    client.execute("use_database", "USE %s" % quote_identifier(database, "database"), target=database)
    try:
        client.execute("open_symmetric_key", "OPEN SYMMETRIC KEY %s DECRYPTION BY ASYMMETRIC KEY %s"
                       % (quote_identifier(symmetric_key, "symmetric_key"), quote_identifier(asymmetric_key, "asymmetric_key")),
                       target=database)
    except DrkitError as error:
        if error.code not in KEY_DOES_NOT_OPEN:
            raise
        return False, "%s [%s]" % (error.message, error.code)
    else:
        client.execute("close_symmetric_key", "CLOSE SYMMETRIC KEY %s" % quote_identifier(symmetric_key, "symmetric_key"), target=database)
        return True, None
    finally:
        client.execute("use_database", "USE master", target="master")
