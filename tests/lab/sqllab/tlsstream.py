"""TLS as TDS 7.x does it (MS-TDS 3.3.5.1): the handshake travels inside PRELOGIN packets, then
TLS records flow on the bare socket, carrying whole TDS packets.

``PlainStream`` and ``TlsStream`` offer the same ``recv``/``sendall`` so the session reads and
writes packets the same way whether the connection is encrypted or not.
"""
import ssl

from sqllab.packets import PRELOGIN, ConnectionClosed, packets, read_packet

READ_SIZE = 64 * 1024


class PlainStream:
    def __init__(self, sock):
        self.sock = sock

    def recv(self, count):
        return self.sock.recv(count)

    def sendall(self, data):
        self.sock.sendall(data)


class TlsStream:
    """A server-side TLS session over *sock*, handshaken through PRELOGIN packets."""

    def __init__(self, sock, context):
        self.sock = sock
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)

    def handshake(self):
        plain = PlainStream(self.sock)
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush_in_prelogin()
                self.incoming.write(read_packet(plain)[2])
        self._flush_in_prelogin()

    def recv(self, count):
        while True:
            try:
                return self.tls.read(count)
            except ssl.SSLWantReadError:
                data = self.sock.recv(READ_SIZE)
                if not data:
                    raise ConnectionClosed("connection closed inside a TLS record") from None
                self.incoming.write(data)
            except ssl.SSLZeroReturnError:
                return b""

    def sendall(self, data):
        self.tls.write(data)
        self.sock.sendall(self.outgoing.read())

    def _flush_in_prelogin(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(packets(PRELOGIN, data))
