"""Run the lab's Windows servers: python -m windowslab --hosts NAME=ADDRESS:PORT,... --port P --cert C --key K --state FILE

One WinRM endpoint (HTTPS) per server, all answering from one estate, and an admin port that also serves AD RMS's web
services. The WinRM accounts (DRKIT_LAB_WINRM_USERS) and the accounts and passwords modules check
(DRKIT_LAB_WINDOWS_SECRETS: accounts, cluster_key_password) come from the environment, never the command line.
"""
import json
import os
import sys

from labframe.estate_admin import AdminServer
from labframe.faults import Faults
from labframe.https import serve, server_arguments
from labframe.requestlog import RequestLog
from windowslab.estate import WindowsStore
from windowslab.executor import WindowsExecutor
from windowslab.web import rms_web_services
from winrmlab.server import serve_hosts


def main(argv=None):
    parser = server_arguments("windowslab", __doc__)
    parser.add_argument("--hosts", required=True, help="NAME=ADDRESS:PORT,...: the servers' FQDNs and their WinRM endpoints")
    parser.add_argument("--state", required=True, help="the JSON file holding the estate")
    args = parser.parse_args(argv)
    users = json.loads(os.environ.get("DRKIT_LAB_WINRM_USERS") or "{}")
    secrets = json.loads(os.environ.get("DRKIT_LAB_WINDOWS_SECRETS") or "{}")
    if not users or not secrets:
        parser.error("DRKIT_LAB_WINRM_USERS and DRKIT_LAB_WINDOWS_SECRETS must name the lab's accounts")
    hosts = dict((name, (endpoint.rsplit(":", 1)[0], int(endpoint.rsplit(":", 1)[1])))
                 for name, endpoint in (pair.split("=", 1) for pair in args.hosts.split(",")))
    store, faults, request_log = WindowsStore(args.state), Faults(), RequestLog()
    executor = WindowsExecutor(store, dict((name.lower(), name.lower()) for name in hosts), secrets, request_log)
    serve_hosts(hosts, args.cert, args.key, users, executor, faults, request_log)
    admin = AdminServer(args.port, args.cert, args.key, store, executor, faults, request_log, routes=rms_web_services(store))
    endpoints = ", ".join("%s on https://%s:%d/wsman" % (name, address, port) for name, (address, port) in sorted(hosts.items()))
    return serve(admin, "lab Windows servers: %s; admin on https://127.0.0.1:%d/__lab, estate in %s" % (endpoints, args.port, args.state))


if __name__ == "__main__":
    sys.exit(main())
