"""Put Page From URL: read the source range from the copy source, write it with Put Page.

Checked first, as Azure documents: x-ms-range (or Range) and x-ms-source-range are both
required, single "bytes=start-end" ranges of equal length; the destination range must cover
whole 512-byte pages and neither may exceed 4 MiB (413); Content-Length must be 0 and
x-ms-page-write "update". The source is read as Azure reads it: with the SAS in its URL or
the bearer token in x-ms-copy-source-authorization, else anonymously; its failures come back
as CannotVerifyCopySource with the source's status. The destination is written with the
caller's own credential (see authorize.py), so Azurite's lease, condition and sequence-number
checks apply to it as to any Put Page.
"""
import base64
import hashlib
from urllib.parse import urlsplit

from storageproxy import authorize, errors, ranges

# Destination headers that go with the write: leases, conditions, encryption, tracing.
DESTINATION_HEADERS = ("x-ms-version", "x-ms-lease-id", "If-Modified-Since", "If-Unmodified-Since", "If-Match",
                       "If-None-Match", "x-ms-if-tags", "x-ms-if-sequence-number-le", "x-ms-if-sequence-number-lt",
                       "x-ms-if-sequence-number-eq", "x-ms-encryption-key", "x-ms-encryption-key-sha256",
                       "x-ms-encryption-algorithm", "x-ms-encryption-scope", "x-ms-client-request-id")
# Source conditions, as the conditional headers of the read.
SOURCE_CONDITIONS = {"x-ms-source-if-match": "If-Match", "x-ms-source-if-none-match": "If-None-Match",
                     "x-ms-source-if-modified-since": "If-Modified-Since",
                     "x-ms-source-if-unmodified-since": "If-Unmodified-Since"}
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def put_page_from_url(session, request, lab_ports, count_source_bytes):
    """Azurite's Put Page answer (an upstream Reply) for the page range read from the source.

    A SharedKey caller's signature has been checked already (server.py)."""
    destination, source = _checked_ranges(request)
    data = _read_source(session, request, source, lab_ports)
    count_source_bytes(len(data))
    _check_source_md5(request, data)
    headers = {name: request.header(name) for name in DESTINATION_HEADERS if request.header(name)}
    headers.update({"x-ms-range": "bytes=%d-%d" % destination, "x-ms-page-write": "update",
                    "Content-Type": "application/octet-stream"})
    if authorize.uses_shared_key(request):
        return session.call("PUT", request.path, [("comp", "page")], headers, data, account=request.account)
    headers.update(authorize.caller_headers(request))
    return session.call("PUT", request.path, [("comp", "page")], headers, data,
                        raw_query=authorize.sas_parameters(request.raw_query))


def _checked_ranges(request):
    destination_name = "x-ms-range" if request.header("x-ms-range") else "Range"
    destination = _required_range(request, destination_name, "x-ms-range")
    source = _required_range(request, "x-ms-source-range", "x-ms-source-range")
    if request.body.length not in (None, 0) or request.body.chunked:
        raise errors.invalid_header("Content-Length", request.header("Content-Length") or "chunked")
    page_write = request.header("x-ms-page-write")
    if not page_write:
        raise errors.missing_header("x-ms-page-write")
    if page_write.lower() != "update":
        raise errors.invalid_header("x-ms-page-write", page_write)
    if not ranges.aligned(*destination):
        raise errors.invalid_header(destination_name, request.header(destination_name))
    length = destination[1] - destination[0] + 1
    if max(length, source[1] - source[0] + 1) > errors.MAX_PAGE_WRITE:
        raise errors.body_too_large()
    if source[1] - source[0] + 1 != length:
        raise errors.invalid_header("x-ms-source-range", request.header("x-ms-source-range"))
    if request.header("x-ms-source-content-md5") and request.header("x-ms-source-content-crc64"):
        raise errors.StorageError(400, "BothCrc64AndMd5HeaderPresent",
                                  "Both x-ms-source-content-crc64 header and x-ms-source-content-md5 header are present.")
    return destination, source


def _required_range(request, name, reported_name):
    value = request.header(name)
    if not value:
        raise errors.missing_header(reported_name)
    try:
        start, end = ranges.parse_header(value)
    except ValueError:
        raise errors.invalid_header(name, value) from None
    if end is None:  # both ends are required
        raise errors.invalid_header(name, value)
    return start, end


def _read_source(session, request, source, lab_ports):
    url = request.header("x-ms-copy-source")
    if not url:
        raise errors.missing_header("x-ms-copy-source")
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in LOCAL_HOSTS or parts.port not in lab_ports:
        # The lab reaches no other storage; Azure would try and fail to read it.
        raise errors.cannot_verify_copy_source(400, "The copy source is not a blob of this lab: %s" % url)
    query = [part for part in parts.query.split("&") if part.partition("=")[0] in ("snapshot", "versionid")]
    headers = {"x-ms-range": "bytes=%d-%d" % source}
    if request.header("x-ms-version"):
        headers["x-ms-version"] = request.header("x-ms-version")
    if request.header("x-ms-copy-source-authorization"):
        headers["Authorization"] = request.header("x-ms-copy-source-authorization")
    for name, condition in SOURCE_CONDITIONS.items():
        if request.header(name):
            headers[condition] = request.header(name)
    reply = session.call("GET", parts.path, (), headers, raw_query=query + authorize.sas_parameters(parts.query))
    if reply.status not in (200, 206):
        raise errors.cannot_verify_copy_source(reply.status, reply.message(), reply.error_code())
    if len(reply.body) != source[1] - source[0] + 1:
        # Azurite returns what there is of a range that runs past the source's end; Azure refuses it.
        raise errors.cannot_verify_copy_source(416, "The range specified is invalid for the current size of the resource.",
                                               "InvalidRange")
    return reply.body


def _check_source_md5(request, data):
    specified = request.header("x-ms-source-content-md5")
    if specified:
        calculated = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        if calculated != specified:
            raise errors.md5_mismatch(specified, calculated)
