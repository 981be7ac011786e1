"""Run the lab's storage proxy: python -m storageproxy --port P --upstream-port U --cert C --key K --ca CA

The account keys come from the environment, never the command line (which every local user
can read): DRKIT_LAB_PROXY_ACCOUNTS="account:key;account:key", as Azurite's AZURITE_ACCOUNTS.
"""
import os
import sys

from storageproxy.counters import Counters
from labframe.faults import Faults
from labframe.https import serve, server_arguments
from labframe.pairs import parse_pairs
from labframe.requestlog import RequestLog
from storageproxy.server import ProxyServer
from storageproxy.upstream import Upstream

ACCOUNTS_VARIABLE = "DRKIT_LAB_PROXY_ACCOUNTS"


def main(argv=None):
    parser = server_arguments("storageproxy", __doc__)
    parser.add_argument("--upstream-port", type=int, required=True, help="Azurite's blob port on 127.0.0.1")
    parser.add_argument("--ca", required=True, help="the CA that signed Azurite's certificate")
    args = parser.parse_args(argv)
    keys = parse_pairs(os.environ.get(ACCOUNTS_VARIABLE))
    if not keys:
        parser.error("%s names no account" % ACCOUNTS_VARIABLE)
    server = ProxyServer(args.port, args.cert, args.key, Upstream(args.upstream_port, args.ca, keys), Counters(), Faults(), RequestLog())
    # SIGTERM (labctl stop) may end the process anywhere: the proxy keeps no state worth flushing.
    banner = "storage proxy on https://127.0.0.1:%d -> Azurite on port %d, accounts %s" % (
        args.port, args.upstream_port, ", ".join(sorted(keys)))
    return serve(server, banner)


if __name__ == "__main__":
    sys.exit(main())
