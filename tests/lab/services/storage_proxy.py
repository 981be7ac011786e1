"""The storage proxy (package ../storageproxy): Azure Blob behaviours Azurite lacks, in front of Azurite.

An HTTPS server on a port of its own (the lab's certificate), started after Azurite. Every
request goes to Azurite unchanged (method, path, query, headers including Authorization,
body; streamed both ways), except the operations below, which the proxy implements from
Azurite's own data through Azurite's own API. The inventory gets ``proxy_url`` beside each
account's ``account_url`` (which stays Azurite itself) and ``drkit_lab_storage_proxy_admin``.

Vendor behaviours it models (Azure Blob Storage REST API, current service version):
  * Get Page Ranges Diff (``comp=pagelist`` with ``prevsnapshot`` or ``x-ms-previous-snapshot-url``),
    target a blob or a snapshot: pages valid in the target only are <PageRange>, pages valid in
    the previous snapshot only (cleared, or beyond a shrunk blob's end) are <ClearRange>, pages
    valid in both are <PageRange> where their bytes differ; adjacent ranges merged, in offset
    order; ``x-ms-range``/``Range`` limits; ``maxresults`` with an opaque <NextMarker>;
    conditional and lease headers apply to the target; headers ETag, Last-Modified,
    x-ms-blob-content-length, x-ms-request-id, x-ms-version, Date. A missing previous snapshot
    is 409 PreviousSnapshotNotFound, one newer than the target snapshot 400
    PreviousSnapshotCannotBeNewer.
  * Put Page From URL (``comp=page`` with ``x-ms-copy-source``): the source range is read from
    the copy source (a blob or snapshot of this lab, through the proxy's or Azurite's URL) with
    the SAS in its URL or the bearer token in ``x-ms-copy-source-authorization`` (else
    anonymously) and written with Put Page: 201 with ETag, Last-Modified, x-ms-content-crc64,
    x-ms-blob-sequence-number, x-ms-request-server-encrypted. Refused as Azure documents: no
    x-ms-range/Range or no x-ms-source-range, 400 MissingRequiredHeader; a malformed or
    misaligned destination range, or source and destination lengths that differ, 400
    InvalidHeaderValue naming the header; a range over 4 MiB, 413 RequestBodyTooLarge; a
    non-zero Content-Length, 400; x-ms-source-content-md5 not matching, 400 Md5Mismatch; a
    source that cannot be read, CannotVerifyCopySource with the source's status (and the
    x-ms-copy-source-status-code / -error-code headers).
  * A Put Page body over 4 MiB: 413 RequestBodyTooLarge "The request body is too large and
    exceeds the maximum permissible limit." (Azurite accepts 8 MiB).
  * Any write addressed to a snapshot (``?snapshot=``: Put Blob, Put Page, clear, Put Page
    From URL, Set Blob Metadata/Properties, Snapshot Blob, Lease Blob, block and append writes,
    copies): 400 InvalidQueryParameterValue, QueryParameterName snapshot, Reason "This
    operation is only allowed on the root blob. Snapshot should not be provided." (Azurite
    applies them to the base blob).
  * On the operations it implements, the caller's credential decides as on Azure: a SharedKey
    signature is checked against the account key (403 AuthenticationFailed); a SAS or bearer
    token goes to Azurite with the first request about the caller's blob, which checks it.

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * Azure tracks writes: its diff may list pages rewritten with the same bytes, and it answers
    409 BlobOverwritten when the blob was recreated since the snapshot. The lab compares
    content, so such pages are never listed, and it knows no BlobOverwritten;
  * the diff is computed by reading both versions through Azurite: its cost grows with the
    data valid in both, where Azure's does not; a target written to throughout the
    computation is answered 503 ServerBusy after three attempts;
  * Incremental Copy Blob (still 501 from Azurite), x-ms-source-content-crc64 checks, source
    URLs outside this lab (400 CannotVerifyCopySource), SharedKeyLite, and the x-ms-date
    freshness window of SharedKey;
  * an unreachable Azurite is answered 500 InternalError.
Lab-only additions, under ``/__lab`` on the proxy's port (no account is named ``__lab``):
counters of requests per operation and bytes of page data moved (Put Page bodies, bytes read
from copy sources, Get Blob bodies), and fault injection (drop the connection, or answer an
error status, after N matching requests); see storageproxy/admin.py.
"""
import os
import sys

from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import AzureError
from azure.storage.blob import BlobServiceClient

from labframe.https import answers_json
from labframe.pairs import join_pairs
from labframe.processes import HOST, accepts_tcp
from services.azurite import ACCOUNTS
from services.base import Launch, Service

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PATH = "/__lab"


class StorageProxy(Service):
    name = "storage_proxy"
    ports = ("https",)
    needs = ("azurite",)

    def launch(self, context, run):
        azurite = context.peers["azurite"]
        argv = [sys.executable, "-m", "storageproxy", "--port", str(run.ports["https"]),
                "--upstream-port", str(azurite.ports["blob"]), "--cert", context.tls.server_cert,
                "--key", context.tls.server_key, "--ca", context.tls.ca_cert]
        # Keys by environment, as Azurite gets them: a command line is readable by every local user.
        env = {"DRKIT_LAB_PROXY_ACCOUNTS": join_pairs(azurite.secrets),
               "PYTHONPATH": LAB_DIR}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        """Its admin path answers, and both accounts list their containers through it."""
        if not (accepts_tcp(run.ports["https"]) and answers_json(_admin_url(run) + "/counters", context.tls.ca_cert)):
            return False
        try:
            secrets = context.peers["azurite"].secrets
            for account in ACCOUNTS.values():
                client = BlobServiceClient(_proxy_url(run, account), connection_verify=context.tls.ca_cert, retry_total=0,
                                           credential=AzureNamedKeyCredential(account, secrets[account]))
                next(iter(client.list_containers(results_per_page=1)), None)
        except AzureError:
            return False
        return True

    def inventory_vars(self, context, run):
        # Merged into Azurite's drkit_lab_storage (labframe.inventory): its keys stay as they are.
        storage = {role: {"proxy_url": _proxy_url(run, account)} for role, account in ACCOUNTS.items()}
        return {"drkit_lab_storage": storage, "drkit_lab_storage_proxy_admin": _admin_url(run)}


def _proxy_url(run, account):
    return "https://%s:%d/%s" % (HOST, run.ports["https"], account)


def _admin_url(run):
    return "https://%s:%d%s" % (HOST, run.ports["https"], ADMIN_PATH)
