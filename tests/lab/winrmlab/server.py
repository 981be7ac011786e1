"""The HTTPS endpoint ``https://127.0.0.1:<port>/wsman`` of one Windows host, and several hosts served
from one process.

One thread per connection (labframe.https), HTTP/1.1 keep-alive; what a request went through,
in order: its body read, its operation named from its a:Action (for the request log), the
client authenticated (401 otherwise), injected faults, the size and media type checks, then the
Windows Remote Shell operation. NTLM authenticates the connection: later requests on it need no
Authorization header, a new connection starts over.
"""
import base64
import binascii
import http.client
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

from labframe.https import TlsThreadingServer
from winrmlab import auth, errors, soap
from winrmlab.shells import ShellTable

WSMAN_PATH = "/wsman"
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
# Bodies beyond this are not even read: the connection is closed after the 413.
MAX_DRAINED_BODY = 16 * 1024 * 1024
OPERATIONS = {soap.CREATE: "create_shell", soap.COMMAND: "command", soap.SEND: "send", soap.RECEIVE: "receive", soap.SIGNAL: "signal",
              soap.DELETE: "delete_shell"}
# What WinRM offers a client without credentials; requests joins the two headers into one.
CHALLENGES = (("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", 'Basic realm="WSMAN"'))


class WinRMServer(TlsThreadingServer):
    """WinRM of the Windows computer *host_name* for *users* ({account: password}); *executor*
    runs the commands, *faults* (labframe.faults.Faults) are matched per operation, *request_log*
    (labframe.requestlog.RequestLog or alike) gets an entry per request."""

    def __init__(self, port, cert, key, host_name, users, executor, faults, request_log, address="127.0.0.1"):
        accounts = auth.Accounts(users)
        super().__init__(port, cert, key, Handler, address)
        self.host_name, self.accounts = host_name, accounts
        self.channel_bindings = auth.channel_bindings(cert)
        self.shells = ShellTable(host_name, executor)
        self.faults, self.request_log = faults, request_log


def serve_hosts(hosts, cert, key, users, executor, faults, request_log):
    """Serve each of *hosts* ({host_name: port on 127.0.0.1, or (address, port)}) in daemon threads; returns {host_name: WinRMServer}."""
    servers = {}
    try:
        for host_name, endpoint in hosts.items():
            address, port = endpoint if isinstance(endpoint, tuple) else ("127.0.0.1", endpoint)
            servers[host_name] = WinRMServer(port, cert, key, host_name, users, executor, faults, request_log, address)
    except BaseException:
        shutdown_hosts(servers)
        raise
    for host_name, server in servers.items():
        threading.Thread(target=server.serve_forever, name="winrm-%s" % host_name, daemon=True).start()
    return servers


def shutdown_hosts(servers):
    """Stop and close the servers serve_hosts returned."""
    for server in servers.values():
        server.shutdown()
        server.server_close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # WinRM listens through HTTP.sys, which names itself so.
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 600

    def setup(self):
        super().setup()
        # HTTP.sys keeps an NTLM authentication for the connection it was made on.
        self.connection_identity = None
        self.ntlm = None

    def answer_request(self):
        self.entry = {"operation": "unknown", "account": None, "auth_scheme": None, "status": None, "bytes_in": 0, "bytes_out": 0}
        self.recorded = False
        try:
            body = self._read_body()
            if body is None:
                return
            if self.path.split("?", 1)[0] != WSMAN_PATH:
                self._respond(404, _error_page(404), content_type="text/html")
            elif self.command != "POST":
                self._respond(405, _error_page(405), [("Allow", "POST")], "text/html")
            else:
                self._post(body)
        finally:
            if not self.recorded:
                self._record()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = answer_request

    def _read_body(self):
        """The request's body; None once a 400 or 413 has been answered for it."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_DRAINED_BODY:
            self.close_connection = True
            self._respond(400 if length < 0 else 413)
            return None
        body = self.rfile.read(length)
        self.entry["bytes_in"] = len(body)
        return body

    def _post(self, body):
        request, malformed = None, None
        if body:
            try:
                request = soap.parse(body)
                self.entry["operation"] = OPERATIONS.get(request.action, "unknown")
            except errors.WsmanFault as failure:
                malformed = failure
        identity = self._authenticate()
        if identity is None:
            return
        self.entry.update(account=identity.account, auth_scheme=identity.scheme)
        try:
            injected = self.server.faults.trigger(self.entry["operation"])
            if injected and injected["mode"] == "delay":
                # A slow host: the request is served as usual once the delay has passed, answered or not.
                time.sleep(injected["seconds"])
                injected = None
            if injected:
                self._inject(injected)
            elif len(body) > soap.MAX_ENVELOPE_SIZE:
                # WinRM refuses a request over MaxEnvelopeSizekb with a bare 413.
                self._respond(413)
            elif not body:
                # An authenticated empty POST: how pywinrm and pypsrp set up a security context.
                self._respond(200)
            elif not self.headers.get("Content-Type", "").lower().startswith("application/soap+xml"):
                raise errors.unsupported_media(self.headers.get("Content-Type", ""))
            elif malformed:
                raise malformed
            else:
                self._respond(200, soap.answer(request, self._operate(request, identity)))
        except errors.WsmanFault as failure:
            self._respond(failure.status, soap.fault(failure, self.server.host_name, request.message_id if request else ""), failure.headers)

    def _authenticate(self):
        """The Identity the request (or its connection) proved; None once a 401 has been answered."""
        scheme, _separator, token = (self.headers.get("Authorization") or "").strip().partition(" ")
        if not scheme and self.connection_identity:
            return self.connection_identity
        if scheme.lower() == "basic":
            return self.server.accounts.check_basic(token.strip()) or self._refuse()
        if scheme.lower() in ("negotiate", "ntlm"):
            return self._ntlm_step(scheme, token.strip())
        # No credentials, or Kerberos, CredSSP or a client certificate, which the lab does not model.
        return self._refuse()

    def _ntlm_step(self, scheme, token):
        try:
            message = base64.b64decode(token, validate=True)
        except binascii.Error:
            return self._refuse()
        kind = auth.ntlm_message_type(message)
        if kind == auth.NTLM_NEGOTIATE:
            # A new handshake replaces what the connection proved before.
            self.connection_identity = None
            self.ntlm = auth.NtlmHandshake(self.server.channel_bindings)
            challenge = self.ntlm.challenge(message)
            if challenge is None:
                self.ntlm = None
                return self._refuse()
            # Answered under the scheme the client used, as HTTP.sys does.
            self._respond(401, headers=[("WWW-Authenticate", "%s %s" % (scheme, base64.b64encode(challenge).decode()))])
            return None
        if kind == auth.NTLM_AUTHENTICATE and self.ntlm is not None:
            handshake, self.ntlm = self.ntlm, None
            self.connection_identity = handshake.authenticate(message, self.server.accounts)
            return self.connection_identity or self._refuse()
        return self._refuse()

    def _refuse(self):
        self._respond(401, headers=CHALLENGES)

    def _inject(self, fault):
        if fault["mode"] == "drop":
            self.close_connection = True
            self.entry["status"] = "dropped"
            self._record()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault["status"] == 500:
            raise errors.injected(fault["code"], fault["message"], fault["retry_after"])
        # Other statuses come from HTTP.sys, before WinRM sees the request (503 while the service is unavailable).
        headers = [("Retry-After", str(fault["retry_after"]))] if fault["retry_after"] is not None else []
        self._respond(fault["status"], _error_page(fault["status"], fault["message"]), headers, "text/html")

    def _operate(self, request, identity):
        """The s:Body of the answer to *request*, a Windows Remote Shell operation."""
        if request.resource_uri != soap.CMD_SHELL_URI:
            raise errors.resource_not_found() if request.resource_uri else errors.invalid_resource_uri()
        operation = OPERATIONS.get(request.action)
        if operation is None:
            raise errors.action_not_supported()
        if operation != "create_shell":
            if not request.shell_id:
                raise errors.shell_id_required()
            self.entry["shell_id"] = request.shell_id
        return getattr(self, "_wsman_" + operation)(request, identity)

    def _wsman_create_shell(self, request, identity):
        shell_id = self.server.shells.create(identity.account, soap.shell_environment(request))
        self.entry.update(shell_id=shell_id, codepage=request.options.get("WINRS_CODEPAGE"), noprofile=request.options.get("WINRS_NOPROFILE"))
        return soap.shell_created(request, shell_id, identity.account, self.client_address[0])

    def _wsman_command(self, request, identity):
        command, arguments = soap.command_line(request)
        skip_cmd_shell = request.options.get("WINRS_SKIP_CMD_SHELL", "").upper() == "TRUE"
        self.entry.update(skip_cmd_shell=skip_cmd_shell, console_mode_stdin=request.options.get("WINRS_CONSOLEMODE_STDIN"))
        command_id = self.server.shells.start(identity, request.shell_id, command, arguments, skip_cmd_shell)
        self.entry["command_id"] = command_id
        return soap.command_started(command_id)

    def _wsman_send(self, request, identity):
        command_id, data, end = soap.sent_stream(request)
        self.entry.update(command_id=command_id, stdin_bytes=len(data), end=end)
        self.server.shells.send(identity.account, request.shell_id, command_id, data, end)
        return soap.input_accepted()

    def _wsman_receive(self, request, identity):
        command_id = soap.received_command_id(request)
        self.entry["command_id"] = command_id
        output = self.server.shells.receive(identity.account, request.shell_id, command_id, request.operation_timeout,
                                            soap.output_capacity(request, command_id))
        return soap.output(command_id, output.streams, output.exit_code)

    def _wsman_signal(self, request, identity):
        command_id, code = soap.signal(request)
        self.entry.update(command_id=command_id, signal=code.rsplit("/", 1)[-1])
        if code not in (soap.SIGNAL_TERMINATE, soap.SIGNAL_CTRL_C):
            raise errors.invalid_parameter()
        self.server.shells.forget(identity.account, request.shell_id, command_id)
        return soap.signalled()

    def _wsman_delete_shell(self, request, identity):
        self.server.shells.delete(identity.account, request.shell_id)
        return ""

    def _respond(self, status, body=b"", headers=(), content_type=SOAP_CONTENT_TYPE):
        self.send_response_only(status)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        if body:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.entry.update(status=status, bytes_out=len(body))
        self._record()
        self.wfile.write(body)

    def _record(self):
        # Before the answer leaves: a client that has its answer finds the request in the log.
        entry = dict(self.entry)
        self.server.request_log.record(entry.pop("operation"), host=self.server.host_name, **entry)
        self.log_message('"%s %s" %s %s %s', self.command, self.path, self.entry["status"], self.entry["operation"], self.entry["account"])
        self.recorded = True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write("%s %s %s\n" % (self.log_date_time_string(), self.server.host_name, format % args))


def _error_page(status, message=None):
    """The HTML page HTTP.sys answers an error with when WinRM's SOAP layer never sees the request."""
    phrase = http.client.responses.get(status, "Error")
    return ("<HTML><HEAD><TITLE>%s</TITLE></HEAD><BODY><h2>%s</h2><hr><p>HTTP Error %d. %s</p></BODY></HTML>"
            % (phrase, phrase, status, escape(message or phrase + "."))).encode("ascii", "xmlcharrefreplace")
