"""Databases: CREATE DATABASE (tests set up with it), USE, ALTER DATABASE ... SET SINGLE_USER /
MULTI_USER, and the catalog queries the collection reads them with."""
import datetime

from sqllab import errors
from sqllab.statements import statement
from sqllab.syntax import NAME, OPERAND, unquote_name


@statement(r"CREATE\s+DATABASE\s+(?P<database>%s)" % NAME)
def create_database(session, _reply, _values, database):
    name = unquote_name(database)
    state = session.server.state
    with state.lock:
        if state.database(name) is not None:
            raise errors.SqlError(1801, "Database '%s' already exists. Choose a different database name." % name)
        state.create_database(name)
        state.save()


@statement(r"USE\s+(?P<database>%s)" % NAME)
def use_database(session, reply, _values, database):
    name = unquote_name(database)
    entry = session.server.state.database(name)
    if entry is None:
        raise errors.SqlError(911, "Database '%s' does not exist. Make sure that the name is entered correctly." % name, state=1)
    if entry["user_access"] == "SINGLE_USER" and session.server.sessions_in(entry["name"], besides=session):
        raise errors.SqlError(924, "Database '%s' is already open and can only have one user at a time." % entry["name"], severity=14)
    session.database = entry["name"]
    reply.info(5701, "Changed database context to '%s'." % entry["name"])


@statement(r"ALTER\s+DATABASE\s+(?P<database>%s)\s+SET\s+(?P<access>SINGLE_USER|MULTI_USER)(?:\s+WITH\s+ROLLBACK\s+IMMEDIATE)?" % NAME)
def set_user_access(session, reply, _values, database, access):
    name = unquote_name(database)
    state = session.server.state
    with state.lock:
        entry = state.database(name)
        if entry is None:
            raise errors.SqlError(5011, "User does not have permission to alter database '%s', the database does not exist, or the "
                                        "database is not in a state that allows access checks." % name, severity=14, state=5)
        if access.upper() == "SINGLE_USER":
            rolled_back = session.server.end_sessions_in(entry["name"], besides=session)
            if rolled_back:
                reply.info(5060, "Nonqualified transactions are being rolled back. Estimated rollback completion: 100%.")
        entry["user_access"] = access.upper()
        state.save()


@statement(r"SELECT\s+name,\s*state_desc,\s*recovery_model_desc,\s*user_access_desc,\s*create_date\s+FROM\s+sys\.databases"
           r"\s+WHERE\s+name\s*=\s*(?P<name>%s)" % OPERAND)
def select_database(session, reply, values, name):
    entry = session.server.state.database(str(values(name)))
    columns = [("name", "nvarchar"), ("state_desc", "nvarchar"), ("recovery_model_desc", "nvarchar"), ("user_access_desc", "nvarchar"),
               ("create_date", "datetime2")]
    rows = [] if entry is None else [(entry["name"], entry["state"], entry["recovery_model"], entry["user_access"],
                                      datetime.datetime.fromisoformat(entry["create_date"]))]
    reply.result_set(columns, rows)


@statement(r"SELECT\s+name,\s*physical_name,\s*type_desc,\s*size\s+FROM\s+sys\.master_files\s+WHERE\s+database_id\s*=\s*"
           r"DB_ID\((?P<name>%s)\)\s+ORDER\s+BY\s+file_id" % OPERAND)
def select_files(session, reply, values, name):
    state = session.server.state
    entry = state.database(str(values(name)))
    columns = [("name", "nvarchar"), ("physical_name", "nvarchar"), ("type_desc", "nvarchar"), ("size", "int")]
    rows = []
    if entry is not None:
        data_pages = state.data_pages(entry)
        rows = [(f["logical_name"], f["physical_name"], "ROWS" if f["type"] == "D" else "LOG", data_pages if f["type"] == "D" else 8)
                for f in sorted(entry["files"], key=lambda f: f["file_id"])]
    reply.result_set(columns, rows)


@statement(r"SELECT\s+TOP\s*\(\s*1\s*\)\s+backup_finish_date\s+FROM\s+msdb\.dbo\.backupset\s+WHERE\s+database_name\s*=\s*"
           r"(?P<name>%s)\s+AND\s+type\s*=\s*'D'\s+ORDER\s+BY\s+backup_finish_date\s+DESC" % OPERAND)
def select_last_backup(session, reply, values, name):
    wanted = str(values(name)).lower()
    finished = sorted(b["backup_finish_date"] for b in session.server.state.catalog["backupset"]
                      if b["database_name"].lower() == wanted and b["type"] == "D")
    reply.result_set([("backup_finish_date", "datetime2")], [(datetime.datetime.fromisoformat(finished[-1]),)] if finished else [])


@statement(r"SELECT\s+TOP\s*\(\s*1\s*\)\s+rh\.restore_date,\s*bs\.backup_set_uuid\s+FROM\s+msdb\.dbo\.restorehistory\s+AS\s+rh\s+JOIN\s+"
           r"msdb\.dbo\.backupset\s+AS\s+bs\s+ON\s+bs\.backup_set_id\s*=\s*rh\.backup_set_id\s+WHERE\s+rh\.destination_database_name\s*=\s*"
           r"(?P<name>%s)\s+ORDER\s+BY\s+rh\.restore_date\s+DESC" % OPERAND)
def select_last_restore(session, reply, values, name):
    wanted = str(values(name)).lower()
    restores = sorted((r for r in session.server.state.catalog.get("restorehistory", []) if r["destination_database_name"].lower() == wanted),
                      key=lambda r: r["restore_date"])
    rows = [(datetime.datetime.fromisoformat(restores[-1]["restore_date"]), restores[-1]["backup_set_guid"])] if restores else []
    reply.result_set([("restore_date", "datetime2"), ("backup_set_uuid", "uniqueidentifier")], rows)
