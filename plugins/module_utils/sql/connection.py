# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SQL Server connection family: options, and the ODBC connection string they make.

Modules reach SQL Server from the controller with pyodbc through an ODBC driver, FreeTDS
(Debian ``tdsodbc``, registered as ``FreeTDS``) or Microsoft ODBC Driver 18 for SQL Server::

    pyodbc.connect(odbc_connection_string(params), **pyodbc_connect_kwargs(params))

FreeTDS validates a server certificate only for a ``freetds.conf`` server entry with ``ca file``
(measured with 1.3.17: connection-string attributes and the ``[global]`` section of a
DSN-less connection are ignored, and a certificate from another CA is accepted). So with
FreeTDS the server, port, TDS version, encryption and certificate checks go into a private
``freetds.conf`` entry (:func:`freetds_configuration`, named by ``FREETDSCONF`` while
connecting) and the connection string names that entry (``Servername``).

Every value is written ``{value}`` with each ``}`` doubled, the ODBC rule that unixODBC and
the Microsoft driver both read back as one value, so a password holding ``;`` or ``'`` can
never add an attribute. FreeTDS 1.3 (Debian 12) reads a braced value up to the first ``};``
and keeps ``}}`` as two characters: no spelling of a ``}`` reads the same in unixODBC and in
FreeTDS 1.3, so with FreeTDS a value holding ``}`` is refused instead of sent garbled.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

FREETDS = "FreeTDS"
MICROSOFT = "Microsoft"
DEFAULT_PORT = 1433
# The freetds.conf entry a FreeTDS connection names; "ca file = system" is FreeTDS's word for the system's trust store.
FREETDS_ENTRY = "drkit"
FREETDS_SYSTEM_CA = "system"

_LOGIN_ENVIRONMENT = {"login_user": "DRKIT_SQL_LOGIN_USER", "login_password": "DRKIT_SQL_LOGIN_PASSWORD"}

SQL_SERVER_ARGUMENT_SPEC = dict(
    login_host=dict(type="str", required=True),
    login_port=dict(type="int"),
    instance=dict(type="str"),
    # The environment is how AWX's credential types hand over a login (extensions/controller).
    login_user=dict(type="str", fallback=(env_fallback, [_LOGIN_ENVIRONMENT["login_user"]])),
    login_password=dict(type="str", no_log=True, fallback=(env_fallback, [_LOGIN_ENVIRONMENT["login_password"]])),
    integrated_auth=dict(type="bool", default=False),
    odbc_driver=dict(type="str", default=FREETDS),
    encrypt=dict(type="str", choices=["mandatory", "optional", "strict"], default="mandatory"),
    trust_server_certificate=dict(type="bool", default=False),
    ca_bundle=dict(type="path"),
    login_timeout=dict(type="int", default=15),
    application_name=dict(type="str", default="drkit.microsoft"),
)
# integrated_auth against login_user/login_password is checked by value in
# odbc_connection_string: mutually_exclusive would also refuse "integrated_auth: false".
SQL_SERVER_MUTUALLY_EXCLUSIVE = [["login_port", "instance"]]
SQL_SERVER_REQUIRED_IF = [["integrated_auth", False, ["login_user", "login_password"]]]

# Driver 18's own words for the three modes; FreeTDS 1.3 knows the first two ("off" would
# send the password almost in clear, so it is never used).
_MICROSOFT_ENCRYPT = {"mandatory": "yes", "optional": "no", "strict": "strict"}
_FREETDS_ENCRYPTION = {"mandatory": "require", "optional": "request"}

_HOST = re.compile(r"^[A-Za-z0-9._:%-]+$")
_MICROSOFT_DRIVER = re.compile(r"^odbc driver \d+ for sql server$|libmsodbcsql", re.IGNORECASE)
_FREETDS_DRIVER = re.compile(r"^freetds$|libtdsodbc", re.IGNORECASE)


def driver_family(odbc_driver):
    """``FreeTDS`` or ``Microsoft``: the connection-string dialect the driver speaks."""
    if _FREETDS_DRIVER.search(odbc_driver.strip()):
        return FREETDS
    if _MICROSOFT_DRIVER.search(odbc_driver.strip()):
        return MICROSOFT
    raise InvalidParameter("odbc_driver", "must be FreeTDS, 'ODBC Driver 18 for SQL Server' (or another 'ODBC Driver NN for SQL Server') "
                                          "or the path of libtdsodbc.so or libmsodbcsql-NN.so, because the connection string depends on "
                                          "the driver; got %r" % odbc_driver)


def odbc_connection_string(params):
    """The ODBC connection string for *params*, validated first (nothing is contacted)."""
    family = driver_family(params["odbc_driver"])
    _validate(params, family)
    return "".join("%s=%s;" % (name, _quoted(parameter, value, family)) for name, value, parameter in _attributes(params, family))


def freetds_configuration(params):
    """The text of the freetds.conf holding this connection's entry; None for the Microsoft driver."""
    if driver_family(params["odbc_driver"]) != FREETDS:
        return None
    _validate(params, FREETDS)
    lines = ["[%s]" % FREETDS_ENTRY, "host = %s" % params["login_host"]]
    if params.get("instance"):
        lines.append("instance = %s" % params["instance"])
    else:
        lines.append("port = %d" % (params.get("login_port") or DEFAULT_PORT))
    lines += ["tds version = 7.4", "encryption = %s" % _FREETDS_ENCRYPTION[params["encrypt"]]]
    if not params["trust_server_certificate"]:
        lines += ["ca file = %s" % (params.get("ca_bundle") or FREETDS_SYSTEM_CA), "check certificate hostname = yes"]
    return "\n".join(lines) + "\n"


def pyodbc_connect_kwargs(params):
    """Keyword arguments of ``pyodbc.connect`` besides the string: login timeout and autocommit.

    BACKUP and RESTORE refuse to run inside a transaction (error 3021), so connections
    autocommit. Only the login is timed; a long backup or restore is never cut off.
    """
    return {"timeout": params["login_timeout"], "autocommit": True}


def _attributes(params, family):
    """(attribute, value, option it came from) in the order the string lists them."""
    host, instance = params["login_host"], params.get("instance")
    port = params.get("login_port") or DEFAULT_PORT
    attributes = [("Driver", params["odbc_driver"], "odbc_driver")]
    if family == FREETDS:
        attributes += [
            # Server, port, TDS version, encryption and certificate checks: in the entry of freetds_configuration().
            ("Servername", FREETDS_ENTRY, None),
            # Otherwise FreeTDS converts names with the locale of the module's process.
            ("ClientCharset", "UTF-8", None),
        ]
    else:
        attributes += [
            ("Server", "%s\\%s" % (host, instance) if instance else "tcp:%s,%d" % (host, port), "login_host"),
            ("Encrypt", _MICROSOFT_ENCRYPT[params["encrypt"]], "encrypt"),
            ("TrustServerCertificate", "yes" if params["trust_server_certificate"] else "no", "trust_server_certificate"),
        ]
    if params["integrated_auth"]:
        attributes.append(("Trusted_Connection", "yes", "integrated_auth"))
    else:
        attributes += [("UID", params["login_user"], "login_user"), ("PWD", params["login_password"], "login_password")]
    attributes.append(("APP", params["application_name"], "application_name"))
    return attributes


def _quoted(parameter, value, family):
    if "\0" in value:
        raise InvalidParameter(parameter, "must not contain a NUL character")
    if family == FREETDS and "}" in value:
        raise InvalidParameter(parameter, "cannot contain '}' with FreeTDS, whose connection strings (1.3, Debian 12) have no escape for it; "
                                          "use odbc_driver 'ODBC Driver 18 for SQL Server' or a value without '}'")
    return "{%s}" % value.replace("}", "}}")


def _validate(params, family):
    """Refuse what the drivers cannot honour, naming the parameter and the rule."""
    if not _HOST.match(params["login_host"]):
        raise InvalidParameter("login_host", "must be a host name or IP address alone: the port goes in login_port, a named instance in instance")
    port, instance = params.get("login_port"), params.get("instance")
    if port is not None and not 1 <= port <= 65535:
        raise InvalidParameter("login_port", "must be between 1 and 65535")
    if port is not None and instance:
        raise InvalidParameter("instance", "is mutually exclusive with login_port: a named instance is found through SQL Server Browser "
                                           "(UDP 1434); for an instance on a static port give login_port alone")
    if instance is not None and not _is_instance_name(instance):
        raise InvalidParameter("instance", "must be an instance name: up to 16 letters, digits, '_' or '$', starting with a letter, '_' or '&'")
    if params["integrated_auth"]:
        for parameter in ("login_user", "login_password"):
            # A login from the environment (an AWX credential) was not given for this instance: integrated_auth wins.
            if params.get(parameter) is not None and params.get(parameter) != os.environ.get(_LOGIN_ENVIRONMENT[parameter]):
                raise InvalidParameter(parameter, "cannot be combined with integrated_auth, which logs in with the Kerberos ticket of the "
                                                  "controller's user (kinit)")
    elif not params.get("login_user"):
        raise InvalidParameter("login_user", "is required unless integrated_auth is true")
    elif params.get("login_password") is None:
        raise InvalidParameter("login_password", "is required with login_user")
    if params["login_timeout"] < 1:
        raise InvalidParameter("login_timeout", "must be at least 1 second (0 would wait for ever)")
    if params["encrypt"] == "strict" and family == FREETDS:
        raise InvalidParameter("encrypt", "strict (TDS 8.0) needs Microsoft ODBC Driver 18; FreeTDS 1.3 knows mandatory and optional")
    if params.get("ca_bundle") is not None:
        if family != FREETDS:
            raise InvalidParameter("ca_bundle", "is for FreeTDS; Microsoft ODBC Driver 18 validates with the system's trust store (add the CA "
                                                "there) or trust_server_certificate")
        if params["trust_server_certificate"]:
            raise InvalidParameter("ca_bundle", "cannot be combined with trust_server_certificate, which skips the validation it is for")
        if not params["ca_bundle"] or params["ca_bundle"] != params["ca_bundle"].strip() or any(c in params["ca_bundle"] for c in "\r\n\0"):
            raise InvalidParameter("ca_bundle", "must be a file path without line breaks or surrounding spaces")
    if params["encrypt"] == "strict" and params["trust_server_certificate"]:
        raise InvalidParameter("trust_server_certificate", "cannot be true with encrypt=strict, which always validates the server certificate")


def _is_instance_name(name):
    return 1 <= len(name) <= 16 and (name[0].isalpha() or name[0] in "_&") and all(c.isalnum() or c in "_$" for c in name[1:])
