"""The whole state of a running lab, in one comparable document: what check mode must leave identical and a second run
must not change.

It holds every service's state as the service itself keeps it:

- SQL Server: the SHA-256 of every file of the instance (databases, backup files, master's keys and messages);
- Resource Manager: ``/__lab/state`` (VMs, vaults, policies, protected items, jobs, operations);
- the MABS servers and the Windows servers: their ``/__lab/estate``;
- Azurite, through its Blob API: every container of every lab account with its metadata, and every blob and snapshot
  with its ETag, size, metadata and copy status (ETags change on any write to content, metadata or properties);
- folders outside the lab the run writes to (backup-set manifests, key backups): the SHA-256 of every file.

Reading it changes nothing: each part is read with the services' read-only calls.
"""
import hashlib
import os

import yaml
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

from lab_admin import admin


def lab_snapshot(lab_state_dir, directories=(), ignore=()):
    """The lab's state (see the module's docstring), with the files under each folder of *directories* whose names are
    not in *ignore*."""
    with open(os.path.join(lab_state_dir, "inventory.yml"), encoding="utf-8") as stream:
        lab = yaml.safe_load(stream)["all"]["vars"]
    return {
        "sql_server": file_hashes(os.path.join(lab_state_dir, "sql_server")),
        "resource_manager": admin(lab, "GET", "/state", service="arm"),
        "mabs": admin(lab, "GET", "/estate", service="mabs"),
        "windows": admin(lab, "GET", "/estate", service="windows"),
        "storage": dict((name, _account_listing(lab, details)) for name, details in sorted(lab["drkit_lab_storage"].items())
                        if isinstance(details, dict)),
        "files": dict((directory, file_hashes(directory, ignore)) for directory in directories),
    }


def file_hashes(root, ignore=()):
    """SHA-256 of every file under *root* by its relative path, skipping files and folders named in *ignore*."""
    hashes = {}
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name not in ignore)
        for name in files:
            if name not in ignore:
                path = os.path.join(folder, name)
                with open(path, "rb") as stream:
                    hashes[os.path.relpath(path, root)] = hashlib.sha256(stream.read()).hexdigest()
    return hashes


def differences(before, after, path=""):
    """Where two snapshots differ, as ``path: before -> after`` lines (empty when identical)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            found.extend(differences(before.get(key, "<absent>"), after.get(key, "<absent>"), "%s/%s" % (path, key)))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (old, new) in enumerate(zip(before, after)):
            found.extend(differences(old, new, "%s[%d]" % (path, index)))
        return found
    return [] if before == after else ["%s: %.200r -> %.200r" % (path or "/", before, after)]


def _account_listing(lab, details):
    service = BlobServiceClient(details["account_url"], credential=AzureNamedKeyCredential(details["account_name"], details["account_key"]),
                                connection_verify=lab["drkit_lab_ca_bundle"])
    listing = {}
    for container in service.list_containers(include_metadata=True):
        blobs = service.get_container_client(container.name).list_blobs(include=["snapshots", "metadata", "copy"])
        listing[container.name] = {
            "metadata": dict(container.metadata or {}),
            "blobs": sorted(({"name": blob.name, "snapshot": blob.snapshot, "etag": blob.etag, "size": blob.size,
                              "metadata": dict(blob.metadata or {}), "copy_status": blob.copy.status if blob.copy else None}
                             for blob in blobs), key=lambda blob: (blob["name"], blob["snapshot"] or "")),
        }
    return listing
