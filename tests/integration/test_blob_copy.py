"""Cross-account copies of recovery points, through the lab's storage proxy in front of Azurite.

The proxy supplies what Azurite lacks (a true page-range diff with cleared ranges, Put Page
From URL) and counts the page bytes that move, so "only the changed pages" is measured.
"""
import hashlib
import os
import random

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

from module_runner import run_module
from lab_admin import admin
from vm_disks import create_vm

PAGE = 512
SIZES = {"os": 2 << 20, 0: 1 << 20, 1: 1 << 20, 2: 512 << 10}


def account(lab, side):
    details = lab["drkit_lab_storage"][side]
    return dict(details, account_url=details["proxy_url"], ca_bundle=lab["drkit_lab_ca_bundle"])


def client(details):
    return BlobServiceClient(details["account_url"], connection_verify=details["ca_bundle"],
                             credential=AzureNamedKeyCredential(details["account_name"], details["account_key"]))


@pytest.fixture
def accounts(lab):
    return account(lab, "primary"), account(lab, "secondary")


@pytest.fixture
def vm(accounts):
    return create_vm(client(accounts[0]), SIZES, lambda blob, size: change(blob, size, writes=8, clears=1), prefix="cp")


def change(blob, size, writes, clears):
    """Random 4-page writes and 2-page clears; returns the bytes they touched."""
    rng = random.SystemRandom()
    touched = 0
    for offset in rng.sample(range(0, size - 8 * PAGE, 8 * PAGE), writes):
        blob.upload_page(os.urandom(4 * PAGE), offset=offset, length=4 * PAGE)
        touched += 4 * PAGE
    for offset in rng.sample(range(4 * PAGE, size - 8 * PAGE, 8 * PAGE), clears):
        blob.clear_page(offset=offset, length=2 * PAGE)
        touched += 2 * PAGE
    return touched


def args(accounts, vm, **extra):
    primary, secondary = accounts
    values = dict(account_url=primary["account_url"], account_key=primary["account_key"], ca_bundle=primary["ca_bundle"],
                  vm_name=vm["name"], disks=vm["disks"],
                  destination={"account_url": secondary["account_url"], "account_key": secondary["account_key"]})
    values.update(extra)
    return values


def copy_modes(result):
    return {a["detail"]["mode"] for a in result["plan"] if a["action"] == "copy_disk_to_secondary"}


def digest(service, container, name, snapshot=None):
    return hashlib.sha256(service.get_blob_client(container, name, snapshot=snapshot).download_blob().readall()).hexdigest()


def listing(service, container):
    return sorted((b.name, b.snapshot or "", sorted((b.metadata or {}).items()), b.etag)
                  for b in service.get_container_client(container).list_blobs(include=["snapshots", "metadata"]))


def test_copy_is_full_then_incremental_and_restores_from_the_secondary_byte_for_byte(lab, accounts, vm):
    primary, secondary = client(accounts[0]), client(accounts[1])
    first = run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp1"))["recovery_point"]
    copied = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1"))
    assert copied["changed"] and copy_modes(copied) == {"full"}, copied.result
    assert copied["destination_recovery_point"]["complete"]

    changed_bytes = sum(change(primary.get_blob_client(vm["container"], d["blob"]), SIZES[d.get("lun", "os")], 5, 2)
                        for d in vm["disks"])
    second = run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp2"))["recovery_point"]
    admin(lab, "POST", "/counters/reset")
    incremental = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp2"))
    assert copy_modes(incremental) == {"incremental"}, incremental.result
    moved = admin(lab, "GET", "/counters")["bytes"]["put_page_from_url"]
    assert moved <= 1.05 * changed_bytes, (moved, changed_bytes)
    assert sum(incremental["bytes_moved"].values()) == moved

    again = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp2"))
    assert again["changed"] is False

    for point in (first, second):
        restored = run_module("blob_snapshot_copy", args(accounts, vm, state="restored", restore_from="secondary",
                                                         recovery_point_id=point["id"], target="new"))
        assert restored["changed"], restored.result
        for snap in point["snapshots"]:
            assert digest(primary, vm["container"], "restored-%s/%s" % (point["id"], snap["blob"])) == \
                digest(primary, vm["container"], snap["blob"], snap["snapshot"])
    assert listing(secondary, vm["container"])  # the replicas stay where they are


def test_check_mode_copy_changes_neither_account(accounts, vm):
    primary, secondary = client(accounts[0]), client(accounts[1])
    run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp1"))
    run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1"))
    run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp2"))
    before = listing(primary, vm["container"]), listing(secondary, vm["container"])
    preview = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp2"), check=True)
    assert preview["changed"] and all(a["action"] == "copy_disk_to_secondary" for a in preview["plan"])
    assert (listing(primary, vm["container"]), listing(secondary, vm["container"])) == before


def test_a_copy_cut_off_midway_is_never_complete_on_the_destination_and_the_rerun_finishes(lab, accounts, vm):
    run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp1"))
    admin(lab, "POST", "/faults", {"operation": "put_page_from_url", "after": 3, "mode": "status", "status": 500, "count": 1000})
    try:
        broken = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1", max_retries=1))
    finally:
        admin(lab, "DELETE", "/faults")
    assert broken.failed and broken["step"] == "put_page_from_url"
    secondary = accounts[1]
    info = run_module("blob_snapshot_copy_info", dict(account_url=secondary["account_url"], account_key=secondary["account_key"],
                                                      ca_bundle=secondary["ca_bundle"], vm_name=vm["name"], disks=vm["disks"]))
    assert not any(p["complete"] for p in info["recovery_points"])

    rerun = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1"))
    assert rerun["changed"] and rerun["destination_recovery_point"]["complete"], rerun.result


def test_the_copy_source_sas_never_appears_in_results(accounts, vm):
    run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp1"))
    result = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1"))
    assert "sig=" not in result.output and accounts[0]["account_key"] not in result.output


def test_info_reports_the_copy_status_of_each_point(accounts, vm):
    for point_id in ("rp1", "rp2"):
        run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id=point_id))
    run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1"))
    info = run_module("blob_snapshot_copy_info", args(accounts, vm))
    assert [(p["id"], p["copy_status"]) for p in info["recovery_points"]] == [("rp1", "complete"), ("rp2", "none")]


def test_a_sas_token_works_for_both_accounts_and_is_never_shown(lab, accounts, vm):
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas  # pylint: disable=import-outside-toplevel
    from datetime import datetime, timedelta, timezone  # pylint: disable=import-outside-toplevel

    def sas(details):
        return generate_account_sas(details["account_name"], details["account_key"], ResourceTypes(service=True, container=True, object=True),
                                    AccountSasPermissions(read=True, write=True, delete=True, list=True, add=True, create=True),
                                    datetime.now(timezone.utc) + timedelta(hours=1))

    primary, secondary = accounts
    primary_sas, secondary_sas = sas(primary), sas(secondary)
    values = dict(account_url=primary["account_url"], sas_token=primary_sas, ca_bundle=primary["ca_bundle"],
                  vm_name=vm["name"], disks=vm["disks"], destination={"account_url": secondary["account_url"], "sas_token": secondary_sas})
    taken = run_module("blob_snapshot_copy", dict(values, recovery_point_id="rp1"))
    copied = run_module("blob_snapshot_copy", dict(values, state="copied", recovery_point_id="rp1"))
    restored = run_module("blob_snapshot_copy", dict(values, state="restored", recovery_point_id="rp1", target="new", restore_from="secondary"))
    for result in (taken, copied, restored):
        assert result["changed"], result.result
        assert primary_sas.split("sig=")[1][:20] not in result.output and secondary_sas.split("sig=")[1][:20] not in result.output


def test_a_microsoft_entra_login_snapshots_copies_prunes_and_restores(accounts, vm, azure_args, azure_env):
    # The module logs in as the lab's service principal (client secret) at the lab's Entra ID and Azurite takes its
    # storage tokens; Put Page From URL reads the source with the same token (x-ms-copy-source-authorization), no SAS.
    # An in-place restore (Copy Blob in the same account) reads the snapshot with the request's own token. A restore
    # from the secondary reads it with a user delegation SAS, which Azurite refuses on a snapshot (403): not run here.
    primary, secondary = accounts
    values = dict(azure_args, account_url=primary["account_url"], auth_mode="login", ca_bundle=primary["ca_bundle"],
                  vm_name=vm["name"], disks=vm["disks"], destination={"account_url": secondary["account_url"], "auth_mode": "login"})
    results = [run_module("blob_snapshot_copy", dict(values, recovery_point_id=point_id), env=azure_env) for point_id in ("rp1", "rp2")]
    results += [run_module("blob_snapshot_copy", dict(values, state="copied", recovery_point_id=point_id), env=azure_env)
                for point_id in ("rp1", "rp2")]
    results.append(run_module("blob_snapshot_copy", dict(values, state="pruned", keep_last=1), env=azure_env))
    results.append(run_module("blob_snapshot_copy", dict(values, state="restored", recovery_point_id="rp2", target="new"), env=azure_env))
    for result in results:
        assert result.get("changed"), (result.get("msg"), result.get("error_code"))
        assert azure_args["secret"] not in result.output and "sig=" not in result.output
    source, replicas = client(accounts[0]), client(accounts[1])
    taken, copied = results[1]["recovery_point"], results[3]["destination_recovery_point"]
    for replica, snap in zip(sorted(copied["snapshots"], key=lambda s: s["blob"]), sorted(taken["snapshots"], key=lambda s: s["blob"])):
        assert digest(replicas, replica["container"], replica["blob"], replica["snapshot"]) == \
            digest(source, vm["container"], snap["blob"], snap["snapshot"])
    for snap in taken["snapshots"]:
        assert digest(source, vm["container"], "restored-rp2/%s" % snap["blob"]) == \
            digest(source, vm["container"], snap["blob"], snap["snapshot"])
    info = run_module("blob_snapshot_copy_info", values, env=azure_env)
    assert [(p["id"], p["copy_status"]) for p in info["recovery_points"]] == [("rp2", "complete")]


def test_the_client_side_copier_gives_the_same_replicas(accounts, vm):
    primary = client(accounts[0])
    taken = run_module("blob_snapshot_copy", args(accounts, vm, recovery_point_id="rp1"))["recovery_point"]
    copied = run_module("blob_snapshot_copy", args(accounts, vm, state="copied", recovery_point_id="rp1", copy_method="client"))
    assert copied["changed"], copied.result
    replicas = client(accounts[1])
    for replica, source in zip(sorted(copied["destination_recovery_point"]["snapshots"], key=lambda s: s["blob"]),
                               sorted(taken["snapshots"], key=lambda s: s["blob"])):
        assert digest(replicas, replica["container"], replica["blob"], replica["snapshot"]) == \
            digest(primary, vm["container"], source["blob"], source["snapshot"])
