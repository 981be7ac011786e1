"""Azurite stopped in the middle of a copy, then started again: nothing half-copied counts.

Runs on a lab of its own, because stopping Azurite (and its fresh keys on restart) would
disturb the session's shared lab.
"""
import hashlib
import os
import threading
import time

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

import labctl
from labframe.inventory import load_vars
from labframe.state import LabState
from module_runner import run_module
from lab_admin import admin
from vm_disks import create_vm

SIZES = {"os": 16 << 20, 0: 16 << 20, 1: 16 << 20, 2: 16 << 20}


@pytest.fixture
def own_lab(tmp_path):
    state = str(tmp_path / "lab")
    labctl.start(state)
    try:
        yield state
    finally:
        labctl.stop(state)


def lab_vars(state):
    return load_vars(LabState(state).inventory_path)


def fill(blob, size):
    for offset in range(0, size, 4 << 20):
        blob.upload_page(os.urandom(4 << 20), offset=offset, length=4 << 20)


def module_args(lab, vm):
    storage = lab["drkit_lab_storage"]
    return dict(account_url=storage["primary"]["proxy_url"], account_key=storage["primary"]["account_key"],
                ca_bundle=lab["drkit_lab_ca_bundle"], vm_name=vm["name"], max_concurrency=2, disks=vm["disks"],
                destination={"account_url": storage["secondary"]["proxy_url"], "account_key": storage["secondary"]["account_key"]})


def primary_service(lab):
    primary = lab["drkit_lab_storage"]["primary"]
    return BlobServiceClient(primary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                             credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))


def test_a_copy_cut_by_an_azurite_outage_completes_on_rerun_and_is_never_complete_before(own_lab):
    lab = lab_vars(own_lab)
    service = primary_service(lab)
    vm = create_vm(service, SIZES, fill, prefix="outage")
    taken = run_module("blob_snapshot_copy", dict(module_args(lab, vm), recovery_point_id="rp1"))["recovery_point"]
    expected = dict((s["blob"], hashlib.sha256(service.get_blob_client(vm["container"], s["blob"], snapshot=s["snapshot"])
                                               .download_blob().readall()).hexdigest()) for s in taken["snapshots"])

    outcome = {}
    copying = threading.Thread(target=lambda: outcome.update(result=run_module(
        "blob_snapshot_copy", dict(module_args(lab, vm), state="copied", recovery_point_id="rp1", max_retries=0))))
    copying.start()
    deadline = time.time() + 60
    while admin(lab, "GET", "/counters")["requests"].get("put_page_from_url", 0) < 3:
        assert time.time() < deadline, "the copy never started"
        time.sleep(0.05)
    labctl.stop(own_lab, ["azurite"])
    copying.join(120)
    cut = outcome["result"]
    assert cut.failed, cut.result

    labctl.start(own_lab)
    lab = lab_vars(own_lab)  # Azurite came back with fresh keys
    info_args = module_args(lab, vm)
    del info_args["max_concurrency"]
    info = run_module("blob_snapshot_copy_info", info_args)
    assert [p["copy_status"] for p in info["recovery_points"]] in (["none"], ["partial"]), info.result

    rerun = run_module("blob_snapshot_copy", dict(module_args(lab, vm), state="copied", recovery_point_id="rp1"))
    assert rerun["changed"] and rerun["destination_recovery_point"]["complete"], rerun.result
    secondary = lab["drkit_lab_storage"]["secondary"]
    replicas = BlobServiceClient(secondary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                                 credential=AzureNamedKeyCredential(secondary["account_name"], secondary["account_key"]))
    for snap in rerun["destination_recovery_point"]["snapshots"]:
        data = replicas.get_blob_client(snap["container"], snap["blob"], snapshot=snap["snapshot"]).download_blob().readall()
        assert hashlib.sha256(data).hexdigest() == expected[snap["blob"]]
