"""Planners for recovery points: decisions from listed state, no storage involved."""

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import planner
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import (
    Disk, disks_from_params, disks_from_storage_profile, group_recovery_points, select_point, snapshot_metadata)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter

DISKS = [Disk("vhds", "vm1-os.vhd"), Disk("vhds", "vm1-data0.vhd", 0)]
T0 = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)


def listing(point_id, disks, count=None, started="2026-11-23T05:00:00.000000Z", vm="vm1", stamp="2026-11-23T05:00:00.1000000Z"):
    return [(d, [SimpleNamespace(snapshot=None, metadata={}, size=1024),
                 SimpleNamespace(snapshot=stamp, size=1024,
                                 metadata=snapshot_metadata(point_id, vm, d, i, count or len(disks), started))])
            for i, d in enumerate(disks)]


def blob(last_modified=T0, leased=False, copy=None):
    return SimpleNamespace(size=4096, last_modified=last_modified, copy=copy,
                           lease=SimpleNamespace(state="leased" if leased else "available"))


def test_points_group_by_id_and_count_completeness():
    points = group_recovery_points("vm1", listing("rp1", DISKS) + [(DISKS[0], listing("rp2", DISKS)[0][1])])
    by_id = {p.id: p for p in points}
    assert by_id["rp1"].complete is True
    assert by_id["rp2"].complete is False


def test_snapshots_of_other_vms_and_base_blobs_are_ignored():
    assert group_recovery_points("vm2", listing("rp1", DISKS)) == []


def test_new_point_is_one_take_action_over_all_disks():
    plan = planner.plan_snapshot("vm1", DISKS, [], "rp1", "2026-11-23T07:00:00.000000Z")
    assert [a.type for a in plan.actions] == [planner.TAKE_RECOVERY_POINT]
    assert [d["role"] for d in plan.actions[0].detail["disks"]] == ["os", "lun0"]


def test_existing_complete_point_means_nothing_to_do():
    points = group_recovery_points("vm1", listing("rp1", DISKS))
    assert planner.plan_snapshot("vm1", DISKS, points, "rp1", "x").actions == []


def test_incomplete_point_is_removed_then_taken_again():
    points = group_recovery_points("vm1", listing("rp1", DISKS[:1], count=2))
    plan = planner.plan_snapshot("vm1", DISKS, points, "rp1", "x")
    assert [a.type for a in plan.actions] == [planner.DELETE_INCOMPLETE_POINT, planner.TAKE_RECOVERY_POINT]


def test_restore_refuses_an_incomplete_point():
    point = group_recovery_points("vm1", listing("rp1", DISKS[:1], count=2))[0]
    with pytest.raises(DrkitError, match="incomplete"):
        planner.plan_restore(point, DISKS, {}, "in_place", "", False, True)


def test_restore_refuses_a_subset_of_the_disks():
    point = group_recovery_points("vm1", listing("rp1", DISKS))[0]
    with pytest.raises(DrkitError, match="restored whole"):
        planner.plan_restore(point, DISKS[:1], {}, "in_place", "", False, True)


def test_in_place_restore_overwrites_each_disk_after_a_safety_snapshot_and_warns():
    point = group_recovery_points("vm1", listing("rp1", DISKS))[0]
    bases = {d.key: blob() for d in DISKS}
    plan = planner.plan_restore(point, DISKS, bases, "in_place", "", False, True)
    assert [a.type for a in plan.actions] == [planner.SNAPSHOT_BEFORE_OVERWRITE, planner.OVERWRITE_DISK] * 2
    assert plan.actions[1].detail["last_modified"] == T0.isoformat()
    assert any("will be lost" in n and "2026-11-23T05:00:00" in n for n in plan.notices)


def test_leased_disk_is_refused_unless_breaking_leases_is_allowed():
    point = group_recovery_points("vm1", listing("rp1", DISKS))[0]
    bases = {d.key: blob(leased=True) for d in DISKS}
    with pytest.raises(DrkitError) as caught:
        planner.plan_restore(point, DISKS, bases, "in_place", "", False, False)
    assert caught.value.code == "LeaseAlreadyPresent"
    plan = planner.plan_restore(point, DISKS, bases, "in_place", "", True, False)
    assert [a.type for a in plan.actions] == [planner.BREAK_LEASE, planner.OVERWRITE_DISK] * 2


def test_disk_already_holding_the_point_is_left_alone():
    point = group_recovery_points("vm1", listing("rp1", DISKS))[0]
    url = "https://127.0.0.1/acct/vhds/vm1-os.vhd?snapshot=2026-11-23T05:00:00.1000000Z"
    copied = SimpleNamespace(status="success", source=url, completion_time=T0)
    bases = {DISKS[0].key: blob(copy=copied), DISKS[1].key: blob()}
    plan = planner.plan_restore(point, DISKS, bases, "in_place", "", False, False)
    assert [a.target for a in plan.actions] == ["vhds/vm1-data0.vhd"]
    written_after = {DISKS[0].key: blob(last_modified=T0.replace(minute=5), copy=copied), DISKS[1].key: blob()}
    plan = planner.plan_restore(point, DISKS, written_after, "in_place", "", False, False)
    assert [a.target for a in plan.actions] == ["vhds/vm1-os.vhd", "vhds/vm1-data0.vhd"]


def test_restore_to_new_blobs_writes_only_new_names():
    point = group_recovery_points("vm1", listing("rp1", DISKS))[0]
    plan = planner.plan_restore(point, DISKS, {}, "new", "restored/", False, True)
    assert [a.target for a in plan.actions] == ["vhds/restored/vm1-os.vhd", "vhds/restored/vm1-data0.vhd"]
    assert all(a.type is planner.COPY_TO_NEW_BLOB for a in plan.actions)
    assert not any("will be lost" in n for n in plan.notices)


def test_latest_complete_point_before_a_time_is_selected():
    points = group_recovery_points("vm1", listing("a", DISKS, started="2026-11-23T01:00:00.000000Z")
                                   + listing("b", DISKS, started="2026-11-23T03:00:00.000000Z")
                                   + [(DISKS[0], listing("c", DISKS, started="2026-11-23T04:00:00.000000Z")[0][1])])
    assert select_point(points, before="2026-11-23T05:00:00.000000Z").id == "b"
    assert select_point(points, before="2026-11-23T02:00:00.000000Z").id == "a"
    assert select_point(points, before="2026-11-23T00:00:00.000000Z") is None


@pytest.mark.parametrize("entries, rule", [
    ([], "at least one"),
    ([{"container": "c", "blob": "a"}, {"container": "c", "blob": "a", "lun": 1}], "once"),
    ([{"container": "c", "blob": "a"}, {"container": "c", "blob": "b"}], "OS disk"),
    ([{"container": "c", "blob": "a", "lun": 64}], "between 0 and 63"),
])
def test_bad_disk_lists_are_refused_naming_the_parameter(entries, rule):
    with pytest.raises(InvalidParameter) as caught:
        disks_from_params(entries)
    assert caught.value.parameter == "disks" and rule in str(caught.value)


PROFILE = {
    "osDisk": {"name": "os", "vhd": {"uri": "https://contoso.blob.core.windows.net/vhds/app01-os.vhd"}},
    "dataDisks": [{"lun": 0, "vhd": {"uri": "https://contoso.blob.core.windows.net/vhds/app01%20data0.vhd"}},
                  {"lun": 3, "vhd": {"uri": "https://contoso.blob.core.windows.net/data/sub/app01-d3.vhd"}}],
}


def test_disks_come_from_a_vm_storage_profile():
    disks = disks_from_storage_profile(PROFILE, "https://contoso.blob.core.windows.net")
    assert [(d.container, d.blob, d.role) for d in disks] == [
        ("vhds", "app01-os.vhd", "os"), ("vhds", "app01 data0.vhd", "lun0"), ("data", "sub/app01-d3.vhd", "lun3")]


def test_sdk_shaped_profiles_and_emulator_endpoints_work_too():
    profile = {"os_disk": {"vhd": {"uri": "https://127.0.0.1:10000/devstore/vhds/os.vhd"}}, "data_disks": []}
    disks = disks_from_storage_profile(profile, "https://127.0.0.1:10000/devstore")
    assert [(d.container, d.blob) for d in disks] == [("vhds", "os.vhd")]


@pytest.mark.parametrize("profile, rule", [
    ({"osDisk": {"managedDisk": {"id": "/subscriptions/x"}}}, "unmanaged"),
    ({"osDisk": {"vhd": {"uri": "https://other.blob.core.windows.net/vhds/os.vhd"}}}, "not in the account"),
])
def test_profiles_with_managed_or_foreign_disks_are_refused(profile, rule):
    with pytest.raises(InvalidParameter) as caught:
        disks_from_storage_profile(profile, "https://contoso.blob.core.windows.net")
    assert caught.value.parameter == "storage_profile" and rule in str(caught.value)
