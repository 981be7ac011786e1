#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: blob_snapshot_copy_info
short_description: List the recovery points of a VM's unmanaged disks
version_added: 0.1.0
description:
  - Lists the recovery points that M(drkit.microsoft.blob_snapshot_copy) took of a VM's unmanaged disks, oldest first,
    with their completeness, disks, snapshot time stamps and sizes.
  - A recovery point is complete only when every disk it was taken of has its snapshot; only complete points can be restored.
  - With O(destination), each point also tells whether its copy in that second account is complete.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - azure-storage-blob >= 12.24.0
extends_documentation_fragment:
  - drkit.microsoft.info_module
  - drkit.microsoft.storage
  - drkit.microsoft.unmanaged_disks
  - drkit.microsoft.storage_destination
  - drkit.microsoft.azure
seealso:
  - module: drkit.microsoft.blob_snapshot_copy
"""

EXAMPLES = r"""
- name: List the recovery points of app01
  drkit.microsoft.blob_snapshot_copy_info:
    account_url: https://contosovhds.blob.core.windows.net
    auth_mode: login
    vm_name: app01
    disks:
      - {container: vhds, blob: app01-os.vhd}
      - {container: vhds, blob: app01-data0.vhd, lun: 0}
  register: points

- name: Show the newest complete one
  ansible.builtin.debug:
    msg: "{{ (points.recovery_points | selectattr('complete') | last).id }}"
"""

RETURN = r"""
recovery_points:
  description: The VM's recovery points, oldest first.
  returned: always
  type: list
  elements: dict
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
      description: Number of disks the point was taken of.
      type: int
    size:
      description: Sum of the disks' sizes in bytes.
      type: int
    copy_status:
      description:
        - With O(destination), V(complete) when every disk's replica snapshot of the point exists there,
          V(partial) when only some do (a copy cut off, to be rerun), V(none) when the point was not copied.
      type: str
      returned: when O(destination) is given
    snapshots:
      description: One entry per disk, with C(container), C(blob), C(lun), C(role), C(snapshot) (its time stamp) and C(size).
      type: list
      elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import (
    AZURE_AUTH_ARGUMENT_SPEC, azure_token_credential_factory)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import (
    DESTINATION_OPTION, STORAGE_ARGUMENT_SPEC, STORAGE_MUTUALLY_EXCLUSIVE, blob_service_client)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.copy import replica_disk
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import (
    UNMANAGED_DISKS_ARGUMENT_SPEC, UNMANAGED_DISKS_ONE_OF, read_recovery_points, vm_disks)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors


def main():
    module = AnsibleModule(
        argument_spec=dict(
            STORAGE_ARGUMENT_SPEC,
            **AZURE_AUTH_ARGUMENT_SPEC,
            **UNMANAGED_DISKS_ARGUMENT_SPEC,
            destination=DESTINATION_OPTION,
        ),
        mutually_exclusive=STORAGE_MUTUALLY_EXCLUSIVE + UNMANAGED_DISKS_ONE_OF,
        required_one_of=UNMANAGED_DISKS_ONE_OF,
        supports_check_mode=True,
    )
    params = module.params
    with reported_errors(module):
        disks = vm_disks(params)
        token_factory = azure_token_credential_factory(module)
        service = blob_service_client(params, token_factory, params["ca_bundle"], params["max_retries"])
        points = [p.as_dict() for p in read_recovery_points(service, params["vm_name"], disks)]
        if params["destination"]:
            replicas = [replica_disk(d, params["destination"].get("container")) for d in disks]
            secondary = blob_service_client(params["destination"], token_factory, params["ca_bundle"], params["max_retries"])
            copies = dict((p.id, p) for p in read_recovery_points(secondary, params["vm_name"], replicas))
            for point in points:
                copy = copies.get(point["id"])
                point["copy_status"] = "none" if copy is None else "complete" if copy.complete else "partial"
        module.exit_json(changed=False, recovery_points=points)


if __name__ == "__main__":
    main()
