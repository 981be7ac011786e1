# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How a module reaches a SQL Server instance from the controller: pyodbc and an ODBC driver.
    DOCUMENTATION = r"""
options:
  login_host:
    description:
      - Host name or IP address of the SQL Server, without port or instance name.
    type: str
    required: true
  login_port:
    description:
      - TCP port of the instance.
      - When neither this nor O(instance) is set, port V(1433), the port of a default instance.
      - Mutually exclusive with O(instance). For a named instance that listens on a static port, give this option alone.
    type: int
  instance:
    description:
      - Name of a named instance, for example V(MSSQLSERVER01).
      - The driver asks the SQL Server Browser service of the host (UDP port 1434) for the instance's port.
      - Mutually exclusive with O(login_port).
    type: str
  login_user:
    description:
      - SQL Server login, or C(DOMAIN\user) for a Windows login through FreeTDS (NTLM).
      - Required unless O(integrated_auth=true).
      - When not set, the E(DRKIT_SQL_LOGIN_USER) environment variable (set by the collection's AWX credential type).
    type: str
  login_password:
    description:
      - Password of O(login_user). Required unless O(integrated_auth=true).
      - It travels only inside the ODBC connection string, quoted so that no character of it can add an attribute.
      - With FreeTDS it must not contain C(}), which FreeTDS 1.3 connection strings cannot carry.
      - The value is never logged.
      - When not set, the E(DRKIT_SQL_LOGIN_PASSWORD) environment variable (set by the collection's AWX credential type).
    type: str
  integrated_auth:
    description:
      - Log in with the Kerberos ticket of the controller's user (C(Trusted_Connection=yes)); run C(kinit) first.
      - Cannot be combined with O(login_user) or O(login_password).
    type: bool
    default: false
  odbc_driver:
    description:
      - ODBC driver as registered in C(odbcinst.ini), or the path of its library.
      - V(FreeTDS) is the name Debian's C(tdsodbc) package registers; the connection uses TDS 7.4.
      - Microsoft's driver is V(ODBC Driver 18 for SQL Server) (package C(msodbcsql18)).
      - Other driver names are refused because the connection string's dialect depends on the driver.
    type: str
    default: FreeTDS
  encrypt:
    description:
      - V(mandatory) encrypts the whole connection and fails if the server cannot.
        Microsoft driver C(Encrypt=yes), FreeTDS C(Encryption=require).
      - V(optional) encrypts the login, and the whole connection only when the server forces encryption.
        Microsoft driver C(Encrypt=no), FreeTDS C(Encryption=request).
      - V(strict) uses TDS 8.0, TLS before any TDS traffic, and always validates the server certificate.
        Microsoft driver C(Encrypt=strict) only; SQL Server 2022 or later.
    type: str
    choices: [mandatory, optional, strict]
    default: mandatory
  ca_bundle:
    description:
      - With FreeTDS, the PEM file of the CA that signed the server's certificate; when not set, the system's trust store
        (FreeTDS C(ca file = system)). The certificate's host name is checked too.
      - FreeTDS validates only through a C(freetds.conf) server entry, so the module writes a private one for the connection
        (server, port, TDS version, encryption, CA) and removes it once connected.
      - The Microsoft driver validates with the system's trust store; add the CA there.
    type: path
  trust_server_certificate:
    description:
      - Accept the server's certificate without validating it; for test servers only.
      - Microsoft driver C(TrustServerCertificate=yes). With FreeTDS, no C(ca file) is set.
      - Cannot be true with O(encrypt=strict).
    type: bool
    default: false
  login_timeout:
    description:
      - Seconds to wait for the connection and login. Statements have no timeout, so a long backup or restore is never cut off.
    type: int
    default: 15
  application_name:
    description:
      - Application name the session shows in C(sys.dm_exec_sessions) and traces.
    type: str
    default: drkit.microsoft
requirements:
  - pyodbc
  - unixODBC and an ODBC driver for SQL Server (FreeTDS C(tdsodbc), or Microsoft ODBC Driver 18 for SQL Server)
notes:
  - The module runs on the controller (delegate the task to C(localhost)) and connects to SQL Server itself.
  - BACKUP and RESTORE cannot run inside a transaction, so the connection autocommits.
"""
