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
  - O(state=restored) restores a whole complete recovery point, in place (each snapshot copied over its base blob) or into new blobs.
    In check mode it returns the plan, which names the blobs that would be overwritten with their current size and last-modified time,
    and that data written after the recovery point is lost.
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
      - V(restored) restores the recovery point O(recovery_point_id), or the newest complete one started before O(restore_before).
      - V(absent) deletes recovery point O(recovery_point_id).
    type: str
    choices: [snapshot, restored, absent]
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
      - Most snapshots or copies issued at once.
    type: int
    default: 16
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
from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api, planner
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.appliers import AccountAppliers
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import (
    STORAGE_ARGUMENT_SPEC, STORAGE_MUTUALLY_EXCLUSIVE, blob_service_client, storage_auth_mode)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import (
    UNMANAGED_DISKS_ARGUMENT_SPEC, disks_from_params, read_recovery_points, select_point, validate_point_id)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc, utc_stamp


def argument_spec():
    return dict(
        STORAGE_ARGUMENT_SPEC,
        **AZURE_AUTH_ARGUMENT_SPEC,
        state=dict(type="str", choices=["snapshot", "restored", "absent"], default="snapshot"),
        **UNMANAGED_DISKS_ARGUMENT_SPEC,
        recovery_point_id=dict(type="str"),
        restore_before=dict(type="str"),
        target=dict(type="str", choices=["in_place", "new"], default="in_place"),
        target_prefix=dict(type="str", default="restored-{recovery_point}/"),
        break_leases=dict(type="bool", default=False),
        safety_snapshot=dict(type="bool", default=True),
        max_concurrency=dict(type="int", default=16),
    )


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=STORAGE_MUTUALLY_EXCLUSIVE + [("recovery_point_id", "restore_before")],
        required_if=[("state", "absent", ["recovery_point_id"]),
                     ("state", "restored", ["recovery_point_id", "restore_before"], True)],
        supports_check_mode=True,
    )
    params = module.params
    with reported_errors(module):
        disks = disks_from_params(params["disks"])
        if params["max_concurrency"] < 1:
            raise InvalidParameter("max_concurrency", "must be at least 1")
        auth_mode = storage_auth_mode(params)
        now = datetime.now(timezone.utc)
        point_id = params["recovery_point_id"]
        if point_id is None and params["state"] == "snapshot":
            point_id = "%s-%s" % (now.strftime("%Y%m%dT%H%M%SZ"), uuid.uuid4().hex[:6])
        if point_id is not None:
            validate_point_id(point_id)
        before = parse_utc(params["restore_before"], "restore_before") if params["restore_before"] else None

        service = blob_service_client(params, azure_token_credential_factory(module), params["ca_bundle"], params["max_retries"])
        points = read_recovery_points(service, params["vm_name"], disks)
        appliers = AccountAppliers(service, params["max_concurrency"],
                                   "?" + params["sas_token"].lstrip("?") if auth_mode == "sas" else "")

        if params["state"] == "snapshot":
            plan = planner.plan_snapshot(params["vm_name"], disks, points, point_id, utc_stamp(now))
        elif params["state"] == "absent":
            plan = planner.plan_absent(select_point(points, point_id), point_id)
        else:
            point = select_point(points, point_id, before)
            if point is None:
                raise InvalidParameter("recovery_point_id" if point_id else "restore_before",
                                       "no recovery point of VM %s matches" % params["vm_name"] if point_id is None
                                       else "recovery point %s of VM %s does not exist" % (point_id, params["vm_name"]))
            point_id = point.id
            prefix = params["target_prefix"].replace("{recovery_point}", point.id)
            bases = {}
            for disk in disks:
                key = disk.key if params["target"] == "in_place" else "%s/%s%s" % (disk.container, prefix, disk.blob)
                bases[disk.key] = api.get_properties(appliers.blob(key))
            plan = planner.plan_restore(point, disks, bases, params["target"], prefix,
                                        params["break_leases"], params["safety_snapshot"])

        def summarize(outcomes):
            result = {}
            final = points if outcomes is None else read_recovery_points(service, params["vm_name"], disks)
            point = select_point(final, point_id)
            if point is not None:
                result["recovery_point"] = point.as_dict()
            if appliers.snapshot_skew_seconds is not None:
                result["snapshot_skew_seconds"] = appliers.snapshot_skew_seconds
            return result

        run_plan(module, plan, appliers.as_mapping(), summarize)


if __name__ == "__main__":
    main()
