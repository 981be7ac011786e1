# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recovery points of unmanaged disks, read back from snapshot metadata.

The snapshots of every disk of one VM taken together form one recovery point; they
are usable only together. Each snapshot carries the point's id, the VM, the disk's
role, its sequence in the point and the point's disk count, so completeness is a fact
read from storage: a point is complete only when every one of its disks has its
snapshot. Snapshot metadata cannot change after creation, so a point can never be
marked complete before all its snapshots exist.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import unquote, urlsplit

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

META_POINT = "drkit_recovery_point"
META_VM = "drkit_vm"
META_DISK = "drkit_disk"
META_SEQUENCE = "drkit_sequence"
META_DISK_COUNT = "drkit_disk_count"
META_STARTED = "drkit_started"
META_RESTORED_FROM = "drkit_restored_from"

# Ids travel in metadata values and blob names: keep them to a safe, readable alphabet.
POINT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
# Azure's rules (Naming and Referencing Containers, Blobs, and Metadata): a container name is 3-63 lowercase letters, digits
# and hyphens, each hyphen between a letter or digit, or one of the special containers; a blob name 1-1024 characters.
CONTAINER_NAME_PATTERN = re.compile(r"(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*")
SPECIAL_CONTAINERS = ("$root", "$logs", "$web")
MAX_BLOB_NAME = 1024
# HTTP clients resolve these path segments away (RFC 3986 5.2.4, urllib3 does): a blob name holding one would address another blob.
DOT_SEGMENTS = (".", "..")
# A metadata value is an HTTP header value: visible ASCII and inner spaces; a server trims blanks at its ends.
METADATA_VALUE_PATTERN = re.compile(r"[!-~]([ -~]*[!-~])?")


UNMANAGED_DISKS_ARGUMENT_SPEC = dict(
    vm_name=dict(type="str", required=True),
    disks=dict(type="list", elements="dict", options=dict(
        container=dict(type="str", required=True),
        blob=dict(type="str", required=True),
        lun=dict(type="int"),
    )),
    storage_profile=dict(type="dict"),
)
UNMANAGED_DISKS_ONE_OF = [("disks", "storage_profile")]


class Disk(object):
    """One unmanaged disk of a VM: the page blob holding its VHD and its role."""

    def __init__(self, container, blob, lun=None):
        self.container = container
        self.blob = blob
        self.lun = lun

    @property
    def key(self):
        return "%s/%s" % (self.container, self.blob)

    @property
    def role(self):
        return "os" if self.lun is None else "lun%d" % self.lun

    def as_dict(self):
        return {"container": self.container, "blob": self.blob, "lun": self.lun, "role": self.role}


def disks_from_params(entries, parameter="disks"):
    """Validate the ``disks`` option: at least one, one OS disk at most, names by Azure's rules, unique blobs and LUNs."""
    if not entries:
        raise InvalidParameter(parameter, "list at least one disk (the VM's OS disk and every data disk)")
    disks = [Disk(e["container"], e["blob"], e.get("lun")) for e in entries]
    if len(set(d.key for d in disks)) != len(disks):
        raise InvalidParameter(parameter, "each container/blob may appear once")
    roles = [d.role for d in disks]
    if len(set(roles)) != len(roles):
        raise InvalidParameter(parameter, "each LUN may appear once and at most one disk may omit lun (the OS disk)")
    for disk in disks:
        if disk.lun is not None and not 0 <= disk.lun <= 63:
            raise InvalidParameter(parameter, "lun must be between 0 and 63")
    for index, disk in enumerate(disks):
        validate_container_name(disk.container, "%s[%d].container" % (parameter, index))
        validate_blob_name(disk.blob, "%s[%d].blob" % (parameter, index))
    return disks


def disks_from_storage_profile(profile, account_url, parameter="storage_profile"):
    """The unmanaged disks a VM's storage profile references, as ARM returns it (camelCase) or the SDK (snake_case)."""
    def field(entry, camel, snake):
        return entry.get(camel, entry.get(snake)) if isinstance(entry, dict) else None

    entries = [(field(profile, "osDisk", "os_disk"), None)]
    entries += [(d, field(d, "lun", "lun")) for d in field(profile, "dataDisks", "data_disks") or []]
    account = urlsplit(account_url.rstrip("/") + "/")
    disks = []
    for entry, lun in entries:
        uri = field(field(entry, "vhd", "vhd") or {}, "uri", "uri")
        if not uri:
            raise InvalidParameter(parameter, "every disk must be unmanaged, with vhd.uri (managed disks are backed up by Azure Backup)")
        location = urlsplit(uri)
        path = location.path
        if location.hostname == account.hostname and account.path.strip("/"):
            # Emulator and private endpoint style: the account is the first part of the path.
            path = path[len(account.path.rstrip("/")):] if path.startswith(account.path.rstrip("/") + "/") else ""
        if location.hostname != account.hostname or path.count("/") < 2:
            raise InvalidParameter(parameter, "disk %s is not in the account of account_url %s" % (uri, account_url))
        container, blob = unquote(path.lstrip("/")).split("/", 1)
        disks.append({"container": container, "blob": blob, "lun": lun})
    return disks_from_params(disks, parameter)


def vm_disks(params):
    """The VM's disks from the module's ``disks`` or ``storage_profile`` option, once every name the requests will carry
    (vm_name, the containers and blobs, destination.container, the new blobs of target=new) passed Azure's rules."""
    if not METADATA_VALUE_PATTERN.fullmatch(params["vm_name"] or ""):
        raise InvalidParameter("vm_name", "must be visible ASCII characters and inner spaces (it travels as a metadata header)")
    if params.get("disks"):
        disks = disks_from_params(params["disks"])
    else:
        disks = disks_from_storage_profile(params["storage_profile"], params["account_url"])
    if (params.get("destination") or {}).get("container") is not None:
        validate_container_name(params["destination"]["container"], "destination.container")
    if params.get("target") == "new":
        # A point id starts with a letter or digit, so the one that replaces {recovery_point} is never a dot segment.
        prefix = params["target_prefix"].replace("{recovery_point}", "x")
        for disk in disks:
            validate_blob_name(prefix + disk.blob, "target_prefix")
    return disks


def validate_point_id(point_id, parameter="recovery_point_id"):
    if not POINT_ID_PATTERN.fullmatch(point_id or ""):
        raise InvalidParameter(parameter, "1-63 characters: letters, digits, '.', '_' and '-', starting with a letter or digit")
    return point_id


def validate_container_name(name, parameter):
    if name not in SPECIAL_CONTAINERS and not CONTAINER_NAME_PATTERN.fullmatch(name or ""):
        raise InvalidParameter(parameter, "%r is not a container name: 3-63 lowercase letters, digits and hyphens, starting and ending "
                                          "with a letter or digit, no two hyphens together" % name)


def validate_blob_name(name, parameter):
    if not name or len(name) > MAX_BLOB_NAME:
        raise InvalidParameter(parameter, "a blob name is 1 to %d characters, not %d" % (MAX_BLOB_NAME, len(name or "")))
    if any(segment in DOT_SEGMENTS for segment in name.split("/")):
        raise InvalidParameter(parameter, "%r has a path segment '.' or '..', which a URL cannot carry (it would address another blob)" % name)


def snapshot_metadata(point_id, vm_name, disk, sequence, disk_count, started):
    return {
        META_POINT: point_id,
        META_VM: vm_name,
        META_DISK: disk.role,
        META_SEQUENCE: str(sequence),
        META_DISK_COUNT: str(disk_count),
        META_STARTED: started,
    }


class SnapshotRecord(object):
    """One disk's snapshot as listed by the service.

    ``location`` is the container/blob the snapshot belongs to: the disk's own blob, or
    its replica in a second account when a point is restored from there.
    """

    def __init__(self, disk, snapshot, size, metadata, location=None):
        self.disk = disk
        self.snapshot = snapshot
        self.size = size
        self.metadata = metadata
        self.location = location or disk.key

    def as_dict(self):
        return dict(self.disk.as_dict(), snapshot=self.snapshot, size=self.size)


class RecoveryPoint(object):
    """The snapshots sharing one recovery-point id, and whether they make a whole."""

    def __init__(self, point_id, vm_name, started, disk_count):
        self.id = point_id
        self.vm_name = vm_name
        self.started = started
        self.disk_count = disk_count
        self.snapshots = []

    @property
    def complete(self):
        disks = set(s.disk.key for s in self.snapshots)
        return len(disks) == self.disk_count == len(self.snapshots)

    @property
    def size(self):
        return sum(s.size or 0 for s in self.snapshots)

    def snapshot_for(self, disk):
        return next((s for s in self.snapshots if s.disk.key == disk.key), None)

    def as_dict(self):
        return {
            "id": self.id,
            "vm_name": self.vm_name,
            "started": self.started,
            "complete": self.complete,
            "disk_count": self.disk_count,
            "size": self.size,
            "snapshots": [s.as_dict() for s in sorted(self.snapshots, key=lambda s: s.metadata.get(META_SEQUENCE, ""))],
        }


def group_recovery_points(vm_name, listings, locations=None):
    """Recovery points of *vm_name* from ``(disk, blob listing)`` pairs, oldest first.

    A listing is what :func:`api.list_blob_versions` returns for the disk's blob; base
    blobs and snapshots not made by this collection for this VM are ignored. *locations*
    maps a disk key to where its listing was read, when that is a replica elsewhere.
    """
    points = {}
    for disk, listing in listings:
        location = (locations or {}).get(disk.key)
        for item in listing:
            meta = item.metadata or {}
            if item.snapshot is None or meta.get(META_VM) != vm_name or META_POINT not in meta:
                continue
            point = points.get(meta[META_POINT])
            if point is None:
                point = points[meta[META_POINT]] = RecoveryPoint(
                    meta[META_POINT], vm_name, meta.get(META_STARTED), _int(meta.get(META_DISK_COUNT)))
            point.snapshots.append(SnapshotRecord(disk, item.snapshot, item.size, meta, location))
    return sorted(points.values(), key=lambda p: (p.started or "", p.id))


def list_disks(service, disks, replicas=None):
    """Each disk with its blob and snapshots: ``[(disk, listing)]`` and where each listing was read.

    With *replicas* (a disk key to its replica :class:`Disk`), the replicas are listed instead.
    """
    sources = dict((d.key, (replicas or {}).get(d.key, d)) for d in disks)
    listings = [(disk, api.list_blob_versions(service.get_container_client(sources[disk.key].container), sources[disk.key].blob))
                for disk in disks]
    return listings, dict((key, source.key) for key, source in sources.items())


def read_recovery_points(service, vm_name, disks, replicas=None):
    """The VM's recovery points in *service*; with *replicas*, those of the replicas, naming the original disks."""
    listings, locations = list_disks(service, disks, replicas)
    return group_recovery_points(vm_name, listings, locations)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def select_point(points, point_id=None, before=None):
    """The point named *point_id*, or the newest complete one started before *before* (ISO 8601)."""
    if point_id is not None:
        return next((p for p in points if p.id == point_id), None)
    eligible = [p for p in points if p.complete and (before is None or (p.started or "") < before)]
    return eligible[-1] if eligible else None
