"""SQL Server (package ../sqllab): a TDS 7.4 server that the real pyodbc + FreeTDS stack connects to.

One TCP port on 127.0.0.1. PRELOGIN negotiates encryption as SQL Server does with a
certificate (the lab's): the whole session in TLS when the client asks for it (FreeTDS
``Encryption=require``, the collection's ``encrypt: mandatory``), the login packet alone when
it merely accepts it (``request``/``optional``), none when it cannot. Logins are SQL logins
checked by password; the inventory gets ``drkit_lab_sql`` with the sql_server options of the
collection's modules (login_host, login_port, login_user, login_password, odbc_driver). The
``sa`` password is new at every start and always holds ``'``, ``]``, ``;`` and ``--``, so every
test also proves that quoting holds.

Vendor behaviours it models (SQL Server 2022, TDS 7.4):
  * PRELOGIN, TLS 1.2 inside PRELOGIN packets (TLS 1.3 needs TDS 8.0, as on SQL Server),
    LOGIN7 with the password scrambling, LOGINACK, ENVCHANGE (database, language, collation,
    packet size) and the 5701/5703 messages of a login;
  * login failures: 18456 "Login failed for user '<name>'." (severity 14), 4060 for a database
    that cannot be opened; integrated (SSPI/Kerberos) logins are refused like a bad password;
  * SQL batches and RPC calls (sp_prepexec, sp_prepare, sp_execute, sp_executesql,
    sp_unprepare) with typed parameters (int, bit, float, decimal, nvarchar/varchar/text,
    varbinary/image, datetime2, uniqueidentifier), results with COLMETADATA/ROW/DONE row
    counts, INFO and ERROR tokens with number, state and severity, RETURNSTATUS/RETURNVALUE,
    ATTENTION;
  * 137 for an undeclared @variable, 8016 for an RPC stream it cannot decode.
The T-SQL it implements is listed in sqllab/engine.py; any other statement is answered
Msg 50000 "The lab's SQL Server does not implement this statement: ...", never guessed at.

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * Windows or Kerberos logins, MARS, TDS 8.0 (strict encryption), Always Encrypted, bulk load,
    cursors, transactions (every statement autocommits), multiple statements in one batch;
  * the full SQL language: only the statements of engine.py exist.
"""
import json
import os
import secrets
import sys

from labframe.processes import HOST, accepts_tcp
from services.base import Launch, Service

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Characters that break naive quoting in T-SQL, ODBC connection strings and shells; FreeTDS 1.3 cannot take '}'.
HOSTILE_SUFFIX = "'];--"


class SqlServer(Service):
    name = "sql_server"
    ports = ("tds",)

    def new_secrets(self):
        return {"sa_password": secrets.token_urlsafe(18) + HOSTILE_SUFFIX}

    def launch(self, context, run):
        argv = [sys.executable, "-m", "sqllab", "--port", str(run.ports["tds"]), "--cert", context.tls.server_cert,
                "--key", context.tls.server_key]
        env = {"DRKIT_LAB_SQL_LOGINS": json.dumps({"sa": run.secrets["sa_password"]}), "PYTHONPATH": LAB_DIR}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        return accepts_tcp(run.ports["tds"])

    def inventory_vars(self, context, run):
        return {"drkit_lab_sql": {"login_host": HOST, "login_port": run.ports["tds"], "login_user": "sa",
                                  "login_password": run.secrets["sa_password"], "odbc_driver": "FreeTDS"}}
