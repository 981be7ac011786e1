# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy a recovery point to a second account, moving only the pages that changed.

Each disk of the point is written into its replica blob in the destination account and
the replica is then snapshotted with the source snapshot's metadata plus
``drkit_copied_from``, so the destination keeps its own chain of recovery points and a
point there is complete only once every disk's replica snapshot exists.

The first copy of a disk is full (every valid page of the source snapshot). Later copies
are incremental from the newest replica snapshot when three facts hold: it was copied
from a source snapshot that still exists, the replica blob has not been written since
(same ETag as that replica snapshot), and the sizes allow it; the pages to write are then
the page-range diff between the two source snapshots, and its cleared ranges are cleared
on the replica. Otherwise the copy is full again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api, page_ranges
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import META_POINT, Disk
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

META_COPIED_FROM = "drkit_copied_from"

CREATE_CONTAINER = ActionType("create_container", "create")
COPY_DISK = ActionType("copy_disk_to_secondary", "copy")


def replica_disk(disk, container=None):
    return Disk(container or disk.container, disk.blob, disk.lun)


def choose_base(snapshot, source_stamps, replica_listing):
    """The source snapshot an incremental copy of *snapshot* can start from, or ``None`` (full copy).

    *source_stamps* are the snapshot stamps that exist on the source blob; *replica_listing*
    is the replica blob with its snapshots (``api.list_blob_versions``).
    """
    base = next((b for b in replica_listing if b.snapshot is None), None)
    copies = [b for b in replica_listing if b.snapshot is not None and (b.metadata or {}).get(META_COPIED_FROM)]
    if base is None or not copies:
        return None
    newest = max(copies, key=lambda b: b.snapshot)
    previous = newest.metadata[META_COPIED_FROM]
    if previous not in source_stamps or previous >= snapshot.snapshot or base.etag != newest.etag:
        return None
    return previous


def replica_holds(point_id, replica_listing):
    """True when the replica already has its snapshot of recovery point *point_id*."""
    return any(b.snapshot is not None and (b.metadata or {}).get(META_POINT) == point_id for b in replica_listing)


def plan_containers(names):
    """Create the destination containers that do not exist yet."""
    return Plan([CREATE_CONTAINER(name) for name in names])


def plan_copy(point, replicas, ranges):
    """One copy action per disk of *point* not yet on the destination.

    *replicas* maps a source disk key to ``(replica Disk, replica listing)``; *ranges* maps
    it to ``(base, written, cleared)`` from :func:`choose_base` and the page-range reads.
    """
    plan = Plan()
    for record in sorted(point.snapshots, key=lambda s: s.disk.key):
        replica, listing = replicas[record.disk.key]
        if replica_holds(point.id, listing):
            continue
        base, written, cleared = ranges[record.disk.key]
        plan.add(COPY_DISK(
            replica.key, source=record.disk.key, snapshot=record.snapshot, recovery_point=point.id,
            mode="incremental" if base else "full", base_snapshot=base, size=record.size,
            bytes_to_write=page_ranges.total_bytes(written), bytes_to_clear=page_ranges.total_bytes(cleared),
            metadata=dict(record.metadata)))
    return plan


class CopyAppliers(object):
    """Writes replicas: server side (Put Page From URL) or, if asked, through the controller."""

    def __init__(self, source, destination, source_url, ranges, max_concurrency=8, client_side=False):
        self.source = source
        self.destination = destination
        self.source_url = source_url
        self.ranges = ranges
        self.max_concurrency = max_concurrency
        self.client_side = client_side
        self.bytes_moved = {}

    def as_mapping(self):
        return {COPY_DISK: self.copy_disk,
                CREATE_CONTAINER: lambda action: api.create_container(self.destination.get_container_client(action.target))}

    def copy_disk(self, action):
        detail = action.detail
        replica = api.blob_at(self.destination, action.target)
        base, written, cleared = self.ranges[detail["source"]]
        if base is None:
            api.create_page_blob(replica, detail["size"])
        elif api.get_properties(replica).size != detail["size"]:
            api.resize_page_blob(replica, detail["size"])
        source = api.blob_at(self.source, detail["source"], detail["snapshot"])
        url, authorization = (None, None) if self.client_side else self.source_url.for_page_copy(detail["source"], detail["snapshot"])

        def write(piece):
            offset, length = piece
            if url is None:
                api.upload_page(replica, api.read_range(source, offset, length), offset)
            else:
                api.upload_page_from_url(replica, url, offset, length, authorization)
            return length

        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            moved = sum(pool.map(write, page_ranges.chunks(written)))
        for offset, length in page_ranges.chunks(cleared, limit=1 << 40):
            api.clear_pages(replica, offset, length)
        metadata = dict(detail["metadata"], **{META_COPIED_FROM: detail["snapshot"]})
        stamp = api.create_snapshot(replica, metadata)
        self.bytes_moved[action.target] = moved
        return {"replica": action.target, "snapshot": stamp, "bytes_moved": moved}
