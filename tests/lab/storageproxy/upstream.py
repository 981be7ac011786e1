"""Requests to Azurite: one kept-alive HTTPS connection per client connection.

A session belongs to one client connection (one handler thread), so its requests never
interleave. Azurite drops keep-alive connections after 5 s idle; a session reconnects after
a shorter idle time rather than race that close, and retries once a request it holds whole
in memory (the proxy's own, never a streamed pass-through) if the connection was dropped.
"""
import email.utils
import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote

from storageproxy import sharedkey

HOST = "127.0.0.1"
IDLE_LIMIT = 2.0  # seconds; below Azurite's 5 s keep-alive timeout
TIMEOUT = 300  # seconds for a connect or a read; a 4 MiB Put Page on a slow disk stays well within
# The version the proxy's own requests use when the caller's gives none.
DEFAULT_VERSION = "2021-08-06"
DROPPED = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionResetError, BrokenPipeError)


class UpstreamFailed(Exception):
    """Azurite could not be reached, or dropped the connection before answering."""


@dataclass
class Reply:
    status: int
    headers: object  # http.client.HTTPMessage
    body: bytes

    def error_code(self):
        return self.headers.get("x-ms-error-code")

    def message(self):
        """The first line of Azure's error message, if the body is an error XML."""
        text = self.body.decode("utf-8", "replace")
        start, end = text.find("<Message>"), text.find("</Message>")
        return text[start + len("<Message>"):end].split("\n", maxsplit=1)[0] if start >= 0 < end else text[:200]


class Upstream:
    """Where Azurite listens, how to trust it, and the account keys the proxy signs with."""

    def __init__(self, port, ca_file, keys):
        self.port = port
        self.keys = keys
        self.tls = ssl.create_default_context(cafile=ca_file)

    def session(self):
        return Session(self)


class Session:
    def __init__(self, upstream):
        self.upstream = upstream
        self._connection = None
        self._last_used = 0.0

    def connection(self):
        """A connection ready for a request: the kept-alive one unless it idled too long."""
        if self._connection is None or time.monotonic() - self._last_used > IDLE_LIMIT:
            self.close()
            self._connection = http.client.HTTPSConnection(HOST, self.upstream.port, timeout=TIMEOUT,
                                                           context=self.upstream.tls)
        return self._connection

    def has_connection(self):
        """Whether the next request would reuse a kept-alive connection."""
        return self._connection is not None and time.monotonic() - self._last_used <= IDLE_LIMIT

    def finished(self):
        """The last response was read whole: the connection may be reused."""
        self._last_used = time.monotonic()

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def call(self, method, path, query=(), headers=None, body=b"", account=None, raw_query=()):
        """Send a request held in memory and read the whole answer (a :class:`Reply`).

        *query* [(name, value)] is encoded here; *raw_query* ["name=value"] parts are sent as
        given (a caller's SAS). With *account*, the request is signed with that account's key."""
        headers = dict(headers or {})
        headers.setdefault("x-ms-version", DEFAULT_VERSION)
        headers["x-ms-date"] = email.utils.formatdate(usegmt=True)
        if body or method in ("PUT", "POST"):
            headers["Content-Length"] = str(len(body))
        parts = ["%s=%s" % (name, quote(value, safe="")) for name, value in query] + list(raw_query)
        target = path + ("?" + "&".join(parts) if parts else "")
        if account:
            headers["Authorization"] = sharedkey.authorization(account, self.upstream.keys[account], method, path,
                                                               list(query), headers.items())
        for attempt in (1, 2):
            connection = self.connection()
            try:
                connection.request(method, target, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except DROPPED as error:
                self.close()
                if attempt == 2:
                    raise UpstreamFailed(str(error)) from error
                continue
            except (http.client.HTTPException, OSError) as error:
                self.close()
                raise UpstreamFailed(str(error)) from error
            response.close()
            self.finished()
            return Reply(response.status, response.headers, data)
        raise AssertionError("unreachable")
