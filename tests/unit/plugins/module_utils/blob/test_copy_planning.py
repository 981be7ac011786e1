"""Incremental copy decisions: which base, which pages, what is already on the destination."""

from types import SimpleNamespace

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import copy, page_ranges
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import Disk, SnapshotRecord
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

S1, S2 = "2026-11-23T01:00:00.0000000Z", "2026-11-23T02:00:00.0000000Z"
MIB = 1024 * 1024


def replica(etag="e1", copied_from=S1, snapshot_etag="e1", point="rp1"):
    return [SimpleNamespace(snapshot=None, etag=etag, metadata={}),
            SimpleNamespace(snapshot="2026-11-23T01:05:00.0000000Z", etag=snapshot_etag,
                            metadata={"drkit_copied_from": copied_from, "drkit_recovery_point": point})]


RECORD = SnapshotRecord(Disk("vhds", "os.vhd"), S2, 8 * MIB, {"drkit_recovery_point": "rp2"})


def test_incremental_from_the_last_copied_snapshot_when_the_replica_is_untouched():
    assert copy.choose_base(RECORD, {S1, S2}, replica()) == S1


@pytest.mark.parametrize("listing, stamps", [
    ([], {S1, S2}),                                  # never copied
    (replica(etag="e2"), {S1, S2}),                  # replica written since its last snapshot
    (replica(), {S2}),                               # the previous source snapshot was deleted
    (replica(copied_from=S2), {S1, S2}),             # the replica is not older than this snapshot
])
def test_full_copy_when_an_incremental_would_be_unsafe(listing, stamps):
    assert copy.choose_base(RECORD, stamps, listing) is None


def test_a_disk_whose_replica_holds_the_point_is_not_copied_again():
    point = SimpleNamespace(id="rp1", snapshots=[RECORD])
    replicas = {RECORD.disk.key: (Disk("vhds", "os.vhd"), replica(point="rp1"))}
    assert copy.plan_copy(point, replicas, {}).actions == []


def test_copy_action_reports_mode_and_bytes():
    point = SimpleNamespace(id="rp2", snapshots=[RECORD])
    replicas = {RECORD.disk.key: (Disk("dr", "os.vhd"), replica())}
    plan = copy.plan_copy(point, replicas, {RECORD.disk.key: (S1, [(0, 1023), (1024, 4095)], [(8192, 8703)])})
    detail = plan.actions[0].detail
    assert plan.actions[0].target == "dr/os.vhd"
    assert (detail["mode"], detail["bytes_to_write"], detail["bytes_to_clear"]) == ("incremental", 4096, 512)


def test_chunks_respect_the_4_mib_put_page_limit_and_merge_neighbours():
    pieces = page_ranges.chunks([(0, 511), (512, 9 * MIB - 1)])
    assert pieces == [(0, 4 * MIB), (4 * MIB, 4 * MIB), (8 * MIB, MIB)]
    assert all(length <= page_ranges.MAX_PUT_PAGE and offset % 512 == 0 for offset, length in pieces)


def test_misaligned_ranges_are_refused():
    with pytest.raises(DrkitError):
        page_ranges.chunks([(0, 100)])
