# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply the recovery-point actions of :mod:`planner` to one storage account."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api, planner
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import (
    META_RESTORED_FROM, Disk, snapshot_metadata)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError


def _snapshot_time(snapshot):
    """A snapshot stamp such as 2026-11-23T07:44:04.4480000Z as a datetime (7 fraction digits cut to 6)."""
    stamp, fraction = (snapshot.rstrip("Z").split(".") + [""])[:2]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S").replace(microsecond=int((fraction + "000000")[:6]))


class AccountAppliers(object):
    """Appliers for one account's blobs; *source_url(key, snapshot)* makes an authorized copy-source URL."""

    def __init__(self, service, source_url, max_concurrency=16):
        self.service = service
        self.source_url = source_url
        self.max_concurrency = max_concurrency
        self.snapshot_skew_seconds = None

    def blob(self, key, snapshot=None):
        return api.blob_at(self.service, key, snapshot)

    def as_mapping(self):
        return {
            planner.TAKE_RECOVERY_POINT: self.take_recovery_point,
            planner.DELETE_INCOMPLETE_POINT: self.delete_snapshots,
            planner.DELETE_RECOVERY_POINT: self.delete_snapshots,
            planner.BREAK_LEASE: lambda action: api.break_lease(self.blob(action.target)),
            planner.SNAPSHOT_BEFORE_OVERWRITE: self.snapshot_before_overwrite,
            planner.OVERWRITE_DISK: self.copy_from_snapshot,
            planner.COPY_TO_NEW_BLOB: self.copy_from_snapshot,
        }

    def take_recovery_point(self, action):
        """Snapshot every disk at once; if any fails, delete the others so no partial point remains."""
        disks = [Disk(d["container"], d["blob"], d["lun"]) for d in action.detail["disks"]]
        count = len(disks)

        def snap(indexed):
            sequence, disk = indexed
            metadata = snapshot_metadata(action.target, action.detail["vm_name"], disk, sequence, count, action.detail["started"])
            return disk, api.create_snapshot(self.blob(disk.key), metadata)

        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, count)) as pool:
            futures = [pool.submit(snap, item) for item in enumerate(disks)]
        taken, failures = [], []
        for future in futures:
            try:
                taken.append(future.result())
            except DrkitError as error:
                failures.append(error)
        if failures:
            for disk, snapshot in taken:
                api.delete_snapshot(self.blob(disk.key, snapshot))
            error = failures[0]
            error.details["removed_partial_snapshots"] = len(taken)
            raise error
        times = [_snapshot_time(snapshot) for disk, snapshot in taken]
        self.snapshot_skew_seconds = (max(times) - min(times)).total_seconds()
        return [{"disk": disk.as_dict(), "snapshot": snapshot} for disk, snapshot in taken]

    def delete_snapshots(self, action):
        for record in action.detail["snapshots"]:
            api.delete_snapshot(self.blob("%s/%s" % (record["container"], record["blob"]), record["snapshot"]))

    def snapshot_before_overwrite(self, action):
        return api.create_snapshot(self.blob(action.target), {"drkit_before_restore": "true"})

    def copy_from_snapshot(self, action):
        source_url = self.source_url(action.detail["source"], action.detail["snapshot"])
        destination = self.blob(action.target)
        current = api.get_properties(destination)
        metadata = dict(current.metadata if current is not None else {})
        metadata[META_RESTORED_FROM] = action.detail["recovery_point"]
        return api.copy_blob(destination, source_url, metadata)
