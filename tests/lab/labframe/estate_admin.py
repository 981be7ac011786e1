"""The own endpoints of a lab service whose state is one JSON estate (jsonstore.py) behind WinRM hosts, on a port of their
own; no authentication, 127.0.0.1 only.

    GET    /__lab/estate            the whole estate, settled first when the service settles it (jobs that ended)
    PUT    /__lab/estate            replace it (tests build the estate they need)
    GET    /__lab/requests          what the WinRM endpoints received, oldest first: HTTP requests and
                                    one entry per script or module run (the service's executor)
    DELETE /__lab/requests          forget them; answers what they were
    GET    /__lab/scripts/<sha256>  the text of a script a host received (executor.script_texts)
    GET    /__lab/faults            the armed faults (labframe/faults.py); operations are winrmlab's
    POST   /__lab/faults            arm one
    DELETE /__lab/faults            disarm all
"""
import json
from http.server import BaseHTTPRequestHandler

from labframe.https import TlsThreadingServer

PREFIX = "/__lab"


class AdminServer(TlsThreadingServer):
    def __init__(self, port, cert, key, store, executor, faults, request_log, settle=None, routes=None):
        """*settle(estate)* brings the estate up to date before it is shown; *routes(method, route, spec)* answers
        (status, document) for the service's own routes, or None."""
        super().__init__(port, cert, key, Handler)
        self.store, self.executor, self.faults, self.request_log = store, executor, faults, request_log
        self.settle, self.routes = settle, routes


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "drkit-lab-admin"

    def do_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = self.path[len(PREFIX):].rstrip("/") if self.path.startswith(PREFIX + "/") else None
        try:
            spec = json.loads(body) if body else None
            status, document = self._route(self.command, route, spec)
        except ValueError as error:
            status, document = 400, {"error": str(error)}
        payload = json.dumps(document).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_request

    def _route(self, method, route, spec):
        server = self.server
        if (method, route) == ("GET", "/estate"):
            if server.settle is not None:
                with server.store.locked() as estate:
                    server.settle(estate)
            return 200, server.store.snapshot()
        if (method, route) == ("PUT", "/estate"):
            if not isinstance(spec, dict):
                raise ValueError("the estate must be a JSON object")
            server.store.replace(spec)
            return 200, server.store.snapshot()
        if (method, route) == ("GET", "/requests"):
            return 200, server.request_log.entries()
        if (method, route) == ("DELETE", "/requests"):
            return 200, server.request_log.clear()
        if method == "GET" and route and route.startswith("/scripts/"):
            text = server.executor.script_texts.get(route[len("/scripts/"):])
            return (200, {"text": text}) if text is not None else (404, {"error": "no script with that SHA-256 was received"})
        if (method, route) == ("GET", "/faults"):
            return 200, server.faults.list()
        if (method, route) == ("POST", "/faults"):
            return 200, server.faults.add(spec or {})
        if (method, route) == ("DELETE", "/faults"):
            return 200, server.faults.clear()
        answer = server.routes(method, route, spec) if server.routes is not None else None
        if answer is not None:
            return answer
        return 404, {"error": "no admin route %s %s" % (method, self.path)}

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass
