"""BACKUP DATABASE, RESTORE HEADERONLY / FILELISTONLY / VERIFYONLY / DATABASE, as SQL Server answers them.

Backups go to the instance's disks (state.local_path); a backup file holds one backup set.
Progress is reported as SQL Server does with STATS = n (message 3211 "n percent processed."),
completion with 4035 and 3014, failures with the cause followed by 3013.
"""
import datetime
import os
import uuid

from sqllab import backupfile, errors, faults
from sqllab.statements import statement
from sqllab.state import PAGE_SIZE, atomic_write, now_text
from sqllab.syntax import NAME, OPERAND, options, unquote_name

BACKUP_OPTIONS = ("CHECKSUM", "NO_CHECKSUM", "COMPRESSION", "NO_COMPRESSION", "COPY_ONLY", "INIT", "NOINIT", "FORMAT", "STATS", "NAME",
                  "DESCRIPTION")
RESTORE_OPTIONS = ("REPLACE", "CHECKSUM", "NO_CHECKSUM", "RECOVERY", "NORECOVERY", "STATS", "MOVE", "FILE")
SERVER_NAME = "DRKITLAB"
DATABASE_KEYS = ("master_key", "asymmetric_keys", "symmetric_keys")
SOFTWARE_VERSION = (16, 0, 4135)


@statement(r"BACKUP\s+DATABASE\s+(?P<database>%s)\s+TO\s+DISK\s*=\s*(?P<device>%s)(?:\s+WITH\s+(?P<with_clause>.+))?" % (NAME, OPERAND))
def backup_database(session, reply, values, database, device, with_clause):
    name, path = unquote_name(database), values(device)
    chosen = options(with_clause, values, BACKUP_OPTIONS)
    state = session.server.state
    with state.lock:
        entry = state.database(name)
        if entry is None:
            raise errors.failed(errors.SqlError(911, "Database '%s' does not exist. Make sure that the name is entered correctly." % name,
                                                state=11), "BACKUP DATABASE")
        if entry["state"] != "ONLINE":
            raise errors.failed(errors.SqlError(942, "Database '%s' cannot be opened because it is offline." % name, severity=14),
                                "BACKUP DATABASE")
        local = _device(state, path, "BACKUP DATABASE")
        pages = state.data(entry)
        started = now_text()
        _progress(session, reply, chosen.get("STATS"), "backup")
        first_lsn = state.next_lsn()
        header = {"database_name": entry["name"], "database_guid": entry["guid"], "backup_type": 1, "server_name": SERVER_NAME,
                  "software_version": list(SOFTWARE_VERSION), "recovery_model": entry["recovery_model"],
                  "compressed": bool(chosen.get("COMPRESSION")), "copy_only": bool(chosen.get("COPY_ONLY")),
                  "has_checksums": bool(chosen.get("CHECKSUM")), "first_lsn": first_lsn, "last_lsn": first_lsn + 1,
                  "checkpoint_lsn": first_lsn, "database_backup_lsn": entry.get("last_full_lsn", 0), "backup_start_date": started,
                  "backup_finish_date": now_text(), "database_creation_date": entry["create_date"], "backup_size": len(pages),
                  "backup_set_guid": _guid(), "files": entry["files"],
                  # The database's own keys travel with it; their copies stay under the SMK they were encrypted by.
                  "keys": dict((name, entry.get(name)) for name in DATABASE_KEYS)}
        blob = backupfile.encode(header, pages)
        if os.path.exists(local) and not (chosen.get("INIT") or chosen.get("FORMAT")):
            # NOINIT appends a backup set; the lab keeps one set per file, so it refuses what it cannot model.
            raise errors.failed(errors.not_implemented("BACKUP without INIT to an existing file (the lab keeps one set per file)"),
                                "BACKUP DATABASE")
        atomic_write(local, blob)
        if not header["copy_only"]:
            entry["last_full_lsn"] = first_lsn
        state.catalog["backupset"].append({"database_name": entry["name"], "type": "D", "backup_start_date": started,
                                           "backup_finish_date": header["backup_finish_date"], "first_lsn": first_lsn,
                                           "backup_size": len(pages), "physical_device_name": path, "is_copy_only": header["copy_only"],
                                           "has_backup_checksums": header["has_checksums"], "backup_set_guid": header["backup_set_guid"]})
        state.save()
    _completed(reply, "BACKUP DATABASE", entry["name"], entry["files"], len(pages))


@statement(r"RESTORE\s+(?P<what>HEADERONLY|FILELISTONLY)\s+FROM\s+DISK\s*=\s*(?P<device>%s)(?:\s+WITH\s+(?P<with_clause>.+))?" % OPERAND)
def restore_header(session, reply, values, what, device, with_clause):
    options(with_clause, values, ("FILE", "CHECKSUM", "NO_CHECKSUM"))
    header, _pages, _intact = _read_backup(session.server.state, values(device), "RESTORE %s" % what.upper())
    if what.upper() == "HEADERONLY":
        reply.result_set(HEADER_COLUMNS, [_header_row(header)])
    else:
        reply.result_set(FILELIST_COLUMNS, [(f["logical_name"], f["physical_name"], f["type"], "PRIMARY" if f["type"] == "D" else None,
                                             header["backup_size"] if f["type"] == "D" else PAGE_SIZE * 8, f["file_id"])
                                            for f in header["files"]])


@statement(r"RESTORE\s+VERIFYONLY\s+FROM\s+DISK\s*=\s*(?P<device>%s)(?:\s+WITH\s+(?P<with_clause>.+))?" % OPERAND)
def restore_verifyonly(session, reply, values, device, with_clause):
    chosen = options(with_clause, values, ("CHECKSUM", "NO_CHECKSUM", "FILE", "STATS"))
    header, pages, intact = _read_backup(session.server.state, values(device), "VERIFY DATABASE")
    _progress(session, reply, chosen.get("STATS"), "verify")
    if not intact:
        raise errors.failed(errors.SqlError(3189, "Damage to the backup set was detected."), "VERIFY DATABASE")
    if chosen.get("CHECKSUM") and not header["has_checksums"]:
        raise errors.failed(errors.SqlError(3187, "RESTORE WITH CHECKSUM cannot be specified because the backup set does not contain "
                                                  "checksum information."), "VERIFY DATABASE")
    reply.info(3262, "The backup set on file 1 is valid.")


@statement(r"RESTORE\s+DATABASE\s+(?P<database>%s)\s+FROM\s+DISK\s*=\s*(?P<device>%s)(?:\s+WITH\s+(?P<with_clause>.+))?" % (NAME, OPERAND))
def restore_database(session, reply, values, database, device, with_clause):
    name = unquote_name(database)
    chosen = options(with_clause, values, RESTORE_OPTIONS)
    state = session.server.state
    with state.lock:
        header, pages, intact = _read_backup(state, values(device), "RESTORE DATABASE")
        existing = state.database(name)
        if existing is not None and not chosen.get("REPLACE"):
            if existing["guid"] != header["database_guid"]:
                raise errors.failed(errors.SqlError(3154, "The backup set holds a backup of a database other than the existing '%s' "
                                                          "database." % name), "RESTORE DATABASE")
            if existing["recovery_model"] != "SIMPLE":
                raise errors.failed(errors.SqlError(3159, 'The tail of the log for the database "%s" has not been backed up. Use BACKUP '
                                                          'LOG WITH NORECOVERY to backup the log if it contains work you do not want to '
                                                          'lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to '
                                                          'just overwrite the contents of the log.' % name), "RESTORE DATABASE")
        if existing is not None and session.server.sessions_in(name, besides=session):
            raise errors.failed(errors.SqlError(3101, "Exclusive access could not be obtained because the database is in use."),
                                "RESTORE DATABASE")
        if chosen.get("CHECKSUM") and not header["has_checksums"]:
            raise errors.failed(errors.SqlError(3187, "RESTORE WITH CHECKSUM cannot be specified because the backup set does not "
                                                      "contain checksum information."), "RESTORE DATABASE")
        if not intact:
            raise errors.failed(errors.SqlError(3183, "RESTORE detected an error on page (1:%d) in database \"%s\" as read from the "
                                                      "backup set." % (len(pages) // PAGE_SIZE // 2, name)), "RESTORE DATABASE")
        files = _moved(header["files"], chosen["MOVE"])
        _progress(session, reply, chosen.get("STATS"), "restore")
        entry = existing or state.create_database(name, guid=header["database_guid"])
        entry.update(files=files, state="ONLINE", recovery_model=header["recovery_model"], lsn=state.next_lsn(),
                     **dict((name, header.get("keys", {}).get(name)) for name in DATABASE_KEYS))
        state.write_data(entry, pages)
        state.catalog.setdefault("restorehistory", []).append({"destination_database_name": entry["name"], "restore_date": now_text(),
                                                               "backup_set_guid": header["backup_set_guid"], "replace": bool(chosen.get("REPLACE"))})
        state.save()
    _completed(reply, "RESTORE DATABASE", name, files, len(pages))


def _moved(files, moves):
    """The database's files after MOVE clauses; a logical name no file has is error 3234."""
    by_logical = {f["logical_name"]: dict(f) for f in files}
    for logical, physical in moves:
        if logical not in by_logical:
            raise errors.failed(errors.SqlError(3234, "Logical file '%s' is not part of database '%s'. Use RESTORE FILELISTONLY to list "
                                                      "the logical file names." % (logical, files[0]["logical_name"])),
                                "RESTORE DATABASE")
        by_logical[logical]["physical_name"] = physical
    return list(by_logical.values())


def _device(state, path, statement_name):
    try:
        local = state.local_path(path)
    except ValueError:
        raise errors.failed(errors.SqlError(3201, "Cannot open backup device '%s'. Operating system error 123(The filename, directory "
                                                  "name, or volume label syntax is incorrect.)." % path), statement_name) from None
    if not os.path.isdir(os.path.dirname(local)):
        raise errors.failed(errors.SqlError(3201, "Cannot open backup device '%s'. Operating system error 3(The system cannot find the "
                                                  "path specified.)." % path), statement_name)
    return local


def _read_backup(state, path, statement_name):
    local = _device(state, path, statement_name)
    try:
        with open(local, "rb") as handle:
            blob = handle.read()
    except FileNotFoundError:
        raise errors.failed(errors.SqlError(3201, "Cannot open backup device '%s'. Operating system error 2(The system cannot find the "
                                                  "file specified.)." % path), statement_name) from None
    try:
        return backupfile.decode(blob)
    except backupfile.MalformedBackup:
        raise errors.failed(errors.SqlError(3241, "The media family on device '%s' is incorrectly formed. SQL Server cannot process "
                                                  "this media family." % path), statement_name) from None


def _progress(session, reply, stats, operation):
    """STATS = n progress messages; an armed fault may slow the work or drop the connection part way."""
    step = int(stats) if stats not in (None, True) else (10 if stats else 0)
    for percent in range(step, 101, step) if step else ():
        faults.at_percent(session, operation, percent)
        reply.info(3211, "%d percent processed." % percent)
    faults.at_percent(session, operation, 100)


def _completed(reply, statement_name, database, files, size):
    pages = max(1, size // PAGE_SIZE)
    for data_file in files:
        count = pages if data_file["type"] == "D" else 2
        reply.info(4035, "Processed %d pages for database '%s', file '%s' on file 1." % (count, database, data_file["logical_name"]))
    seconds = 0.01
    reply.info(3014, "%s successfully processed %d pages in %.3f seconds (%.3f MB/sec)."
               % (statement_name, pages + 2, seconds, (pages + 2) * PAGE_SIZE / 1048576 / seconds))


def _guid():
    return str(uuid.uuid4()).upper()


HEADER_COLUMNS = [("BackupName", "nvarchar"), ("BackupType", "int"), ("Compressed", "int"), ("Position", "int"),
                  ("ServerName", "nvarchar"), ("DatabaseName", "nvarchar"), ("DatabaseCreationDate", "datetime2"),
                  ("BackupSize", "decimal"), ("FirstLSN", "decimal"), ("LastLSN", "decimal"), ("CheckpointLSN", "decimal"),
                  ("DatabaseBackupLSN", "decimal"), ("BackupStartDate", "datetime2"), ("BackupFinishDate", "datetime2"),
                  ("SoftwareVersionMajor", "int"), ("SoftwareVersionMinor", "int"), ("SoftwareVersionBuild", "int"),
                  ("RecoveryModel", "nvarchar"), ("HasBackupChecksums", "bit"), ("IsCopyOnly", "bit"), ("BackupSetGUID", "uniqueidentifier"),
                  ("BindingID", "uniqueidentifier"), ("BackupTypeDescription", "nvarchar")]
FILELIST_COLUMNS = [("LogicalName", "nvarchar"), ("PhysicalName", "nvarchar"), ("Type", "nvarchar"), ("FileGroupName", "nvarchar"),
                    ("Size", "decimal"), ("FileId", "bigint")]


def _header_row(header):
    major, minor, build_number = header["software_version"]
    return (None, header["backup_type"], int(header["compressed"]), 1, header["server_name"], header["database_name"],
            _datetime(header["database_creation_date"]), header["backup_size"], header["first_lsn"], header["last_lsn"],
            header["checkpoint_lsn"], header["database_backup_lsn"], _datetime(header["backup_start_date"]),
            _datetime(header["backup_finish_date"]), major, minor, build_number, header["recovery_model"], header["has_checksums"],
            header["copy_only"], header["backup_set_guid"], header["database_guid"], "Database")


def _datetime(text):
    return datetime.datetime.fromisoformat(text)
