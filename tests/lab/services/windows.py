"""Windows servers of AD RMS and System Center Orchestrator (packages ../windowslab and ../winrmlab), for the roles'
Windows steps run by Ansible's own winrm connection.

Six servers (rms1, rms2 and rms3 of contoso.com, sco-ms01, sco-rb02 and sco-web01), each a WinRM endpoint over HTTPS on a
loopback address of its own (127.0.0.11 ...: Ansible reuses a connection for the next host with the same address),
answering from one estate kept in ``<state>/windows/estate.json``, plus an admin port that also serves AD RMS's web
services. Accounts, each with a password new at every start that holds characters PowerShell and JSON treat
specially: CONTOSO\\ansible (the WinRM logon), CONTOSO\\adrms-admin (installs AD RMS, through become runas),
CONTOSO\\svc-adrms (the AD RMS service account), and the AD RMS cluster key password. The inventory gets
``drkit_lab_windows`` (per server the connection variables of Ansible's winrm plugin; rms_installer, rms_service_account,
rms_cluster_key_password; rms_health, the rms_nodes_health that asks the lab's AD RMS web services) and
``drkit_lab_windows_admin``. What is modelled and what is not: windowslab/__init__.py and winrmlab/__init__.py.
"""
import json
import os
import secrets
import sys

from labframe.https import answers_json
from labframe.processes import HOST, HOST_ALIASES, accepts_tcp
from services.base import Launch, Service

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = {"rms1": "rms1.contoso.com", "rms2": "rms2.contoso.com", "rms3": "rms3.contoso.com", "scoms01": "sco-ms01.contoso.com",
           "scorb02": "sco-rb02.contoso.com", "scoweb01": "sco-web01.contoso.com"}
# Each server on a loopback address of its own, as each computer has its own (Ansible reuses a connection by address).
ADDRESSES = dict(zip(SERVERS, HOST_ALIASES))
LOGON = "CONTOSO\\ansible"
INSTALLER = "CONTOSO\\adrms-admin"
SERVICE_ACCOUNT = "CONTOSO\\svc-adrms"
HOSTILE_SUFFIX = "'\"$(x)`;"


class Windows(Service):
    name = "windows"
    ports = tuple(SERVERS) + ("admin",)

    def new_secrets(self):
        return dict((name, secrets.token_urlsafe(18) + HOSTILE_SUFFIX) for name in ("logon", "installer", "service_account", "cluster_key"))

    def launch(self, context, run):
        hosts = ",".join("%s=%s:%d" % (name, ADDRESSES[port], run.ports[port]) for port, name in SERVERS.items())
        argv = [sys.executable, "-m", "windowslab", "--port", str(run.ports["admin"]), "--cert", context.tls.server_cert,
                "--key", context.tls.server_key, "--hosts", hosts, "--state", os.path.join(context.data_dir, "estate.json")]
        checked = {"accounts": {INSTALLER: run.secrets["installer"], SERVICE_ACCOUNT: run.secrets["service_account"]},
                   "cluster_key_password": run.secrets["cluster_key"]}
        env = {"DRKIT_LAB_WINRM_USERS": json.dumps({LOGON: run.secrets["logon"]}), "DRKIT_LAB_WINDOWS_SECRETS": json.dumps(checked),
               "PYTHONPATH": LAB_DIR}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        return all(accepts_tcp(run.ports[port], ADDRESSES[port]) for port in SERVERS) and answers_json(_admin_url(run) + "/faults", context.tls.ca_cert)

    def inventory_vars(self, context, run):
        servers = dict((name, {"ansible_connection": "winrm", "ansible_host": ADDRESSES[port], "ansible_port": run.ports[port], "ansible_user": LOGON,
                               "ansible_password": run.secrets["logon"], "ansible_winrm_transport": "ntlm", "ansible_winrm_scheme": "https",
                               "ansible_winrm_server_cert_validation": "validate", "ansible_winrm_ca_trust_path": context.tls.ca_cert})
                       for port, name in SERVERS.items())
        health = {"url": _admin_url(run) + "/rms/{node}/_wmcs/certification/certification.asmx", "ca_path": context.tls.ca_cert,
                  "retries": 3, "delay": 1}
        return {"drkit_lab_windows": {"servers": servers, "rms_installer": {"username": INSTALLER, "password": run.secrets["installer"]},
                                      "rms_service_account": {"username": SERVICE_ACCOUNT, "password": run.secrets["service_account"]},
                                      "rms_cluster_key_password": run.secrets["cluster_key"], "rms_health": health},
                "drkit_lab_windows_admin": _admin_url(run)}


def _admin_url(run):
    return "https://%s:%d/__lab" % (HOST, run.ports["admin"])
