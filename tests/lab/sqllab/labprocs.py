"""Lab-only procedures in a schema SQL Server does not have (drkit_lab): what tests use to change a
database's pages, fingerprint them, arm faults, and read the request log. The collection never calls them."""
import json
import os
import random

from sqllab import errors, keys
from sqllab.state import PAGE_SIZE
from sqllab.statements import statement
from sqllab.syntax import OPERAND


def _database(session, name):
    entry = session.server.state.database(str(name))
    if entry is None:
        raise errors.SqlError(911, "Database '%s' does not exist. Make sure that the name is entered correctly." % name)
    return entry


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.write_pages\s+@database\s*=\s*(?P<database>%s)\s*,\s*@pages\s*=\s*(?P<pages>%s)" % (OPERAND, OPERAND))
def write_pages(session, reply, values, database, pages):
    """Overwrite @pages random pages of the database with random bytes."""
    state = session.server.state
    with state.lock:
        entry = _database(session, values(database))
        data = bytearray(state.data(entry))
        count = len(data) // PAGE_SIZE
        for page in random.sample(range(count), min(int(values(pages)), count)):
            data[page * PAGE_SIZE:(page + 1) * PAGE_SIZE] = os.urandom(PAGE_SIZE)
        state.write_data(entry, bytes(data))
        entry["lsn"] = state.next_lsn()
        state.save()
    reply.row_count = int(values(pages))


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.database_digest\s+@database\s*=\s*(?P<database>%s)" % OPERAND)
def database_digest(session, reply, values, database):
    """SHA-256 of the database's pages: equal before a backup and after its restore."""
    state = session.server.state
    reply.result_set([("digest", "nvarchar")], [(state.digest(_database(session, values(database))),)])


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.inject_fault\s+@operation\s*=\s*(?P<operation>%s)\s*,\s*@at_percent\s*=\s*(?P<at_percent>%s)"
           r"\s*,\s*@mode\s*=\s*(?P<mode>%s)(?:\s*,\s*@seconds\s*=\s*(?P<seconds>%s))?" % (OPERAND, OPERAND, OPERAND, OPERAND))
def inject_fault(session, _reply, values, operation, at_percent, mode, seconds):
    try:
        session.server.faults.arm(values(operation), int(values(at_percent)), values(mode), float(values(seconds)) if seconds else 0)
    except ValueError as problem:
        raise errors.SqlError(50000, "drkit_lab.inject_fault: %s" % problem) from None


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.refuse_logins\s+@count\s*=\s*(?P<count>%s)" % OPERAND)
def refuse_logins(session, _reply, values, count):
    """The next @count logins fail with 18456, as when a password changed or a login was disabled."""
    try:
        session.server.faults.refuse_logins(int(values(count)))
    except ValueError as problem:
        raise errors.SqlError(50000, "drkit_lab.refuse_logins: %s" % problem) from None


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.replace_service_master_key")
def replace_service_master_key(session, _reply, _values):
    """A new service master key, nothing re-encrypted: the instance as a rebuilt server would be."""
    state = session.server.state
    with state.lock:
        keys.new_service_master_key(state)
        state.save()


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.damage_secret\s+@kind\s*=\s*(?P<kind>%s)\s*,\s*@name\s*=\s*(?P<name>%s)" % (OPERAND, OPERAND))
def damage_secret(session, _reply, values, kind, name):
    """Make one item the service master key protects undecryptable ('database master key', 'credential', 'linked login')."""
    state = session.server.state
    with state.lock:
        for item_kind, item_name, item in keys.protected_items(state):
            if (item_kind, item_name) == (values(kind), values(name)):
                item["damaged"] = True
                state.save()
                return
    raise errors.SqlError(50000, "drkit_lab.damage_secret: no %s named %s" % (values(kind), values(name)))


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.clear_faults")
def clear_faults(session, _reply, _values):
    session.server.faults.clear()


# The request log as a result set: the statement text and the parameters (JSON) may be longer than nvarchar(4000).
REQUEST_COLUMNS = [("id", "bigint"), ("spid", "int"), ("application", "nvarchar"), ("kind", "nvarchar"), ("procedure", "nvarchar"),
                   ("text", "nvarchar(max)"), ("parameters", "nvarchar(max)")]


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.requests")
def requests(session, reply, _values):
    """Every batch and RPC call the sessions sent since the log was last cleared, oldest first (sqllab/requestlog.py):
    id, spid, application (LOGIN7's), kind (batch or rpc), procedure (of an RPC), text (the statement), parameters (a JSON
    list of {name, declared_type, type, value}); values are as sent, secrets included."""
    reply.result_set(REQUEST_COLUMNS, [(entry["id"], entry["spid"], entry["application"], entry["kind"], entry["procedure"], entry["text"],
                                        json.dumps(entry["parameters"], ensure_ascii=False)) for entry in session.server.requests.entries()])


@statement(r"EXEC(?:UTE)?\s+drkit_lab\.clear_requests")
def clear_requests(session, _reply, _values):
    session.server.requests.clear()
