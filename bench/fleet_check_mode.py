"""Benchmark: a fleet in check mode. playbooks/unmanaged_disk_backup.yml --check over inventories of 1, 20 and 200 VMs
(each with two unmanaged disks in the lab's Azurite, reached through the storage proxy), as an operator previews a fleet's
backup: wall time of each run, the overhead each more host adds ((T(N) - T(1)) / (N - 1)), the Blob service requests per
host (the proxy's counters), and that the preview changed nothing (every blob, snapshot and its metadata identical).

    .venv/bin/python bench/fleet_check_mode.py [--sizes 1,20,200] [--forks 10]

Run from the repository root with the collection on the collections path (make bench does this). Wall times depend on
the machine; the requests per host do not.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid

import yaml
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, "tests", "lab"), os.path.join(REPO, "tests", "integration")]

import labctl  # noqa: E402  pylint: disable=wrong-import-position
from labframe.inventory import load_vars  # noqa: E402  pylint: disable=wrong-import-position
from labframe.state import LabState  # noqa: E402  pylint: disable=wrong-import-position
from lab_admin import admin  # noqa: E402  pylint: disable=wrong-import-position

DISK_BYTES = 1 << 20


def make_fleet(service, container, size):
    """*size* VMs of two page blobs each, some pages written; the inventory's drkit_unmanaged_disks of each."""
    service.get_container_client(container).create_container()
    fleet = {}
    for number in range(size):
        disks = []
        for lun, suffix in ((None, "os"), (0, "data0")):
            name = "vm%03d-%s.vhd" % (number, suffix)
            blob = service.get_blob_client(container, name)
            blob.create_page_blob(size=DISK_BYTES)
            blob.upload_page(os.urandom(4096), offset=0, length=4096)
            disks.append(dict({"container": container, "blob": name}, **({"lun": lun} if lun is not None else {})))
        fleet["vm%03d" % number] = disks
    return fleet


def listing(service):
    return sorted((container.name, blob.name, blob.snapshot, blob.etag, tuple(sorted((blob.metadata or {}).items())))
                  for container in service.list_containers()
                  for blob in service.get_container_client(container.name).list_blobs(include=["snapshots", "metadata"]))


def preview(lab, fleet, forks, directory):
    primary = lab["drkit_lab_storage"]["primary"]
    hosts = dict((name, {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "drkit_unmanaged_disks": disks,
                         "drkit_storage_primary": {"account_url": primary["proxy_url"], "account_key": primary["account_key"],
                                                   "ca_bundle": lab["drkit_lab_ca_bundle"]}})
                 for name, disks in fleet.items())
    inventory = os.path.join(directory, "fleet-%d.yml" % len(fleet))
    with open(inventory, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"all": {"children": {"unmanaged_disk_vms": {"hosts": hosts}}}}, handle)
    admin(lab, "POST", "/counters/reset")
    started = time.monotonic()
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, "--check", "--forks", str(forks),
                          "-e", "drkit_backup_batch=%d" % len(fleet), os.path.join(REPO, "playbooks", "unmanaged_disk_backup.yml")],
                         capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        raise SystemExit("the preview of %d hosts failed:\n%s" % (len(fleet), run.stdout[-3000:]))
    requests = sum(admin(lab, "GET", "/counters")["requests"].values())
    return elapsed, requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,20,200")
    parser.add_argument("--forks", type=int, default=10)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    state = tempfile.mkdtemp(prefix="drkit-bench-")
    labctl.start(state)
    try:
        lab = load_vars(LabState(state).inventory_path)
        primary = lab["drkit_lab_storage"]["primary"]
        service = BlobServiceClient(primary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                                    credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))
        fleet = make_fleet(service, "fleet-%s" % uuid.uuid4().hex[:8], max(sizes))
        before = listing(service)
        results = {}
        for size in sizes:
            results[size] = preview(lab, dict(sorted(fleet.items())[:size]), options.forks, state)
        unchanged = listing(service) == before
        base = results[min(sizes)][0]
        print("forks %d, 2 disks per VM; Azurite and Ansible on the same machine" % options.forks)
        for size, (elapsed, requests) in results.items():
            overhead = (elapsed - base) / (size - min(sizes)) if size > min(sizes) else 0.0
            print("%4d hosts: %7.1f s, %.2f s per host, %.2f s more per added host, %.1f Blob requests per host"
                  % (size, elapsed, elapsed / size, overhead, requests / size))
        print("check mode changed nothing: %s" % unchanged)
        if not unchanged:
            raise SystemExit("the check-mode runs changed the storage account")
    finally:
        labctl.stop(state)


if __name__ == "__main__":
    main()
