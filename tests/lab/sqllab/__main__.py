"""Run the lab's SQL Server: python -m sqllab --port P --cert C --key K

Logins come from the environment as a JSON object (DRKIT_LAB_SQL_LOGINS='{"name": "password"}'), so a password
may hold any character; never from the command line.
"""
import argparse
import json
import os
import sys

from labframe.https import serve
from sqllab.server import SqlServer

LOGINS_VARIABLE = "DRKIT_LAB_SQL_LOGINS"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sqllab", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on, on 127.0.0.1")
    parser.add_argument("--cert", required=True, help="server certificate (PEM)")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    parser.add_argument("--state", required=True, help="directory of the instance's state (created if missing)")
    args = parser.parse_args(argv)
    logins = json.loads(os.environ.get(LOGINS_VARIABLE) or "{}")
    if not logins:
        parser.error("%s names no login" % LOGINS_VARIABLE)
    return serve(SqlServer(args.port, args.cert, args.key, logins, args.state), "lab SQL Server on 127.0.0.1:%d (TDS 7.4)" % args.port)


if __name__ == "__main__":
    sys.exit(main())
