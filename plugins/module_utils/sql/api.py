# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin wrappers, one T-SQL statement each, named for errors: databases, backups, user-defined messages.

Names enter as quoted identifiers (tsql.quote_identifier); every value (paths, message texts,
numbers) is a parameter. Answers are mapped to plain dicts with snake_case keys.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier

ENGLISH_LANGUAGE_ID = 1033
DEFAULT_STATS_PERCENT = 10


def read_server_version(client):
    """The first line of @@VERSION ("Microsoft SQL Server 2022 (RTM-CU14) ... - 16.0.4135.0 (X64)")."""
    row = client.execute("read_version", "SELECT @@VERSION AS version").rows[0]
    return row["version"].splitlines()[0]


def read_database(client, name):
    """The database's name, state, recovery model, user access and creation date; None when it does not exist."""
    rows = client.execute("read_database", "SELECT name, state_desc, recovery_model_desc, user_access_desc, create_date "
                                           "FROM sys.databases WHERE name = ?", (name,), target=name).rows
    return rows[0] if rows else None


def read_database_files(client, name):
    """[{name, physical_name, type_desc, size (8 KiB pages)}] of the database, in file id order."""
    return client.execute("read_database_files", "SELECT name, physical_name, type_desc, size FROM sys.master_files "
                                                 "WHERE database_id = DB_ID(?) ORDER BY file_id", (name,), target=name).rows


def read_last_full_backup(client, name):
    """When the database's newest full backup finished (msdb), or None."""
    rows = client.execute("read_backup_history", "SELECT TOP (1) backup_finish_date FROM msdb.dbo.backupset WHERE database_name = ? "
                                                 "AND type = 'D' ORDER BY backup_finish_date DESC", (name,), target=name).rows
    return rows[0]["backup_finish_date"] if rows else None


def backup_database(client, name, path, checksum=True, compression=False, copy_only=False, stats=DEFAULT_STATS_PERCENT):
    """Full backup of *name* to *path* (a file on the SQL Server's host or a share it reaches), overwriting
    the file; returns the progress and completion messages."""
    options = ["CHECKSUM" if checksum else "NO_CHECKSUM", "COMPRESSION" if compression else "NO_COMPRESSION", "INIT", "FORMAT",
               "STATS = %d" % stats]
    if copy_only:
        options.append("COPY_ONLY")
    statement = "BACKUP DATABASE %s TO DISK = ? WITH %s" % (quote_identifier(name, "database"), ", ".join(options))
    return client.execute("backup_database", statement, (path,), target=name).messages


def read_backup_header(client, path):
    """The first backup set of the file at *path* (RESTORE HEADERONLY), keys in snake_case."""
    rows = client.execute("read_backup_header", "RESTORE HEADERONLY FROM DISK = ?", (path,), target=path).rows
    return _snake(rows[0]) if rows else None


def read_backup_files(client, path):
    """The database files the backup at *path* restores (RESTORE FILELISTONLY), keys in snake_case."""
    return [_snake(row) for row in client.execute("read_backup_files", "RESTORE FILELISTONLY FROM DISK = ?", (path,), target=path).rows]


def verify_backup(client, path, checksum=True):
    """RESTORE VERIFYONLY (WITH CHECKSUM): raises with SQL Server's error when the backup is unusable."""
    statement = "RESTORE VERIFYONLY FROM DISK = ?" + (" WITH CHECKSUM" if checksum else "")
    return client.execute("verify_backup", statement, (path,), target=path).messages


def read_last_restore(client, name):
    """(when, backup set GUID) of the newest restore of *name* (msdb), or None."""
    rows = client.execute("read_restore_history", "SELECT TOP (1) rh.restore_date, bs.backup_set_uuid FROM msdb.dbo.restorehistory AS rh "
                                                  "JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id "
                                                  "WHERE rh.destination_database_name = ? ORDER BY rh.restore_date DESC", (name,), target=name).rows
    return (rows[0]["restore_date"], str(rows[0]["backup_set_uuid"])) if rows else None


def set_user_access(client, name, single_user):
    """SINGLE_USER WITH ROLLBACK IMMEDIATE (other sessions are ended, their transactions rolled back), or back to MULTI_USER."""
    access = "SINGLE_USER WITH ROLLBACK IMMEDIATE" if single_user else "MULTI_USER"
    return client.execute("set_single_user" if single_user else "set_multi_user",
                          "ALTER DATABASE %s SET %s" % (quote_identifier(name, "database"), access), target=name).messages


def restore_database(client, name, path, moves=(), checksum=True, stats=DEFAULT_STATS_PERCENT):
    """RESTORE DATABASE ... WITH REPLACE, RECOVERY from *path*; *moves* are (logical name, physical path) pairs."""
    options = ["REPLACE", "RECOVERY", "CHECKSUM" if checksum else "NO_CHECKSUM", "STATS = %d" % stats] + ["MOVE ? TO ?"] * len(moves)
    params = [path] + [value for move in moves for value in move]
    statement = "RESTORE DATABASE %s FROM DISK = ? WITH %s" % (quote_identifier(name, "database"), ", ".join(options))
    return client.execute("restore_database", statement, params, target=name).messages


def read_user_messages(client):
    """Every user-defined message of master: [{message_id, language_id, severity, is_event_logged, text}]."""
    return client.execute("read_user_messages", "SELECT message_id, language_id, severity, is_event_logged, text FROM sys.messages "
                                                "WHERE message_id > 50000 ORDER BY message_id, language_id").rows


def read_languages(client):
    """{msglangid: language name} for sp_addmessage's @lang; 1033 is us_english (British shares its messages)."""
    names = {}
    for row in client.execute("read_languages", "SELECT name, alias, msglangid FROM sys.syslanguages").rows:
        names.setdefault(row["msglangid"], row["name"])
    names[ENGLISH_LANGUAGE_ID] = "us_english"
    return names


def add_user_message(client, message, language, replace=False):
    """sp_addmessage for one message in one language (us_english must exist before any other)."""
    client.execute("add_user_message", "EXEC sp_addmessage @msgnum = ?, @severity = ?, @msgtext = ?, @lang = ?, @with_log = ?, "
                                       "@replace = ?", (message["message_id"], message["severity"], message["text"], language,
                                                        "TRUE" if message["is_event_logged"] else "FALSE", "replace" if replace else None),
                   target="message %d (%s)" % (message["message_id"], language))


def _snake(row):
    """HeaderOnly's CamelCase keys (FirstLSN, BackupSetGUID) as snake_case (first_lsn, backup_set_guid)."""
    converted = {}
    for key, value in row.items():
        snake = ""
        for index, character in enumerate(key):
            previous = key[index - 1] if index else ""
            following = key[index + 1] if index + 1 < len(key) else ""
            if character.isupper() and index and (previous.islower() or (following.islower() and previous.isupper())):
                snake += "_"
            snake += character.lower()
        converted[snake] = value
    return converted
