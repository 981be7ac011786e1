"""Make, change and fingerprint the page blobs of the demo VM in the lab's primary account.

    python disks.py LAB_INVENTORY create   # fresh disks with random content
    python disks.py LAB_INVENTORY write    # random writes and a cleared range on every disk
    python disks.py LAB_INVENTORY digest PREFIX   # SHA-256 of each disk (PREFIX + blob name)
"""
import hashlib
import os
import sys

import yaml
from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

CONTAINER = "vhds"
DISKS = {"demo-app01-os.vhd": 4 << 20, "demo-app01-data0.vhd": 2 << 20, "demo-app01-data1.vhd": 2 << 20}
PAGE = 512


def service(inventory_path):
    with open(inventory_path) as handle:
        lab = yaml.safe_load(handle)["all"]["vars"]
    primary = lab["drkit_lab_storage"]["primary"]
    return BlobServiceClient(primary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                             credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))


def create(container):
    try:
        container.create_container()
    except ResourceExistsError:
        pass
    for name, size in DISKS.items():
        blob = container.get_blob_client(name)
        try:
            blob.delete_blob(delete_snapshots="include")
        except ResourceNotFoundError:
            pass
        blob.create_page_blob(size=size)
        blob.upload_page(os.urandom(size), offset=0, length=size)


def write(container):
    for name, size in DISKS.items():
        blob = container.get_blob_client(name)
        offset = int.from_bytes(os.urandom(2), "big") % (size // PAGE - 16) * PAGE
        blob.upload_page(os.urandom(8 * PAGE), offset=offset, length=8 * PAGE)
        blob.clear_page(offset=size - 4 * PAGE, length=4 * PAGE)


def digest(container, prefix):
    for name in DISKS:
        data = container.get_blob_client(prefix + name).download_blob().readall()
        print("%s  %s%s" % (hashlib.sha256(data).hexdigest(), prefix, name))


def main():
    inventory, command = sys.argv[1], sys.argv[2]
    container = service(inventory).get_container_client(CONTAINER)
    if command == "create":
        create(container)
    elif command == "write":
        write(container)
    else:
        digest(container, sys.argv[3] if len(sys.argv) > 3 else "")


if __name__ == "__main__":
    main()
