"""Run the lab's SQL Server: python -m sqllab --port P --cert C --key K

Logins come from the environment as a JSON object (DRKIT_LAB_SQL_LOGINS='{"name": "password"}'), so a password
may hold any character; never from the command line.
"""
import json
import os
import sys

from labframe.https import serve, server_arguments
from sqllab.server import SqlServer

LOGINS_VARIABLE = "DRKIT_LAB_SQL_LOGINS"


def main(argv=None):
    parser = server_arguments("sqllab", __doc__)
    parser.add_argument("--state", required=True, help="directory of the instance's state (created if missing)")
    args = parser.parse_args(argv)
    logins = json.loads(os.environ.get(LOGINS_VARIABLE) or "{}")
    if not logins:
        parser.error("%s names no login" % LOGINS_VARIABLE)
    return serve(SqlServer(args.port, args.cert, args.key, logins, args.state), "lab SQL Server on 127.0.0.1:%d (TDS 7.4)" % args.port)


if __name__ == "__main__":
    sys.exit(main())
