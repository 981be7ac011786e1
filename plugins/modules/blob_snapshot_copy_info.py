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
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - azure-storage-blob >= 12.24.0
extends_documentation_fragment:
  - drkit.microsoft.storage
  - drkit.microsoft.unmanaged_disks
  - drkit.microsoft.azure
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Reads only.
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
    snapshots:
      description: One entry per disk, with C(container), C(blob), C(lun), C(role), C(snapshot) (its time stamp) and C(size).
      type: list
      elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import (
    AZURE_AUTH_ARGUMENT_SPEC, azure_token_credential_factory)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import (
    STORAGE_ARGUMENT_SPEC, STORAGE_MUTUALLY_EXCLUSIVE, blob_service_client)
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import (
    UNMANAGED_DISKS_ARGUMENT_SPEC, disks_from_params, read_recovery_points)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors


def main():
    module = AnsibleModule(
        argument_spec=dict(
            STORAGE_ARGUMENT_SPEC,
            **AZURE_AUTH_ARGUMENT_SPEC,
            **UNMANAGED_DISKS_ARGUMENT_SPEC,
        ),
        mutually_exclusive=STORAGE_MUTUALLY_EXCLUSIVE,
        supports_check_mode=True,
    )
    params = module.params
    with reported_errors(module):
        disks = disks_from_params(params["disks"])
        service = blob_service_client(params, azure_token_credential_factory(module), params["ca_bundle"], params["max_retries"])
        points = read_recovery_points(service, params["vm_name"], disks)
        module.exit_json(changed=False, recovery_points=[p.as_dict() for p in points])


if __name__ == "__main__":
    main()
