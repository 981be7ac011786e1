"""WS-Management faults as the WinRM service sends them: HTTP 500 with a SOAP 1.2 ``s:Fault``
whose ``s:Detail`` holds an ``f:WSManFault`` with the Windows error number (``Code``) and text.

Where each code and text comes from:
  * verified against faults Windows sent, quoted in public issue trackers: 2150858843 shell not
    found, 2150858793 w:TimedOut (with s:Receiver), 2150859173 too many shells, 2150858767
    invalid OperationTimeout, w:InvalidParameter "The parameter is incorrect." (with s:Sender);
    where the quote did not show the SOAP code and subcode, they are those DSP0226 gives the error;
  * codes and texts from Windows' wsmerror.h (the subcode is the one DSP0226 gives the error):
    2150858752 resource not found, 2150858771 action not supported, 2150858811 invalid resource
    URI, 2150858819 invalid XML, 2150858878 envelope size too small, 2150858755 plugin failure,
    2150858869 unsupported media, 2150858772 endpoint unavailable;
  * the lab's choice where Windows' answer was not found: the fault for an unknown CommandId, for
    stdin sent after its end, the selector code of a missing ShellId, and the wrapping of the
    CreateProcess error 206.
"""

SENDER = "s:Sender"
RECEIVER = "s:Receiver"


class WsmanFault(Exception):
    """A fault answer: SOAP code and subcode, the WSManFault ``Code`` and message, HTTP status and extra headers."""

    def __init__(self, code, subcode, wsman_code, message, status=500, headers=()):
        super().__init__("%s %s %s: %s" % (code, subcode, wsman_code, message))
        self.code, self.subcode, self.wsman_code, self.message = code, subcode, wsman_code, message
        self.status, self.headers = status, tuple(headers)


def shell_not_found(shell_id):
    return WsmanFault(SENDER, "w:InvalidSelectors", 2150858843,
                      "The request for the Windows Remote Shell with ShellId %s failed because the shell was not found on the server. "
                      "Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. "
                      "Provide the correct ShellId or create a new shell and retry the operation." % shell_id)


def shell_id_required():
    # The text is Windows'; its code (ERROR_WSMAN_INSUFFCIENT_SELECTORS) is the lab's guess.
    return WsmanFault(SENDER, "w:InvalidSelectors", 2150858842,
                      "The Windows Remote Shell cannot process the request because it requires the following selector: ShellId.")


def command_not_found(command_id):
    # The lab's choice: Windows' answer to an unknown CommandId was not found documented.
    return WsmanFault(SENDER, "w:InvalidParameter", 87,
                      "The Windows Remote Shell received a request to perform an operation on a command identifier (%s) that does "
                      "not exist. Either the command has completed execution or the client specified an invalid command "
                      "identifier. Check the command identifier and try again." % command_id)


def stdin_closed(command_id):
    # The lab's choice: stdin of a Windows process cannot be reopened once its end was sent.
    return WsmanFault(SENDER, "w:InvalidParameter", 87,
                      "The parameter is incorrect. The stdin stream of command %s was already closed (End=\"true\")." % command_id)


def invalid_parameter():
    return WsmanFault(SENDER, "w:InvalidParameter", 87, "The parameter is incorrect.")


def operation_timed_out():
    return WsmanFault(RECEIVER, "w:TimedOut", 2150858793,
                      "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.")


def max_shells_exceeded(limit):
    return WsmanFault(SENDER, "w:QuotaLimit", 2150859173,
                      "The WS-Management service cannot process the request. This user is allowed a maximum number of %d "
                      "concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user." % limit)


def action_not_supported():
    return WsmanFault(SENDER, "a:ActionNotSupported", 2150858771,
                      "The WS-Management service does not support the action specified in the request.")


def resource_not_found():
    return WsmanFault(SENDER, "a:DestinationUnreachable", 2150858752,
                      "The WS-Management service cannot process the request. The service cannot find the resource identified by "
                      "the resource URI and selectors.")


def invalid_resource_uri():
    return WsmanFault(SENDER, "w:InvalidResourceURI", 2150858811,
                      "The WS-Management service cannot process the request. The resource URI is missing or it has an incorrect "
                      "format. Check the documentation or use the following command for information on how to construct a "
                      "resource URI: \"winrm help uris\".")


def invalid_xml():
    return WsmanFault(SENDER, "w:SchemaValidationError", 2150858819,
                      "The WS-Management service cannot process the request because the XML is invalid.")


def invalid_timeout(value):
    return WsmanFault(SENDER, "a:InvalidMessageInformationHeader", 2150858767,
                      "The WS-Management service cannot process the request. The XML contains an invalid timeout field in the "
                      "SOAP header: %s." % value)


def envelope_size_too_small():
    return WsmanFault(SENDER, "w:EncodingLimit", 2150858878,
                      "The WS-Management service cannot process the request because the envelope size in the request is too small.")


def provider_failure(detail):
    return WsmanFault(RECEIVER, "w:InternalError", 2150858755, "An error was encountered inside the plugin. (lab executor: %s)" % detail)


def command_line_too_long_for_create_process():
    # CreateProcess fails with ERROR_FILENAME_EXCED_RANGE (206); the HRESULT wrapping is how WinRM
    # reports Win32 errors of the process it starts, the exact fault shape is the lab's reconstruction.
    return WsmanFault(RECEIVER, "w:InternalError", 0x80070000 | 206, "The filename or extension is too long.")


def unsupported_media(content_type):
    return WsmanFault(SENDER, "w:UnsupportedFeature", 2150858869,
                      "The WS-Management service does not support the specified media type. The lab does not model WinRM "
                      "message encryption (Content-Type %s); use HTTPS without message_encryption=\"always\"." % content_type,
                      status=415)


def injected(code, message, retry_after):
    """An injected 500: by default the fault of a WinRM whose shell host is momentarily unavailable."""
    headers = [("Retry-After", str(retry_after))] if retry_after is not None else []
    # A WSManFault Code is a number; a code that is not one shows as the client failing to parse it.
    return WsmanFault(RECEIVER, "a:EndpointUnavailable", code if code is not None else 2150858772,
                      message or "The WS-Management service cannot process the request because the resource is offline. Retry "
                      "the request later when the resource is online.", headers=headers)
