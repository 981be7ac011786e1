"""A request as the proxy received it, its body as a stream, and the answers the proxy writes.

The raw request target is kept as received: forwarding sends it unchanged and the SharedKey
check signs the path as the client encoded it. Query values are decoded the way the service
(and the SDK's signer) decodes them: percent-decoding only, no '+' to space.
"""
import email.utils
import uuid
from dataclasses import dataclass
from urllib.parse import unquote

PIECE = 256 * 1024  # bytes read from a socket at a time when streaming
# Connection-level headers (RFC 9110 7.6.1): never forwarded, in either direction.
HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                        "proxy-authorization", "proxy-authenticate", "expect", "host"))


def parse_query(raw_query):
    """[(name, value)] of a raw query string, values percent-decoded."""
    pairs = []
    for part in raw_query.split("&") if raw_query else ():
        name, value = (part.split("=", 1) + [""])[:2]
        pairs.append((name, unquote(value)))
    return pairs


@dataclass
class Request:
    method: str
    target: str  # the request target exactly as received
    path: str  # its path, still percent-encoded
    raw_query: str
    query: list  # [(name, decoded value)]
    headers: object  # http.client.HTTPMessage: case-insensitive
    body: object  # Body

    @classmethod
    def parse(cls, handler):
        path, raw_query = (handler.path.split("?", 1) + [""])[:2]
        return cls(handler.command, handler.path, path, raw_query, parse_query(raw_query), handler.headers,
                   Body(handler.rfile, handler.headers))

    def param(self, name):
        for key, value in self.query:
            if key == name:
                return value
        return None

    def header(self, name):
        return self.headers.get(name)

    @property
    def segments(self):
        """[account, container, blob name] as far as the path has them, decoded."""
        parts = self.path.lstrip("/").split("/", 2)
        return [unquote(part) for part in parts if part]

    @property
    def account(self):
        segments = self.segments
        return segments[0] if segments else ""


class Body:
    """The request body, read at most once: by length, or chunked."""

    def __init__(self, rfile, headers):
        self.rfile = rfile
        self.chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
        length = headers.get("Content-Length")
        self.length = None if self.chunked or length is None else int(length)
        self.started = self.complete = False

    @property
    def empty(self):
        return not self.chunked and not self.length

    def pieces(self):
        """The body in pieces of up to PIECE bytes, as they arrive."""
        self.started = True
        if self.chunked:
            yield from self._chunks()
        else:
            yield from self._counted()
        self.complete = True

    def _counted(self):
        remaining = self.length or 0
        while remaining:
            piece = self.rfile.read(min(PIECE, remaining))
            if not piece:
                raise ConnectionError("client closed the connection mid-body")
            remaining -= len(piece)
            yield piece

    def read(self):
        return b"".join(self.pieces())

    def drain(self):
        for piece in self.pieces():
            del piece

    def _chunks(self):
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return
            remaining = size
            while remaining:
                piece = self.rfile.read(min(PIECE, remaining))
                if not piece:
                    raise ConnectionError("client closed the connection mid-chunk")
                remaining -= len(piece)
                yield piece
            self.rfile.readline()


def service_headers(request, request_id=None, version=None):
    """Headers Azure puts on every answer: request id, version, date, and the client's request id."""
    headers = {"x-ms-request-id": request_id or str(uuid.uuid4()),
               "x-ms-version": version or request.header("x-ms-version") or "",
               "Date": email.utils.formatdate(usegmt=True),
               "Server": "drkit-lab-storage-proxy"}
    client_request_id = request.header("x-ms-client-request-id")
    if client_request_id:
        headers["x-ms-client-request-id"] = client_request_id
    return {name: value for name, value in headers.items() if value}


def send(handler, status, headers, body=b""):
    """Write a complete answer with a Content-Length."""
    handler.send_response_only(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body and handler.command != "HEAD":
        handler.wfile.write(body)
    handler.status_sent = status


def send_error(handler, request, error):
    headers = service_headers(request)
    headers.update({"Content-Type": "application/xml", "x-ms-error-code": error.code})
    headers.update(error.headers)
    send(handler, error.status, headers, error.body(headers["x-ms-request-id"]))


def send_reply(handler, reply):
    """Pass Azurite's answer (already read whole) to the client."""
    headers = {name: value for name, value in reply.headers.items() if name.lower() not in HOP_BY_HOP | {"content-length"}}
    send(handler, reply.status, headers, reply.body)
