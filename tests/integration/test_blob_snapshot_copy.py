"""blob_snapshot_copy and blob_snapshot_copy_info against the lab's real Azurite."""
import hashlib
import os
import random

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

from module_runner import run_module
from vm_disks import create_vm

PAGE = 512
DISK_SIZES = {"os": 1 << 20, 0: 512 << 10, 1: 512 << 10, 2: 256 << 10}


@pytest.fixture
def primary(lab):
    account = lab["drkit_lab_storage"]["primary"]
    return dict(account, ca_bundle=lab["drkit_lab_ca_bundle"])


@pytest.fixture
def service(primary):
    return BlobServiceClient(primary["account_url"], connection_verify=primary["ca_bundle"],
                             credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))


@pytest.fixture
def vm(service):
    """A VM of four page blobs with random writes and cleared ranges, in a fresh container."""
    return create_vm(service, DISK_SIZES, scribble)


def scribble(blob, size, writes=6):
    """Random page writes and one cleared range, like a running disk."""
    for offset in random.SystemRandom().sample(range(0, size - 8 * PAGE, PAGE), writes):
        blob.upload_page(os.urandom(4 * PAGE), offset=offset, length=4 * PAGE)
    blob.clear_page(offset=(size // 2) // PAGE * PAGE, length=2 * PAGE)


def sha256(service, container, name, snapshot=None):
    return hashlib.sha256(service.get_blob_client(container, name, snapshot=snapshot).download_blob().readall()).hexdigest()


def listing(service, container):
    """Everything observable in the container: blobs, snapshots, metadata, sizes, times, leases."""
    return sorted((b.name, b.snapshot or "", sorted((b.metadata or {}).items()), b.size, b.last_modified, b.etag, b.lease.state)
                  for b in service.get_container_client(container).list_blobs(include=["snapshots", "metadata"]))


def module_args(primary, vm, **extra):
    args = dict(account_url=primary["account_url"], account_key=primary["account_key"], ca_bundle=primary["ca_bundle"],
                vm_name=vm["name"], disks=vm["disks"])
    args.update(extra)
    return args


def test_snapshot_takes_one_complete_point_and_a_rerun_changes_nothing(primary, service, vm):
    first = run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"))
    assert first["changed"] is True, first.result
    point = first["recovery_point"]
    assert point["complete"] and point["disk_count"] == 4
    assert sorted(s["role"] for s in point["snapshots"]) == ["lun0", "lun1", "lun2", "os"]
    assert first["snapshot_skew_seconds"] >= 0
    for snap in point["snapshots"]:
        props = service.get_blob_client(vm["container"], snap["blob"], snapshot=snap["snapshot"]).get_blob_properties()
        assert props.metadata["drkit_recovery_point"] == "rp1"
        assert props.metadata["drkit_disk_count"] == "4"

    before = listing(service, vm["container"])
    second = run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"))
    assert second["changed"] is False and second["plan"] == []
    assert listing(service, vm["container"]) == before

    info = run_module("blob_snapshot_copy_info", module_args(primary, vm))
    assert [(p["id"], p["complete"]) for p in info["recovery_points"]] == [("rp1", True)]


def test_check_mode_snapshot_changes_nothing(primary, service, vm):
    before = listing(service, vm["container"])
    result = run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"), check=True)
    assert result["changed"] is True
    assert [a["action"] for a in result["plan"]] == ["take_recovery_point"]
    assert listing(service, vm["container"]) == before


def test_a_failed_disk_leaves_no_partial_point(primary, service, vm):
    disks = vm["disks"] + [{"container": vm["container"], "blob": "missing.vhd", "lun": 9}]
    result = run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1", disks=disks))
    assert result.failed
    assert result["step"] == "create_snapshot" and result["error_code"] == "BlobNotFound"
    assert result["error_details"]["removed_partial_snapshots"] == 4
    assert [b for b in listing(service, vm["container"]) if b[1]] == []


def test_restore_into_new_blobs_equals_the_snapshots_and_is_idempotent(primary, service, vm):
    taken = run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"))["recovery_point"]
    expected = {s["blob"]: sha256(service, vm["container"], s["blob"], s["snapshot"]) for s in taken["snapshots"]}
    for disk in vm["disks"]:
        scribble(service.get_blob_client(vm["container"], disk["blob"]), DISK_SIZES[disk.get("lun", "os")])

    restored = run_module("blob_snapshot_copy", module_args(primary, vm, state="restored", recovery_point_id="rp1", target="new"))
    assert restored["changed"] is True, restored.result
    assert {a["action"] for a in restored["plan"]} == {"copy_snapshot_to_new_blob"}
    for name, digest in expected.items():
        assert sha256(service, vm["container"], "restored-rp1/" + name) == digest
        assert sha256(service, vm["container"], name) != digest  # the originals were left alone

    again = run_module("blob_snapshot_copy", module_args(primary, vm, state="restored", recovery_point_id="rp1", target="new"))
    assert again["changed"] is False and again["plan"] == []


def test_check_mode_restore_previews_overwrites_and_changes_nothing(primary, service, vm):
    run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"))
    before = listing(service, vm["container"])
    preview = run_module("blob_snapshot_copy", module_args(primary, vm, state="restored", restore_before="2099-01-01T00:00:00Z"),
                         check=True, diff=True)
    assert listing(service, vm["container"]) == before
    overwrites = [a for a in preview["plan"] if a["action"] == "overwrite_disk_from_snapshot"]
    assert len(overwrites) == 4 and all(a["destructive"] and a["detail"]["size"] > 0 and a["detail"]["last_modified"] for a in overwrites)
    assert any("will be lost" in n for n in preview["notices"])
    assert set(preview["diff"]["before"]) == set(preview["diff"]["after"])


def test_in_place_restore_refuses_a_leased_disk_unless_told_to_break_it(primary, service, vm):
    taken = run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"))["recovery_point"]
    expected = {s["blob"]: sha256(service, vm["container"], s["blob"], s["snapshot"]) for s in taken["snapshots"]}
    os_disk = service.get_blob_client(vm["container"], "disk-os.vhd")
    os_disk.acquire_lease(lease_duration=-1)
    scribble(service.get_blob_client(vm["container"], "disk-0.vhd"), DISK_SIZES[0])
    before = listing(service, vm["container"])

    refused = run_module("blob_snapshot_copy", module_args(primary, vm, state="restored", recovery_point_id="rp1"))
    assert refused.failed and refused["error_code"] == "LeaseAlreadyPresent"
    assert listing(service, vm["container"]) == before

    restored = run_module("blob_snapshot_copy", module_args(primary, vm, state="restored", recovery_point_id="rp1", break_leases=True))
    assert restored["changed"] is True, restored.result
    for name, digest in expected.items():
        assert sha256(service, vm["container"], name) == digest
    safety = [b for b in listing(service, vm["container"]) if ("drkit_before_restore", "true") in b[2]]
    assert len(safety) == 4

    again = run_module("blob_snapshot_copy", module_args(primary, vm, state="restored", recovery_point_id="rp1", break_leases=True))
    assert again["changed"] is False


def test_absent_deletes_the_point_once(primary, service, vm):
    run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id="rp1"))
    deleted = run_module("blob_snapshot_copy", module_args(primary, vm, state="absent", recovery_point_id="rp1"))
    assert deleted["changed"] is True
    assert [b for b in listing(service, vm["container"]) if b[1]] == []
    assert run_module("blob_snapshot_copy", module_args(primary, vm, state="absent", recovery_point_id="rp1"))["changed"] is False


@pytest.mark.parametrize("extra, parameter", [
    ({"recovery_point_id": "bad id; drop"}, "recovery_point_id"),
    ({"state": "restored", "restore_before": "yesterday"}, "restore_before"),
    ({"max_concurrency": 0}, "max_concurrency"),
    ({"account_url": "ftp://example"}, "account_url"),
])
def test_bad_input_is_refused_naming_the_parameter_before_any_change(primary, service, vm, extra, parameter):
    before = listing(service, vm["container"])
    result = run_module("blob_snapshot_copy", dict(module_args(primary, vm), **extra))
    assert result.failed and parameter in result["msg"]
    assert listing(service, vm["container"]) == before


def test_a_rejected_key_fails_with_the_service_code_and_never_shows_the_key(primary, vm):
    wrong = dict(primary, account_key="V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk=")
    result = run_module("blob_snapshot_copy", module_args(wrong, vm, recovery_point_id="rp1"))
    # Azure answers 403 AuthenticationFailed; Azurite with token auth enabled 400 InvalidAuthenticationInfo.
    assert result.failed and result["step"] == "list_blobs"
    assert result["error_code"] in ("AuthenticationFailed", "InvalidAuthenticationInfo")
    assert wrong["account_key"] not in result.output


def test_prune_keeps_the_newest_points_and_a_rerun_changes_nothing(primary, service, vm):
    for point_id in ("rp1", "rp2", "rp3", "rp4"):
        assert run_module("blob_snapshot_copy", module_args(primary, vm, recovery_point_id=point_id))["changed"]
    before = listing(service, vm["container"])
    preview = run_module("blob_snapshot_copy", module_args(primary, vm, state="pruned", keep_last=2), check=True)
    assert [a["detail"]["recovery_point"] for a in preview["plan"]] == ["rp1", "rp2"]
    assert listing(service, vm["container"]) == before

    pruned = run_module("blob_snapshot_copy", module_args(primary, vm, state="pruned", keep_last=2))
    assert pruned["changed"] is True
    info = run_module("blob_snapshot_copy_info", module_args(primary, vm))
    assert [p["id"] for p in info["recovery_points"]] == ["rp3", "rp4"]
    assert run_module("blob_snapshot_copy", module_args(primary, vm, state="pruned", keep_last=2))["changed"] is False


def test_prune_without_a_rule_is_refused(primary, vm):
    result = run_module("blob_snapshot_copy", module_args(primary, vm, state="pruned"))
    assert result.failed and "keep_last" in result["msg"]


def test_a_vm_storage_profile_names_the_disks(primary, vm):
    def vhd(disk):
        return {"vhd": {"uri": "%s/%s/%s" % (primary["account_url"], disk["container"], disk["blob"])}}

    profile = {"osDisk": vhd(vm["disks"][0]), "dataDisks": [dict(vhd(d), lun=d["lun"]) for d in vm["disks"][1:]]}
    args = module_args(primary, vm, recovery_point_id="rp1", storage_profile=profile)
    del args["disks"]
    taken = run_module("blob_snapshot_copy", args)
    assert taken["recovery_point"]["complete"] and taken["recovery_point"]["disk_count"] == 4
    info = run_module("blob_snapshot_copy", dict(args, state="restored", target="new"), check=True)
    assert len(info["plan"]) == 4
