"""Azure Backup Server (MABS) with its Hyper-V estate (packages ../mabslab and ../winrmlab), for hyperv_protection_group.

Two MABS servers, MABS01.contoso.com and MABS02.contoso.com, each a WinRM endpoint over HTTPS on a port of its
own, answering from one estate kept in ``<state>/mabs/estate.json``, plus an admin port. Accounts: the domain
account CONTOSO\\backupadmin (NTLM or basic) with a password new at every start that holds characters
PowerShell and JSON treat specially. The inventory gets ``drkit_lab_mabs`` (per server the winrm options:
winrm_host, winrm_port, winrm_user, winrm_password, winrm_transport, winrm_ca_trust_path; and
hyperv_host_user / hyperv_host_password for PowerShell remoting to the hosts) and ``drkit_lab_mabs_admin``.
What is modelled and what is not: mabslab/__init__.py and winrmlab/__init__.py.
"""
import json
import os
import secrets
import sys

from labframe.https import answers_json
from labframe.processes import HOST, accepts_tcp
from services.base import Launch, Service

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = {"mabs01": "MABS01.contoso.com", "mabs02": "MABS02.contoso.com"}
ACCOUNT = "CONTOSO\\backupadmin"
# Quotes, a subexpression, a backtick and a semicolon: a script that spliced the password into its text would break.
HOSTILE_SUFFIX = "'\"$(x)`;"


class Mabs(Service):
    name = "mabs"
    ports = tuple(SERVERS) + ("admin",)

    def new_secrets(self):
        return {"password": secrets.token_urlsafe(18) + HOSTILE_SUFFIX}

    def launch(self, context, run):
        hosts = ",".join("%s=%d" % (name, run.ports[port]) for port, name in SERVERS.items())
        argv = [sys.executable, "-m", "mabslab", "--port", str(run.ports["admin"]), "--cert", context.tls.server_cert,
                "--key", context.tls.server_key, "--hosts", hosts, "--state", os.path.join(context.data_dir, "estate.json")]
        env = {"DRKIT_LAB_WINRM_USERS": json.dumps({ACCOUNT: run.secrets["password"]}), "PYTHONPATH": LAB_DIR}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        return all(accepts_tcp(run.ports[port]) for port in SERVERS) and answers_json(_admin_url(run) + "/faults", context.tls.ca_cert)

    def inventory_vars(self, context, run):
        servers = {}
        for port, name in SERVERS.items():
            servers[name] = {"winrm_host": HOST, "winrm_port": run.ports[port], "winrm_user": ACCOUNT, "winrm_password": run.secrets["password"],
                             "winrm_transport": "ntlm", "winrm_ca_trust_path": context.tls.ca_cert}
        return {"drkit_lab_mabs": {"servers": servers, "hyperv_host_user": ACCOUNT, "hyperv_host_password": run.secrets["password"]},
                "drkit_lab_mabs_admin": _admin_url(run)}


def _admin_url(run):
    return "https://%s:%d/__lab" % (HOST, run.ports["admin"])
