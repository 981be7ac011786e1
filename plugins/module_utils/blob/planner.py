# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure planners for recovery points of unmanaged disks: state in, :class:`Plan` out.

Nothing here talks to storage. The module reads the blobs' listings and properties,
these functions decide, and the module previews or applies the plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import parse_qs, urlsplit

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

TAKE_RECOVERY_POINT = ActionType("take_recovery_point", "create")
DELETE_INCOMPLETE_POINT = ActionType("delete_incomplete_recovery_point", "delete", reversible=False)
DELETE_RECOVERY_POINT = ActionType("delete_recovery_point", "delete", destructive=True, reversible=False)
BREAK_LEASE = ActionType("break_lease", "modify", destructive=True, reversible=False)
SNAPSHOT_BEFORE_OVERWRITE = ActionType("snapshot_before_overwrite", "create")
OVERWRITE_DISK = ActionType("overwrite_disk_from_snapshot", "overwrite", destructive=True, reversible=False)
COPY_TO_NEW_BLOB = ActionType("copy_snapshot_to_new_blob", "create")


def plan_snapshot(vm_name, disks, points, point_id, started):
    """Take recovery point *point_id* of all *disks*, unless it already exists whole.

    An incomplete point of the same id (an earlier run that failed half way) is removed
    first and taken again: its surviving snapshots are from another moment.
    """
    plan = Plan()
    existing = next((p for p in points if p.id == point_id), None)
    if existing is not None and existing.complete:
        if sorted(s.disk.key for s in existing.snapshots) != sorted(d.key for d in disks):
            raise DrkitError("recovery point %s exists with other disks: %s" % (
                point_id, ", ".join(sorted(s.disk.key for s in existing.snapshots))), step="plan_snapshot", target=point_id)
        return plan
    if existing is not None:
        plan.add(DELETE_INCOMPLETE_POINT(point_id, snapshots=[s.as_dict() for s in existing.snapshots],
                                         reason="only %d of %d disks have a snapshot" % (len(existing.snapshots), existing.disk_count)))
    plan.add(TAKE_RECOVERY_POINT(point_id, vm_name=vm_name, started=started, disks=[d.as_dict() for d in disks]))
    return plan


def plan_absent(point, point_id):
    """Delete every snapshot of one recovery point, complete or not."""
    plan = Plan()
    if point is not None:
        plan.add(DELETE_RECOVERY_POINT(point_id, complete=point.complete, snapshots=[s.as_dict() for s in point.snapshots]))
        plan.notice("Recovery point %s (taken %s) can no longer be restored once deleted." % (point_id, point.started))
    return plan


def plan_restore(point, disks, bases, target, target_prefix, break_leases, safety_snapshot):
    """Restore every disk of a complete *point*, in place or into new blobs.

    *bases* maps a disk key to the current properties of the blob that would be written
    (the base blob in place, the new blob otherwise), ``None`` when it does not exist.
    A disk already holding exactly this point (copied from its snapshot and not written
    since) is left alone, so a second run changes nothing.
    """
    if not point.complete:
        raise DrkitError("recovery point %s is incomplete (%d of %d disks); its snapshots are only usable together" % (
            point.id, len(point.snapshots), point.disk_count), step="plan_restore", target=point.id)
    point_disks = sorted(s.disk.key for s in point.snapshots)
    if sorted(d.key for d in disks) != point_disks:
        raise DrkitError("a recovery point is restored whole: it holds %s" % ", ".join(point_disks),
                         step="plan_restore", target=point.id)
    plan = Plan()
    written = []
    for disk in disks:
        snapshot = point.snapshot_for(disk)
        destination = disk.key if target == "in_place" else "%s/%s%s" % (disk.container, target_prefix, disk.blob)
        current = bases.get(disk.key)
        if _holds_snapshot(current, snapshot):
            continue
        if target == "in_place":
            if current is not None and current.lease.state == "leased":
                if not break_leases:
                    raise DrkitError("blob is leased (a VM or another tool holds it); stop the VM or set break_leases",
                                     step="plan_restore", target=destination, code="LeaseAlreadyPresent")
                plan.add(BREAK_LEASE(destination, lease_state=current.lease.state))
            if safety_snapshot and current is not None:
                plan.add(SNAPSHOT_BEFORE_OVERWRITE(destination, size=current.size))
            plan.add(OVERWRITE_DISK(destination, source=snapshot.location, snapshot=snapshot.snapshot, recovery_point=point.id,
                                    **_current(current)))
            written.append(destination)
        else:
            plan.add(COPY_TO_NEW_BLOB(destination, source=snapshot.location, snapshot=snapshot.snapshot,
                                      recovery_point=point.id, **_current(current)))
    if written:
        plan.notice("Data written to %s after recovery point %s (taken %s) will be lost." % (
            ", ".join(written), point.id, point.started))
    if plan.actions:
        plan.notice("Recreate or start the VM %s from its template only after every disk of the point is restored." % point.vm_name)
    plan.before = {d.key: _current(bases.get(d.key)) for d in disks}
    plan.after = {d.key: {"recovery_point": point.id, "snapshot": point.snapshot_for(d).snapshot} for d in disks}
    return plan


def _holds_snapshot(current, snapshot):
    """True when the blob was copied from *snapshot* and not written after the copy finished."""
    copy = getattr(current, "copy", None)
    if current is None or copy is None or copy.status != "success" or not copy.source:
        return False
    source = copy.source.split("?")[0], _query_snapshot(copy.source)
    return source[1] == snapshot.snapshot and source[0].endswith("/" + snapshot.location) and (
        copy.completion_time is None or current.last_modified <= copy.completion_time)


def _query_snapshot(url):
    return (parse_qs(urlsplit(url).query).get("snapshot") or [None])[0]


def _current(properties):
    if properties is None:
        return {"exists": False}
    return {"exists": True, "size": properties.size, "last_modified": properties.last_modified.isoformat()}
