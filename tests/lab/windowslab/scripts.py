"""The collection's role scripts as the lab's Windows servers answer them, by name (their first line reads
``# drkit.microsoft script: <name>``): each returns (changed, result) or raises ScriptError with the error text."""
from windowslab import estate as estates

MARKER = "# drkit.microsoft script: "


class ScriptError(Exception):
    pass


def name_of(text):
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first[len(MARKER):].strip() if first.startswith(MARKER) else None


def rms_node_facts(_estate, server, _parameters, _context):
    rms = server["rms"]
    installed = server["features"].get("ADRMS-Server", False)
    applications = rms["applications"] if installed and rms["provisioned"] else []
    return False, {"computer_name": server["name"].split(".")[0].upper(), "os_caption": server["os_caption"], "version": server["os_version"],
                   "installed": installed, "provisioned": bool(applications), "applications": list(applications),
                   "app_pools": [{"name": name, "state": state} for name, state in sorted(rms["app_pools"].items())] if applications else []}


def rms_join_cluster(estate, server, parameters, context):
    if not server["features"].get("ADRMS-Server", False):
        raise ScriptError("The specified module 'ADRMS' was not loaded because no valid module file was found in any module directory.")
    if server["rms"]["provisioned"]:
        raise ScriptError("Install-ADRMS: AD RMS is already installed on this server (the lab's text).")
    cluster_key = next((key for key, cluster in estate["clusters"].items()
                        if cluster["config_database"].lower() == parameters["DatabaseName"].lower()
                        and cluster["database_server"].lower() == parameters["DatabaseServer"].lower()), None)
    if cluster_key is None:
        raise ScriptError("Install-ADRMS: no AD RMS configuration database %s on %s (the lab's text)."
                          % (parameters["DatabaseName"], parameters["DatabaseServer"]))
    account, secrets = parameters["ServiceAccount"], context.secrets
    if account["username"].lower() != estate["clusters"][cluster_key]["service_account"].lower() \
            or secrets["accounts"].get(account["username"]) != account["password"]:
        raise ScriptError("Install-ADRMS: the service account's user name or password is incorrect (the lab's text).")
    if parameters["ClusterKeyPassword"] != secrets["cluster_key_password"]:
        raise ScriptError("Install-ADRMS: the cluster key password is incorrect (the lab's text).")
    server["rms"] = {"provisioned": True, "applications": list(estates.RMS_APPLICATIONS), "app_pools": {estates.RMS_POOL: "Started"},
                     "cluster": cluster_key}
    return True, {}


def sco_data_store(_estate, server, _parameters, _context):
    settings = server["orchestrator"]["settings"]
    if settings is None:
        return False, {"found": False}
    return False, {"found": True, "path": "C:\\Program Files (x86)\\Common Files\\Microsoft System Center 2012\\Orchestrator\\Shared\\Settings.dat",
                   "server": settings["server"], "database": settings["database"]}


def sco_web_api_database(_estate, server, parameters, context):
    orchestrator = server["orchestrator"]
    if orchestrator["web_config"] is None or parameters["ConfigPath"].lower() != orchestrator["web_config"].lower():
        raise ScriptError("Cannot find path '%s' because it does not exist." % parameters["ConfigPath"])
    wanted = {"Database__Address": parameters["Address"], "Database__Database": parameters["Database"]}
    before = dict((name, orchestrator["web_api"].get(name)) for name in wanted)
    changed = before != wanted
    if changed and not context.check_mode:
        orchestrator["web_api"].update(wanted)
    return changed, {"before": before, "config": parameters["ConfigPath"]}


HANDLERS = {
    "rms/node_facts": rms_node_facts,
    "rms/join_cluster": rms_join_cluster,
    "sco/data_store": sco_data_store,
    "sco/web_api_database": sco_web_api_database,
}
