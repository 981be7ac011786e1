# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retention of recovery points: which ones a prune deletes, and which it never may.

A complete point is kept while any rule keeps it: among the newest ``keep_last``, or
started within ``keep_days``. An incomplete point older than the newest complete one is
debris and goes. Never deleted: the newest complete point on each side, and on the
source the point the destination's newest replica was copied from, because the next
incremental copy diffs against exactly that snapshot.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import timedelta

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.copy import META_COPIED_FROM
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import utc_stamp

PRUNE_RECOVERY_POINT = ActionType("prune_recovery_point", "delete", destructive=True, reversible=False)


def validate_retention(keep_last, keep_days):
    if keep_last is None and keep_days is None:
        raise InvalidParameter("keep_last", "state=pruned needs keep_last, keep_days or both")
    if keep_last is not None and keep_last < 1:
        raise InvalidParameter("keep_last", "must be at least 1: the newest complete point is always kept")
    if keep_days is not None and keep_days < 0:
        raise InvalidParameter("keep_days", "must not be negative")


def copy_bases(replica_points):
    """Source snapshot stamps the newest replica of each disk was copied from."""
    newest = {}
    for point in replica_points:
        for record in point.snapshots:
            current = newest.get(record.disk.key)
            if current is None or record.snapshot > current.snapshot:
                newest[record.disk.key] = record
    return set(r.metadata.get(META_COPIED_FROM) for r in newest.values() if r.metadata.get(META_COPIED_FROM))


def plan_prune(points, side, keep_last, keep_days, now, protected_stamps=()):
    """Prune actions for the *side* (``source`` or ``destination``) holding *points* (oldest first)."""
    plan = Plan()
    complete = [p for p in points if p.complete]
    keep = set(p.id for p in complete[-1:])
    if keep_last:
        keep.update(p.id for p in complete[-keep_last:])
    if keep_days is not None:
        cutoff = utc_stamp(now - timedelta(days=keep_days))
        keep.update(p.id for p in complete if (p.started or "") >= cutoff)
    newest_complete = complete[-1].started if complete else None
    for point in points:
        if point.id in keep:
            continue
        if not point.complete and (newest_complete is None or (point.started or "") > newest_complete):
            continue  # possibly still being taken or copied
        if any(s.snapshot in protected_stamps for s in point.snapshots):
            plan.notice("Recovery point %s is kept on the %s: the next incremental copy starts from it." % (point.id, side))
            continue
        plan.add(PRUNE_RECOVERY_POINT("%s:%s" % (side, point.id), side=side, recovery_point=point.id, started=point.started,
                                      complete=point.complete, snapshots=[s.as_dict() for s in point.snapshots]))
    return plan


class PruneAppliers(object):
    """Deletes pruned points' snapshots in the account of their side."""

    def __init__(self, services):
        self.services = services

    def as_mapping(self):
        return {PRUNE_RECOVERY_POINT: self.prune}

    def prune(self, action):
        service = self.services[action.detail["side"]]
        for record in action.detail["snapshots"]:
            api.delete_snapshot(service.get_blob_client(record["container"], record["blob"], snapshot=record["snapshot"]))
