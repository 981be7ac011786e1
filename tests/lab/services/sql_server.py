r"""SQL Server (package ../sqllab): a TDS 7.4 server that the real pyodbc + FreeTDS stack connects to.

One TCP port on 127.0.0.1. PRELOGIN negotiates encryption as SQL Server does with a
certificate (the lab's): the whole session in TLS when the client asks for it (FreeTDS
``Encryption=require``, the collection's ``encrypt: mandatory``), the login packet alone when
it merely accepts it (``request``/``optional``), none when it cannot. Logins are SQL logins
checked by password; the inventory gets ``drkit_lab_sql`` with the sql_server options of the
collection's modules (login_host, login_port, login_user, login_password, odbc_driver, and
ca_bundle, the lab CA, with which FreeTDS validates the server's certificate). The
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
  * 137 for an undeclared @variable, 8016 for an RPC stream it cannot decode;
  * state kept on disk across restarts (``<state>/sql_server``): databases with their pages, files,
    recovery model, user access; msdb's backupset; the instance's disks, where Windows paths
    (``C:\Backups\x.bak``, ``\\server\share\x.bak``) name files under ``volumes/``;
  * BACKUP DATABASE ... TO DISK WITH CHECKSUM, COMPRESSION, COPY_ONLY, INIT/FORMAT, STATS: progress
    3211 "n percent processed.", 4035 and 3014 on completion; the file is written whole at the
    end, so a dropped connection leaves none; RESTORE HEADERONLY / FILELISTONLY (a subset of
    SQL Server's columns, LSNs as numeric(25,0)); RESTORE VERIFYONLY WITH CHECKSUM (3262 valid,
    3189 damaged); RESTORE DATABASE WITH REPLACE, CHECKSUM, MOVE, STATS (3154 another database,
    3159 tail of the log not backed up, 3101 exclusive access, 3183 damaged page, 3187 no checksums,
    3234 unknown logical file); 3201 for a missing file or directory, 3241 for a file that is not
    a backup; each failure followed by 3013 "... is terminating abnormally.", as SQL Server does;
  * CREATE DATABASE (1801), USE (911, 924), ALTER DATABASE SET SINGLE_USER WITH ROLLBACK IMMEDIATE
    (ends the other sessions in it) and MULTI_USER; the catalog queries the collection sends
    (sys.databases, sys.master_files, msdb.dbo.backupset);
  * the service master key (master.sys.symmetric_keys '##MS_ServiceMasterKey##'): BACKUP SERVICE
    MASTER KEY to a file encrypted by the password (15240 file exists or cannot be written, 15118
    password not complex enough); RESTORE SERVICE MASTER KEY [FORCE] (15317 no such file or not a key
    file, 15466 a password that does not decrypt it, 15588 "The old and new master keys are identical.
    No data re-encryption is required.", informational); it re-encrypts everything under the current
    key with the restored one, and fails whole when one item cannot be decrypted (15320, 15393 for a
    linked login) unless FORCE, which loses that item (15584, 15593);
  * what the key protects: database master keys (CREATE MASTER KEY, 15578 when one exists; encrypted
    by the SMK, sys.databases.is_master_key_encrypted_by_server), asymmetric keys (RSA) and symmetric
    keys (AES) under them, OPEN / CLOSE SYMMETRIC KEY (15581 when the database master key does not
    open through the SMK, 15151 unknown key, 15313 wrong decryptor, 15315 key not open); credentials
    (CREATE CREDENTIAL, sys.credentials) and linked logins with a password (sp_addlinkedserver,
    sp_addlinkedsrvlogin, sys.linked_logins). A database's keys travel in its backups, so a database
    restored after the SMK changed keeps keys that do not open until that SMK is restored.
The T-SQL it implements is in the modules sqllab/language.py imports; any other statement is
answered Msg 50000 "The lab's SQL Server does not implement this statement: ...", never guessed at.
Lab-only procedures (schema drkit_lab, sqllab/labprocs.py) let tests change and fingerprint a
database's pages and arm faults: drop the connection at N percent of a backup, restore or
verify, slow each progress step, or refuse the next N logins (18456, whatever the password);
replace the service master key without re-encrypting anything (a rebuilt instance), or make one item
it protects undecryptable; and read or empty the request log of every batch and RPC call received
(EXEC drkit_lab.requests / clear_requests; values as sent, secrets included).

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * Windows or Kerberos logins, MARS, TDS 8.0 (strict encryption), Always Encrypted, bulk load,
    cursors, transactions (every statement autocommits; the transaction manager request a driver
    sends when autocommit is off is answered Msg 50000), multiple statements in one batch;
  * several backup sets in one file (NOINIT to an existing file is refused), differential and log
    backups, striped or mirrored media, backup encryption, real compression;
  * the full SQL language: only the statements of the language modules exist;
  * encryption itself: keys are random bytes and what a key protects records which service master key
    it is under; ENCRYPTBYKEY / DECRYPTBYKEY, certificates, OPEN MASTER KEY and ALTER ... KEY do not
    exist. SQL Server's number for a wrong RESTORE SERVICE MASTER KEY password is not documented;
    15466 is the lab's choice.
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
                "--key", context.tls.server_key, "--state", context.data_dir]
        env = {"DRKIT_LAB_SQL_LOGINS": json.dumps({"sa": run.secrets["sa_password"]}), "PYTHONPATH": LAB_DIR}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        return accepts_tcp(run.ports["tds"])

    def inventory_vars(self, context, run):
        return {"drkit_lab_sql": {"login_host": HOST, "login_port": run.ports["tds"], "login_user": "sa",
                                  "login_password": run.secrets["sa_password"], "odbc_driver": "FreeTDS", "ca_bundle": context.tls.ca_cert}}
