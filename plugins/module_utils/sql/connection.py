# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SQL Server connection family: options, and the ODBC connection string they make.

Two drivers are supported: FreeTDS (Debian ``tdsodbc``, registered as ``FreeTDS``) and
Microsoft ODBC Driver 18 for SQL Server. Every value placed in the connection string is
wrapped in braces with ``}`` doubled, the ODBC rule, so a password holding ``;``, ``}``,
``'`` or ``--`` stays one value and can never add an attribute.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

FREETDS = "FreeTDS"
MS_DRIVER_18 = "ODBC Driver 18 for SQL Server"

SQL_SERVER_ARGUMENT_SPEC = dict(
    login_host=dict(type="str", required=True),
    login_port=dict(type="int"),
    instance=dict(type="str"),
    login_user=dict(type="str"),
    login_password=dict(type="str", no_log=True),
    integrated_auth=dict(type="bool", default=False),
    odbc_driver=dict(type="str", default=FREETDS),
    encrypt=dict(type="str", choices=["mandatory", "optional", "strict"], default="mandatory"),
    trust_server_certificate=dict(type="bool", default=False),
    login_timeout=dict(type="int", default=15),
    application_name=dict(type="str", default="drkit.microsoft"),
)

SQL_SERVER_MUTUALLY_EXCLUSIVE = [
    ("integrated_auth", "login_user"),
    ("integrated_auth", "login_password"),
    ("login_port", "instance"),
]
SQL_SERVER_REQUIRED_TOGETHER = [("login_user", "login_password")]


def odbc_value(value):
    """An attribute value the ODBC way: in braces, each ``}`` doubled."""
    return "{%s}" % str(value).replace("}", "}}")


def _is_freetds(driver):
    return driver.lower() in ("freetds", "tdsodbc") or "libtdsodbc" in driver.lower()


def validate_sql_connection(params):
    """Refuse combinations the drivers cannot honour, naming the parameter and the rule."""
    port = params.get("login_port")
    if port is not None and not 1 <= port <= 65535:
        raise InvalidParameter("login_port", "must be between 1 and 65535")
    if not params.get("integrated_auth") and not params.get("login_user"):
        raise InvalidParameter("login_user", "required unless integrated_auth is true (Kerberos after kinit)")
    if params.get("login_timeout", 15) < 1:
        raise InvalidParameter("login_timeout", "must be at least 1 second")
    if _is_freetds(params["odbc_driver"]) and params.get("encrypt") == "strict":
        raise InvalidParameter("encrypt", "strict (TDS 8.0) needs Microsoft ODBC Driver 18; FreeTDS 1.3 supports mandatory and optional")


def odbc_connection_string(params):
    """The ODBC connection string for *params* (validated first)."""
    validate_sql_connection(params)
    driver = params["odbc_driver"]
    host = params["login_host"]
    server = "%s\\%s" % (host, params["instance"]) if params.get("instance") else host
    port = params.get("login_port") or (None if params.get("instance") else 1433)
    attributes = [("Driver", driver)]
    if _is_freetds(driver):
        attributes += [("Server", server)]
        if port:
            attributes += [("Port", port)]
        attributes += [("TDS_Version", "7.4"),
                       ("Encryption", "require" if params.get("encrypt") == "mandatory" else "request")]
    else:
        attributes += [("Server", "tcp:%s,%d" % (server, port) if port else server),
                       ("Encrypt", {"mandatory": "yes", "optional": "no", "strict": "strict"}[params.get("encrypt", "mandatory")]),
                       ("TrustServerCertificate", "yes" if params.get("trust_server_certificate") else "no")]
    if params.get("integrated_auth"):
        attributes.append(("Trusted_Connection", "yes"))
    else:
        attributes += [("UID", params["login_user"]), ("PWD", params["login_password"] or "")]
    attributes.append(("APP", params.get("application_name") or "drkit.microsoft"))
    return ";".join("%s=%s" % (name, odbc_value(value)) for name, value in attributes) + ";"


def pyodbc_connect_kwargs(params):
    """Keyword arguments of ``pyodbc.connect`` besides the string: login timeout, autocommit.

    BACKUP and RESTORE cannot run inside a transaction (error 3021), so the collection's
    connections autocommit; the query timeout stays 0 (none), as backup tools use.
    """
    return {"timeout": params.get("login_timeout", 15), "autocommit": True}
