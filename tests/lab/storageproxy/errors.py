"""Azure's errors as the proxy answers them: status, code, message and detail elements.

The body is Azure's error XML (the message followed by RequestId and Time lines), the code is
repeated in ``x-ms-error-code``; the SDK reads either. Codes and messages are Azure's
documented ones (Blob service and common REST error codes), or as observed from Azure where
the documentation gives only a status.
"""
import datetime
from xml.sax.saxutils import escape

MAX_PAGE_WRITE = 4 * 1024 * 1024  # Put Page and Put Page From URL: "the page range can be up to 4 MiB"


class StorageError(Exception):
    """An error answer; ``headers`` are extra response headers (e.g. the copy source's status)."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__("%d %s: %s" % (status, code, message))
        self.status, self.code, self.message = status, code, message
        self.details = details or {}
        self.headers = headers or {}

    def body(self, request_id):
        now = datetime.datetime.now(datetime.timezone.utc)
        # Azure's Time line has seven fractional digits.
        text = "%s\nRequestId:%s\nTime:%s" % (self.message, request_id, now.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"))
        details = "".join("<%s>%s</%s>" % (name, escape(str(value)), name) for name, value in self.details.items())
        return ('<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>%s</Message>%s</Error>'
                % (self.code, escape(text), details)).encode()


class Relayed(Exception):
    """Azurite's own answer (an error, usually), to be passed to the client as it is."""

    def __init__(self, reply):
        super().__init__("upstream answered %d" % reply.status)
        self.reply = reply


def missing_header(name):
    return StorageError(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.",
                        {"HeaderName": name})


def invalid_header(name, value):
    # As Azure answers a misaligned Put Page range (observed: 400 InvalidHeaderValue naming the header).
    return StorageError(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                        {"HeaderName": name, "HeaderValue": value})


def invalid_query(name, value, reason=None):
    details = {"QueryParameterName": name, "QueryParameterValue": value}
    if reason:
        details["Reason"] = reason
    return StorageError(400, "InvalidQueryParameterValue",
                        "Value for one of the query parameters specified in the request URI is invalid.", details)


def snapshot_write(snapshot):
    # Azure's answer to a write addressed to a snapshot (observed wording of the Reason).
    return invalid_query("snapshot", snapshot, "This operation is only allowed on the root blob. Snapshot should not be provided.")


def body_too_large():
    # Put Page (From URL) docs: "larger than 4 MiB ... returns status code 413"; the common code for 413.
    return StorageError(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.",
                        {"MaxLimit": MAX_PAGE_WRITE})


def authentication_failed(detail):
    return StorageError(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of "
                        "Authorization header is formed correctly including the signature.",
                        {"AuthenticationErrorDetail": detail})


def previous_snapshot_not_found():
    return StorageError(409, "PreviousSnapshotNotFound", "The previous snapshot is not found.")


def previous_snapshot_newer():
    return StorageError(400, "PreviousSnapshotCannotBeNewer",
                        "The prevsnapshot query parameter value cannot be newer than snapshot query parameter value.")


def md5_mismatch(specified, calculated):
    return StorageError(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value "
                        "calculated by the server.", {"UserSpecifiedMd5": specified, "ServerCalculatedMd5": calculated})


def cannot_verify_copy_source(status, message, source_code=None):
    # Azure relays the copy source's status; since 2023-01-03 also its code in these headers.
    headers = {"x-ms-copy-source-status-code": str(status)}
    if source_code:
        headers["x-ms-copy-source-error-code"] = source_code
    return StorageError(status, "CannotVerifyCopySource", message, headers=headers)


def internal_error(reason):
    return StorageError(500, "InternalError", "The server encountered an internal error. Please retry the request.",
                        {"Reason": reason})


def server_busy():
    return StorageError(503, "ServerBusy", "The server is busy.")


# What a fault of mode "status" answers, by status, unless the fault names its own code and message.
FAULT_ERRORS = {
    500: ("InternalError", "The server encountered an internal error. Please retry the request."),
    503: ("ServerBusy", "The server is busy."),
}


def injected(status, code=None, message=None):
    default_code, default_message = FAULT_ERRORS.get(status, ("InjectedFault", "The lab injected this error."))
    return StorageError(status, code or default_code, message or default_message)
