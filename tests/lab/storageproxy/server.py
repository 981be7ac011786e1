"""The HTTPS server: each request is an admin call, a fault, a refusal, an operation the proxy
implements itself, or a pass-through to Azurite, in that order of precedence.

One thread per client connection (labframe.https). HTTP/1.1 keep-alive both ways.
"""
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler

from labframe.https import TlsThreadingServer
from labframe.requestlog import REDACTED
from storageproxy import admin, authorize, errors, operations, rules
from storageproxy.diff import get_page_ranges_diff
from storageproxy.forward import forward
from storageproxy.messages import Request, send, send_error, send_reply
from storageproxy.page_from_url import put_page_from_url
from storageproxy.upstream import UpstreamFailed


# Operations the proxy implements itself rather than forwards.
IMPLEMENTED = ("get_page_ranges_diff", "put_page_from_url")
# Query parameters whose value is a secret (a SAS's signature): the request log keeps their name only.
SECRET_QUERY = frozenset(("sig",))
# A refused request's body is read (and dropped) up to this size; a longer one ends the connection.
DRAIN_LIMIT = 64 * 1024 * 1024


class ProxyServer(TlsThreadingServer):
    def __init__(self, port, cert, key, upstream, counters, faults, request_log):
        super().__init__(port, cert, key, Handler)
        self.upstream, self.counters, self.faults, self.request_log = upstream, counters, faults, request_log
        # Copy sources may name the proxy or Azurite itself: both are this lab.
        self.lab_ports = (port, upstream.port)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "drkit-lab-storage-proxy"
    timeout = 600  # an idle client connection is closed after this many seconds

    def setup(self):
        super().setup()
        self.session = self.server.upstream.session()

    def finish(self):
        try:
            super().finish()
        finally:
            self.session.close()

    def do_request(self):
        self.status_sent = None
        request = Request.parse(self)
        operation = "admin"
        try:
            if admin.is_admin(request):
                admin.handle(self, request, self.server.counters, self.server.faults, self.server.request_log)
                return
            operation = operations.classify(request)
            self.server.counters.request(operation)
            self._record(request, operation)
            fault = self.server.faults.trigger(operation)
            if fault and fault["mode"] == "delay":
                # A slow answer: served as usual once the delay has passed.
                time.sleep(fault["seconds"])
            elif fault:
                self._fault(request, fault)
                return
            self._serve(request, operation)
        except errors.StorageError as error:
            self._refuse(request, error)
        except errors.Relayed as relayed:
            send_reply(self, relayed.reply)
        except UpstreamFailed as failure:
            self._refuse(request, errors.internal_error("the lab's Azurite did not answer: %s" % failure))
        finally:
            if not request.body.empty and not request.body.complete:
                self.close_connection = True  # the rest of the body would be taken for the next request
            self.log_message('"%s %s" %s %s', request.method, request.path, self.status_sent or "-", operation)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_request

    def _record(self, request, operation):
        """What arrived: the path as the client encoded it, the query (decoded, a signature's value left out) and the
        metadata headers (decoded as http.server decodes header bytes, ISO-8859-1)."""
        query = [[name, REDACTED if name in SECRET_QUERY else value] for name, value in request.query]
        metadata = dict((name.lower(), value) for name, value in request.headers.items() if name.lower().startswith("x-ms-meta-"))
        self.server.request_log.record(operation, method=request.method, path=request.path, query=query, metadata=metadata)

    def _serve(self, request, operation):
        refusal = rules.refusal(request, operation)
        if refusal:
            raise refusal
        counters = self.server.counters
        if operation in IMPLEMENTED and authorize.uses_shared_key(request):
            # Azurite never sees the caller's signature on these: it is checked here.
            authorize.check_shared_key(request, self.server.upstream.keys)
        if operation == "get_page_ranges_diff":
            status, headers, body = get_page_ranges_diff(self.session, request)
            send(self, status, headers, body)
        elif operation == "put_page_from_url":
            reply = put_page_from_url(self.session, request, self.server.lab_ports,
                                      lambda count: counters.moved("put_page_from_url", count))
            send_reply(self, reply)
        else:
            forward(self, request, self.session,
                    count_request_bytes=(lambda count: counters.moved("put_page", count)) if operation == "put_page" else None,
                    count_response_bytes=(lambda count: counters.moved("get_blob", count)) if operation == "get_blob" else None)

    def _refuse(self, request, error):
        if self.status_sent:  # too late for an answer: the client sees the connection end
            self.close_connection = True
            return
        if not request.body.started and (request.body.length or 0) <= DRAIN_LIMIT:
            request.body.drain()  # so the client, still sending, reads the answer rather than a reset
        send_error(self, request, error)

    def _fault(self, request, fault):
        if fault["mode"] == "drop":
            # No answer, no TLS close_notify: to the client the connection just ends.
            self.close_connection = True
            self.status_sent = "dropped"
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        error = errors.injected(fault["status"], fault["code"], fault["message"])
        if fault["retry_after"] is not None:
            error.headers["Retry-After"] = str(fault["retry_after"])
        self._refuse(request, error)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), format % args))
