"""Retention: what a prune deletes and what it must never delete."""

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import prune
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import Disk, RecoveryPoint, SnapshotRecord
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
DISK = Disk("vhds", "os.vhd")


def point(point_id, day, complete=True, copied_from=None):
    made = RecoveryPoint(point_id, "vm1", "2026-11-%02dT01:00:00.000000Z" % day, 1 if complete else 2)
    metadata = {"drkit_copied_from": copied_from} if copied_from else {}
    made.snapshots.append(SnapshotRecord(DISK, "2026-11-%02dT01:00:01.0000000Z" % day, 512, metadata))
    return made


def pruned(plan):
    return [a.detail["recovery_point"] for a in plan.actions]


def test_keep_last_keeps_the_newest_complete_points():
    points = [point("a", 10), point("b", 11), point("c", 12), point("d", 13)]
    assert pruned(prune.plan_prune(points, "source", 2, None, NOW)) == ["a", "b"]


def test_keep_days_keeps_recent_points_and_the_newest_always_stays():
    points = [point("a", 10), point("b", 20), point("c", 22)]
    assert pruned(prune.plan_prune(points, "source", None, 2, NOW)) == ["a", "b"]
    assert pruned(prune.plan_prune(points, "source", None, 0, NOW)) == ["a", "b"]


def test_both_rules_keep_what_either_keeps():
    points = [point("a", 1), point("b", 2), point("c", 22)]
    assert pruned(prune.plan_prune(points, "source", 2, 5, NOW)) == ["a"]


def test_the_base_of_the_next_incremental_copy_is_never_pruned():
    points = [point("a", 10), point("b", 11), point("c", 12)]
    replica = [point("b", 11, copied_from=points[1].snapshots[0].snapshot)]
    plan = prune.plan_prune(points, "source", 1, None, NOW, prune.copy_bases(replica))
    assert pruned(plan) == ["a"]
    assert any("next incremental copy" in n for n in plan.notices)


def test_old_incomplete_points_go_and_newer_ones_stay():
    points = [point("old-partial", 9, complete=False), point("a", 10), point("new-partial", 11, complete=False)]
    assert pruned(prune.plan_prune(points, "source", 1, None, NOW)) == ["old-partial"]


@pytest.mark.parametrize("keep_last, keep_days, parameter", [(None, None, "keep_last"), (0, None, "keep_last"), (None, -1, "keep_days")])
def test_retention_rules_are_validated(keep_last, keep_days, parameter):
    with pytest.raises(InvalidParameter) as caught:
        prune.validate_retention(keep_last, keep_days)
    assert caught.value.parameter == parameter


def test_prune_applier_deletes_on_the_right_side():
    deleted = []
    services = {side: SimpleNamespace(get_blob_client=lambda c, b, snapshot, side=side: SimpleNamespace(
        url="https://x/%s" % side, delete_blob=lambda side=side, snapshot=snapshot: deleted.append((side, snapshot))))
        for side in ("source", "destination")}
    action = prune.plan_prune([point("a", 1), point("b", 2)], "destination", 1, None, NOW).actions[0]
    prune.PruneAppliers(services).prune(action)
    assert deleted == [("destination", "2026-11-01T01:00:01.0000000Z")]
