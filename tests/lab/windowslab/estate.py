"""The lab's Windows servers, one JSON document (labframe/jsonstore.py). Names are keyed lower-case and keep their
spelling in ``name``.

    servers.<fqdn>   {name, os_caption, os_version,
                      features: {name: installed},
                      rms: {provisioned, applications: [path], app_pools: {name: "Started" | "Stopped"},
                            cluster (key of clusters, when joined)},
                      registry: {key path: {value name: data}},
                      services: {name: {state: "Running" | "Stopped", restarts}},
                      orchestrator: {settings: {server, database} | null, web_config: path | null,
                                     web_api: {Database__Address, Database__Database}}}
    clusters.<name>  {database_server, config_database, service_account}: the AD RMS clusters servers join
"""
import copy

from labframe.jsonstore import JsonStore

EMPTY = {"servers": {}, "clusters": {}}
RMS_APPLICATIONS = ["/_wmcs", "/_wmcs/admin", "/_wmcs/certification", "/_wmcs/decommission", "/_wmcs/groupexpansion",
                    "/_wmcs/licensing"]
RMS_POOL = "_DRMSAppPool1"
WINDOWS_2022 = ("Microsoft Windows Server 2022 Datacenter", "10.0.20348")


class WindowsStore(JsonStore):
    def __init__(self, path):
        super().__init__(path, EMPTY, demo_estate)


def new_server(name, version=WINDOWS_2022):
    return {"name": name, "os_caption": version[0], "os_version": version[1], "features": {}, "registry": {}, "services": {},
            "rms": {"provisioned": False, "applications": [], "app_pools": {}, "cluster": None},
            "orchestrator": {"settings": None, "web_config": None, "web_api": {}}}


def rms_server(name, cluster):
    server = new_server(name)
    server["features"]["ADRMS-Server"] = True
    server["rms"] = {"provisioned": True, "applications": list(RMS_APPLICATIONS), "app_pools": {RMS_POOL: "Started"}, "cluster": cluster}
    return server


def demo_estate():
    """Two AD RMS servers serving one cluster, a third rebuilt without AD RMS, and an Orchestrator deployment (management
    and runbook server, a second runbook server, a Web API server) whose data store points at SQL02\\SCO."""
    estate = copy.deepcopy(EMPTY)
    estate["clusters"]["rms.contoso.com"] = {"database_server": "sql01.contoso.com", "config_database": "DRMS_Config_rms_contoso_com_443",
                                             "service_account": "CONTOSO\\svc-adrms"}
    for name in ("rms1.contoso.com", "rms2.contoso.com"):
        estate["servers"][name] = rms_server(name, "rms.contoso.com")
    estate["servers"]["rms3.contoso.com"] = new_server("rms3.contoso.com")
    settings = {"server": "sql02.contoso.com\\SCO", "database": "Orchestrator"}
    for name, services in (("sco-ms01.contoso.com", ("omanagement", "orunbook")), ("sco-rb02.contoso.com", ("orunbook",))):
        server = new_server(name)
        server["services"] = dict((service, {"state": "Running", "restarts": 0}) for service in services)
        server["orchestrator"]["settings"] = dict(settings)
        estate["servers"][name] = server
    web = new_server("sco-web01.contoso.com")
    web["orchestrator"]["web_config"] = "C:\\Program Files\\Microsoft System Center\\Orchestrator\\WebApi\\web.config"
    web["orchestrator"]["web_api"] = {"Database__Address": settings["server"], "Database__Database": settings["database"]}
    estate["servers"]["sco-web01.contoso.com"] = web
    return estate
