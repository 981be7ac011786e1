"""Secrets of the instance that the service master key encrypts: credentials and the passwords of linked logins."""
import datetime

from sqllab import errors, keys
from sqllab.state import now_text
from sqllab.statements import statement
from sqllab.syntax import NAME, OPERAND, procedure_arguments, unquote_name


@statement(r"CREATE\s+CREDENTIAL\s+(?P<name>%s)\s+WITH\s+IDENTITY\s*=\s*(?P<identity>%s)\s*,\s*SECRET\s*=\s*(?P<secret>%s)"
           % (NAME, OPERAND, OPERAND))
def create_credential(session, _reply, values, name, identity, secret):
    state = session.server.state
    credential, _secret = unquote_name(name), values(secret)  # the secret is kept only as "encrypted under the SMK"
    with state.lock:
        credentials = state.catalog.setdefault("credentials", {})
        if credential in credentials:
            raise errors.SqlError(15025, "The server principal '%s' already exists." % credential)
        stamp = now_text()
        credentials[credential] = {"identity": str(values(identity)), "smk": keys.current_fingerprint(state), "create_date": stamp,
                                   "modify_date": stamp}
        state.save()


@statement(r"SELECT\s+name,\s*credential_identity,\s*create_date,\s*modify_date\s+FROM\s+sys\.credentials\s+ORDER\s+BY\s+name")
def select_credentials(session, reply, _values):
    credentials = session.server.state.catalog.get("credentials", {})
    reply.result_set([("name", "nvarchar"), ("credential_identity", "nvarchar"), ("create_date", "datetime2"), ("modify_date", "datetime2")],
                     [(name, c["identity"], _datetime(c["create_date"]), _datetime(c["modify_date"])) for name, c in sorted(credentials.items())])


@statement(r"EXEC(?:UTE)?\s+(?:master\.dbo\.)?sp_addlinkedserver\s+(?P<arguments>@server\s*=.+)")
def sp_addlinkedserver(session, _reply, values, arguments):
    server = str(procedure_arguments(arguments, values, ("server", "srvproduct"), "sp_addlinkedserver")["server"])
    state = session.server.state
    with state.lock:
        servers = state.catalog.setdefault("linked_servers", {})
        if server in servers:
            raise errors.SqlError(15028, "The server '%s' already exists." % server)
        servers[server] = {"server_id": len(servers) + 1}
        state.save()


@statement(r"EXEC(?:UTE)?\s+(?:master\.dbo\.)?sp_addlinkedsrvlogin\s+(?P<arguments>@rmtsrvname\s*=.+)")
def sp_addlinkedsrvlogin(session, _reply, values, arguments):
    given = procedure_arguments(arguments, values, ("rmtsrvname", "useself", "locallogin", "rmtuser", "rmtpassword"),
                                "sp_addlinkedsrvlogin")
    server = str(given["rmtsrvname"])
    state = session.server.state
    with state.lock:
        if server not in state.catalog.get("linked_servers", {}):
            raise errors.SqlError(15015, "The server '%s' does not exist. Use sp_helpserver to show available servers." % server)
        if str(given.get("useself", "TRUE")).upper() == "FALSE":
            state.catalog.setdefault("linked_logins", {})[server] = {"remote_name": given.get("rmtuser"),
                                                                     "smk": keys.current_fingerprint(state)}
        else:
            state.catalog.get("linked_logins", {}).pop(server, None)
        state.save()


@statement(r"SELECT\s+s\.name,\s*l\.remote_name\s+FROM\s+sys\.linked_logins\s+AS\s+l\s+JOIN\s+sys\.servers\s+AS\s+s\s+ON\s+"
           r"s\.server_id\s*=\s*l\.server_id\s+WHERE\s+l\.uses_self_credential\s*=\s*0\s+ORDER\s+BY\s+s\.name")
def select_linked_logins(session, reply, _values):
    logins = session.server.state.catalog.get("linked_logins", {})
    reply.result_set([("name", "nvarchar"), ("remote_name", "nvarchar")],
                     [(server, login["remote_name"]) for server, login in sorted(logins.items())])


def _datetime(text):
    return datetime.datetime.fromisoformat(text)
