# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How a module reaches a SQL Server instance through pyodbc and an ODBC driver.
    DOCUMENTATION = r"""
options:
  login_host:
    description:
      - Host name or address of the SQL Server instance.
    type: str
    required: true
  login_port:
    description:
      - TCP port of the instance. V(1433) when neither this nor O(instance) is given.
      - Mutually exclusive with O(instance).
    type: int
  instance:
    description:
      - Name of a named instance, found through the SQL Server Browser service (UDP 1434).
      - Mutually exclusive with O(login_port).
    type: str
  login_user:
    description:
      - SQL Server login. Required unless O(integrated_auth=true).
    type: str
  login_password:
    description:
      - Password of O(login_user). It travels only inside the ODBC connection string, escaped the ODBC way.
    type: str
  integrated_auth:
    description:
      - Authenticate with the Kerberos ticket of the controller's user (run C(kinit) first), C(Trusted_Connection=yes).
    type: bool
    default: false
  odbc_driver:
    description:
      - Name of the ODBC driver as registered in C(odbcinst.ini).
      - V(FreeTDS) (Debian package C(tdsodbc), speaks TDS 7.4) or V(ODBC Driver 18 for SQL Server) from Microsoft.
    type: str
    default: FreeTDS
  encrypt:
    description:
      - V(mandatory) encrypts the connection, V(optional) encrypts when the server asks for it,
        V(strict) uses TDS 8.0 with TLS first (Microsoft ODBC Driver 18 only).
      - With Microsoft ODBC Driver 18 these are C(Encrypt=yes), C(no) and C(strict);
        with FreeTDS C(Encryption=require) and C(request).
    type: str
    choices: [mandatory, optional, strict]
    default: mandatory
  trust_server_certificate:
    description:
      - Accept the server's certificate without validating it (Microsoft ODBC Driver 18, C(TrustServerCertificate=yes)).
      - FreeTDS validates a certificate only when a CA file is configured in C(freetds.conf).
    type: bool
    default: false
  login_timeout:
    description:
      - Seconds to wait for the login. Statements themselves have no timeout, so a long backup or restore is never cut off.
    type: int
    default: 15
  application_name:
    description:
      - Application name the session shows in C(sys.dm_exec_sessions).
    type: str
    default: drkit.microsoft
requirements:
  - pyodbc
  - an ODBC driver manager (unixODBC) and driver (FreeTDS or Microsoft ODBC Driver 18 for SQL Server)
"""
