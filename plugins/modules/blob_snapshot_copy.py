#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: blob_snapshot_copy
short_description: Coordinated recovery points of a VM's unmanaged disks (page blobs), and their restore
version_added: 0.1.0
description:
  - Protects the unmanaged disks of an Azure VM (VHDs in page blobs) with coordinated blob snapshots when Azure Backup cannot be used.
  - The snapshots of every disk of one VM taken together form one B(recovery point); they are usable only together.
    Each snapshot carries the point's id, the VM name, the disk's role (C(os) or C(lunN)), its sequence in the point,
    the number of disks in the point and the time the point was started, in snapshot metadata.
  - O(state=snapshot) snapshots every disk concurrently, so the skew between the first and the last snapshot is as small
    as the service allows. If any snapshot fails, the others are deleted, so a partial point is never left behind as usable.
    Freeze the file systems first (VSS or fsfreeze) or stop the VM for an application- or crash-consistent point;
    the P(drkit.microsoft.unmanaged_disk_backup#role) role does this.
  - O(state=copied) copies a complete recovery point to the account of O(destination) (another region), disk by disk,
    then snapshots each replica blob with the point's metadata, so the destination keeps its own chain of recovery points.
    The first copy of a disk is full; later copies write only the pages that changed since the previously copied snapshot
    (page-range diff, cleared ranges included). The destination service reads the source itself (Put Page From URL with a
    short-lived read-only SAS, or with O(auth_mode=login) the caller's Microsoft Entra token); no disk content passes
    through the controller unless O(copy_method=client).
    A point is complete on the destination only once every disk's replica snapshot exists.
  - O(state=restored) restores a whole complete recovery point, in place (each snapshot copied over its base blob) or into new blobs.
    In check mode it returns the plan, which names the blobs that would be overwritten with their current size and last-modified time,
    and that data written after the recovery point is lost.
  - O(destination) names the second account for O(state=copied), is pruned too with O(state=pruned),
    and is the account restored from with O(restore_from=secondary).
  - O(state=pruned) keeps the newest O(keep_last) complete recovery points and those younger than O(keep_days) days,
    on the source and, when O(destination) is given, on the destination; it never deletes the newest complete point of
    either side nor the source point that the next incremental copy starts from. Incomplete points older than the
    newest complete one are deleted.
  - O(state=absent) deletes every snapshot of one recovery point.
  - Use M(drkit.microsoft.blob_snapshot_copy_info) to list recovery points.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - azure-storage-blob >= 12.24.0
  - azure-identity >= 1.19.0 when O(auth_mode=login)
extends_documentation_fragment:
  - drkit.microsoft.storage
  - drkit.microsoft.unmanaged_disks
  - drkit.microsoft.storage_destination
  - drkit.microsoft.azure
attributes:
  check_mode:
    support: full
    description: Returns the plan of what would be snapshotted, overwritten or deleted and changes nothing.
  diff_mode:
    support: full
    description: For O(state=restored), the current state of every disk blob before and the recovery point it holds after.
options:
  state:
    description:
      - V(snapshot) takes recovery point O(recovery_point_id) unless it already exists whole.
      - V(copied) copies recovery point O(recovery_point_id) (by default the newest complete one) to O(destination).
      - V(pruned) applies the retention of O(keep_last) and O(keep_days).
      - V(restored) restores the recovery point O(recovery_point_id), or the newest complete one started before O(restore_before).
      - V(absent) deletes recovery point O(recovery_point_id).
    type: str
    choices: [snapshot, copied, restored, pruned, absent]
    default: snapshot
  recovery_point_id:
    description:
      - Id of the recovery point to take, restore or delete; 1 to 63 letters, digits, C(.), C(_) and C(-).
      - With O(state=snapshot), when omitted, a new id is made from the current UTC time, so each run takes a new point;
        give an id (for example the job's run id) to make reruns idempotent.
      - Required with O(state=absent); with O(state=restored), this or O(restore_before).
    type: str
  restore_before:
    description:
      - With O(state=restored) and no O(recovery_point_id), restore the newest complete recovery point started before this
        UTC time, in ISO 8601 (V(2026-11-23T06:00:00Z)).
    type: str
  target:
    description:
      - V(in_place) copies each snapshot over its base blob ("promote"); data written after the point is lost.
      - V(new) copies each snapshot into a new blob named O(target_prefix) followed by the base blob's name, in the same container.
    type: str
    choices: [in_place, new]
    default: in_place
  target_prefix:
    description:
      - Prefix of the new blobs' names for O(target=new); V({recovery_point}) is replaced by the point's id.
    type: str
    default: "restored-{recovery_point}/"
  restore_from:
    description:
      - With O(state=restored), V(primary) restores from the snapshots beside the disks;
        V(secondary) copies the point's replica snapshots from the account of O(destination) back into this (primary) account.
    type: str
    choices: [primary, secondary]
    default: primary
  break_leases:
    description:
      - Break the lease on a base blob before overwriting it. A leased disk blob usually belongs to a running VM;
        without this option such a restore is refused.
    type: bool
    default: false
  safety_snapshot:
    description:
      - Before overwriting a base blob in place, snapshot it (metadata C(drkit_before_restore=true)), so the restore can be undone.
    type: bool
    default: true
  max_concurrency:
    description:
      - Most snapshots, copies or page writes issued at once.
    type: int
    default: 16
  keep_last:
    description:
      - With O(state=pruned), how many of the newest complete recovery points to keep on each side (at least 1).
    type: int
  keep_days:
    description:
      - With O(state=pruned), keep complete recovery points started fewer than this many days ago.
    type: int
  copy_method:
    description:
      - V(server) lets the destination service read the source pages (Put Page From URL); nothing passes through the controller.
      - V(client) reads the pages through the controller and writes them; for networks where the destination cannot reach the source.
    type: str
    choices: [server, client]
    default: server
notes:
  - Azure Storage bills a page blob snapshot for the pages that differ from its base blob.
seealso:
  - module: drkit.microsoft.blob_snapshot_copy_info
"""

EXAMPLES = r"""
- name: Take a recovery point of a VM's disks (idempotent per run id)
  drkit.microsoft.blob_snapshot_copy:
    account_url: https://contosovhds.blob.core.windows.net
    account_key: "{{ vault_storage_key }}"
    vm_name: app01
    recovery_point_id: "nightly-{{ awx_job_id | default('manual') }}"
    disks:
      - {container: vhds, blob: app01-os.vhd}
      - {container: vhds, blob: app01-data0.vhd, lun: 0}

- name: Copy the newest complete point to the secondary region, incrementally
  drkit.microsoft.blob_snapshot_copy:
    account_url: https://contosovhds.blob.core.windows.net
    account_key: "{{ vault_storage_key }}"
    vm_name: app01
    state: copied
    destination:
      account_url: https://contosovhdsdr.blob.core.windows.net
      account_key: "{{ vault_dr_storage_key }}"
    disks:
      - {container: vhds, blob: app01-os.vhd}
      - {container: vhds, blob: app01-data0.vhd, lun: 0}

- name: Preview restoring the newest point before 06:00 in place
  drkit.microsoft.blob_snapshot_copy:
    account_url: https://contosovhds.blob.core.windows.net
    auth_mode: login
    vm_name: app01
    state: restored
    restore_before: "2026-11-23T06:00:00Z"
    disks:
      - {container: vhds, blob: app01-os.vhd}
      - {container: vhds, blob: app01-data0.vhd, lun: 0}
  check_mode: true
  register: preview

- name: Restore a point into new blobs, leaving the originals alone
  drkit.microsoft.blob_snapshot_copy:
    account_url: https://contosovhds.blob.core.windows.net
    sas_token: "{{ vault_storage_sas }}"
    vm_name: app01
    state: restored
    recovery_point_id: nightly-4711
    target: new
    disks:
      - {container: vhds, blob: app01-os.vhd}
      - {container: vhds, blob: app01-data0.vhd, lun: 0}
"""

RETURN = r"""
changed:
  description: Whether anything was (or in check mode would be) snapshotted, copied or deleted.
  returned: always
  type: bool
plan:
  description:
    - The actions, in order, that were applied or, in check mode, would be.
    - Each has C(action), C(target), C(detail), C(effect) (create, modify, copy, overwrite, delete, restart, verify or gate),
      C(destructive) and C(reversible).
  returned: always
  type: list
  elements: dict
  sample:
    - action: overwrite_disk_from_snapshot
      target: vhds/app01-os.vhd
      detail: {snapshot: "2026-11-23T05:00:01.1230000Z", recovery_point: nightly-4711, exists: true, size: 136367309312,
               last_modified: "2026-11-23T07:12:44+00:00"}
      effect: overwrite
      destructive: true
      reversible: false
notices:
  description: What an operator must know before approving the plan, such as data that a restore will lose.
  returned: always
  type: list
  elements: str
recovery_point:
  description: The recovery point taken, restored or deleted, as found in storage after the run (before it, in check mode).
  returned: when a recovery point was named or found
  type: dict
  contains:
    id:
      description: Recovery point id.
      type: str
    vm_name:
      description: The VM.
      type: str
    started:
      description: UTC time the point was started, ISO 8601.
      type: str
    complete:
      description: Whether every disk of the point has its snapshot.
      type: bool
    disk_count:
      description: Number of disks in the point.
      type: int
    size:
      description: Sum of the disks' sizes in bytes.
      type: int
    snapshots:
      description: One entry per disk, with C(container), C(blob), C(lun), C(role), C(snapshot) (its time stamp) and C(size).
      type: list
      elements: dict
bytes_moved:
  description: Bytes of page data written to each replica blob (destination container/blob), for O(state=copied).
  returned: when O(state=copied) and not in check mode
  type: dict
  sample: {"vhds/app01-os.vhd": 73400320}
destination_recovery_point:
  description: The recovery point as found on the destination after the copy, with the same keys as RV(recovery_point).
  returned: when O(state=copied) and not in check mode
  type: dict
snapshot_skew_seconds:
  description: Time between the first and the last snapshot of the point, by the service's snapshot time stamps.
  returned: when a recovery point was taken
  type: float
"""

import uuid
from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import (
    AZURE_AUTH_ARGUMENT_SPEC, azure_token_credential_factory)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api, copy, planner, prune
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.appliers import AccountAppliers
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import (
    DESTINATION_OPTION, STORAGE_ARGUMENT_SPEC, STORAGE_MUTUALLY_EXCLUSIVE, blob_service_client, storage_auth_mode)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import (
    UNMANAGED_DISKS_ARGUMENT_SPEC, UNMANAGED_DISKS_ONE_OF, group_recovery_points, list_disks, read_recovery_points, select_point,
    validate_point_id, vm_disks)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.sas import SourceUrls
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import remember_secret, reported_errors, run_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc, utc_stamp


def argument_spec():
    return dict(
        STORAGE_ARGUMENT_SPEC,
        **AZURE_AUTH_ARGUMENT_SPEC,
        **UNMANAGED_DISKS_ARGUMENT_SPEC,
        state=dict(type="str", choices=["snapshot", "copied", "restored", "pruned", "absent"], default="snapshot"),
        keep_last=dict(type="int"),
        keep_days=dict(type="int"),
        recovery_point_id=dict(type="str"),
        restore_before=dict(type="str"),
        target=dict(type="str", choices=["in_place", "new"], default="in_place"),
        target_prefix=dict(type="str", default="restored-{recovery_point}/"),
        break_leases=dict(type="bool", default=False),
        safety_snapshot=dict(type="bool", default=True),
        max_concurrency=dict(type="int", default=16),
        destination=DESTINATION_OPTION,
        copy_method=dict(type="str", choices=["server", "client"], default="server"),
        restore_from=dict(type="str", choices=["primary", "secondary"], default="primary"),
    )


class Run(object):
    """What every state needs: the parameters, the source account and its recovery points."""

    def __init__(self, module):
        self.module = module
        self.params = params = module.params
        self.disks = vm_disks(params)
        if params["max_concurrency"] < 1:
            raise InvalidParameter("max_concurrency", "must be at least 1")
        storage_auth_mode(params)  # refuses missing or conflicting credentials before any call
        self.now = datetime.now(timezone.utc)
        self.point_id = params["recovery_point_id"]
        if self.point_id is None and params["state"] == "snapshot":
            self.point_id = "%s-%s" % (self.now.strftime("%Y%m%dT%H%M%SZ"), uuid.uuid4().hex[:6])
        if self.point_id is not None:
            validate_point_id(self.point_id)
        self.before = parse_utc(params["restore_before"], "restore_before") if params["restore_before"] else None
        if params["state"] == "copied" and not params["destination"]:
            raise InvalidParameter("destination", "required with state=copied: the second account to copy to")
        self.token_factory = azure_token_credential_factory(module)
        self.service = self.connect(params)
        self.listings, locations = list_disks(self.service, self.disks)
        self.points = group_recovery_points(params["vm_name"], self.listings, locations)
        # Appliers of the action types only some states plan (copies, prunes), added by those planners.
        self.extra_appliers = {}
        self.remember = lambda token: remember_secret(module, token)
        self.appliers = AccountAppliers(self.service, SourceUrls(self.service, params, self.remember, same_account=True),
                                        params["max_concurrency"])

    def connect(self, account):
        return blob_service_client(account, self.token_factory, self.params["ca_bundle"], self.params["max_retries"])

    def chosen_point(self):
        """The point named, else the newest complete one (before restore_before, if given)."""
        point = select_point(self.points, self.point_id, self.before)
        if point is None:
            if self.point_id:
                raise InvalidParameter("recovery_point_id", "recovery point %s of VM %s does not exist" % (self.point_id, self.params["vm_name"]))
            raise InvalidParameter("restore_before" if self.before else "recovery_point_id",
                                   "no complete recovery point of VM %s matches" % self.params["vm_name"])
        self.point_id = point.id
        return point


def plan_restore(run):
    params = run.params
    if params["restore_from"] == "secondary":
        if not params["destination"]:
            raise InvalidParameter("destination", "required with restore_from=secondary: the account holding the replicas")
        secondary = run.connect(params["destination"])
        replicas = dict((d.key, r) for d, r in zip(run.disks, replica_disks(run)))
        # Points and copy sources come from the replicas; the disks written stay in the primary account.
        run.points = read_recovery_points(secondary, params["vm_name"], run.disks, replicas)
        run.appliers.source_url = SourceUrls(secondary, params["destination"], run.remember)
    point = run.chosen_point()
    prefix = params["target_prefix"].replace("{recovery_point}", point.id)
    bases = {}
    for disk in run.disks:
        key = disk.key if params["target"] == "in_place" else "%s/%s%s" % (disk.container, prefix, disk.blob)
        bases[disk.key] = api.get_properties(run.appliers.blob(key))
    return planner.plan_restore(point, run.disks, bases, params["target"], prefix, params["break_leases"], params["safety_snapshot"])


def plan_copy(run):
    """Read the replicas and the pages each disk needs, then plan the copies."""
    point = run.chosen_point()
    if not point.complete:
        raise DrkitError("recovery point %s is incomplete; only complete points are copied" % point.id,
                         step="plan_copy", target=point.id)
    destination = run.params["destination"]
    run.destination = run.connect(destination)
    replica_of = dict((s.disk.key, copy.replica_disk(s.disk, destination.get("container"))) for s in point.snapshots)
    missing = sorted(name for name in set(r.container for r in replica_of.values())
                     if not api.container_exists(run.destination.get_container_client(name)))
    source_listings = dict((disk.key, listing) for disk, listing in run.listings)
    replicas, ranges = {}, {}
    for record in point.snapshots:
        replica = replica_of[record.disk.key]
        listing = api.list_blob_versions(run.destination.get_container_client(replica.container), replica.blob)
        replicas[record.disk.key] = (replica, listing)
        if copy.replica_holds(point.id, listing):
            continue
        source_stamps = set(v.snapshot for v in source_listings[record.disk.key] if v.snapshot)
        base = copy.choose_base(record, source_stamps, listing)
        snapshot = run.service.get_blob_client(record.disk.container, record.disk.blob, snapshot=record.snapshot)
        written, cleared = api.page_ranges(snapshot, previous_snapshot=base)
        ranges[record.disk.key] = (base, written, cleared if base else [])
    run.copy_appliers = copy.CopyAppliers(run.service, run.destination, SourceUrls(run.service, run.params, run.remember), ranges,
                                          run.params["max_concurrency"], run.params["copy_method"] == "client")
    run.extra_appliers.update(run.copy_appliers.as_mapping())
    return copy.plan_containers(missing).extend(copy.plan_copy(point, replicas, ranges))


def replica_disks(run):
    return [copy.replica_disk(d, run.params["destination"].get("container")) for d in run.disks]


def plan_prune(run):
    """Prune the source and, when a destination is given, the destination too."""
    params = run.params
    prune.validate_retention(params["keep_last"], params["keep_days"])
    services, protected, plan = {"source": run.service}, set(), None
    if params["destination"]:
        run.destination = services["destination"] = run.connect(params["destination"])
        replica_points = read_recovery_points(run.destination, params["vm_name"], replica_disks(run))
        protected = prune.copy_bases(replica_points)
        plan = prune.plan_prune(replica_points, "destination", params["keep_last"], params["keep_days"], run.now)
    run.extra_appliers.update(prune.PruneAppliers(services).as_mapping())
    source_plan = prune.plan_prune(run.points, "source", params["keep_last"], params["keep_days"], run.now, protected)
    return source_plan.extend(plan) if plan else source_plan


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=STORAGE_MUTUALLY_EXCLUSIVE + UNMANAGED_DISKS_ONE_OF + [("recovery_point_id", "restore_before")],
        required_one_of=UNMANAGED_DISKS_ONE_OF,
        required_if=[("state", "absent", ["recovery_point_id"]),
                     ("state", "restored", ["recovery_point_id", "restore_before"], True)],
        supports_check_mode=True,
    )
    with reported_errors(module):
        run = Run(module)
        state = module.params["state"]
        if state == "snapshot":
            plan = planner.plan_snapshot(module.params["vm_name"], run.disks, run.points, run.point_id, utc_stamp(run.now))
        elif state == "absent":
            plan = planner.plan_absent(select_point(run.points, run.point_id), run.point_id)
        elif state == "copied":
            plan = plan_copy(run)
        elif state == "pruned":
            plan = plan_prune(run)
        else:
            plan = plan_restore(run)
        appliers = run.appliers.as_mapping()
        appliers.update(run.extra_appliers)

        def summarize(outcomes):
            result = {}
            final = run.points if outcomes is None or state == "restored" else read_recovery_points(
                run.service, module.params["vm_name"], run.disks)
            point = select_point(final, run.point_id)
            if point is not None:
                result["recovery_point"] = point.as_dict()
            if run.appliers.snapshot_skew_seconds is not None:
                result["snapshot_skew_seconds"] = run.appliers.snapshot_skew_seconds
            if state == "copied":
                result["bytes_moved"] = run.copy_appliers.bytes_moved
                copied = select_point(read_recovery_points(run.destination, module.params["vm_name"], replica_disks(run)),
                                      run.point_id) if outcomes is not None else None
                if copied is not None:
                    result["destination_recovery_point"] = copied.as_dict()
            return result

        run_plan(module, plan, appliers, summarize)


if __name__ == "__main__":
    main()
