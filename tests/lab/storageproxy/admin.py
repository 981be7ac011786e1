"""The proxy's own endpoints under /__lab (not a storage path: no account is named "__lab").

    GET    /__lab/counters        {"requests": {operation: n}, "bytes": {kind: n}}
    POST   /__lab/counters/reset  zero them; answers what they were
    GET    /__lab/faults          the armed faults, with how many requests each has seen and failed
    POST   /__lab/faults          arm one (JSON body, see faults.py); answers it with its id
    DELETE /__lab/faults          disarm all; answers what they were
    GET    /__lab/requests        the storage requests received, oldest first: operation, method, path as the
                                  client encoded it, query (a SAS signature's value left out), x-ms-meta-* headers
    DELETE /__lab/requests        forget them; answers what they were
No authentication: the proxy listens on 127.0.0.1 only, for the lab's tests and benchmarks.
"""
import json

from storageproxy.messages import send

PREFIX = "/__lab"
MAX_BODY = 64 * 1024


def is_admin(request):
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def handle(handler, request, counters, faults, request_log):
    route = (request.method, request.path[len(PREFIX):].rstrip("/"))
    if (request.body.length or 0) > MAX_BODY:
        return _answer(handler, 413, {"error": "body over %d bytes" % MAX_BODY})
    body = request.body.read()
    if route == ("GET", "/counters"):
        return _answer(handler, 200, counters.snapshot())
    if route == ("POST", "/counters/reset"):
        return _answer(handler, 200, counters.reset())
    if route == ("GET", "/requests"):
        return _answer(handler, 200, request_log.entries())
    if route == ("DELETE", "/requests"):
        return _answer(handler, 200, request_log.clear())
    if route == ("GET", "/faults"):
        return _answer(handler, 200, faults.list())
    if route == ("DELETE", "/faults"):
        return _answer(handler, 200, faults.clear())
    if route == ("POST", "/faults"):
        try:
            spec = json.loads(body or b"{}")
            if not isinstance(spec, dict):
                raise ValueError("a fault is a JSON object")
            return _answer(handler, 201, faults.add(spec))
        except ValueError as error:
            return _answer(handler, 400, {"error": str(error)})
    return _answer(handler, 404, {"error": "no such lab endpoint: %s %s" % (request.method, request.path)})


def _answer(handler, status, document):
    send(handler, status, {"Content-Type": "application/json"}, (json.dumps(document, sort_keys=True) + "\n").encode())
