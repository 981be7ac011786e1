"""Benchmark: incremental cross-account copy of a 16-disk VM through the lab.

Takes a recovery point of 16 page blobs, copies it in full to the secondary account,
changes a few percent of each disk (writes and clears), takes a second point and copies
it incrementally. Prints, from the lab proxy's counters and the module's results:
bytes moved / bytes changed for the incremental copy, requests per disk, and the skew
between the first and the last snapshot of each point.

    .venv/bin/python bench/blob_copy.py [--disks 16] [--disk-mib 8] [--changed-percent 3]

Run from the repository root with the collection importable (make bench does this).
"""
import argparse
import os
import random
import sys
import tempfile
import uuid

from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, "tests", "lab"), os.path.join(REPO, "tests", "integration")]

import labctl  # noqa: E402  pylint: disable=wrong-import-position
from labframe.inventory import load_vars  # noqa: E402  pylint: disable=wrong-import-position
from labframe.state import LabState  # noqa: E402  pylint: disable=wrong-import-position
from module_runner import run_module  # noqa: E402  pylint: disable=wrong-import-position
from lab_admin import admin  # noqa: E402  pylint: disable=wrong-import-position

PAGE = 512


def change(blob, size, percent, rng):
    """Write random runs of 8 pages and clear a quarter as many; returns (bytes written, bytes cleared)."""
    runs = max(1, size * percent // 100 // (8 * PAGE))
    slots = rng.sample(range(0, size // (8 * PAGE)), runs + max(1, runs // 4))
    for slot in slots[:runs]:
        blob.upload_page(os.urandom(8 * PAGE), offset=slot * 8 * PAGE, length=8 * PAGE)
    for slot in slots[runs:]:
        blob.clear_page(offset=slot * 8 * PAGE, length=8 * PAGE)
    return runs * 8 * PAGE, (len(slots) - runs) * 8 * PAGE


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disks", type=int, default=16)
    parser.add_argument("--disk-mib", type=int, default=8)
    parser.add_argument("--changed-percent", type=int, default=3)
    options = parser.parse_args()
    rng = random.SystemRandom()
    state = tempfile.mkdtemp(prefix="drkit-bench-")
    labctl.start(state)
    try:
        lab = load_vars(LabState(state).inventory_path)
        primary, secondary = (dict(lab["drkit_lab_storage"][side], account_url=lab["drkit_lab_storage"][side]["proxy_url"])
                              for side in ("primary", "secondary"))
        service = BlobServiceClient(primary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                                    credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))
        container = "bench-%s" % uuid.uuid4().hex[:8]
        service.create_container(container)
        size = options.disk_mib << 20
        disks = []
        for index in range(options.disks):
            blob = service.get_blob_client(container, "disk-%02d.vhd" % index)
            blob.create_page_blob(size=size)
            blob.upload_page(os.urandom(size // 2), offset=0, length=min(size // 2, 4 << 20))
            disks.append({"container": container, "blob": "disk-%02d.vhd" % index, **({"lun": index - 1} if index else {})})
        common = dict(account_url=primary["account_url"], account_key=primary["account_key"], ca_bundle=lab["drkit_lab_ca_bundle"],
                      vm_name="bench-vm", disks=disks,
                      destination={"account_url": secondary["account_url"], "account_key": secondary["account_key"]})

        first = run_module("blob_snapshot_copy", dict(common, recovery_point_id="rp1"))
        admin(lab, "POST", "/counters/reset")
        full = run_module("blob_snapshot_copy", dict(common, state="copied", recovery_point_id="rp1"))
        full_counters = admin(lab, "POST", "/counters/reset")

        changes = [change(service.get_blob_client(container, d["blob"]), size, options.changed_percent, rng) for d in disks]
        written, cleared = sum(c[0] for c in changes), sum(c[1] for c in changes)
        second = run_module("blob_snapshot_copy", dict(common, recovery_point_id="rp2"))
        admin(lab, "POST", "/counters/reset")
        incremental = run_module("blob_snapshot_copy", dict(common, state="copied", recovery_point_id="rp2"))
        counters = admin(lab, "GET", "/counters")
        for result in (first, full, second, incremental):
            if result.failed:
                raise SystemExit("module failed: %s" % result["msg"])

        moved = counters["bytes"].get("put_page_from_url", 0)
        requests = sum(counters["requests"].values())
        print("disks                         %d x %d MiB" % (options.disks, options.disk_mib))
        print("snapshot skew, point 1 / 2    %.3f s / %.3f s" % (first["snapshot_skew_seconds"], second["snapshot_skew_seconds"]))
        print("full copy: bytes moved        %d (%d requests)" % (full_counters["bytes"].get("put_page_from_url", 0),
                                                                  sum(full_counters["requests"].values())))
        print("incremental: bytes written    %d (and %d bytes cleared, which move no data)" % (written, cleared))
        print("incremental: bytes moved      %d" % moved)
        print("incremental: moved / written  %.3f" % (moved / written))
        print("incremental: requests per disk %.1f" % (requests / options.disks))
    finally:
        labctl.stop(state)


if __name__ == "__main__":
    main()
