"""One client connection: PRELOGIN (and TLS), LOGIN7, then batches and RPC calls until the client leaves; each batch and
call is recorded in the server's request log (requestlog.py) as it arrives, before it runs."""
import itertools
import re
import socket
import struct
import sys

from sqllab import errors, faults, language, login7, prelogin, results, rpc, tokens
from sqllab.packets import (ATTENTION, DEFAULT_PACKET_SIZE, LOGIN7, PRELOGIN, RPC, SQL_BATCH, TABULAR_RESULT, TRANSACTION_MANAGER,
                            ConnectionClosed, packets, read_message)
from sqllab.tlsstream import PlainStream, TlsStream

MAX_PACKET_SIZE = 32767


class Session:
    def __init__(self, sock, server, spid):
        self.sock, self.server, self.spid = sock, server, spid
        self.stream = PlainStream(sock)
        self.packet_size = DEFAULT_PACKET_SIZE
        self.user, self.database, self.language = None, None, "us_english"
        self.application = None  # the client's application name (LOGIN7), which the request log records
        self.options = {}
        self.prepared = {}  # handle -> (statement text, parameter declaration)
        self.handles = itertools.count(1)
        self.open_keys = set()  # (database, symmetric key) opened in this session

    def run(self):
        try:
            if not self._login():
                return
            while True:
                kind, payload = read_message(self.stream)
                if kind == SQL_BATCH:
                    text = _batch_text(payload)
                    self.server.requests.batch(self, text)
                    self._batch(text)
                elif kind == ATTENTION:
                    self._send(tokens.done(tokens.DONE_ATTN))
                elif kind == RPC:
                    self._rpc(payload)
                elif kind == TRANSACTION_MANAGER:
                    # Drivers send this when autocommit is off; the collection always autocommits.
                    self._send(_error_tokens(errors.not_implemented("transactions (a TDS transaction manager request); connect with "
                                                                    "autocommit")) + tokens.done(tokens.DONE_ERROR))
                else:
                    return  # a message the protocol does not allow here: SQL Server drops the connection
        except ConnectionClosed:
            return

    def _login(self):
        kind, payload = read_message(self.stream)
        if kind != PRELOGIN:
            return False
        answer, agreed = prelogin.answer(prelogin.parse(payload))
        self.stream.sendall(packets(TABULAR_RESULT, answer, spid=self.spid))
        if agreed != prelogin.ENCRYPT_NOT_SUP:
            tls = TlsStream(self.sock, self.server.tls_context)
            tls.handshake()
            self.stream = tls
        kind, payload = read_message(self.stream)
        if agreed == prelogin.ENCRYPT_OFF:
            self.stream = PlainStream(self.sock)  # only the login travelled encrypted
        if kind != LOGIN7:
            return False
        login = login7.parse(payload)
        self.packet_size = min(max(login.packet_size or DEFAULT_PACKET_SIZE, 512), MAX_PACKET_SIZE)
        if (login.integrated_security or self.server.logins.get(login.user_name) != login.password
                or self.server.faults.login_refused()):
            self._send(_error_tokens(errors.login_failed(login.user_name)) + tokens.done(tokens.DONE_ERROR))
            return False
        entry = self.server.state.database(login.database or "master")
        if entry is None or (entry["user_access"] == "SINGLE_USER" and self.server.sessions_in(entry["name"], besides=self)):
            database = login.database or "master"
            failure = _error_tokens(errors.cannot_open_database(database)) + _error_tokens(errors.login_failed(login.user_name))
            self._send(failure + tokens.done(tokens.DONE_ERROR))
            return False
        database = entry["name"]
        self.user, self.database, self.application = login.user_name, database, login.app_name
        self._send(tokens.envchange_text(tokens.ENV_DATABASE, database, "master")
                   + tokens.message(5701, "Changed database context to '%s'." % database, 0, 2)
                   + tokens.envchange_collation()
                   + tokens.envchange_text(tokens.ENV_LANGUAGE, self.language)
                   + tokens.message(5703, "Changed language setting to %s." % self.language, 0, 1)
                   + tokens.loginack()
                   + tokens.envchange_text(tokens.ENV_PACKET_SIZE, str(self.packet_size), str(DEFAULT_PACKET_SIZE))
                   + tokens.done())
        return True

    def _batch(self, text):
        reply, error = self._execute(text, {})
        if error:
            self._send(_error_tokens(error) + tokens.done(tokens.DONE_ERROR))
        else:
            self._send(_reply_tokens(reply, tokens.DONE) + tokens.done(row_count=reply.row_count))

    def _rpc(self, payload):
        """sp_prepexec, sp_prepare, sp_execute, sp_executesql, sp_unprepare as ODBC drivers send them."""
        try:
            call = rpc.parse(payload)
            text, values, handle = self._prepared_call(call)
        except (ValueError, IndexError, KeyError) as problem:
            error = errors.SqlError(8016, "The incoming tabular data stream (TDS) remote procedure call (RPC) protocol stream is "
                                          "incorrect. %s" % problem, severity=16)
            self._send(_error_tokens(error) + tokens.done(tokens.DONE_ERROR, token=tokens.DONEPROC))
            return
        out = b""
        status = tokens.DONE_FINAL
        if text is not None:
            reply, error = self._execute(text, values)
            if error:
                out, status = _error_tokens(error), tokens.DONE_ERROR
            else:
                out = _reply_tokens(reply, tokens.DONEINPROC)
        out += tokens.return_status(0 if status == tokens.DONE_FINAL else 1)
        if handle is not None:
            out += tokens.return_value_int(0, "@handle", handle)
        self._send(out + tokens.done(status, token=tokens.DONEPROC))

    def _prepared_call(self, call):
        """(statement text or None, {parameter name: value}, handle to return or None) of an RPC call, recorded in the
        server's request log first."""
        text, declaration, given = rpc.statement(call, self.prepared)
        self.server.requests.rpc(self, call.procedure, text, declaration, given)
        if call.procedure in ("sp_prepexec", "sp_prepare"):
            handle = next(self.handles)
            self.prepared[handle] = (text, declaration)
            if call.procedure == "sp_prepare":
                return None, {}, handle
            return text, _bind(declaration, given), handle
        if call.procedure in ("sp_execute", "sp_executesql"):
            return text, _bind(declaration, given), None
        if call.procedure == "sp_unprepare":
            self.prepared.pop(call.params[0].value, None)
            return None, {}, None
        raise KeyError("the lab answers no RPC to %s" % call.procedure)

    def _execute(self, text, values):
        """(Reply, None) or (None, SqlError) of one statement."""
        try:
            return language.execute(self, text, values), None
        except errors.SqlError as error:
            return None, error
        except faults.ConnectionDropped:
            self.sock.shutdown(socket.SHUT_RDWR)
            raise ConnectionClosed("fault: connection dropped") from None
        except Exception as defect:  # pylint: disable=broad-except
            # A lab defect must not look like SQL Server's answer: say so, keep the connection.
            sys.stderr.write("lab defect on %r: %r\n" % (text[:200], defect))
            return None, errors.SqlError(50000, "The lab's SQL Server failed: %r" % defect, severity=16)

    def _send(self, payload):
        self.stream.sendall(packets(TABULAR_RESULT, payload, self.packet_size, self.spid))


def _reply_tokens(reply, done_token):
    out = b"".join(tokens.message(number, text, severity, state) for number, text, severity, state in reply.messages)
    for columns, rows in reply.result_sets:
        out += results.colmetadata(columns) + results.rows(columns, rows) + \
            tokens.done(tokens.DONE_MORE, row_count=len(rows), token=done_token)
    return out


def _bind(declaration, params):
    """{"@P1": value, ...}: values given by position, named by the declaration ("@P1 NVARCHAR(6),@P2 INT")."""
    names = re.findall(r"(@\w+)\s", (declaration or "") + " ")
    if len(names) < len(params):
        raise ValueError("%d parameter values for the declaration %r" % (len(params), declaration))
    return {param.name or name: param.value for name, param in zip(names, params)}


def _error_tokens(error):
    """The messages the statement printed before failing, the error, and the errors after it."""
    return b"".join(tokens.message(*message) for message in list(error.printed) + error.messages())


def _batch_text(payload):
    """The SQL text of a SQL_BATCH message, after its ALL_HEADERS (TDS 7.2 and later)."""
    (total,) = struct.unpack_from("<I", payload, 0)
    return payload[total:].decode("utf-16-le")
