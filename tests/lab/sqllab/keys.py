"""The service master key (SMK) and what it protects: database master keys (DMK), credentials' secrets and
linked logins' passwords, as SQL Server's encryption hierarchy has them.

The instance's SMK is 32 random bytes; what it protects records the fingerprint of the SMK it is encrypted
under. A database carries its DMK, asymmetric and symmetric keys in its backups, so a database restored
from another instance (or after the SMK changed without RESTORE SERVICE MASTER KEY) holds a DMK whose
copy is under an SMK this instance does not have: its keys do not open (15581) until that SMK is restored.
"""
import hashlib
import os
import re
import uuid

from sqllab import errors, keyfile
from sqllab.state import atomic_write, now_text
from sqllab.statements import statement
from sqllab.syntax import OPERAND

SMK_NAME = "##MS_ServiceMasterKey##"


def fingerprint(key_hex):
    return hashlib.sha256(bytes.fromhex(key_hex)).hexdigest()[:32]


def service_master_key(state):
    """The instance's SMK entry; the server makes it at its start (as SQL Server does at its first start) through this."""
    smk = state.catalog.get("service_master_key")
    if smk is None:
        smk = new_service_master_key(state)
        state.save()
    return smk


def new_service_master_key(state):
    stamp = now_text()
    smk = {"key": os.urandom(32).hex(), "key_guid": new_guid(), "create_date": stamp, "modify_date": stamp}
    state.catalog["service_master_key"] = smk
    return smk


def current_fingerprint(state):
    return fingerprint(service_master_key(state)["key"])


def check_complexity(password):
    """15118 unless the password has 8 or more characters from three of: upper, lower, digits, others (Windows policy)."""
    kinds = sum(bool(re.search(pattern, password)) for pattern in (r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if len(password) < 8 or kinds < 3:
        raise errors.SqlError(15118, "Password validation failed. The password does not meet the operating system policy requirements "
                                     "because it is not complex enough.")


def dmk_opens(state, entry):
    """Whether the database's master key opens through the instance's SMK (automatic opening)."""
    master_key = entry.get("master_key")
    return bool(master_key) and master_key["smk"] == current_fingerprint(state)


def new_guid():
    return str(uuid.uuid4()).upper()


@statement(r"BACKUP\s+SERVICE\s+MASTER\s+KEY\s+TO\s+FILE\s*=\s*(?P<path>%s)\s+ENCRYPTION\s+BY\s+PASSWORD\s*=\s*(?P<password>%s)"
           % (OPERAND, OPERAND))
def backup_service_master_key(session, _reply, values, path, password):
    state = session.server.state
    file_path, secret = str(values(path)), str(values(password))
    cannot_write = errors.SqlError(15240, "Cannot write into file '%s'. Verify that you have write permissions, that the file path is "
                                          "valid, and that the file does not already exist." % file_path)
    try:
        local = state.local_path(file_path)
    except ValueError:
        raise cannot_write from None
    if os.path.exists(local) or not os.path.isdir(os.path.dirname(local)):
        raise cannot_write
    check_complexity(secret)
    with state.lock:
        smk = service_master_key(state)
        atomic_write(local, keyfile.encode(bytes.fromhex(smk["key"]), {"key_guid": smk["key_guid"], "create_date": smk["create_date"]},
                                           secret))


@statement(r"RESTORE\s+SERVICE\s+MASTER\s+KEY\s+FROM\s+FILE\s*=\s*(?P<path>%s)\s+DECRYPTION\s+BY\s+PASSWORD\s*=\s*(?P<password>%s)"
           r"(?P<force>\s+FORCE)?" % (OPERAND, OPERAND))
def restore_service_master_key(session, reply, values, path, password, force):
    state = session.server.state
    not_a_key_file = errors.SqlError(15317, "The master key file does not exist or has invalid format.", state=2)
    try:
        with open(state.local_path(str(values(path))), "rb") as handle:
            blob = handle.read()
        key, metadata = keyfile.decode(blob, str(values(password)))
    except (ValueError, OSError, keyfile.NotAKeyFile):
        raise not_a_key_file from None
    except keyfile.WrongPassword:
        raise errors.SqlError(15466, "An error occurred during decryption.") from None
    with state.lock:
        smk = service_master_key(state)
        if key.hex() == smk["key"]:
            reply.info(15588, "The old and new master keys are identical. No data re-encryption is required.")
            return
        old, new = fingerprint(smk["key"]), fingerprint(key.hex())
        undecryptable = [(kind, name) for kind, name, item in protected_items(state) if item["smk"] == old and item.get("damaged")]
        for kind, name in undecryptable:
            if not force:
                raise _decryption_error(kind, name, forced=False)
            reply.messages.append(_decryption_error(kind, name, forced=True).messages()[0])
        for _kind, _name, item in protected_items(state):
            if item["smk"] == old:
                # Re-encrypted under the restored key; with FORCE, what could not be decrypted is lost.
                item["smk"] = None if item.get("damaged") else new
        smk.update(key=key.hex(), key_guid=metadata["key_guid"], create_date=metadata["create_date"], modify_date=now_text())
        state.save()


def protected_items(state):
    """(kind, name, record) of everything the SMK protects; each record has "smk", the fingerprint it is under."""
    for entry in state.catalog["databases"].values():
        if entry.get("master_key"):
            yield "database master key", entry["name"], entry["master_key"]
    for name, credential in sorted(state.catalog.get("credentials", {}).items()):
        yield "credential", name, credential
    for server, login in sorted(state.catalog.get("linked_logins", {}).items()):
        yield "linked login", server, login


def _decryption_error(kind, name, forced):
    """15320 (15393 for a linked login) without FORCE; with FORCE the informational 15584 (15593) and the item is lost."""
    if kind == "linked login":
        number = 15593 if forced else 15393
        text = "An error occurred while decrypting the password for linked login '%s' that was encrypted by the old master key." % name
        remedy = (" The FORCE option can be used to ignore this error and continue the operation but the data encrypted by the old "
                  "master key will be lost.")
    else:
        number = 15584 if forced else 15320
        text = "An error occurred while decrypting %s '%s' that was encrypted by the old master key." % (kind, name)
        remedy = (" The FORCE option can be used to ignore this error and continue the operation, but data that cannot be decrypted "
                  "by the old master key will become unavailable.")
    if forced:
        return errors.SqlError(number, text + " The error was ignored because the FORCE option was specified.", severity=10)
    return errors.SqlError(number, text + remedy)
