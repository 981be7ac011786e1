"""The lab's models of the Windows modules the collection's roles call: each takes the estate, the server's key, the
module's arguments and the run's context, changes the estate as the module would (not in check mode), and returns the
module's result; a failure raises ModuleFailure with the module's message."""
import re
from dataclasses import dataclass
from typing import Callable, Optional

from windowslab import scripts

# win_powershell runs a script in check mode only when it declares SupportsShouldProcess (its own test, simplified).
SHOULD_PROCESS = re.compile(r"\[CmdletBinding\([^)]*SupportsShouldProcess", re.IGNORECASE)
LOGON_FAILURE = "Failed to logon %s: The user name or password is incorrect. (Win32ErrorCode 1326 - 0x0000052E)"


class ModuleFailure(Exception):
    def __init__(self, message, **result):
        super().__init__(message)
        self.message, self.result = message, result


@dataclass(frozen=True)
class Context:
    check_mode: bool
    secrets: dict
    become_user: Optional[str]
    become_password: Optional[str]
    remember_script: Callable


def run(module, estate, server_key, arguments, context):
    handler = HANDLERS.get(module)
    if handler is None:
        raise ModuleFailure("the lab does not model module %s" % module)
    if context.become_user is not None:
        accounts = dict((name.lower(), password) for name, password in context.secrets["accounts"].items())
        if accounts.get(context.become_user.lower()) != context.become_password:
            raise ModuleFailure(LOGON_FAILURE % context.become_user)
    return handler(estate, estate["servers"][server_key], arguments, context)


def win_powershell(estate, server, arguments, context):
    text = arguments["script"]
    digest = context.remember_script(text)
    streams = {"host_out": "", "host_err": "", "output": [], "error": [], "warning": [], "verbose": [], "debug": [], "information": []}
    if context.check_mode and not SHOULD_PROCESS.search(text):
        return dict(streams, changed=True, result={}, msg="skipped, running in check mode")
    name = scripts.name_of(text)
    handler = scripts.HANDLERS.get(name)
    if handler is None:
        raise ModuleFailure("the lab does not model the script %s (sha256 %s)" % (name, digest), **streams)
    parameters = dict(arguments.get("parameters") or {})
    for sensitive in arguments.get("sensitive_parameters") or []:
        parameters[sensitive["name"]] = ({"username": sensitive["username"], "password": sensitive["password"]} if "username" in sensitive
                                         else sensitive.get("value"))
    try:
        changed, result = handler(estate, server, parameters, context)
    except scripts.ScriptError as error:
        streams["error"] = [{"output": str(error), "error_details": {"message": str(error)}}]
        raise ModuleFailure(str(error), **streams)
    return dict(streams, changed=changed, result=result)


def win_feature(_estate, server, arguments, context):
    names = arguments["name"] if isinstance(arguments["name"], list) else [arguments["name"]]
    wanted = arguments.get("state", "present") == "present"
    changing = [name for name in names if server["features"].get(name, False) != wanted]
    if not context.check_mode:
        for name in changing:
            server["features"][name] = wanted
    features = [{"id": 0, "display_name": name, "message": [], "reboot_required": False, "restart_needed": False,
                 "skip_reason": "NoReason", "success": True} for name in changing]
    return {"changed": bool(changing), "exitcode": "Success" if changing else "NoChangeNeeded", "feature_result": features,
            "reboot_required": False, "success": True}


def win_regedit(_estate, server, arguments, context):
    # A key the value's write would create exists only once written: check mode creates nothing.
    values = server["registry"].get(arguments["path"], {})
    data = arguments.get("data")
    changed = values.get(arguments["name"]) != data
    if changed and not context.check_mode:
        server["registry"].setdefault(arguments["path"], {})[arguments["name"]] = data
    return {"changed": changed, "data_changed": changed, "data_type_changed": False}


def win_service(_estate, server, arguments, context):
    service = server["services"].get(arguments["name"])
    if service is None:
        raise ModuleFailure("Service '%s' is not installed, need to set 'path' to create a new service" % arguments["name"], exists=False)
    state = arguments.get("state")
    changed = state == "restarted" or (state == "started") != (service["state"] == "Running") and state in ("started", "stopped")
    if changed and not context.check_mode:
        service["state"] = "Stopped" if state == "stopped" else "Running"
        service["restarts"] += 1 if state == "restarted" else 0
    return {"changed": changed, "exists": True, "name": arguments["name"], "state": service["state"].lower()}


def web_app_pool(_estate, server, arguments, context):
    pools = server["rms"]["app_pools"]
    wanted = {"started": "Started", "stopped": "Stopped"}.get(arguments.get("state") or "present")
    changed = wanted is not None and pools.get(arguments["name"]) != wanted
    if changed and not context.check_mode:
        pools[arguments["name"]] = wanted
    return {"changed": changed, "info": {"name": arguments["name"], "state": wanted or pools.get(arguments["name"])}}


HANDLERS = {
    "ansible.windows.win_powershell": win_powershell,
    "ansible.windows.win_feature": win_feature,
    "ansible.windows.win_regedit": win_regedit,
    "ansible.windows.win_service": win_service,
    "microsoft.iis.web_app_pool": web_app_pool,
}
