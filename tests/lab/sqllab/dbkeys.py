"""A database's keys: its master key (DMK), asymmetric keys protected by it and symmetric keys protected by those,
opened as SQL Server opens them (the DMK automatically, through the service master key)."""
import datetime

from sqllab import errors, keys
from sqllab.state import now_text
from sqllab.statements import statement
from sqllab.syntax import NAME, OPERAND, unquote_name


def _database(session):
    return session.server.state.database(session.database)


def _require_dmk(session, entry):
    if not keys.dmk_opens(session.server.state, entry):
        raise errors.SqlError(15581, "Please create a master key in the database or open the master key in the session before "
                                     "performing this operation.")


def _not_found(kind, name):
    return errors.SqlError(15151, "Cannot find the %s '%s', because it does not exist or you do not have permission." % (kind, name))


def _already_exists(name):
    return errors.SqlError(15282, "A key with name '%s' or user defined unique identifier already exists or you do not have "
                                  "permissions to create it." % name)


@statement(r"CREATE\s+MASTER\s+KEY\s+ENCRYPTION\s+BY\s+PASSWORD\s*=\s*(?P<password>%s)" % OPERAND)
def create_master_key(session, _reply, values, password):
    state = session.server.state
    with state.lock:
        entry = _database(session)
        if entry.get("master_key"):
            raise errors.SqlError(15578, "There is already a master key in the database. Please drop it before performing this statement.")
        keys.check_complexity(str(values(password)))
        # SQL Server also encrypts a new DMK with the SMK, so it opens without its password.
        entry["master_key"] = {"key_guid": keys.new_guid(), "smk": keys.current_fingerprint(state), "create_date": now_text()}
        state.save()


@statement(r"CREATE\s+ASYMMETRIC\s+KEY\s+(?P<name>%s)\s+WITH\s+ALGORITHM\s*=\s*RSA_(?:2048|3072|4096)" % NAME)
def create_asymmetric_key(session, _reply, _values, name):
    state = session.server.state
    key_name = unquote_name(name)
    with state.lock:
        entry = _database(session)
        if key_name in entry.setdefault("asymmetric_keys", {}):
            raise _already_exists(key_name)
        _require_dmk(session, entry)
        entry["asymmetric_keys"][key_name] = {"key_guid": keys.new_guid()}
        state.save()


@statement(r"CREATE\s+SYMMETRIC\s+KEY\s+(?P<name>%s)\s+WITH\s+ALGORITHM\s*=\s*AES_(?:128|192|256)\s+ENCRYPTION\s+BY\s+ASYMMETRIC\s+KEY\s+"
           r"(?P<asymmetric>%s)" % (NAME, NAME))
def create_symmetric_key(session, _reply, _values, name, asymmetric):
    state = session.server.state
    key_name, protector = unquote_name(name), unquote_name(asymmetric)
    with state.lock:
        entry = _database(session)
        if key_name in entry.setdefault("symmetric_keys", {}):
            raise _already_exists(key_name)
        if protector not in entry.get("asymmetric_keys", {}):
            raise _not_found("asymmetric key", protector)
        _require_dmk(session, entry)
        entry["symmetric_keys"][key_name] = {"key_guid": keys.new_guid(), "asymmetric_key": protector}
        state.save()


@statement(r"OPEN\s+SYMMETRIC\s+KEY\s+(?P<name>%s)\s+DECRYPTION\s+BY\s+ASYMMETRIC\s+KEY\s+(?P<asymmetric>%s)" % (NAME, NAME))
def open_symmetric_key(session, _reply, _values, name, asymmetric):
    key_name, protector = unquote_name(name), unquote_name(asymmetric)
    entry = _database(session)
    symmetric = entry.get("symmetric_keys", {}).get(key_name)
    if symmetric is None:
        raise _not_found("symmetric key", key_name)
    if protector not in entry.get("asymmetric_keys", {}):
        raise _not_found("asymmetric key", protector)
    if symmetric["asymmetric_key"] != protector:
        raise errors.SqlError(15313, "The key is not encrypted using the specified decryptor.")
    _require_dmk(session, entry)
    session.open_keys.add((entry["name"], key_name))


@statement(r"CLOSE\s+SYMMETRIC\s+KEY\s+(?P<name>%s)" % NAME)
def close_symmetric_key(session, _reply, _values, name):
    key = (session.database, unquote_name(name))
    if key not in session.open_keys:
        raise errors.SqlError(15315, "The key '%s' is not open. Please open the key before using it." % key[1])
    session.open_keys.discard(key)


@statement(r"SELECT\s+name\s+FROM\s+sys\.databases\s+WHERE\s+is_master_key_encrypted_by_server\s*=\s*1\s+ORDER\s+BY\s+name")
def select_databases_with_smk_encrypted_dmk(session, reply, _values):
    names = sorted((e["name"] for e in session.server.state.catalog["databases"].values() if (e.get("master_key") or {}).get("smk")),
                   key=str.lower)
    reply.result_set([("name", "nvarchar")], [(name,) for name in names])


@statement(r"SELECT\s+name,\s*key_guid,\s*create_date,\s*modify_date\s+FROM\s+master\.sys\.symmetric_keys\s+WHERE\s+name\s*=\s*"
           r"(?P<name>%s)" % OPERAND)
def select_master_symmetric_key(session, reply, values, name):
    """master holds one symmetric key here, the service master key."""
    columns = [("name", "nvarchar"), ("key_guid", "uniqueidentifier"), ("create_date", "datetime2"), ("modify_date", "datetime2")]
    rows = []
    if str(values(name)) == keys.SMK_NAME:
        smk = keys.service_master_key(session.server.state)
        rows = [(keys.SMK_NAME, smk["key_guid"], _datetime(smk["create_date"]), _datetime(smk["modify_date"]))]
    reply.result_set(columns, rows)


def _datetime(text):
    return datetime.datetime.fromisoformat(text)
