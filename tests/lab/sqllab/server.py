"""The TCP server: one thread per connection, each a Session."""
import itertools
import socketserver
import ssl

from sqllab.session import Session

FIRST_SPID = 51  # SQL Server numbers user sessions from 51


class SqlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, cert, key, logins):
        super().__init__(("127.0.0.1", port), Handler)
        self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls_context.load_cert_chain(cert, key)
        # TDS 7.x negotiates TLS inside PRELOGIN packets, where SQL Server speaks TLS 1.2 at most
        # (TLS 1.3 needs TDS 8.0, encrypt=strict); FreeTDS's TLS 1.3 handshake never completes there.
        self.tls_context.maximum_version = ssl.TLSVersion.TLSv1_2
        self.logins = logins
        self.spids = itertools.count(FIRST_SPID)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        Session(self.request, self.server.tls_context, self.server.logins, next(self.server.spids)).run()
