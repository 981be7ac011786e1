"""What a command sent to a lab MABS server does: the collection's PowerShell bootstrap, answered by contract.

The lab runs no PowerShell. It accepts exactly the command line the collection sends (powershell.exe with
-EncodedCommand and a bootstrap that reads stdin), decodes stdin as the bootstrap would (base64 of UTF-8
JSON {script, data}), recognises the script by its first line (``# drkit.microsoft script: <name>``), runs
the simulator's handler for it on the estate with the data, and writes what the bootstrap writes: base64 of
UTF-8 JSON {ok, result} or {ok: false, error} between the bootstrap's markers. Every script run is recorded in the request log (operation
"script": host, account, script name, the SHA-256 and length of the script text, the data with any
password replaced); the texts themselves are kept by hash, so tests can check what reached the host is
the collection's script with the user's values only in the data.
Any other command line is answered as cmd.exe answers an unknown program.
"""
import base64
import binascii
import hashlib
import json
import threading
from dataclasses import dataclass

from labframe.requestlog import redacted
from mabslab import protection, recovery
from mabslab.errors import ScriptFailure
from winrmlab.shells import CommandResult

MARKER = "# drkit.microsoft script: "
HANDLERS = {
    "mabs/read_protection_state": protection.read_protection_state,
    "mabs/apply_protection_plan": protection.apply_protection_plan,
    "mabs/read_recovery_state": recovery.read_recovery_state,
    "mabs/start_recovery": recovery.start_recovery,
    "mabs/read_recovery_job": recovery.read_recovery_job,
}


@dataclass(frozen=True)
class Session:
    """Who runs the script and how they logged on (PowerShell remoting from there depends on it)."""

    account: str
    auth_scheme: str
    accounts: dict  # lower-case account -> password, to check credentials a script passes on


class MabsExecutor:
    def __init__(self, store, servers, accounts, request_log):
        self.store = store
        self.servers = servers  # host name of each endpoint (lower-case) -> the estate's server key
        self.accounts = {name.lower(): password for name, password in accounts.items()}
        self.request_log = request_log
        self._texts_lock = threading.Lock()
        self.script_texts = {}

    def execute(self, request):
        # pywinrm sends the arguments as one string, which Windows splits at blanks.
        arguments = request.raw_arguments.split()
        if request.command.lower() != "powershell.exe" or "-EncodedCommand" not in arguments:
            name = request.command.encode("utf-8", "replace")
            return CommandResult(b"", b"'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n" % name, 1)
        bootstrap = _decode_bootstrap(arguments)
        try:
            payload = json.loads(base64.b64decode(b"".join(request.stdin.split()), validate=True).decode("utf-8"))
            text, data = payload["script"], payload["data"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            return _answer(ScriptFailure("the input is not the bootstrap's payload", "InvalidOperation", "InvalidData").envelope())
        name = text.split("\n", 1)[0][len(MARKER):].strip() if text.startswith(MARKER) else None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._texts_lock:
            self.script_texts[digest] = text
        self.request_log.record("script", host=request.host_name, account=request.account, auth_scheme=request.auth_scheme, script=name,
                                script_sha256=digest, script_length=len(text), bootstrap_sha256=hashlib.sha256(bootstrap.encode("utf-8")).hexdigest(),
                                data=redacted(data))
        handler = HANDLERS.get(name)
        if handler is None:
            return _answer(ScriptFailure("the lab's MABS does not model script %r" % name, "NotModelled", "NotImplemented").envelope())
        session = Session(request.account, request.auth_scheme, self.accounts)
        try:
            with self.store.locked() as estate:
                result = handler(estate, self.servers[request.host_name.lower()], data, session)
        except ScriptFailure as failure:
            return _answer(failure.envelope())
        return _answer({"ok": True, "result": result})


def _decode_bootstrap(arguments):
    position = arguments.index("-EncodedCommand") + 1
    encoded = arguments[position] if position < len(arguments) else ""
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-16-le")
    except (ValueError, binascii.Error):
        return ""


def _answer(envelope):
    text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    return CommandResult(b"<<drkit:" + base64.b64encode(text.encode("utf-8")) + b":drkit>>", b"", 0)
