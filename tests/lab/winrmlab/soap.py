"""WS-Management SOAP envelopes of the Windows Remote Shell: reading requests, writing answers
and faults with the namespaces and prefixes WinRM uses (``s:``, ``a:``, ``w:``, ``rsp:``)."""
import base64
import binascii
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from winrmlab import errors

SOAP = "http://www.w3.org/2003/05/soap-envelope"
ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
NAMESPACES = {"s": SOAP, "a": ADDRESSING, "x": TRANSFER, "w": WSMAN, "rsp": SHELL}

CMD_SHELL_URI = SHELL + "/cmd"
CREATE = TRANSFER + "/Create"
DELETE = TRANSFER + "/Delete"
COMMAND = SHELL + "/Command"
SEND = SHELL + "/Send"
RECEIVE = SHELL + "/Receive"
SIGNAL = SHELL + "/Signal"
SIGNAL_TERMINATE = SHELL + "/signal/terminate"
SIGNAL_CTRL_C = SHELL + "/signal/ctrl_c"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ANONYMOUS = ADDRESSING + "/role/anonymous"

# WinRM's MaxEnvelopeSizekb (500 since Windows Server 2012) bounds both what it accepts and what
# it answers; MaxTimeoutms (60000) bounds OperationTimeout. A MaxEnvelopeSize under 8192 is refused.
MAX_ENVELOPE_SIZE = 500 * 1024
MIN_ENVELOPE_SIZE = 8192
MAX_OPERATION_TIMEOUT = 60.0
DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?")


@dataclass(frozen=True)
class Request:
    """What the headers of a WS-Management request say, and its body element."""

    action: str
    resource_uri: str
    message_id: str
    to: str
    shell_id: str
    options: dict
    operation_timeout: float
    max_envelope_size: int
    body: ET.Element


def parse(data):
    """The request in *data*; WsmanFault for XML that is not a SOAP envelope or headers WinRM refuses."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise errors.invalid_xml() from error
    header, body = root.find("s:Header", NAMESPACES), root.find("s:Body", NAMESPACES)
    if root.tag != "{%s}Envelope" % SOAP or header is None or body is None:
        raise errors.invalid_xml()
    options = {option.get("Name"): (option.text or "").strip() for option in header.findall("w:OptionSet/w:Option", NAMESPACES)}
    shell_id = next(((selector.text or "").strip() for selector in header.findall("w:SelectorSet/w:Selector", NAMESPACES)
                     if selector.get("Name") == "ShellId"), "")
    return Request(action=_text(header, "a:Action"), resource_uri=_text(header, "w:ResourceURI"), message_id=_text(header, "a:MessageID"),
                   to=_text(header, "a:To"), shell_id=shell_id, options=options,
                   operation_timeout=_operation_timeout(_text(header, "w:OperationTimeout")),
                   max_envelope_size=_max_envelope_size(_text(header, "w:MaxEnvelopeSize")), body=body)


def _text(parent, path):
    element = parent.find(path, NAMESPACES)
    return (element.text or "").strip() if element is not None else ""


def _operation_timeout(text):
    if not text:
        return MAX_OPERATION_TIMEOUT
    match = DURATION.fullmatch(text)
    if not match or text == "PT":
        raise errors.invalid_timeout(text)
    hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return min(hours * 3600 + minutes * 60 + seconds, MAX_OPERATION_TIMEOUT)


def _max_envelope_size(text):
    if not text:
        return MAX_ENVELOPE_SIZE
    if not text.isdigit() or int(text) < MIN_ENVELOPE_SIZE:
        raise errors.envelope_size_too_small()
    return min(int(text), MAX_ENVELOPE_SIZE)


def shell_environment(request):
    """The rsp:Environment variables of a Create request's rsp:Shell."""
    return {variable.get("Name"): variable.text or "" for variable in request.body.findall("rsp:Shell/rsp:Environment/rsp:Variable", NAMESPACES)}


def command_line(request):
    """(command, arguments) of a Command request: rsp:Command and each rsp:Arguments element's text."""
    command = request.body.find("rsp:CommandLine/rsp:Command", NAMESPACES)
    if command is None or not (command.text or "").strip():
        raise errors.invalid_parameter()
    return command.text.strip(), tuple(argument.text or "" for argument in request.body.findall("rsp:CommandLine/rsp:Arguments", NAMESPACES))


def sent_stream(request):
    """(command id, data, end) of a Send request's stdin rsp:Stream."""
    stream = request.body.find("rsp:Send/rsp:Stream", NAMESPACES)
    if stream is None or stream.get("Name") != "stdin" or not stream.get("CommandId"):
        raise errors.invalid_parameter()
    try:
        data = base64.b64decode((stream.text or "").strip(), validate=True)
    except binascii.Error as error:
        raise errors.invalid_parameter() from error
    return stream.get("CommandId"), data, stream.get("End", "false").lower() == "true"


def received_command_id(request):
    """The CommandId of a Receive request's rsp:DesiredStream."""
    stream = request.body.find("rsp:Receive/rsp:DesiredStream", NAMESPACES)
    if stream is None or not stream.get("CommandId"):
        raise errors.invalid_parameter()
    return stream.get("CommandId")


def signal(request):
    """(command id, signal code URI) of a Signal request."""
    element = request.body.find("rsp:Signal", NAMESPACES)
    if element is None or not element.get("CommandId"):
        raise errors.invalid_parameter()
    return element.get("CommandId"), _text(element, "rsp:Code")


def answer(request, body):
    """The response envelope (bytes) to *request* with *body* (XML text) in s:Body."""
    return _envelope(request.action + "Response", request.message_id, body)


def fault(failure, machine, message_id):
    """The envelope of WsmanFault *failure*, raised by *machine* for the request *message_id* ("" if unknown)."""
    text = escape(failure.message + " ")  # Windows' messages end with the space FormatMessage leaves.
    body = ('<s:Fault><s:Code><s:Value>%s</s:Value><s:Subcode><s:Value>%s</s:Value></s:Subcode></s:Code>'
            '<s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f=%s Code=%s Machine=%s>'
            '<f:Message>%s</f:Message></f:WSManFault></s:Detail></s:Fault>'
            % (failure.code, failure.subcode, text, quoteattr(WSMAN_FAULT), quoteattr(str(failure.wsman_code)), quoteattr(machine), text))
    return _envelope(FAULT_ACTION, message_id, body)


def _envelope(action, relates_to, body):
    relation = "<a:RelatesTo>%s</a:RelatesTo>" % escape(relates_to) if relates_to else ""
    namespaces = " ".join("xmlns:%s=%s" % (prefix, quoteattr(uri)) for prefix, uri in NAMESPACES.items())
    return ('<s:Envelope xml:lang="en-US" %s><s:Header><a:Action>%s</a:Action><a:MessageID>uuid:%s</a:MessageID><a:To>%s</a:To>%s'
            '</s:Header><s:Body>%s</s:Body></s:Envelope>'
            % (namespaces, escape(action), str(uuid.uuid4()).upper(), ANONYMOUS, relation, body)).encode("utf-8")


def shell_created(request, shell_id, owner, client_ip):
    """Create's answer: the shell's endpoint reference (its ShellId selector) and the rsp:Shell WinRM adds."""
    return ('<x:ResourceCreated><a:Address>%s</a:Address><a:ReferenceParameters><w:ResourceURI>%s</w:ResourceURI><w:SelectorSet>'
            '<w:Selector Name="ShellId">%s</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>'
            '<rsp:Shell><rsp:ShellId>%s</rsp:ShellId><rsp:ResourceUri>%s</rsp:ResourceUri><rsp:Owner>%s</rsp:Owner>'
            '<rsp:ClientIP>%s</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin</rsp:InputStreams>'
            '<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>'
            % (escape(request.to or ANONYMOUS), CMD_SHELL_URI, shell_id, shell_id, CMD_SHELL_URI, escape(owner), escape(client_ip)))


def command_started(command_id):
    return "<rsp:CommandResponse><rsp:CommandId>%s</rsp:CommandId></rsp:CommandResponse>" % command_id


def input_accepted():
    return "<rsp:SendResponse/>"


def signalled():
    return "<rsp:SignalResponse/>"


def output(command_id, streams, exit_code):
    """Receive's answer: *streams* are (name, data, ended) — the data in base64 and, when the stream
    has ended, an empty stream element with End="true" as WinRM sends; then the command state,
    Done with its exit code when *exit_code* is not None."""
    elements = []
    for name, data, ended in streams:
        if data:
            elements.append('<rsp:Stream Name="%s" CommandId="%s">%s</rsp:Stream>' % (name, command_id, base64.b64encode(data).decode()))
        if ended:
            elements.append('<rsp:Stream Name="%s" CommandId="%s" End="true"></rsp:Stream>' % (name, command_id))
    if exit_code is None:
        state = '<rsp:CommandState CommandId="%s" State="%s/CommandState/Running"/>' % (command_id, SHELL)
    else:
        state = '<rsp:CommandState CommandId="%s" State="%s/CommandState/Done"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>' % (
            command_id, SHELL, exit_code)
    return "<rsp:ReceiveResponse>%s%s</rsp:ReceiveResponse>" % ("".join(elements), state)


def output_capacity(request, command_id):
    """How many bytes of stdout and stderr together one Receive answer can carry within the
    request's MaxEnvelopeSize: the envelope with both streams, their ends and the longest exit
    code, measured, and base64's 4 characters per 3 bytes for the rest."""
    # One byte of each stream costs 4 base64 characters, as much as the padding of a chunk's last
    # group may add: the envelope measured with one byte each is the overhead to leave room for.
    overhead = len(answer(request, output(command_id, (("stdout", b"x", True), ("stderr", b"x", True)), -2 ** 31)))
    return (request.max_envelope_size - overhead) // 4 * 3
