"""Run the lab's Resource Manager: python -m armlab --port P --cert C --key K --state FILE

The service principal's secret comes from the environment (DRKIT_LAB_ARM_CLIENTS="id:secret;..."),
never the command line, which every local user can read.
"""
import argparse
import os
import sys

from armlab.requestlog import RequestLog
from armlab.server import ArmServer
from armlab.state import ArmState
from labframe.faults import Faults
from labframe.https import serve
from labframe.pairs import parse_pairs

CLIENTS_VARIABLE = "DRKIT_LAB_ARM_CLIENTS"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="armlab", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on, on 127.0.0.1")
    parser.add_argument("--cert", required=True, help="server certificate (PEM)")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    parser.add_argument("--state", required=True, help="the JSON file holding the state")
    args = parser.parse_args(argv)
    clients = parse_pairs(os.environ.get(CLIENTS_VARIABLE))
    if not clients:
        parser.error("%s names no client" % CLIENTS_VARIABLE)
    server = ArmServer(args.port, args.cert, args.key, ArmState(args.state), clients, Faults(), RequestLog())
    return serve(server, "lab Resource Manager on https://127.0.0.1:%d, state in %s" % (args.port, args.state))


if __name__ == "__main__":
    sys.exit(main())
