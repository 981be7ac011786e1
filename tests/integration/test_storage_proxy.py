"""The lab's storage proxy (tests/lab/services/storage_proxy.py): the Azure behaviours it adds in
front of Azurite, checked with the real SDK on hand-built page layouts, and the pass-through of
everything else. Page offsets below are bytes; KiB/MiB keep the layouts readable."""
import datetime
import email.utils
import http.client
import os
import re
import ssl
import urllib.error
import uuid
import warnings
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.storage.blob import BlobSasPermissions, BlobServiceClient, generate_blob_sas

from lab_admin import admin
from storageproxy import sharedkey
from tokens import LabTokenCredential

KIB, MIB = 1024, 1024 * 1024
PAGE = 512
API_VERSION = "2021-08-06"


@pytest.fixture(scope="module")
def proxy_service(lab):
    """Makes a BlobServiceClient on the proxy's URL of a lab account, with its key unless given a credential."""
    def make(account="primary", credential=None, **options):
        details = lab["drkit_lab_storage"][account]
        credential = credential or AzureNamedKeyCredential(details["account_name"], details["account_key"])
        return BlobServiceClient(details["proxy_url"], credential=credential, connection_verify=lab["drkit_lab_ca_bundle"],
                                 **options)
    return make


@pytest.fixture
def proxy_container(proxy_service):
    """Makes a uniquely named container through the proxy; deleted after the test."""
    created = []

    def make(account="primary"):
        container = proxy_service(account).create_container("proxy-%s" % uuid.uuid4().hex[:12])
        created.append(container)
        return container

    yield make
    for container in created:
        container.delete_container()


@pytest.fixture(scope="module")
def layout(proxy_service):
    """A 10 MiB page blob, snapshot "before", then pages rewritten, changed, cleared and added, snapshot "after".

    Yields .blob (a client on the proxy), .before, .after (the snapshots), and the diff expected between
    them: .changed and .cleared, lists of inclusive (start, end)."""
    container = proxy_service().create_container("layout-%s" % uuid.uuid4().hex[:12])
    blob = container.get_blob_client("disk.vhd")
    blob.create_page_blob(10 * MIB)
    head, middle, tail = os.urandom(8 * KIB), os.urandom(5 * MIB), os.urandom(4 * KIB)
    write(blob, 0, head)
    write(blob, 1 * MIB, middle)  # the diff reads it in 4 MiB chunks: 1-5 MiB, 5-6 MiB
    write(blob, 8 * MIB, tail)
    before = blob.create_snapshot()["snapshot"]

    write(blob, 0, head[:4 * KIB])  # the same bytes again: not a change
    write(blob, 4 * KIB, os.urandom(KIB))  # two adjacent writes: one range
    write(blob, 5 * KIB, os.urandom(KIB))
    blob.clear_page(6 * KIB, 2 * KIB)
    write(blob, 2 * MIB, bytes(PAGE))  # zeros over data: a change
    write(blob, 5 * MIB - PAGE, os.urandom(2 * PAGE))  # one page each side of a chunk boundary
    blob.clear_page(8 * MIB, KIB)
    write(blob, 8 * MIB + KIB, tail[KIB:2 * KIB])  # the same bytes again
    write(blob, 9 * MIB, os.urandom(PAGE))  # where nothing was
    write(blob, 9 * MIB + 4 * KIB, bytes(PAGE))  # zeros where nothing was: now a valid page
    after = blob.create_snapshot()["snapshot"]

    changed = [(4 * KIB, 6 * KIB - 1), (2 * MIB, 2 * MIB + PAGE - 1), (5 * MIB - PAGE, 5 * MIB + PAGE - 1),
               (9 * MIB, 9 * MIB + PAGE - 1), (9 * MIB + 4 * KIB, 9 * MIB + 4 * KIB + PAGE - 1)]
    cleared = [(6 * KIB, 8 * KIB - 1), (8 * MIB, 8 * MIB + KIB - 1)]
    yield SimpleNamespace(blob=blob, before=before, after=after, changed=changed, cleared=cleared)
    container.delete_container()


def test_the_inventory_names_the_proxy_beside_azurite(lab):
    storage = lab["drkit_lab_storage"]
    proxy_port = re.fullmatch(r"https://127\.0\.0\.1:(\d+)/__lab", lab["drkit_lab_storage_proxy_admin"]).group(1)
    for role, account in (("primary", "drkitprimary"), ("secondary", "drkitsecondary")):
        assert sorted(storage[role]) == ["account_key", "account_name", "account_url", "proxy_url"]
        assert storage[role]["proxy_url"] == "https://127.0.0.1:%s/%s" % (proxy_port, account)
        assert urlsplit(storage[role]["account_url"]).port != int(proxy_port)  # account_url stays Azurite itself


def test_the_diff_lists_exactly_the_changed_and_cleared_pages(lab, layout):
    blob, before, after, changed, cleared = layout.blob, layout.before, layout.after, layout.changed, layout.cleared
    # Against the current blob, and against the snapshot taken after the same writes.
    for target in (blob, lab_blob_client(lab, blob, snapshot=after)):
        assert diff(target, before) == (changed, cleared)
        listed = list(target.list_page_ranges(previous_snapshot=before))
        assert [(r.start, r.end) for r in listed if not r.cleared] == changed
        assert [(r.start, r.end) for r in listed if r.cleared] == cleared
    # The managed-disk form names the previous snapshot by URL.
    managed = blob.get_page_range_diff_for_managed_disk(lab_blob_client(lab, blob, snapshot=before).url)
    assert as_pairs(managed) == (changed, cleared)


def test_azurite_alone_gets_this_diff_wrong(lab, layout):
    # Why the proxy exists: Azurite answers every valid page of the target and no cleared page.
    direct = lab_blob_client(lab, layout.blob, "account_url")
    azurite_changed, azurite_cleared = diff(direct, layout.before)
    assert azurite_cleared == [] and azurite_changed != layout.changed


def test_the_diff_pages_with_a_marker_and_honours_a_range(layout):
    blob, before = layout.blob, layout.before
    pages = [list(page) for page in blob.list_page_ranges(previous_snapshot=before, results_per_page=2).by_page()]
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    everything = sorted(layout.changed + layout.cleared)
    assert [(r.start, r.end) for page in pages for r in page] == everything
    # A window over the first 8 KiB: the adjacent writes and the cleared pages after them.
    assert diff(blob, before, offset=0, length=8 * KIB) == ([(4 * KIB, 6 * KIB - 1)], [(6 * KIB, 8 * KIB - 1)])
    # A window that cuts ranges: they are cut at its edges.
    assert diff(blob, before, offset=5 * KIB, length=2 * KIB) == ([(5 * KIB, 6 * KIB - 1)], [(6 * KIB, 7 * KIB - 1)])


def test_a_diff_against_a_snapshot_that_never_was_is_refused(lab, layout):
    blob, before, after = layout.blob, layout.before, layout.after
    with pytest.raises(HttpResponseError) as refused:
        diff(blob, "2001-01-01T00:00:00.0000000Z")
    assert (refused.value.status_code, refused.value.error_code) == (409, "PreviousSnapshotNotFound")
    with pytest.raises(HttpResponseError) as refused:
        diff(lab_blob_client(lab, blob, snapshot=before), after)
    assert (refused.value.status_code, refused.value.error_code) == (400, "PreviousSnapshotCannotBeNewer")


@pytest.mark.parametrize("credential", ["sas", "token"])
def test_the_diff_accepts_the_callers_own_credential(lab, layout, credential):
    blob = layout.blob
    if credential == "sas":
        primary = lab["drkit_lab_storage"]["primary"]
        sas = generate_blob_sas(primary["account_name"], blob.container_name, blob.blob_name,
                                account_key=primary["account_key"], permission=BlobSasPermissions(read=True),
                                expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
        reader = BlobServiceClient(lab["drkit_lab_storage"]["primary"]["proxy_url"], credential=sas,
                                   connection_verify=lab["drkit_lab_ca_bundle"])
    else:
        reader = BlobServiceClient(lab["drkit_lab_storage"]["primary"]["proxy_url"], credential=LabTokenCredential(),
                                   connection_verify=lab["drkit_lab_ca_bundle"])
    assert diff(reader.get_blob_client(blob.container_name, blob.blob_name), layout.before) == (layout.changed, layout.cleared)


def test_the_diff_refuses_a_wrong_key(lab, layout, proxy_service):
    blob = layout.blob
    wrong = AzureNamedKeyCredential("drkitprimary", lab["drkit_lab_storage"]["secondary"]["account_key"])
    client = proxy_service(credential=wrong, retry_total=0).get_blob_client(blob.container_name, blob.blob_name)
    with pytest.raises(HttpResponseError) as refused:
        diff(client, layout.before)
    assert (refused.value.status_code, refused.value.error_code) == (403, "AuthenticationFailed")


@pytest.mark.parametrize("source_url", ["proxy_url", "account_url"])
def test_put_page_from_url_copies_exactly_the_bytes_across_accounts(lab, proxy_container, source_url):
    source = proxy_container("primary").get_blob_client("source.vhd")
    source.create_page_blob(8 * MIB)
    data = os.urandom(6 * MIB)
    write(source, 0, data)
    snapshot = source.create_snapshot()["snapshot"]
    write(source, 0, bytes(6 * MIB))  # the copy must come from the snapshot, not the blob
    target = proxy_container("secondary").get_blob_client("replica.vhd")
    target.create_page_blob(8 * MIB)
    url = read_sas_url(lab, source, source_url, snapshot)

    target.upload_pages_from_url(url, offset=MIB, length=4 * MIB, source_offset=2 * MIB)
    target.upload_pages_from_url(url, offset=7 * MIB, length=PAGE, source_offset=5 * MIB + PAGE)

    assert target.download_blob(offset=MIB, length=4 * MIB).readall() == data[2 * MIB:6 * MIB]
    assert target.download_blob(offset=7 * MIB, length=PAGE).readall() == data[5 * MIB + PAGE:5 * MIB + 2 * PAGE]
    assert page_ranges(target) == [(MIB, 5 * MIB - 1), (7 * MIB, 7 * MIB + PAGE - 1)]


@pytest.mark.parametrize("case, destination, source, status, code", [
    ("misaligned destination", "bytes=0-510", "bytes=0-510", 400, "InvalidHeaderValue"),
    ("destination not starting on a page", "bytes=256-767", "bytes=0-511", 400, "InvalidHeaderValue"),
    ("over 4 MiB", "bytes=0-%d" % (4 * MIB + PAGE - 1), "bytes=0-%d" % (4 * MIB + PAGE - 1), 413, "RequestBodyTooLarge"),
    ("lengths differ", "bytes=0-1023", "bytes=0-511", 400, "InvalidHeaderValue"),
    ("no source range", "bytes=0-511", None, 400, "MissingRequiredHeader"),
])
def test_put_page_from_url_refuses_what_azure_refuses(lab, proxy_container, case, destination, source, status, code):
    origin = proxy_container("primary").get_blob_client("source.vhd")
    origin.create_page_blob(8 * MIB)
    write(origin, 0, os.urandom(4 * KIB))
    target = proxy_container("secondary").get_blob_client("replica.vhd")
    target.create_page_blob(8 * MIB)
    headers = {"x-ms-copy-source": read_sas_url(lab, origin, "proxy_url"), "x-ms-range": destination,
               "x-ms-page-write": "update"}
    if source:
        headers["x-ms-source-range"] = source
    answer = signed_request(lab, "secondary", "PUT", target, [("comp", "page")], headers)
    assert (answer.status, answer.getheader("x-ms-error-code")) == (status, code), case
    assert page_ranges(target) == []


def test_put_page_from_url_over_4_mib_is_refused_through_the_sdk(lab, proxy_container):
    origin = proxy_container("primary").get_blob_client("source.vhd")
    origin.create_page_blob(8 * MIB)
    target = proxy_container("secondary").get_blob_client("replica.vhd")
    target.create_page_blob(8 * MIB)
    with pytest.raises(HttpResponseError) as refused:
        target.upload_pages_from_url(read_sas_url(lab, origin, "proxy_url"), offset=0, length=4 * MIB + PAGE, source_offset=0)
    assert (refused.value.status_code, refused.value.error_code) == (413, "RequestBodyTooLarge")


def test_put_page_over_4_mib_is_refused(proxy_container):
    blob = proxy_container().get_blob_client("disk.vhd")
    blob.create_page_blob(16 * MIB)
    with pytest.raises(HttpResponseError) as refused:
        blob.upload_page(os.urandom(8 * MIB), offset=0, length=8 * MIB)
    assert (refused.value.status_code, refused.value.error_code) == (413, "RequestBodyTooLarge")
    assert page_ranges(blob) == []
    blob.upload_page(os.urandom(4 * MIB), offset=0, length=4 * MIB)  # the limit itself is fine
    assert page_ranges(blob) == [(0, 4 * MIB - 1)]


@pytest.mark.parametrize("operation", ["upload_page", "clear_page", "set_blob_metadata", "create_snapshot",
                                       "upload_pages_from_url"])
def test_writes_to_a_snapshot_are_refused(lab, proxy_container, operation):
    blob = proxy_container().get_blob_client("disk.vhd")
    blob.create_page_blob(MIB)
    original = os.urandom(4 * KIB)
    write(blob, 0, original)
    snapshot = lab_blob_client(lab, blob, snapshot=blob.create_snapshot()["snapshot"])
    attempts = {"upload_page": lambda: snapshot.upload_page(os.urandom(PAGE), offset=0, length=PAGE),
                "clear_page": lambda: snapshot.clear_page(0, PAGE),
                "set_blob_metadata": lambda: snapshot.set_blob_metadata({"drkit": "changed"}),
                "create_snapshot": snapshot.create_snapshot,
                "upload_pages_from_url": lambda: snapshot.upload_pages_from_url(
                    read_sas_url(lab, blob, "proxy_url"), offset=0, length=PAGE, source_offset=PAGE)}
    with pytest.raises(HttpResponseError) as refused:
        attempts[operation]()
    assert (refused.value.status_code, refused.value.error_code) == (400, "InvalidQueryParameterValue")
    assert "<QueryParameterName>snapshot</QueryParameterName>" in refused.value.response.text()
    # Azurite would have written to the base blob: it is untouched.
    assert blob.download_blob(offset=0, length=4 * KIB).readall() == original
    assert blob.get_blob_properties().metadata == {}
    assert page_ranges(blob) == [(0, 4 * KIB - 1)]


def test_counters_count_requests_and_bytes_moved(lab, proxy_container):
    source = proxy_container("primary").get_blob_client("source.vhd")
    source.create_page_blob(MIB)
    target = proxy_container("secondary").get_blob_client("replica.vhd")
    target.create_page_blob(MIB)
    url = read_sas_url(lab, source, "proxy_url")

    admin(lab, "POST", "/counters/reset")
    for offset in (0, 4 * KIB, 8 * KIB):
        source.upload_page(os.urandom(4 * KIB), offset=offset, length=4 * KIB)
    target.upload_pages_from_url(url, offset=0, length=8 * KIB, source_offset=0)
    source.download_blob(offset=0, length=8 * KIB).readall()
    counted = admin(lab, "GET", "/counters")

    assert counted["bytes"] == {"put_page": 12 * KIB, "put_page_from_url": 8 * KIB, "get_blob": 8 * KIB}
    assert counted["requests"]["put_page"] == 3
    assert counted["requests"]["put_page_from_url"] == 1
    assert counted["requests"]["get_blob"] == 1
    assert admin(lab, "POST", "/counters/reset") == counted
    assert admin(lab, "GET", "/counters")["bytes"] == {"put_page": 0, "put_page_from_url": 0, "get_blob": 0}


def test_a_fault_drops_the_connection_after_n_requests(lab, proxy_service):
    container = proxy_service(retry_total=0).create_container("fault-%s" % uuid.uuid4().hex[:12])
    try:
        blob = container.get_blob_client("disk.vhd")
        blob.create_page_blob(MIB)
        armed = admin(lab, "POST", "/faults", {"operation": "put_page", "after": 2, "mode": "drop", "count": 1})
        write(blob, 0, b"a" * PAGE)
        write(blob, PAGE, b"b" * PAGE)
        with pytest.raises((ServiceRequestError, ServiceResponseError)):
            write(blob, 2 * PAGE, b"c" * PAGE)
        write(blob, 3 * PAGE, b"d" * PAGE)  # count 1: only the third one is dropped
        seen = admin(lab, "GET", "/faults")
        assert [(fault["id"], fault["seen"], fault["fired"]) for fault in seen] == [(armed["id"], 4, 1)]
        # Dropped before it reached Azurite: the third page was never written.
        assert page_ranges(blob) == [(0, 2 * PAGE - 1), (3 * PAGE, 4 * PAGE - 1)]

        admin(lab, "DELETE", "/faults")
        admin(lab, "POST", "/faults", {"operation": "get_page_ranges", "after": 0, "mode": "status", "status": 503})
        with pytest.raises(HttpResponseError) as refused:
            page_ranges(blob)
        assert (refused.value.status_code, refused.value.error_code) == (503, "ServerBusy")
    finally:
        admin(lab, "DELETE", "/faults")
        container.delete_container()
    assert admin(lab, "GET", "/faults") == []


def test_a_bad_fault_is_refused(lab):
    with pytest.raises(urllib.error.HTTPError) as refused:
        admin(lab, "POST", "/faults", {"operation": "put_page", "mode": "explode"})
    assert refused.value.code == 400
    assert admin(lab, "GET", "/faults") == []


def test_other_operations_pass_through_unchanged(lab, proxy_service, blob_service):
    proxied, direct = proxy_service(), blob_service()
    container = proxied.create_container("pass-%s" % uuid.uuid4().hex[:12], metadata={"drkit": "container"})
    try:
        assert container.container_name in [c.name for c in proxied.list_containers()]
        assert container.container_name in [c.name for c in direct.list_containers()]
        container.set_container_metadata({"drkit": "changed"})
        assert direct.get_container_client(container.container_name).get_container_properties().metadata == {"drkit": "changed"}

        data = os.urandom(10 * MIB)  # streamed both ways, in one Put Blob and one Get Blob
        blob = container.upload_blob("big.bin", data, metadata={"drkit": "blob"})
        assert blob.download_blob().readall() == data
        blob.set_blob_metadata({"drkit": "changed"})
        via_proxy = blob.get_blob_properties()
        via_azurite = direct.get_blob_client(container.container_name, "big.bin").get_blob_properties()
        for name in ("etag", "last_modified", "size", "metadata", "creation_time"):
            assert via_proxy[name] == via_azurite[name], name
        assert via_proxy.content_settings.content_md5 == via_azurite.content_settings.content_md5
        assert [b.name for b in container.list_blobs(include=["metadata"])] == ["big.bin"]

        # Authorization goes through untouched: a token works, and a wrong key gets Azurite's own answer.
        token = BlobServiceClient(lab["drkit_lab_storage"]["primary"]["proxy_url"], credential=LabTokenCredential(),
                                  connection_verify=lab["drkit_lab_ca_bundle"])
        assert token.get_blob_client(container.container_name, "big.bin").download_blob(offset=0, length=KIB).readall() == \
            data[:KIB]
        wrong = AzureNamedKeyCredential("drkitprimary", lab["drkit_lab_storage"]["secondary"]["account_key"])
        with pytest.raises(HttpResponseError) as refused:
            next(iter(proxy_service(credential=wrong, retry_total=0).list_containers()), None)
        assert (refused.value.status_code, refused.value.error_code) == (400, "InvalidAuthenticationInfo")
    finally:
        container.delete_container()


def write(blob, offset, data):
    """Put Page of *data* at *offset*, in requests of at most 4 MiB."""
    for start in range(0, len(data), 4 * MIB):
        piece = data[start:start + 4 * MIB]
        blob.upload_page(piece, offset=offset + start, length=len(piece))


def account_details(lab, account_name):
    return next(details for details in lab["drkit_lab_storage"].values()
                if isinstance(details, dict) and details["account_name"] == account_name)


def lab_blob_client(lab, blob, url_key="proxy_url", snapshot=None):
    """A client of *blob* (or of its snapshot) on the proxy or on Azurite, with the account key."""
    details = account_details(lab, blob.account_name)
    service = BlobServiceClient(details[url_key], connection_verify=lab["drkit_lab_ca_bundle"],
                                credential=AzureNamedKeyCredential(details["account_name"], details["account_key"]))
    return service.get_blob_client(blob.container_name, blob.blob_name, snapshot=snapshot)


def diff(blob, previous_snapshot, **window):
    """(changed, cleared) as lists of inclusive (start, end), from one Get Page Ranges Diff."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # get_page_ranges: the single-request form
        return as_pairs(blob.get_page_ranges(previous_snapshot_diff=previous_snapshot, **window))


def as_pairs(result):
    changed, cleared = result
    return [(r["start"], r["end"]) for r in changed], [(r["start"], r["end"]) for r in cleared]


def page_ranges(blob):
    """The blob's valid ranges (plain Get Page Ranges, forwarded to Azurite), adjacent ones merged:
    Azurite lists each write separately, and neither form is promised."""
    merged = []
    for listed in blob.list_page_ranges():
        if merged and listed.start == merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], listed.end)
        else:
            merged.append((listed.start, listed.end))
    return merged


def read_sas_url(lab, blob, url_key, snapshot=None):
    """The URL of *blob* (or its snapshot) on the proxy or on Azurite, with a one-hour read SAS."""
    details = account_details(lab, blob.account_name)
    sas = generate_blob_sas(blob.account_name, blob.container_name, blob.blob_name, snapshot=snapshot,
                            account_key=details["account_key"], permission=BlobSasPermissions(read=True),
                            expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    query = ("snapshot=%s&" % quote(snapshot) if snapshot else "") + sas
    return "%s/%s/%s?%s" % (details[url_key], blob.container_name, quote(blob.blob_name), query)


def signed_request(lab, role, method, blob, query, headers, body=b""):
    """A request the SDK would refuse to send, signed with the account key, sent to the proxy."""
    details = lab["drkit_lab_storage"][role]
    proxy = urlsplit(details["proxy_url"])
    path = "/%s/%s/%s" % (details["account_name"], blob.container_name, quote(blob.blob_name))
    headers = dict(headers, **{"x-ms-version": API_VERSION, "x-ms-date": email.utils.formatdate(usegmt=True),
                               "Content-Length": str(len(body))})
    headers["Authorization"] = sharedkey.authorization(details["account_name"], details["account_key"], method, path,
                                                       query, headers.items())
    connection = http.client.HTTPSConnection(proxy.hostname, proxy.port, timeout=60,
                                             context=ssl.create_default_context(cafile=lab["drkit_lab_ca_bundle"]))
    connection.request(method, path + "?" + urlencode(query, quote_via=quote), body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer
