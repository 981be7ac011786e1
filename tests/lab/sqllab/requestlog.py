"""The lab's request log: every SQL batch and every RPC request the sessions sent, as the server received them, so that
tests can prove how a value travelled (inside the statement text, or as a typed parameter).

Each entry records the session (SPID and the application name of its LOGIN7), the kind (``batch`` or ``rpc``), the
procedure an RPC called (sp_executesql, sp_prepexec, sp_execute ...), the statement text (for sp_execute and sp_unprepare
the text that was prepared under the handle) and the value parameters: name (from the parameter declaration, else as sent),
declared type (``nvarchar(4000)``), TDS type (``nvarchar``) and value. Nothing is redacted: a value is kept exactly as it
arrived, so a password a statement carries as a literal (BACKUP SERVICE MASTER KEY ... ENCRYPTION BY PASSWORD = N'...')
or as a parameter is in the log. The log is held in memory only and read through the lab's own procedures; whoever reads
it reads those secrets. LOGIN7 is not a request: login passwords are never recorded.

Calls of the lab's own procedures (EXEC drkit_lab....) are left out, so reading or clearing the log does not change it.
The log keeps the newest MAX_ENTRIES entries.

It models no vendor behaviour: SQL Server keeps no such log. The nearest are the Extended Events sql_batch_starting and
rpc_starting, which see the same batch texts and RPC calls; the lab's log is its own, for tests.
"""
import collections
import datetime
import itertools
import re
import threading
import uuid

MAX_ENTRIES = 2000
_LAB_PROCEDURE = re.compile(r"\s*EXEC(?:UTE)?\s+drkit_lab\.", re.IGNORECASE)
# "@P1 NVARCHAR(4000),@P2 DECIMAL(25,0) OUTPUT": each parameter's name and type.
_DECLARED = re.compile(r"(@\w+)\s+(\w+(?:\s*\([^)]*\))?)")
_GUID = 0x24


def lab_procedure(text):
    """Whether *text* calls one of the lab's own procedures (schema drkit_lab)."""
    return bool(text) and bool(_LAB_PROCEDURE.match(text))


class RequestLog:
    def __init__(self, size=MAX_ENTRIES):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=size)
        self._ids = itertools.count(1)

    def batch(self, session, text):
        """Record the SQL batch *text* of *session*."""
        if not lab_procedure(text):
            self._add(session, "batch", None, text, [])

    def rpc(self, session, procedure, text, declaration, params):
        """Record an RPC call of *procedure*: its statement *text*, and *params* (rpc.Param) named by *declaration*."""
        if lab_procedure(text):
            return
        declared = _DECLARED.findall(declaration or "")
        values = []
        for index, param in enumerate(params):
            name, kind = declared[index] if index < len(declared) else (param.name, None)
            values.append({"name": param.name or name, "declared_type": kind.lower() if kind else None,
                           "type": param.type_name, "value": _plain(param.type_id, param.value)})
        self._add(session, "rpc", procedure, text, values)

    def entries(self):
        """The entries, oldest first: dicts with id, spid, application, kind, procedure, text and parameters."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self):
        with self._lock:
            self._entries.clear()

    def _add(self, session, kind, procedure, text, parameters):
        with self._lock:
            self._entries.append({"id": next(self._ids), "spid": session.spid, "application": session.application, "kind": kind,
                                  "procedure": procedure, "text": text, "parameters": parameters})


def _plain(type_id, value):
    """A parameter's value as JSON holds it: binary as hexadecimal, a GUID and times as text."""
    if isinstance(value, (bytes, bytearray)):
        return str(uuid.UUID(bytes_le=bytes(value))).upper() if type_id == _GUID and len(value) == 16 else bytes(value).hex()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
