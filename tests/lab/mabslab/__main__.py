"""Run the lab's MABS servers: python -m mabslab --hosts NAME=PORT,... --admin-port P --cert C --key K --state FILE

One WinRM endpoint (HTTPS) per MABS server, all answering from one estate; the accounts and their
passwords come from the environment (DRKIT_LAB_WINRM_USERS, a JSON object), never the command line,
which every local user can read.
"""
import json
import os
import sys

from labframe.faults import Faults
from labframe.https import serve, server_arguments
from labframe.estate_admin import AdminServer
from mabslab.estate import EstateStore, settle
from mabslab.executor import MabsExecutor
from labframe.requestlog import RequestLog
from winrmlab.server import serve_hosts

USERS_VARIABLE = "DRKIT_LAB_WINRM_USERS"


def main(argv=None):
    parser = server_arguments("mabslab", __doc__)
    parser.add_argument("--hosts", required=True, help="NAME=PORT,...: the MABS servers' FQDNs and their WinRM ports")
    parser.add_argument("--state", required=True, help="the JSON file holding the estate")
    args = parser.parse_args(argv)
    users = json.loads(os.environ.get(USERS_VARIABLE) or "{}")
    if not users:
        parser.error("%s names no account" % USERS_VARIABLE)
    hosts = dict((name, int(port)) for name, port in (pair.split("=", 1) for pair in args.hosts.split(",")))
    store, faults, request_log = EstateStore(args.state), Faults(), RequestLog()
    with store.locked() as estate:
        unknown = sorted(name for name in hosts if name.lower() not in estate["servers"])
    if unknown:
        parser.error("the estate has no MABS server %s" % ", ".join(unknown))
    executor = MabsExecutor(store, dict((name.lower(), name.lower()) for name in hosts), users, request_log)
    serve_hosts(hosts, args.cert, args.key, users, executor, faults, request_log)
    admin = AdminServer(args.port, args.cert, args.key, store, executor, faults, request_log, settle=settle)
    endpoints = ", ".join("%s on https://127.0.0.1:%d/wsman" % item for item in sorted(hosts.items()))
    return serve(admin, "lab MABS servers: %s; admin on https://127.0.0.1:%d/__lab, estate in %s" % (endpoints, args.port, args.state))


if __name__ == "__main__":
    sys.exit(main())
