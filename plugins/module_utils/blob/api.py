# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin wrappers, one Blob service call each, that name their operation on failure.

Retries are the SDK's own (408, 429, 500, 502, 503, 504 and dropped connections,
exponential back-off, ``max_retries``): a wrapper never retries by itself, so an
authorization or conflict error surfaces at once with the service's error code.
URLs in errors are reported without their query, where a SAS would be.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.errors import azure_core_errors
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError


def _without_query(url):
    return url.split("?", 1)[0] if url else url


def blob_at(service, key, snapshot=None):
    """The client of blob ``container/name`` (or of one of its snapshots) in *service*."""
    container, name = key.split("/", 1)
    return service.get_blob_client(container, name, snapshot=snapshot)


def operation(name, target):
    """Report any SDK failure inside the block as *name* on *target* (without its query) with the service's code."""
    return azure_core_errors(name, _without_query(target), _storage_code_and_message)


def _storage_code_and_message(error):
    code = getattr(error, "error_code", None)
    # The SDK gives the codes it knows as StorageErrorCode members, whose str() is "StorageErrorCode.BLOB_NOT_FOUND": the
    # message names Azure's code (BlobNotFound), as the result's error_code does.
    return getattr(code, "value", code), error.reason


def list_blob_versions(container_client, blob_name):
    """The base blob and every snapshot of *blob_name*, with metadata, oldest snapshot first.

    A container that does not exist holds no blobs: the answer is then empty.
    """
    try:
        with operation("list_blobs", "%s/%s" % (container_client.container_name, blob_name)):
            found = [b for b in container_client.list_blobs(name_starts_with=blob_name, include=["snapshots", "metadata"])
                     if b.name == blob_name]
    except DrkitError as error:
        if error.code == "ContainerNotFound":
            return []
        raise
    return sorted(found, key=lambda b: (b.snapshot is None, b.snapshot or ""))


def get_properties(blob_client):
    """Properties of a blob or snapshot, or ``None`` when it (or its container) does not exist."""
    try:
        with operation("get_blob_properties", blob_client.url):
            return blob_client.get_blob_properties()
    except DrkitError as error:
        if error.details.get("status") == 404:
            return None
        raise


def create_snapshot(blob_client, metadata):
    """Snapshot a blob with *metadata*; returns the snapshot time stamp (its id)."""
    with operation("create_snapshot", blob_client.url):
        return blob_client.create_snapshot(metadata=metadata)["snapshot"]


def delete_snapshot(blob_client):
    """Delete the snapshot *blob_client* points at (made with ``snapshot=``)."""
    with operation("delete_snapshot", blob_client.url):
        blob_client.delete_blob()


def break_lease(blob_client):
    """Break the blob's lease at once (the lease holder, e.g. a running VM, loses it)."""
    from azure.storage.blob import BlobLeaseClient  # pylint: disable=import-outside-toplevel
    with operation("break_lease", blob_client.url):
        BlobLeaseClient(blob_client).break_lease(lease_break_period=0)


def copy_blob(blob_client, source_url, metadata, poll_seconds=2.0, timeout_seconds=86400):
    """Copy *source_url* over the blob (server side) and wait for the copy to finish.

    Copy Blob may answer ``pending`` and complete later; the waiter polls the
    destination's copy status until ``success``, and fails on ``failed``/``aborted``.
    """
    with operation("copy_blob", blob_client.url):
        status = blob_client.start_copy_from_url(source_url, metadata=metadata)["copy_status"]
    deadline = time.time() + timeout_seconds
    while status == "pending":
        if time.time() > deadline:
            raise DrkitError("copy still pending after %d s" % timeout_seconds, step="wait_for_copy", target=blob_client.url)
        time.sleep(poll_seconds)
        with operation("wait_for_copy", blob_client.url):
            copy = blob_client.get_blob_properties().copy
        status = copy.status
        if status in ("failed", "aborted"):
            raise DrkitError("copy %s: %s" % (status, copy.status_description), step="wait_for_copy",
                             target=blob_client.url, code=status)
    return status


def page_ranges(blob_client, previous_snapshot=None):
    """``(written, cleared)`` inclusive byte ranges of a page blob or snapshot.

    Without *previous_snapshot*, every valid page; with it, the pages that differ from
    that earlier snapshot of the same blob and the ranges cleared since.
    """
    with operation("get_page_ranges_diff" if previous_snapshot else "get_page_ranges", blob_client.url):
        listed = list(blob_client.list_page_ranges(previous_snapshot=previous_snapshot) if previous_snapshot
                      else blob_client.list_page_ranges())
    written = [(r.start, r.end) for r in listed if not r.cleared]
    cleared = [(r.start, r.end) for r in listed if r.cleared]
    return written, cleared


def create_page_blob(blob_client, size):
    with operation("create_page_blob", blob_client.url):
        blob_client.create_page_blob(size=size)


def resize_page_blob(blob_client, size):
    with operation("resize_blob", blob_client.url):
        blob_client.resize_blob(size)


def upload_page_from_url(blob_client, source_url, offset, length, source_authorization=None):
    """Put Page From URL: the service reads the source range itself; no data passes through here.

    *source_authorization* ("Bearer <token>") authorizes a source URL that carries no SAS."""
    extra = {"source_authorization": source_authorization} if source_authorization else {}
    with operation("put_page_from_url", blob_client.url):
        blob_client.upload_pages_from_url(source_url, offset=offset, length=length, source_offset=offset, **extra)


def upload_page(blob_client, data, offset):
    with operation("put_page", blob_client.url):
        blob_client.upload_page(data, offset=offset, length=len(data))


def read_range(blob_client, offset, length):
    with operation("get_blob", blob_client.url):
        return blob_client.download_blob(offset=offset, length=length).readall()


def clear_pages(blob_client, offset, length):
    with operation("clear_pages", blob_client.url):
        blob_client.clear_page(offset=offset, length=length)


def container_exists(container_client):
    with operation("get_container_properties", container_client.container_name):
        return container_client.exists()


def create_container(container_client):
    """Create the container; one created meanwhile by someone else is just as good."""
    try:
        with operation("create_container", container_client.container_name):
            container_client.create_container()
    except DrkitError as error:
        if error.code != "ContainerAlreadyExists":
            raise
