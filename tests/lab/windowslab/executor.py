"""What a command sent to a lab Windows server does: a PowerShell module as Ansible 2.19 runs it, answered by the module.

Ansible's winrm connection runs ``PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand
<bootstrap_wrapper.ps1>`` and writes to its stdin the bootstrap's JSON, a line of four NUL characters, and the exec
wrapper's manifest: the scripts it needs and its actions, module_wrapper.ps1 last (its Script parameter names the module,
its complex_args variable holds the arguments), become_wrapper.ps1 before it under become. The lab reads the manifest,
runs its model of the module (modules.py) on the estate and writes the module's JSON result, exit code 1 when it failed.
Anything else is answered as cmd.exe answers an unknown program, or as PowerShell answers input it cannot parse.
"""
import hashlib
import json
import threading

from labframe.requestlog import redacted
from winrmlab.shells import CommandResult
from windowslab import modules
from windowslab.modules import ModuleFailure

MANIFEST_SEPARATOR = "\n\0\0\0\0\n"


class WindowsExecutor:
    def __init__(self, store, hosts, secrets, request_log):
        self.store = store
        self.hosts = hosts  # host name of each endpoint (lower-case) -> the estate's server key
        self.secrets = secrets  # the lab's accounts and passwords that modules check (become, AD RMS join)
        self.request_log = request_log
        self._texts_lock = threading.Lock()
        self.script_texts = {}

    def execute(self, request):
        arguments = request.raw_arguments.split()
        if request.command.lower() not in ("powershell", "powershell.exe") or "-EncodedCommand" not in arguments:
            name = request.command.encode("utf-8", "replace")
            return CommandResult(b"", b"'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n" % name, 1)
        try:
            separator, manifest_text = request.stdin.decode("utf-8").partition(MANIFEST_SEPARATOR)[1:]
            manifest = json.loads(manifest_text) if separator else None
            wrapper = next(action for action in manifest["actions"] if action["name"] == "module_wrapper.ps1")
            module = module_name(wrapper["params"]["Script"])
            arguments = next(variable["Value"] for variable in wrapper["params"]["Variables"] if variable["Name"] == "complex_args")
        except (ValueError, KeyError, TypeError, StopIteration):
            return CommandResult(b"", b"The input is not the manifest of Ansible's exec wrapper.\r\n", 1)
        become = next((action for action in manifest["actions"] if action["name"] == "become_wrapper.ps1"), None)
        context = modules.Context(check_mode=bool(arguments.get("_ansible_check_mode")), secrets=self.secrets,
                                  become_user=become["params"].get("BecomeUser") if become else None,
                                  become_password=(become.get("secure_params") or {}).get("BecomePassword") if become else None,
                                  remember_script=self._remember)
        self.request_log.record("module", host=request.host_name, account=request.account, module=module, check_mode=context.check_mode,
                                become_user=context.become_user, arguments=redacted(arguments, _secret))
        try:
            with self.store.locked() as estate:
                result = modules.run(module, estate, self.hosts[request.host_name.lower()], arguments, context)
        except ModuleFailure as failure:
            return CommandResult(json.dumps(dict(failure.result, failed=True, msg=failure.message)).encode("utf-8"), b"", 1)
        return CommandResult(json.dumps(result).encode("utf-8"), b"", 0)

    def _remember(self, text):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._texts_lock:
            self.script_texts[digest] = text
        return digest


def module_name(script):
    """``ansible_collections.ansible.windows.plugins.modules.win_feature.ps1`` -> ``ansible.windows.win_feature``."""
    collection, name = script[len("ansible_collections."):].split(".plugins.modules.", 1)
    return "%s.%s" % (collection, name[:-len(".ps1")] if name.endswith(".ps1") else name)


def _secret(key, item):
    """A password, or the value of one of win_powershell's sensitive_parameters ({name, value})."""
    return "password" in key.lower() or key == "value" and "name" in item
