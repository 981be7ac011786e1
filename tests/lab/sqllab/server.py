"""The TCP server: one thread per connection, each a Session; the instance's state, faults, the sessions open now (for
exclusive access and ROLLBACK IMMEDIATE) and the request log of every batch and RPC call received (requestlog.py)."""
import itertools
import socket
import socketserver
import ssl
import threading

from sqllab import keys
from sqllab.faults import SqlFaults
from sqllab.requestlog import RequestLog
from sqllab.session import Session
from sqllab.state import SqlState

FIRST_SPID = 51  # SQL Server numbers user sessions from 51


class SqlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, cert, key, logins, state_dir):
        super().__init__(("127.0.0.1", port), Handler)
        self.state = SqlState(state_dir)
        # SQL Server makes its service master key at first start, so no read of the instance is the one that writes it.
        keys.service_master_key(self.state)
        self.faults = SqlFaults()
        self.requests = RequestLog()
        self.sessions = set()
        self.sessions_lock = threading.Lock()
        self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls_context.load_cert_chain(cert, key)
        # TDS 7.x negotiates TLS inside PRELOGIN packets, where SQL Server speaks TLS 1.2 at most
        # (TLS 1.3 needs TDS 8.0, encrypt=strict); FreeTDS's TLS 1.3 handshake never completes there.
        self.tls_context.maximum_version = ssl.TLSVersion.TLSv1_2
        self.logins = logins
        self.spids = itertools.count(FIRST_SPID)

    def sessions_in(self, database, besides=None):
        """The sessions other than *besides* whose current database is *database*."""
        with self.sessions_lock:
            return [s for s in self.sessions if s is not besides and s.database and s.database.lower() == database.lower()]

    def end_sessions_in(self, database, besides):
        """Disconnect the other sessions using *database* (ROLLBACK IMMEDIATE); returns how many."""
        ended = self.sessions_in(database, besides)
        for other in ended:
            try:
                other.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            other.database = None
        return len(ended)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        session = Session(self.request, self.server, next(self.server.spids))
        with self.server.sessions_lock:
            self.server.sessions.add(session)
        try:
            session.run()
        finally:
            with self.server.sessions_lock:
                self.server.sessions.discard(session)
