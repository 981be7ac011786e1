"""Refusals Azure makes and Azurite does not, checked before a request reaches Azurite.

  * a write addressed to a snapshot (``?snapshot=``): 400 InvalidQueryParameterValue naming
    the snapshot parameter; Azurite would apply it to the base blob;
  * a Put Page body over 4 MiB: 413 RequestBodyTooLarge; Azurite accepts 8 MiB and more.
"""
from storageproxy import errors
from storageproxy.operations import BLOB_WRITES


def refusal(request, operation):
    """The StorageError Azure would answer instead of running the request, or None."""
    snapshot = request.param("snapshot")
    if snapshot and operation in BLOB_WRITES:
        return errors.snapshot_write(snapshot)
    if operation == "put_page" and (request.body.length or 0) > errors.MAX_PAGE_WRITE:
        return errors.body_too_large()
    return None
