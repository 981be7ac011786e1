"""Run the lab's Resource Manager: python -m armlab --port P --cert C --key K --state FILE

The service principal's secret comes from the environment (DRKIT_LAB_ARM_CLIENTS="id:secret;..."),
never the command line, which every local user can read.
"""
import os
import sys

from armlab.requestlog import RequestLog
from armlab.server import ArmServer
from armlab.state import ArmState
from labframe.faults import Faults
from labframe.https import serve, server_arguments
from labframe.pairs import parse_pairs

CLIENTS_VARIABLE = "DRKIT_LAB_ARM_CLIENTS"


def main(argv=None):
    parser = server_arguments("armlab", __doc__)
    parser.add_argument("--state", required=True, help="the JSON file holding the state")
    args = parser.parse_args(argv)
    clients = parse_pairs(os.environ.get(CLIENTS_VARIABLE))
    if not clients:
        parser.error("%s names no client" % CLIENTS_VARIABLE)
    server = ArmServer(args.port, args.cert, args.key, ArmState(args.state), clients, Faults(), RequestLog())
    return serve(server, "lab Resource Manager on https://127.0.0.1:%d, state in %s" % (args.port, args.state))


if __name__ == "__main__":
    sys.exit(main())
