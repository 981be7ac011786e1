"""Get Page Ranges Diff, computed by comparing the two versions page by page.

Pages valid in the target only are changed (PageRange), pages valid in the previous snapshot
only are cleared (ClearRange), and pages valid in both are changed only where their bytes
differ: both are read from Azurite in chunks of up to 4 MiB and compared per 512-byte page.
Adjacent ranges of one kind are merged. The blob's ETag pins the computation: if the target
changes while it runs (412 on a read), it starts over.
"""
import base64
import binascii
from urllib.parse import parse_qs, unquote, urlsplit

from storageproxy import authorize, errors, pagelist, ranges
from storageproxy.messages import service_headers

CHUNK = 4 * 1024 * 1024
ATTEMPTS = 3
# Read with the caller's request; the conditions apply to the target blob.
PASSED_HEADERS = ("x-ms-version", "x-ms-lease-id", "If-Modified-Since", "If-Unmodified-Since", "If-Match", "If-None-Match",
                  "x-ms-if-tags", "x-ms-client-request-id")


def get_page_ranges_diff(session, request):
    """(status, headers, body) of the diff the caller asked for; a SharedKey caller's signature has
    been checked already (server.py)."""
    previous = _previous(request)
    window = _window(request)
    resume = _marker(request)
    limit = _maxresults(request)
    for _attempt in range(ATTEMPTS):
        try:
            return _compute(session, request, previous, window, resume, limit)
        except _TargetChanged:
            continue
    # Written to all the time: Azure would have answered from one consistent state.
    raise errors.server_busy()


class _TargetChanged(Exception):
    pass


def _compute(session, request, previous, window, resume, limit):
    version = request.header("x-ms-version")
    target = _list_target(session, request)
    etag, length = target.headers["ETag"], int(target.headers["x-ms-blob-content-length"])
    target_ranges = ranges.merge(pagelist.parse(target.body)[0])
    previous_path, previous_snapshot, previous_account = previous
    # Checked once Azurite has let the caller read the target (its listing succeeded).
    if request.param("snapshot") and previous_snapshot > request.param("snapshot"):
        raise errors.previous_snapshot_newer()
    listed = session.call("GET", previous_path, [("comp", "pagelist"), ("snapshot", previous_snapshot)],
                          {"x-ms-version": version} if version else {}, account=previous_account)
    if listed.status == 404:
        raise errors.previous_snapshot_not_found()
    if listed.status != 200:
        raise errors.Relayed(listed)
    previous_ranges = ranges.merge(pagelist.parse(listed.body)[0])

    low, high = window
    low = max(low, resume)
    high = length if high is None else min(high, length)
    now, before = ranges.clip(target_ranges, low, high), ranges.clip(previous_ranges, low, high)
    changed = ranges.subtract(now, before)
    cleared = ranges.subtract(before, now)
    target_read = _reader(session, request.path, request.param("snapshot"), request.account, version, etag)
    previous_read = _reader(session, previous_path, previous_snapshot, previous_account, version, None)
    for start, stop in ranges.chunks(ranges.intersect(now, before), CHUNK):
        changed += ranges.differing_pages(target_read(start, stop), previous_read(start, stop), start)

    items = sorted([(start, stop, "PageRange") for start, stop in ranges.merge(changed)]
                   + [(start, stop, "ClearRange") for start, stop in ranges.merge(cleared)])
    next_marker = None
    if limit is not None and len(items) > limit:
        next_marker = _encode_marker(items[limit][0])
        items = items[:limit]
    properties = session.call("HEAD", request.path, _snapshot_query(request.param("snapshot")),
                              {"x-ms-version": version, "If-Match": etag} if version else {"If-Match": etag},
                              account=request.account)
    if properties.status == 412:
        raise _TargetChanged()
    if properties.status != 200:
        raise errors.Relayed(properties)
    headers = service_headers(request, version=target.headers.get("x-ms-version"))
    headers.update({"Content-Type": "application/xml", "ETag": etag, "Last-Modified": properties.headers["Last-Modified"],
                    "x-ms-blob-content-length": str(length)})
    return 200, headers, pagelist.render(items, next_marker)


def _list_target(session, request):
    """Get Page Ranges of the target, authorized as the caller (see authorize.py).

    Its x-ms-range goes along, so Azurite answers a range beyond the blob as it would (416)."""
    headers = {name: request.header(name) for name in PASSED_HEADERS if request.header(name)}
    for name in ("x-ms-range", "Range"):
        if request.header(name):
            headers[name] = request.header(name)
    query = [("comp", "pagelist")] + _snapshot_query(request.param("snapshot"))
    if authorize.uses_shared_key(request):
        reply = session.call("GET", request.path, query, headers, account=request.account)
    else:
        headers.update(authorize.caller_headers(request))
        reply = session.call("GET", request.path, query, headers, raw_query=authorize.sas_parameters(request.raw_query))
    if reply.status != 200:
        raise errors.Relayed(reply)
    return reply


def _reader(session, path, snapshot, account, version, etag):
    def read(start, stop):
        headers = {"x-ms-range": "bytes=%d-%d" % (start, stop - 1)}
        if version:
            headers["x-ms-version"] = version
        if etag:
            headers["If-Match"] = etag
        reply = session.call("GET", path, _snapshot_query(snapshot), headers, account=account)
        if reply.status == 412:
            raise _TargetChanged()
        if reply.status not in (200, 206) or len(reply.body) != stop - start:
            raise errors.Relayed(reply) if reply.status >= 400 else errors.internal_error("short read of %s" % path)
        return reply.body
    return read


def _snapshot_query(snapshot):
    return [("snapshot", snapshot)] if snapshot else []


def _previous(request):
    """(path, snapshot, account) of the version to compare with: prevsnapshot, or x-ms-previous-snapshot-url."""
    snapshot = request.param("prevsnapshot")
    if snapshot:
        return request.path, snapshot, request.account
    url = urlsplit(request.header("x-ms-previous-snapshot-url"))
    snapshot = (parse_qs(url.query).get("snapshot") or [None])[0]
    account = unquote(url.path.lstrip("/").split("/", 1)[0])
    if not snapshot:
        raise errors.invalid_header("x-ms-previous-snapshot-url", request.header("x-ms-previous-snapshot-url"))
    return url.path, snapshot, account


def _window(request):
    """(low, high exclusive or None) of the caller's x-ms-range (or Range), widened to whole pages."""
    name = "x-ms-range" if request.header("x-ms-range") else "Range"
    value = request.header(name)
    if not value:
        return 0, None
    try:
        start, end = ranges.parse_header(value)
    except ValueError:
        raise errors.invalid_header(name, value) from None
    low = start - start % ranges.PAGE
    high = None if end is None else -(-(end + 1) // ranges.PAGE) * ranges.PAGE
    return low, high


def _maxresults(request):
    value = request.param("maxresults")
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise errors.invalid_query("maxresults", value)
    return int(value)


def _encode_marker(offset):
    # Opaque to the caller, as Azure's markers are; it holds where the next page of results starts.
    return base64.urlsafe_b64encode(b"drkit-lab-pagelist:%d" % offset).decode()


def _marker(request):
    value = request.param("marker")
    if not value:
        return 0
    try:
        prefix, offset = base64.urlsafe_b64decode(value.encode()).decode().split(":", 1)
        if prefix != "drkit-lab-pagelist":
            raise ValueError(value)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise errors.invalid_query("marker", value) from None
