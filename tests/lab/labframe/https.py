"""What the lab's Python HTTPS services share: a threading TLS server, its run loop, and the
readiness probe labctl uses on them."""
import argparse
import json
import ssl
import sys
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer


class TlsThreadingServer(ThreadingHTTPServer):
    """One thread per client connection; the TLS handshake happens in that thread, so a slow
    client never holds up accepting others."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, port, cert, key, handler, address="127.0.0.1"):
        super().__init__((address, port), handler)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)

    def get_request(self):
        connection, address = self.socket.accept()
        return self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):
        # A client that went away mid-answer is routine (dropped faults, cancelled downloads).
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def server_arguments(program, doc):
    """An argument parser with what every lab TLS server takes: --port, --cert, --key; the caller adds the rest."""
    parser = argparse.ArgumentParser(prog=program, description=doc.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on, on 127.0.0.1")
    parser.add_argument("--cert", required=True, help="server certificate (PEM)")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    return parser


def serve(server, banner):
    """Print *banner*, then serve until SIGTERM or Ctrl-C; returns the process's exit status."""
    print(banner, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def answers_json(url, ca_cert):
    """Whether *url* answers a JSON document over HTTPS trusted through *ca_cert*."""
    tls = ssl.create_default_context(cafile=ca_cert)
    try:
        with urllib.request.urlopen(url, context=tls, timeout=5) as answer:
            json.load(answer)
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return True
