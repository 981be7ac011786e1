"""Azurite, Microsoft's Azure Storage emulator (npm ``azurite``, pinned in ../azurite), Blob service.

Started over HTTPS with the lab's certificate, ``--oauth basic``, ``--skipApiVersionCheck``
(without it the current SDK's API version is refused: 400 InvalidHeaderValue), telemetry off,
metadata and data kept in ``<state>/azurite``, and two accounts, ``drkitprimary`` and
``drkitsecondary``, with fresh random keys per start. ``NODE_EXTRA_CA_CERTS`` makes Azurite
trust the lab CA when it reads a copy source over HTTPS (cross-account Copy Blob).

Vendor behaviours it models (Azure Blob Storage REST API, current service version):
  * shared key, account and service SAS, and Microsoft Entra bearer tokens (over HTTPS only);
    a wrong key, or a token for another audience (403 AuthenticationFailed), is refused;
  * containers, block, page and append blobs, metadata, snapshots, leases, conditional
    headers, Copy Blob between blobs and between the two accounts (same Azurite instance).

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * a wrong shared key is answered 400 InvalidAuthenticationInfo where Azure answers 403
    AuthenticationFailed: with ``--oauth basic`` the bearer-token check runs last and rejects
    the SharedKey header (without ``--oauth``, Azurite answers 403 AuthorizationFailure);
  * Get Page Ranges Diff (``previous_snapshot``) returns all of the blob's current page ranges,
    changed or not, and never any cleared ranges: every written page looks changed;
  * Put Page From URL and Incremental Copy Blob answer 501 APINotImplemented;
  * Put Page accepts 8 MiB where Azure's limit is 4 MiB, and writes through a client bound to a
    snapshot are accepted where Azure refuses them;
  * copies complete at once (copy status ``success``), never ``pending``: no polling or Abort
    Copy path is exercised;
  * bearer tokens are decoded, not verified: any token with an https://sts.windows.net/ issuer,
    a storage audience and a current lifetime gets full data access (no signature, no RBAC);
  * no soft delete, blob versions, Put Blob From URL, Get Page Ranges continuation or
    throttling (503 ServerBusy); and only the Blob service runs.
Metadata is flushed to disk about every 5 s: stop Azurite with SIGTERM (labctl does), not
SIGKILL, or the last writes may be lost. Azurite 3.37 declares Node >= 22; on Node 20 npm prints
engine warnings and Azurite works.
"""
import base64
import hashlib
import os
import shutil
import subprocess

from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import AzureError
from azure.storage.blob import BlobServiceClient

from labframe.errors import LabError
from labframe.pairs import join_pairs
from labframe.processes import HOST, accepts_tcp
from services.base import Launch, Service
from tokens import LAB_TENANT_ID

PACKAGE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "azurite")
PACKAGE_LOCK = os.path.join(PACKAGE_DIR, "package-lock.json")
AZURITE_BLOB = os.path.join(PACKAGE_DIR, "node_modules", ".bin", "azurite-blob")
# The package-lock.json an installed node_modules came from; install is skipped while it matches.
INSTALLED_LOCK_DIGEST = os.path.join(PACKAGE_DIR, "node_modules", ".drkit-installed-lock.sha256")
# Inventory role -> account name.
ACCOUNTS = {"primary": "drkitprimary", "secondary": "drkitsecondary"}
# Azure account keys are 64 random bytes, base64-encoded; Azurite requires base64 too.
KEY_BYTES = 64


class Azurite(Service):
    name = "azurite"
    ports = ("blob",)

    def install(self):
        if _installed_from_lock():
            return
        npm = shutil.which("npm")
        if not npm:
            raise LabError("npm is not on PATH: install Node.js and npm (Debian packages nodejs, npm; see bindep.txt)")
        command = [npm, "ci" if os.path.exists(PACKAGE_LOCK) else "install", "--no-audit", "--no-fund"]
        if subprocess.run(command, cwd=PACKAGE_DIR, check=False).returncode != 0:
            raise LabError("`%s` failed in %s; see npm's output above" % (" ".join(command[1:]), PACKAGE_DIR))
        with open(INSTALLED_LOCK_DIGEST, "w", encoding="utf-8") as handle:
            handle.write(_digest(PACKAGE_LOCK))

    def new_secrets(self):
        return {account: base64.b64encode(os.urandom(KEY_BYTES)).decode() for account in ACCOUNTS.values()}

    def launch(self, context, run):
        if not os.path.exists(AZURITE_BLOB):
            raise LabError("Azurite is not installed: run `python tests/lab/labctl.py install` first")
        if not shutil.which("node"):
            raise LabError("node is not on PATH: install Node.js (Debian package nodejs; see bindep.txt)")
        argv = [AZURITE_BLOB, "--blobHost", HOST, "--blobPort", str(run.ports["blob"]), "--location", context.data_dir,
                "--cert", context.tls.server_cert, "--key", context.tls.server_key, "--oauth", "basic",
                "--skipApiVersionCheck", "--disableTelemetry", "--silent"]
        env = {"AZURITE_ACCOUNTS": join_pairs(run.secrets),
               "NODE_EXTRA_CA_CERTS": context.tls.ca_cert}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        """Both accounts list their containers over HTTPS with their keys."""
        if not accepts_tcp(run.ports["blob"]):
            return False
        try:
            for account in ACCOUNTS.values():
                client = BlobServiceClient(_account_url(run, account), connection_verify=context.tls.ca_cert, retry_total=0,
                                           credential=AzureNamedKeyCredential(account, run.secrets[account]))
                next(iter(client.list_containers(results_per_page=1)), None)
        except AzureError:
            return False
        return True

    def inventory_vars(self, context, run):
        storage = {role: {"account_name": account, "account_url": _account_url(run, account), "account_key": run.secrets[account]}
                   for role, account in ACCOUNTS.items()}
        storage["tenant_id"] = LAB_TENANT_ID
        return {"drkit_lab_storage": storage}


def _account_url(run, account):
    # 127.0.0.1, never localhost: Azurite checks a copy source's host against its own (404 CannotVerifyCopySource).
    return "https://%s:%d/%s" % (HOST, run.ports["blob"], account)


def _installed_from_lock():
    return (os.path.exists(AZURITE_BLOB) and os.path.exists(PACKAGE_LOCK)
            and _read(INSTALLED_LOCK_DIGEST) == _digest(PACKAGE_LOCK))


def _digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
